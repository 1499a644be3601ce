"""A mail backend for the test of a mail server that is down (EMAIL_BACKEND names it)."""

from __future__ import annotations


class BrokenBackend:
    """Refuses every message the way a mail server that is down does."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        pass

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("mail server down")

"""Errors every app's actions share."""

from __future__ import annotations


class Conflict(Exception):
    """A step that the object's current state refuses (placing an order twice, accepting
    an offer someone already answered): the API answers 409 with the message, a page
    shows it; nothing was changed."""

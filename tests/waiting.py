"""Waiting for real work (a worker, a server, a socket) without a clock in the test.

A wait has no deadline of its own: pytest-timeout (300 s a test, pyproject.toml) ends a
wait that never ends, with a traceback. So a busy machine makes a test slower, never
wrong; the assertions that follow are on the work done. Times belong in `make bench`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_until(
    ready: Callable[[], Any],
    *,
    dead: Callable[[], str | None] = lambda: None,
    poll_s: float = 0.1,
) -> Any:
    """Poll `ready()` until it gives a truthy value, and return it. `dead()` says why the
    wait can never end (a process it depends on exited); then fail at once with that."""
    while True:
        value = ready()
        if value:
            return value
        why = dead()
        if why:
            raise AssertionError(why)
        time.sleep(poll_s)

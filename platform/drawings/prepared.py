"""Prepared re-rank candidates, kept per process, bounded.

Preparing a stored part for the re-rank (decoding its shape, the outline's FFTs, a k-d
tree of its densified contour) costs more than comparing it. The same parts come back
as candidates query after query, so each web process keeps the prepared ones it has
used, least recently used out first.

Nothing here can go stale: the key is the part row and its geometry hash, and a part row
never changes its shape (a new analysis writes new rows). A part saved a moment ago is
not in the cache yet, so it is read and prepared like any other; a part that stops being
current simply stops being asked for and ages out. Memory is bounded by the entry count:
about 30 kB an entry (bench/drawings_search.py measures it), so the default 10,000 is
about 300 MB at most per web process; a group's whole library usually fits.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

Key = tuple[int, str]  # (part id, geometry hash)

DEFAULT_MAX_ENTRIES = 10_000


class PreparedCache:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Key, Any] = OrderedDict()
        self._lock = threading.Lock()  # sync views run in threads of one process

    def __len__(self) -> int:
        return len(self._entries)

    def get_many(self, keys: Iterable[Key]) -> dict[Key, Any]:
        """The entries held for `keys` (the others are absent), marked as recently used."""
        found = {}
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is not None:
                    self._entries.move_to_end(key)
                    found[key] = entry
        return found

    def put_many(self, entries: Mapping[Key, Any]) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            for key, entry in entries.items():
                self._entries[key] = entry
                self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


PREPARED = PreparedCache(
    int(os.environ.get("KUMIAI_SIMILAR_PREPARED_PARTS", str(DEFAULT_MAX_ENTRIES)))
)

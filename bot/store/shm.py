"""The SQLite store's `-shm` file kept whole while the bot runs.

In WAL mode every connection maps `store.sqlite3-shm` (the WAL index) into memory. Truncated
under the process (a cleanup script, a full disk's repair, an operator), the next read or write
touches mapped pages past the file's new end and the kernel kills the process with SIGBUS: no
log line, no reply. Permissions do not matter to a mapping that exists, only the size does.

`ShmGuard` holds its own read-write descriptor on the `-shm` from the start, so it can still
resize the file after a chmod 000, and `check()` (before every store call, and once a second
from the store watch) gives a shrunk file back the largest size it had: the mapped pages exist
again, zero-filled, and SQLite, finding no valid WAL-index header, rebuilds the index from the
WAL itself. The one window left is a truncation while a statement is running in SQLite.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)


class ShmGuard:
    def __init__(self, database: str) -> None:
        self.path = f"{database}-shm"
        self._fd: int | None = None
        self._size = 0
        self.restored = 0  # times a truncated -shm was given its size back

    def arm(self) -> None:
        """Hold the -shm open (it exists once SQLite opened the database in WAL mode)."""
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR)
            except OSError:
                return  # not there yet (or not WAL): tried again at the next check
            self._size = os.fstat(self._fd).st_size

    def check(self) -> None:
        """Restore the -shm's size if it shrank; log it once per time it happened."""
        self.arm()
        if self._fd is None:
            return
        try:
            size = os.fstat(self._fd).st_size
            if size >= self._size:
                self._size = size
                return
            os.ftruncate(self._fd, self._size)
        except OSError as exc:
            log.error("store: the store's %s shrank and could not be restored (%s); the process may die of SIGBUS", self.path, exc)
            return
        self.restored += 1
        log.error(
            "store: the store's %s was truncated under the bot (%d -> %d bytes), which kills a process "
            "with SIGBUS at its next read; its size is restored and SQLite rebuilds the WAL index",
            self.path,
            size,
            self._size,
        )

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

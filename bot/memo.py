"""A bounded memory: least recently used entries go first, and an idle entry expires after a while."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(Generic[K, V]):
    """At most `size` entries, each forgotten `ttl` seconds after it was last written or read."""

    def __init__(self, size: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = max(size, 1)
        self.ttl = ttl
        self.clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self._items.get(key)
        if found is None:
            return None
        now = self.clock()
        if now - found[0] > self.ttl:
            del self._items[key]
            return None
        self._items[key] = (now, found[1])
        self._items.move_to_end(key)
        return found[1]

    def set(self, key: K, value: V) -> None:
        self._items[key] = (self.clock(), value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        self._expire_some()

    def drop(self, key: K) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)

    def _expire_some(self) -> None:
        """The oldest entries are at the front: drop the expired ones there (amortised O(1))."""
        cutoff = self.clock() - self.ttl
        for _ in range(2):
            if not self._items:
                return
            key, (at, _) = next(iter(self._items.items()))
            if at >= cutoff:
                return
            del self._items[key]


class OneRead(Generic[K, V]):
    """One read per key in flight, shared by every caller asking meanwhile, its result kept in
    the memo when it lands, even after every caller stopped waiting: a slow store is read once
    per reader, not once per message (each timing out, each adding to the load)."""

    def __init__(self, memo: Memo[K, V]) -> None:
        self.memo = memo
        self._flying: dict[K, asyncio.Future[V]] = {}

    def read(self, key: K, start: Callable[[], Awaitable[V]]) -> asyncio.Future[V]:
        """The read of `key` in flight, else a new one; await it through asyncio.shield."""
        future = self._flying.get(key)
        if future is None:
            future = self._flying[key] = asyncio.ensure_future(start())

            def landed(done: asyncio.Future[V]) -> None:
                self._flying.pop(key, None)
                if not done.cancelled() and done.exception() is None:
                    self.memo.set(key, done.result())

            future.add_done_callback(landed)
        return future

"""The bounded memory behind per-chat context and per-reader choices."""

from __future__ import annotations

import contextlib

import pytest

from bot.memo import Memo


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_least_recently_used_goes_first() -> None:
    memo: Memo[int, str] = Memo(2, 60, Clock())
    memo.set(1, "a")
    memo.set(2, "b")
    assert memo.get(1) == "a"          # 1 is now the most recent
    memo.set(3, "c")
    assert (memo.get(1), memo.get(2), memo.get(3), len(memo)) == ("a", None, "c", 2)


def test_an_idle_entry_expires_and_a_read_keeps_it_alive() -> None:
    clock = Clock()
    memo: Memo[int, str] = Memo(100, 10, clock)
    memo.set(1, "a")
    memo.set(2, "b")
    clock.now = 8
    assert memo.get(1) == "a"
    clock.now = 15
    assert memo.get(2) is None and memo.get(1) == "a"
    clock.now = 40
    memo.set(3, "c")                   # writing sweeps expired entries off the old end
    assert len(memo) == 1


@pytest.mark.asyncio
async def test_one_read_per_key_lands_in_the_memo_even_after_callers_stopped_waiting() -> None:
    import asyncio

    from bot.memo import OneRead

    memo: Memo[int, str] = Memo(10, 60)
    reads = OneRead(memo)
    started = 0
    release = asyncio.Event()

    async def slow() -> str:
        nonlocal started
        started += 1
        await release.wait()
        return "en"

    for _ in range(5):   # five messages of one reader, each giving up after a moment
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(reads.read(7, slow)), 0.01)
    assert started == 1 and memo.get(7) is None
    release.set()
    await asyncio.sleep(0.01)
    assert memo.get(7) == "en"               # the next message finds it without a read
    assert started == 1

"""Opening the store at start: an unreachable database is waited for, a refusal is one line.

A database that is down or not up yet (connection refused, a timeout, a name that does not
resolve yet) is retried like the Bot API at start, one log line per attempt, backing off to
30 s. One that answers and refuses (a wrong password, an unknown user or database, a file that
cannot be opened) will refuse again: `StoreRefused`, whose message is the one line to print.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Protocol

log = logging.getLogger(__name__)

MAX_DELAY = 30.0


class StoreRefused(Exception):
    """The database answered and refused; retrying will not help."""


class Openable(Protocol):
    url: str

    async def open(self) -> None: ...

    async def close(self) -> None: ...


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        todo += [item.__cause__, item.__context__, getattr(item, "orig", None)]


def unreachable(exc: BaseException) -> bool:
    """True for a database that did not answer (worth waiting for); False for one that refused."""
    for item in _chain(exc):
        state = getattr(item, "sqlstate", None)
        if isinstance(state, str) and (state.startswith("28") or state == "3D000"):
            return False  # authentication, or no such database: it answered
        if isinstance(state, str) and state.startswith(("08", "57P03")):
            return True  # connection failure, or "the database system is starting up"
    return any(isinstance(item, (OSError, TimeoutError, ConnectionError)) and not isinstance(item, PermissionError) for item in _chain(exc))


def where(url: str) -> str:
    """The database's address for a message, never its password."""
    return url.split("@")[-1] if "@" in url else url


def reason(exc: BaseException) -> str:
    """The driver's own words in one line (SQLAlchemy appends the statement and a link)."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


async def open_with_retry(store: Openable, delay: float = 1.0) -> None:
    attempt = 1
    while True:
        try:
            await store.open()
            return
        except Exception as exc:
            await store.close()
            if not unreachable(exc):
                raise StoreRefused(f"the database at {where(store.url)} refused the bot: {reason(exc)}") from None
            log.warning(
                "the database at %s is unreachable (attempt %d: %s); retrying in %.0f s", where(store.url), attempt, reason(exc), delay
            )
        await asyncio.sleep(delay)
        delay, attempt = min(delay * 2, MAX_DELAY), attempt + 1

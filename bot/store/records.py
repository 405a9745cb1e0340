"""What the store keeps, as plain values, and the guard for calling it on a reader's path.

Kept apart from `bot.store` so that code which only handles these values (rendering, matching
follows, handlers) does not import SQLAlchemy: `paperbot ask` starts without it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Literal

log = logging.getLogger(__name__)

Kind = Literal["section", "org", "author", "topic"]
Cadence = Literal["instant", "daily", "weekly"]
CADENCES: tuple[Cadence, ...] = ("instant", "daily", "weekly")
MAX_SUBSCRIPTIONS = 50


@dataclass(frozen=True)
class Subscription:
    user_id: int
    chat_id: int
    kind: Kind
    value: str
    label: str
    lang: str = "zh"   # the language the reader subscribed in: pushes follow it
    cadence: Cadence = "instant"   # each new paper at once, or one roundup a day / a week
    without: tuple[str, ...] = ()  # exclusion keys (bot.conversation.exclusions): papers never pushed

    @property
    def follow(self) -> tuple[int, str, str]:
        """What names one follow in the store: the reader, its kind and value."""
        return self.user_id, self.kind, self.value


@dataclass(frozen=True)
class Claim:
    chat_id: int
    paper_ids: tuple[str, ...]


@dataclass(frozen=True)
class Roundup:
    """One period's roundup of a follow, claimed by this replica (or read back for a page)."""

    id: int
    sub: Subscription
    period: str        # the period's key ("weekly:2026-11-30"): logged once per follow
    paper_ids: tuple[str, ...]


@dataclass(frozen=True)
class Collected:
    """A follow with papers waiting for its roundup: the oldest waiting since `oldest` (epoch s)."""

    sub: Subscription
    zone: str | None   # the reader's /tz, None when never set
    oldest: float


TIMEOUT = 3.0   # seconds a reader waits for the store before "try again later"
QUICK = 0.3     # seconds a card waits for something it can do without (a language, ⭐ marks)


async def guarded(what: str, action: Awaitable[Any], default: Any = None, *, timeout: float | None = None) -> Any:
    """A store call on a reader's path: a failure or a hang (past `timeout` seconds, TIMEOUT by
    default) is logged and the default returned, never raised.

    The reader stops waiting; the call is not cancelled, it finishes on its own. Cancelled in
    the middle of a statement, an aiosqlite write left its connection closed with the
    transaction open (SQLAlchemy invalidates it, sqlite3 keeps the unfinished statement), and
    that connection kept the file's write lock: every later write waited 5 s and failed with
    "database is locked", the journal retried its marks forever (#22 item 3: load.py's SQLite
    row never finished)."""
    timeout = TIMEOUT if timeout is None else timeout
    try:
        return await asyncio.wait_for(asyncio.shield(action), timeout)
    except TimeoutError:
        log.warning("store: %s took longer than %.1f s; going on without it", what, timeout)
        return default
    except Exception as exc:
        log.warning("store: %s failed (%s: %s)", what, type(exc).__name__, exc)
        return default


async def logged(what: str, action: Awaitable[Any], default: Any = None) -> Any:
    """A job's whole run (pushes, roundups): a failure is logged and the default returned, but no
    deadline: no reader waits on it, and cutting a run short would leave the claims it took."""
    try:
        return await action
    except Exception as exc:
        log.warning("store: %s failed (%s: %s)", what, type(exc).__name__, exc)
        return default

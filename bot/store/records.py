"""What the store keeps, as plain values, and the guard for calling it on a reader's path.

Kept apart from `bot.store` so that code which only handles these values (rendering, matching
follows, handlers) does not import SQLAlchemy: `paperbot ask` starts without it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Literal

log = logging.getLogger(__name__)

Kind = Literal["section", "org", "author", "topic"]
MAX_SUBSCRIPTIONS = 50


@dataclass(frozen=True)
class Subscription:
    user_id: int
    chat_id: int
    kind: Kind
    value: str
    label: str
    lang: str = "zh"   # the language the reader subscribed in: pushes follow it


@dataclass(frozen=True)
class Claim:
    chat_id: int
    paper_ids: tuple[str, ...]


async def guarded(what: str, action: Awaitable[Any], default: Any = None) -> Any:
    """A store call on a reader's path: a failure is logged and the default returned, never raised."""
    try:
        return await action
    except Exception as exc:
        log.warning("store: %s failed (%s: %s)", what, type(exc).__name__, exc)
        return default

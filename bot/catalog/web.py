"""Polite HTTP for the catalog's outside services (arXiv, Semantic Scholar, Hugging Face, GitHub).

One request at a time, spaced as each service asks; a reply that says "slow down" (HTTP 429,
or 503 with Retry-After) is waited out as long as it asks, within reason, and tried again.
Every failure becomes one `ServiceError` line a person can act on; nothing here prints.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from bot import __version__

USER_AGENT = f"paperbot/{__version__} (a Telegram bot's catalog tool; polite, one request at a time)"
MAX_WAIT = 120.0    # longest Retry-After honoured; a service asking for more is down for now
RETRIES = 2         # rate-limited tries after the first


class ServiceError(Exception):
    """A request to an outside service failed; the message is one line a person can act on."""


@dataclass
class Polite:
    """At most one request per `delay` seconds, as the service's terms ask."""

    delay: float = 3.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = None

    def wait(self) -> None:
        if self._last is not None:
            left = self.delay - (self.clock() - self._last)
            if left > 0:
                self.sleep(left)
        self._last = self.clock()


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


@dataclass(frozen=True)
class Reply:
    status: int
    headers: httpx.Headers
    body: bytes


def send(http: httpx.Client, method: str, url: str, *, what: str, limit: int, polite: Polite | None = None,
         params: dict[str, str] | None = None, body: Any = None, error: type[ServiceError] = ServiceError,
         allow: frozenset[int] = frozenset()) -> Reply:
    """The reply (a status under 400, or one in `allow`); `error` (one line) for any failure."""
    sleep = polite.sleep if polite else time.sleep
    for attempt in range(RETRIES + 1):
        if polite:
            polite.wait()
        try:
            with http.stream(method, url, params=params, json=body) as response:
                status = response.status_code
                wait = retry_after(response.headers.get("Retry-After"))
                if status == 429 or (status == 503 and wait is not None):
                    if attempt < RETRIES and wait is not None and wait <= MAX_WAIT:
                        sleep(wait)
                        continue
                    asked = f", asked to wait {wait:.0f} s" if wait is not None else ""
                    raise error(f"{what} is limiting requests (HTTP {status}{asked}); try again later")
                if status >= 400 and status not in allow:
                    raise error(f"{what} answered HTTP {status} for {response.url}")
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > limit:
                        raise error(f"{what} sent more than {limit >> 20} MB for {response.url}")
                return Reply(status, response.headers, bytes(data))
        except httpx.TimeoutException:
            raise error(f"{what} did not answer in time ({url})") from None
        except httpx.HTTPError as exc:
            raise error(f"cannot reach {what} at {url}: {type(exc).__name__}") from None
    raise AssertionError("unreachable: the last try returns or raises")


def fetch(http: httpx.Client, method: str, url: str, *, what: str, limit: int, polite: Polite | None = None,
          params: dict[str, str] | None = None, body: Any = None, error: type[ServiceError] = ServiceError,
          missing_ok: bool = False) -> bytes | None:
    """The reply's body; None for a 404 when `missing_ok`."""
    reply = send(http, method, url, what=what, limit=limit, polite=polite, params=params, body=body, error=error,
                 allow=frozenset({404}) if missing_ok else frozenset())
    return None if reply.status == 404 else reply.body


def json_reply(data: bytes, what: str, error: type[ServiceError] = ServiceError) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise error(f"{what} answered with malformed JSON") from None

"""How often a follow is delivered, and the periods of its roundups in the reader's time zone.

"/subscribe multimodal weekly", "每周给我推送多模态的论文": a cadence word (weekly / daily /
instant, 每周 / 每天 / 即时) is read out of a follow's words. A daily follow's period runs from
ROUNDUP_HOUR one day to ROUNDUP_HOUR the next, a weekly one's from Monday ROUNDUP_HOUR to the
next Monday's, both on the reader's wall clock; the roundup goes out when its period ends. The
zone is the reader's /tz, else guessed from their language. Pure functions; time comes in as
epoch seconds, so tests choose it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.store.records import Cadence
from bot.text import simplify

ROUNDUP_HOUR = 9   # a roundup arrives at 09:00 on the reader's clock

_WORDS: tuple[tuple[Cadence, re.Pattern[str]], ...] = (
    ("weekly", re.compile(r"\b(?:weekly|every week|once a week|each week|per week)\b|每周|每星期|每个星期|每礼拜|一周一次|按周")),
    ("daily", re.compile(r"\b(?:daily|every day|once a day|each day|per day)\b|每天|每日|每一天|一天一次|按天")),
    ("instant", re.compile(r"\b(?:instant(?:ly)?|immediately|right away|at once|real[- ]?time)\b|即时|立即|实时|马上|立刻")),
)
_ZONE_WORDS: dict[Cadence, tuple[str, str]] = {"daily": ("每天", "daily"), "weekly": ("每周", "weekly"),
                                               "instant": ("即时", "instant")}
_OFFSET = re.compile(r"(?:utc|gmt)\s*(?:([+-])\s*(\d{1,2})(?::?(\d\d))?)?", re.IGNORECASE)


def split_cadence(text: str) -> tuple[Cadence | None, str]:
    """The cadence a follow's words name (None: none named) and the words without it."""
    plain = simplify(text)
    low = plain.casefold()
    plain = plain if len(low) == len(plain) else low   # positions of one string serve the other
    for cadence, pattern in _WORDS:
        found = pattern.search(low)
        if found:
            rest = plain[:found.start()] + " " + plain[found.end():]
            return cadence, re.sub(r"\s+", " ", rest).strip(" ,，")
    return None, text


def cadence_word(cadence: Cadence, lang: str) -> str:
    zh, en = _ZONE_WORDS[cadence]
    return zh if lang == "zh" else en


def parse_zone(text: str) -> str | None:
    """A zone as /tz takes it: an IANA name ("Europe/Berlin", any case) or UTC±H[:MM]; None otherwise."""
    text = text.strip()
    offset = _OFFSET.fullmatch(text)
    if offset:
        sign, hours, minutes = offset.groups()
        if sign is None:
            return "UTC"
        if int(hours) > 14 or int(minutes or 0) >= 60:
            return None
        return f"UTC{sign}{int(hours)}" + (f":{minutes}" if minutes and minutes != "00" else "")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}", text):
        return None
    for name in (text, "/".join(p[:1].upper() + p[1:] for p in text.split("/"))):
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return None


def guessed_zone(lang: str) -> str:
    """A reader who never said: Chinese readers are most likely on Beijing time."""
    return "Asia/Shanghai" if lang == "zh" else "UTC"


def tz_of(zone: str | None) -> dt.tzinfo:
    """The tzinfo of a stored zone (UTC for one that no longer parses)."""
    offset = _OFFSET.fullmatch(zone or "")
    if offset:
        sign, hours, minutes = offset.groups()
        if sign is None:
            return dt.timezone.utc
        delta = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
        return dt.timezone(delta if sign == "+" else -delta)
    try:
        return ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return dt.timezone.utc


@dataclass(frozen=True)
class Window:
    """One period of a follow: [start, end) in epoch seconds, and its key in the delivery log."""

    key: str
    start: float
    end: float


def window_of(at: float, cadence: Cadence, tz: dt.tzinfo) -> Window:
    """The period that holds the moment `at` (an instant follow's "period" ends at once)."""
    if cadence == "instant":
        return Window(f"instant:{at:.3f}", at, at)
    local = dt.datetime.fromtimestamp(at, tz)
    day = local.date()
    if cadence == "weekly":
        day -= dt.timedelta(days=day.weekday())
    step = dt.timedelta(days=7 if cadence == "weekly" else 1)
    start = dt.datetime.combine(day, dt.time(ROUNDUP_HOUR), tz)
    if start > local:
        start = dt.datetime.combine(day - step, dt.time(ROUNDUP_HOUR), tz)
    end = dt.datetime.combine(start.date() + step, dt.time(ROUNDUP_HOUR), tz)
    return Window(f"{cadence}:{start.date().isoformat()}", start.timestamp(), end.timestamp())

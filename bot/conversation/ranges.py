"""Date ranges: "before June 2023", "since october", "2023年7月到9月", "下半年以前".

The times of a message are found by `understand.find_times`; this module reads the words around
them (before / after / since / until / between / 之前 / 之后 / 以来 / 到 / 期间) and turns them
into a `Period` of months, both ends included, either end open. No I/O.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

# (first month, last month) of a named time, "YYYY-MM"; a time without a year has one by now.
Bounds = tuple[str, str]


@dataclass(frozen=True)
class Period:
    """Months from `first` to `last` ("YYYY-MM", both included); None leaves that end open."""

    first: str | None = None
    last: str | None = None

    @property
    def key(self) -> str:
        return f"{self.first or ''}~{self.last or ''}"

    @classmethod
    def from_key(cls, key: str) -> Period | None:
        m = re.fullmatch(r"(\d{4}-\d\d)?~(\d{4}-\d\d)?", key)
        if not m or not (m.group(1) or m.group(2)):
            return None
        return cls(m.group(1), m.group(2))

    def holds(self, month: str) -> bool:
        return (self.first is None or month >= self.first) and (self.last is None or month <= self.last)


def shift(month: str, by: int) -> str:
    """The month `by` months after `month` ("2023-12", 1 -> "2024-01")."""
    n = int(month[:4]) * 12 + int(month[5:7]) - 1 + by
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


# Words before the first time and after the last that make it a range's end.
_BEFORE_LEAD = re.compile(r"\b(?:before|prior to|earlier than|older than)\s*$")
_AFTER_LEAD = re.compile(r"\b(?:after|later than|newer than)\s*$")
_SINCE_LEAD = re.compile(r"\b(?:since|starting(?: from| in)?|as of|beginning(?: in)?)\s*$|(?:自从|自)\s*$")
_UNTIL_LEAD = re.compile(r"\b(?:until|till|up to|upto|through|thru|no later than)\s*$|(?:截止到?|截至|截止至|直到)\s*$")
_BEFORE_TAIL = re.compile(r"^\s*(?:之前|以前|前(?!\d)|or earlier|and earlier|or before)")
_AFTER_TAIL = re.compile(r"^\s*(?:之后|以后|后(?!\d))")
_SINCE_TAIL = re.compile(r"^\s*(?:以来|起|开始|至今|到现在|到今天|onwards?\b|on\b|or later|and later)")
_UNTIL_TAIL = re.compile(r"^\s*(?:为止|止)")
# What joins two times into one range: "3月到5月", "from may to july"; "and" only after "between".
_BETWEEN = re.compile(r"^\s*(?:到|至|~|-|–|—|to|till|until|through|thru)\s*$")
_AND = re.compile(r"^\s*(?:and|和|与|跟)\s*$")
_BETWEEN_LEAD = re.compile(r"\b(?:between)\s*$|(?:介于|在)\s*$")
_BETWEEN_TAIL = re.compile(r"^\s*(?:之间|期间|中间)")

# The words of ranges, taken out of the residual that is searched for names.
WORDS = re.compile(r"\b(?:before|prior to|earlier than|older than|after|later than|newer than|since|starting|as of|"
                   r"beginning|until|till|up to|through|thru|between|onwards?|or later|or earlier)\b|"
                   r"之前|以前|之后|以后|以来|为止|截止到?|截至|直到|自从|之间|期间|至今")


def find_period(plain: str, spans: list[tuple[int, int]], bounds: list[Bounds]) -> Period | None:
    """The range the words around a message's times make, or None when they name plain times.

    `spans` are the times' places in `plain` (in order) and `bounds` their months; two times
    joined by "到 / to / and" are one range from the first's start to the last's end. "Before"
    and "after" leave the time named out; "since" and "until" keep it in.
    """
    if not spans or len(spans) != len(bounds):
        return None
    (start, _), (_, end) = spans[0], spans[-1]
    lead, tail = plain[max(0, start - 16):start], plain[end:end + 12]
    if len(spans) >= 2:
        between = bool(_BETWEEN_LEAD.search(lead) or _BETWEEN_TAIL.match(tail))
        joined = all(_BETWEEN.match(gap) or (between and _AND.match(gap))
                     for gap in (plain[a[1]:b[0]] for a, b in itertools.pairwise(spans)))
        return Period(bounds[0][0], bounds[-1][1]) if joined else None
    first, last = bounds[0]
    if _BEFORE_LEAD.search(lead) or _BEFORE_TAIL.match(tail):
        return Period(None, shift(first, -1))
    if _AFTER_LEAD.search(lead) or _AFTER_TAIL.match(tail):
        return Period(shift(last, 1), None)
    if _SINCE_LEAD.search(lead) or _SINCE_TAIL.match(tail):
        return Period(first, None)
    if _UNTIL_LEAD.search(lead) or _UNTIL_TAIL.match(tail):
        return Period(None, last)
    return None

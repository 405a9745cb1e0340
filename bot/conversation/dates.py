"""Dates that cannot be: "2023-13", "2023年13月", "0月". Understanding reads a month only where one
can be, so without this check "/list 2023-13" lists all of 2023 and "2023年13月" becomes March."""

from __future__ import annotations

import re

# A year then a one- or two-digit month (2023-13, 2023.00, 23年13月), or a bare Chinese month (13月).
# Longer digit runs (arXiv ids such as 2012.13456) are not dates and are left alone.
_YEAR_MONTH = re.compile(r"(?<![\d.])(?:20\d\d\s*[-./]|(?:20)?\d\d\s*年)\s*(\d{1,2})(?![\d.])(?:\s*月份?)?"
                         r"|(?<![\d.])(\d{1,2})\s*月")


def impossible_month(text: str) -> str | None:
    """The first written month that is not 1-12, as written; None when every month can be."""
    for found in _YEAR_MONTH.finditer(text):
        month = int(found.group(1) or found.group(2))
        if not 1 <= month <= 12:
            return found.group(0).strip()
    return None

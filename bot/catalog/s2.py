"""Semantic Scholar's Graph API: citation counts and venues for papers by their arXiv ids.

One POST to `/paper/batch` per 100 papers (the endpoint takes up to 500 ids; 100 keeps each
reply small), one request per second: the rate Semantic Scholar grants an API key, and well
under the shared pool's. `S2_API_KEY`, when set, goes in the `x-api-key` header and nowhere
else (never in a URL or a message). The reply is parsed by a pure function, tested on
real-shaped JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bot.catalog.web import USER_AGENT, Polite, ServiceError, fetch, json_reply

BATCH = 100
DELAY = 1.0
FIELDS = "externalIds,citationCount,influentialCitationCount,venue,publicationVenue,year"
MAX_REPLY_BYTES = 5 << 20
WHAT = "Semantic Scholar"
# How people name a venue: "NeurIPS", "ICLR", "ASPLOS" (one word, two capitals at least).
_ACRONYM = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){2})[A-Za-z][A-Za-z0-9-]{1,11}$")


class S2Error(ServiceError):
    """Semantic Scholar failed or answered something else than its batch reply."""


@dataclass(frozen=True)
class S2Paper:
    arxiv: str
    citations: int
    influential: int
    venue: str = ""          # in full: "Neural Information Processing Systems"
    venue_short: str = ""    # "NeurIPS", when Semantic Scholar lists such a name
    year: int | None = None


def short_name(names: Sequence[str]) -> str:
    """The first acronym among a venue's names ("NeurIPS" of "Neural Inf Process Syst", "NeurIPS", "NIPS")."""
    return next((n for n in names if _ACRONYM.match(n)), "")


def _venue(item: dict[str, Any]) -> tuple[str, str]:
    """The venue's full and short names; none for a preprint server (arXiv is where it was posted, not published)."""
    pv = item.get("publicationVenue") if isinstance(item.get("publicationVenue"), dict) else {}
    assert isinstance(pv, dict)
    name = str(pv.get("name") or item.get("venue") or "").strip()
    if not name or "arxiv" in name.casefold():
        return "", ""
    names = [name, *(str(n) for n in pv.get("alternate_names") or [] if isinstance(n, str))]
    return name, short_name(names)


def _count(item: dict[str, Any], key: str) -> int:
    value = item.get(key)
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise S2Error(f"{WHAT} sent a malformed {key} ({value!r})")
    return value


def parse_batch(data: bytes, ids: Sequence[str]) -> dict[str, S2Paper]:
    """The papers of one batch reply, by arXiv id (a null item is a paper Semantic Scholar lacks)."""
    items = json_reply(data, WHAT, S2Error)
    if not isinstance(items, list) or len(items) != len(ids):
        raise S2Error(f"{WHAT} answered with something that is not a batch reply for {len(ids)} papers")
    found = {}
    for arxiv, item in zip(ids, items, strict=True):
        if item is None:
            continue
        if not isinstance(item, dict):
            raise S2Error(f"{WHAT} sent a malformed paper for {arxiv}")
        venue, short = _venue(item)
        year = item.get("year")
        found[arxiv] = S2Paper(arxiv, _count(item, "citationCount"), _count(item, "influentialCitationCount"),
                               venue, short, year if isinstance(year, int) and not isinstance(year, bool) else None)
    return found


def fetch_papers(ids: Sequence[str], api: str, *, key: str | None = None, timeout: float = 30.0,
                 polite: Polite | None = None, client: httpx.Client | None = None,
                 progress: Callable[[int, int], None] | None = None) -> dict[str, S2Paper]:
    """Citation counts and venues for the arXiv ids Semantic Scholar knows; S2Error on any failure."""
    polite = polite or Polite(DELAY)
    headers = {"User-Agent": USER_AGENT, **({"x-api-key": key} if key else {})}
    found: dict[str, S2Paper] = {}
    with client or httpx.Client(timeout=timeout, headers=headers) as http:
        for start in range(0, len(ids), BATCH):
            batch = list(ids[start:start + BATCH])
            data = fetch(http, "POST", api.rstrip("/") + "/paper/batch", what=WHAT, limit=MAX_REPLY_BYTES,
                         polite=polite, params={"fields": FIELDS}, body={"ids": [f"ARXIV:{a}" for a in batch]},
                         error=S2Error)
            assert data is not None
            found.update(parse_batch(data, batch))
            if progress:
                progress(len(batch), len(ids))
    return found

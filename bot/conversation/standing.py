"""Questions about a paper's standing: how often it is cited, and where it was published.

"most cited multimodal paper", "被引最多的论文", "which is cited more, LLaVA or BLIP-2" rank papers
by the citation counts the catalog stores (`paperbot enrich --citations`); "which papers were at
NeurIPS", "ICLR 2024 的论文" list a venue's papers, the venues named being those the catalog holds;
"where was Medusa published", "Medusa 被引多少次" ask one paper. Understanding has already found
the papers and the filter (section, organisation, ...); this reads only the cues of its own.
No I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.catalog.catalog import Catalog
from bot.catalog.schema import Paper, Venue
from bot.conversation.understand import ListFilter, Request
from bot.text import normalise

RANKED_SHOWN = 10

_RANK = re.compile(r"被引最多|引用最多|被引用最多|引用量最高|引用数最高|引用次数最多|被引次数最多|最有影响力|影响力最大|最具影响力|"
                   r"被引排名|引用排名|按引用|引用更多|被引更多|"
                   r"\b(?:most|highest|top)[ -]?cited\b|\bmost citations\b|\bcited (?:the )?most\b|\bmore cited\b|"
                   r"\bcited more\b|\bmost influential\b|\bmost impactful\b|\b(?:ranked|ordered|sorted) by citations?\b|"
                   r"\bby citations?\b|\bcitation (?:ranking|order)\b")
# "the most cited paper" is one answer (with the ranking under it); "papers by citations", "排名" a ranking.
_RANKING = re.compile(r"哪些|排名|排序|排行|前\s*\d+|几篇|\bpapers\b|\branked\b|\branking\b|\bsorted\b|\bordered\b|\btop \d+")
_CITED = re.compile(r"被引|引用(?:量|数|次数)|引用了多少|\bcitations?\b|\bcited\b")
# A list asked of a venue, even when a paper's text mentions the venue ("NeurIPS 2023: ..." in DoReMi's).
_LISTY = re.compile(r"哪些|有什么|列出|所有|的论文|论文有|\bpapers\b|"
                    r"\b(?:which|what|all|list|show)\b.{0,20}\bpapers\b|\bpapers (?:at|in|from)\b")
_VENUE_Q = re.compile(r"发表在哪|发表于哪|哪个会议|什么会议|哪个会|哪届|中了哪|录用|期刊|会议|"
                      r"\bwhere\b.{0,40}\bpublished\b|\bpublished (?:at|in) (?:which|what)\b|\bvenue\b|\bconference\b|"
                      r"\bwhich journal\b|\baccepted (?:at|to|by)\b")


@dataclass(frozen=True)
class CitedAnswer:
    """Papers by their stored citation counts, most cited first (only those with a count)."""

    filter: ListFilter
    papers: tuple[Paper, ...]
    uncounted: int        # papers asked about that have no count yet
    single: bool          # "the most cited paper": one answer, the ranking under it
    named: tuple[Paper, ...] = ()   # the papers compared by name ("LLaVA-1.5 or BLIP-2"); none: the filter's


@dataclass(frozen=True)
class VenueAnswer:
    """The papers published at a venue ("NeurIPS", or "NeurIPS 2023")."""

    venue: str
    year: int | None
    papers: tuple[Paper, ...]


StandingFocus = Literal["venue", "cited"]


def citation_order(papers: list[Paper] | tuple[Paper, ...]) -> tuple[tuple[Paper, ...], int]:
    """The papers with a count, most cited first (ties: more influential citations first), and
    how many have none."""
    counted = [p for p in papers if p.citations is not None]
    counted.sort(key=lambda p: (-p.citations.count, -p.citations.influential) if p.citations else (0, 0))
    return tuple(counted), len(papers) - len(counted)


def venue_named(normal: str, catalog: Catalog) -> tuple[str, int | None] | None:
    """The venue a message names ("neurips 2023" -> ("NeurIPS", 2023)), longest name first."""
    for name, short in sorted(catalog.venue_names.items(), key=lambda kv: -len(kv[0])):
        m = re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])(?:\s*[' ]?(20\d\d|\d\d)\b)?", normal)
        if m:
            year = m.group(1)
            return short, (int(year) + (2000 if len(year) == 2 else 0)) if year else None
    return None


def at_venue(paper: Paper, short: str, year: int | None) -> bool:
    venue: Venue | None = paper.venue
    return venue is not None and short in (venue.short or venue.name, venue.name) and (year is None or venue.year == year)


def standing_answer(request: Request, catalog: Catalog) -> CitedAnswer | VenueAnswer | tuple[Paper, StandingFocus] | None:
    """The answer when the message asks about citations or venues; None when it does not.

    A (paper, focus) pair is a card whose first line answers "where was it published" or "how
    often is it cited"."""
    normal = normalise(request.text)
    papers = request.papers
    if _RANK.search(normal):
        named = papers if len(papers) >= 2 else ()
        ranked, uncounted = citation_order(named or tuple(request.filter.papers(catalog)))
        return CitedAnswer(request.filter, ranked, uncounted, bool(named) or not _RANKING.search(normal), named)
    if len(papers) == 1 and _VENUE_Q.search(normal):
        return papers[0], "venue"
    if len(papers) == 1 and _CITED.search(normal):
        return papers[0], "cited"
    venue = venue_named(normal, catalog)
    if venue is not None and (not papers or request.intent in ("list", "count") or _LISTY.search(normal)):
        short, year = venue
        rest = ListFilter(request.filter.section, request.filter.org, None, request.filter.author)
        # Only the papers filed under the venue's name are read: every paper at it is there.
        there = catalog.at_venue_named(normalise(short))
        candidates = there if rest.empty else catalog.matching([rest.papers(catalog), there])
        return VenueAnswer(short, year, tuple(p for p in candidates if at_venue(p, short, year)))
    return None

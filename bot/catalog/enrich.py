"""`paperbot enrich`: what the catalog cannot say by itself, read from outside services.

`--citations`: counts and venues from Semantic Scholar, stored on each paper with the day they
were read (a count is only true on that day). A venue a curator wrote by hand is kept; when
Semantic Scholar disagrees, the report says so.
`--code`: repositories linked on Hugging Face's paper pages and GitHub's own redirects, reported
for the curator. Written with `write` only, and only two kinds: a link the catalog lacks, and a
catalog link whose repository was renamed (GitHub redirects the old name to the new one). A
repository other than the catalog's is never put in its place: the catalog's link is the
official one its curator checked; the report shows the other for a person to judge.
Both write through the comment-keeping, validated, atomic path of `add` and `refresh`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from bot.catalog.curate import CurateError, read_catalog, replace_checked
from bot.catalog.hf import fetch_repos, same_repo, where_now
from bot.catalog.s2 import S2Error, S2Paper, fetch_papers
from bot.catalog.schema import Paper, Venue
from bot.catalog.web import Polite, ServiceError
from bot.catalog.yamledit import EditError, Flow, PaperChange, edit_papers

S2_SOURCE = "Semantic Scholar"
HF_SOURCE = "Hugging Face papers API"
Progress = Callable[[int, int], None]   # (papers just done, papers in all)


@dataclass(frozen=True)
class Services:
    """Where the outside services are and how politely to ask them (settings, or a test's fakes)."""

    s2_api: str = "https://api.semanticscholar.org/graph/v1"
    s2_key: str | None = None
    hf_api: str = "https://huggingface.co/api"
    github: str = "https://github.com"
    delay: float | None = None      # None: each service's own pace
    timeout: float = 30.0

    def polite(self, default: float) -> Polite:
        return Polite(default if self.delay is None else self.delay)


def _write(path: Path, before: bytes, changes: Mapping[str, PaperChange], what: str) -> bool:
    changes = {pid: c for pid, c in changes.items() if c}
    if not changes:
        return False
    try:
        text = edit_papers(before.decode("utf-8"), str(path), changes)
    except EditError as exc:
        raise CurateError(str(exc)) from None
    replace_checked(path, before, text, what)
    return True


# --- citations and venues ----------------------------------------------------------------

@dataclass(frozen=True)
class CitationReport:
    paper_id: str
    arxiv: str
    found: S2Paper | None           # None: Semantic Scholar does not know the paper
    venue_kept: Venue | None = None  # a curator's venue that Semantic Scholar names differently


def s2_venue(found: S2Paper) -> Venue | None:
    return Venue(name=found.venue, year=found.year, short=found.venue_short, source=S2_SOURCE) if found.venue else None


def citation_report(paper: Paper, found: S2Paper | None) -> CitationReport:
    theirs = s2_venue(found) if found else None
    kept = (paper.venue if theirs and paper.venue and paper.venue.source != S2_SOURCE
            and paper.venue.label != theirs.label else None)
    return CitationReport(paper.id, str(paper.arxiv), found, kept)


def citation_change(paper: Paper, found: S2Paper, today: date) -> PaperChange:
    change = PaperChange()
    change.values["citations"] = Flow(count=found.citations, influential=found.influential, read=today.isoformat(),
                                      source=S2_SOURCE)
    theirs = s2_venue(found)
    if theirs and (paper.venue is None or paper.venue.source == S2_SOURCE) and paper.venue != theirs:
        change.values["venue"] = Flow({k: v for k, v in (("name", theirs.name), ("year", theirs.year),
                                                         ("short", theirs.short), ("source", S2_SOURCE)) if v})
    return change


def enrich_citations(path: Path, services: Services, *, cache_dir: Path | None = None, today: date | None = None,
                     progress: Progress | None = None) -> tuple[list[CitationReport], bool]:
    """Citation counts and venues for every paper with an arXiv id, stored in the file."""
    before, catalog = read_catalog(path, cache_dir)
    papers = [p for p in catalog if p.arxiv]
    try:
        found = fetch_papers([str(p.arxiv) for p in papers], services.s2_api, key=services.s2_key,
                             timeout=services.timeout, polite=services.polite(1.0), progress=progress)
    except S2Error as exc:
        raise CurateError(str(exc)) from None
    day = today or date.today()
    changes = {p.id: citation_change(p, found[str(p.arxiv)], day) for p in papers if str(p.arxiv) in found}
    reports = [citation_report(p, found.get(str(p.arxiv))) for p in papers]
    return reports, _write(path, before, changes, "the citation counts")


def describe_citations(report: CitationReport) -> str:
    if report.found is None:
        return f"{report.paper_id} ({report.arxiv}): not on Semantic Scholar"
    f = report.found
    venue = " ".join(filter(None, (f.venue_short or f.venue, str(f.year) if f.year and f.venue else ""))) or "no venue"
    line = f"{report.paper_id} ({report.arxiv}): {f.citations:,} citations ({f.influential:,} influential) · {venue}"
    if report.venue_kept:
        line += f" (the catalog's venue {report.venue_kept.label!r}, written by hand, is kept)"
    return line


# --- code links --------------------------------------------------------------------------

CodeStatus = Literal["same", "missing", "renamed", "gone", "different", "none"]


@dataclass(frozen=True)
class CodeReport:
    paper_id: str
    arxiv: str
    catalog: str | None
    linked: str | None               # the repository Hugging Face links
    status: CodeStatus
    proposed: str | None = None      # what `--write` puts in links.code

    @property
    def writable(self) -> bool:
        return self.status in ("missing", "renamed") and self.proposed is not None


def code_report(paper: Paper, linked: str | None, moved: Mapping[str, str | None]) -> CodeReport:
    """Compare one paper's link with Hugging Face's and GitHub's answers (`moved`: old URL -> new, None = gone)."""
    ours = paper.links.code
    args = (paper.id, str(paper.arxiv), ours, linked)
    if ours and ours in moved:
        new = moved[ours]
        return CodeReport(*args, "renamed", new) if new else CodeReport(*args, "gone")
    if ours is None:
        if linked is None:
            return CodeReport(*args, "none")
        return CodeReport(*args, "missing", moved.get(linked) or linked)
    if linked is None or same_repo(ours, linked) or same_repo(ours, moved.get(linked)):
        return CodeReport(*args, "same")
    return CodeReport(*args, "different")


def code_change(report: CodeReport, today: date) -> PaperChange:
    change = PaperChange()
    if not report.writable:
        return change
    change.values["links.code"] = report.proposed
    if report.status == "renamed":
        change.append["errata"] = [{"field": "links.code", "replaced": report.catalog,
                                    "source": f"GitHub redirects {report.catalog} to {report.proposed}",
                                    "note": f"The repository was renamed or moved (GitHub's redirect, read {today.isoformat()})."}]
    else:
        change.append["provenance"] = [{"field": "links.code", "source": f"{HF_SOURCE} (githubRepo)",
                                        "checked": today.isoformat()}]
    return change


def enrich_code(path: Path, services: Services, *, write: bool = False, cache_dir: Path | None = None,
                today: date | None = None, progress: Progress | None = None) -> tuple[list[CodeReport], bool]:
    before, catalog = read_catalog(path, cache_dir)
    papers = [p for p in catalog if p.arxiv]
    try:
        linked = fetch_repos([str(p.arxiv) for p in papers], services.hf_api, timeout=services.timeout,
                             polite=services.polite(0.5), progress=progress)
        asked = list(dict.fromkeys(u for p in papers for u in (p.links.code, linked[str(p.arxiv)]) if u))
        moved = {url: m.url for url, m in where_now(asked, services.github, timeout=services.timeout,
                                                    polite=services.polite(0.5)).items()}
    except ServiceError as exc:
        raise CurateError(str(exc)) from None
    reports = [code_report(p, linked[str(p.arxiv)], moved) for p in papers]
    if not write:
        return reports, False
    day = today or date.today()
    return reports, _write(path, before, {r.paper_id: code_change(r, day) for r in reports}, "the code links")


def describe_code(report: CodeReport) -> str | None:
    """One report line; None when there is nothing to say (the links agree)."""
    head = f"{report.paper_id} ({report.arxiv}):"
    return {
        "same": None,
        "none": f"{head} no code link, and Hugging Face links none",
        "missing": f"{head} missing: Hugging Face links {report.proposed}",
        "renamed": f"{head} renamed: {report.catalog} → {report.proposed}",
        "gone": f"{head} GONE: {report.catalog} answers 404 on GitHub (check by hand)",
        "different": f"{head} different: Hugging Face links {report.linked}; the catalog's {report.catalog} is kept",
    }[report.status]

"""Rules on what refresh and enrich write that span a paper's fields (the schema checks each field
alone): a venue cannot precede the paper, a replaced value cannot come from a version later than
the one the catalog follows, and a count cannot be read before the paper existed. The English
abstract is arXiv's own text: no Chinese in it, and no "this https URL" left where arXiv's page
hid a link."""

from __future__ import annotations

from collections.abc import Iterator

from bot.catalog.schema import Paper
from bot.text import is_cjk

ARXIV_LINK_PLACEHOLDER = "this https URL"   # what arXiv's abstract page shows instead of a link


def problems(paper: Paper) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(location below the paper, message) for each rule the paper breaks."""
    first = int((paper.arxiv_date or paper.date)[:4])
    if paper.venue and paper.venue.year is not None and paper.venue.year < first:
        yield ("venue", "year"), f"venue year {paper.venue.year} is before the paper was posted ({first})"
    for j, erratum in enumerate(paper.errata):
        if erratum.version is not None and paper.arxiv_version is not None and erratum.version > paper.arxiv_version:
            yield ("errata", j, "version"), (f"a replaced value from v{erratum.version} is newer than the version the "
                                             f"catalog follows (arxiv_version {paper.arxiv_version})")
    if paper.citations and paper.citations.read[:7] < (paper.arxiv_date or paper.date):
        yield ("citations", "read"), f"citations read on {paper.citations.read}, before the paper was posted"
    if is_cjk(paper.abstract_en):   # one search of the text (a call per character was 1,000 per paper)
        yield ("abstract_en",), "abstract_en holds Chinese; it is arXiv's English abstract (Chinese goes in abstract_zh)"
    if ARXIV_LINK_PLACEHOLDER in paper.abstract_en:
        yield ("abstract_en",), f"abstract_en says {ARXIV_LINK_PLACEHOLDER!r}: write the link itself"

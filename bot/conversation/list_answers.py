"""Answers that reason over a list: the earliest or latest paper of a filter, a ranking of
organisations / sections / months by papers, the other papers of a paper's authors, papers
ranked by text for a topic the vocabulary lacks, and facts about the digest. No I/O, no HTML.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from bot.catalog.catalog import Catalog, author_key
from bot.catalog.schema import Digest, Paper
from bot.conversation.superlatives import Order
from bot.conversation.understand import ListFilter
from bot.search.engine import SearchIndex
from bot.text import normalise, tokens

RANKED_ROWS = 5          # a ranking shows this many rows (and up to as many tied with the last)
TIED_KEPT = 20           # a superlative tie keeps this many papers (the count says how many tie)
# A topic the vocabulary lacks lists the papers whose BM25 score is at least this share of the
# best one's (at most RANKED_MAX of them): calibrated on tests/data/topics_labelled.yaml with
# benchmarks/topics.py, where it gives the best F1 over the labelled topics' queries.
RANKED_SHARE = 0.5
RANKED_MAX = 8


@dataclass(frozen=True)
class SuperlativeAnswer:
    """The earliest or latest paper(s) a filter lists: every paper of that month (a tie), the
    first TIED_KEPT of them in catalog order."""

    filter: ListFilter
    order: Order
    papers: tuple[Paper, ...]
    of: int          # how many papers the filter lists
    tied: int = 1    # how many share the deciding month


@dataclass(frozen=True)
class RankingAnswer:
    """Organisations, sections, months... of a filter's papers, ranked by how many they have."""

    filter: ListFilter
    dimension: str
    rows: tuple[tuple[str, int], ...]   # (organisation id / section id / "YYYY-MM" / ..., papers)
    fewest: bool = False


@dataclass(frozen=True)
class OthersAnswer:
    """The other papers of a paper's authors ("他还有别的论文吗")."""

    paper: Paper
    papers: tuple[Paper, ...]
    authors: tuple[str, ...]   # the shared authors' names, as the catalog writes them


@dataclass(frozen=True)
class RankedAnswer:
    """Papers ranked by text for words no topic names, cut where the scores fall away."""

    query: str
    papers: tuple[Paper, ...]


@dataclass(frozen=True)
class DigestAnswer:
    """What the digest is: its title and source, sections and their papers, the months it spans."""

    digest: Digest | None


def superlative(wanted: ListFilter, order: Order, catalog: Catalog) -> SuperlativeAnswer:
    """By positions and the date ranking alone: only the papers shown are decoded."""
    positions = wanted.papers(catalog).array()
    if not len(positions):
        return SuperlativeAnswer(wanted, order, (), 0, 0)
    ranks = catalog.date_rank[positions]
    end = int(positions[np.argmin(ranks) if order == "earliest" else np.argmax(ranks)])
    month = catalog.groups.array(f"m:{catalog.papers[end].date}").astype(np.int64)
    tied = month[np.isin(month, positions)]
    return SuperlativeAnswer(wanted, order, tuple(catalog.papers[int(i)] for i in tied[:TIED_KEPT]), len(positions),
                             len(tied))


# What each ranking counts by: the catalog's groups of that kind ("o:google" -> its papers).
_GROUPS = {"org": "o:", "section": "s:", "month": "m:", "year": "y:", "author": "a:", "topic": "t:"}


def ranking(wanted: ListFilter, dimension: str, fewest: bool, catalog: Catalog) -> RankingAnswer:
    """Counts of the filter's papers per organisation (section, month, year, author, topic),
    read from the catalog's groups: no paper is decoded."""
    groups = catalog.groups.arrays_starting_with(_GROUPS[dimension])
    if wanted.empty:
        counts = {key[2:]: len(group) for key, group in groups}
    else:
        selected = np.zeros(len(catalog), dtype=bool)
        selected[wanted.papers(catalog).array()] = True
        counts = {key[2:]: n for key, group in groups if (n := int(selected[group].sum()))}
    ordered = sorted(counts.items(), key=lambda kv: (kv[1] if fewest else -kv[1], kv[0]))
    if len(ordered) > RANKED_ROWS:   # and every row tied with the last one shown
        cut = ordered[RANKED_ROWS - 1][1]
        ordered = ordered[:RANKED_ROWS] + [kv for kv in ordered[RANKED_ROWS:] if kv[1] == cut][:RANKED_ROWS]
    return RankingAnswer(wanted, dimension, tuple(ordered), fewest)


def others(paper: Paper, catalog: Catalog) -> OthersAnswer:
    """Papers sharing an author with `paper`, most shared authors first, then oldest first."""
    keys = [author_key(a) for a in paper.named_authors]
    shared: Counter[int] = Counter()
    for key in keys:
        shared.update(i for i in catalog.by_author(key).positions if catalog.ids[i] != paper.id)
    rank = catalog.date_rank
    ordered = sorted(shared, key=lambda i: (-shared[i], int(rank[i])))
    found = tuple(catalog.papers[i] for i in ordered)
    names = tuple(dict.fromkeys(catalog.authors[k] for k in keys if k in catalog.authors
                                and any(k in (author_key(a) for a in p.named_authors) for p in found)))
    return OthersAnswer(paper, found, names)


def ranked(query: str, index: SearchIndex) -> RankedAnswer:
    """The papers whose BM25 score for the query is close to the best one's (see RANKED_SHARE)."""
    return RankedAnswer(query, tuple(index.catalog.papers[i] for i in ranked_positions(query, index, RANKED_SHARE)))


def ranked_positions(query: str, index: SearchIndex, share: float, limit: int = RANKED_MAX) -> list[int]:
    """Positions scoring at least `share` of the best BM25 score for the query, best first."""
    ids = [i for term in dict.fromkeys(tokens(normalise(query))) if (i := index.bm25.term(term)) is not None]
    if not ids:
        return []
    scores = index.bm25.scores(ids)
    best = float(scores.max()) if len(scores) else 0.0
    if best <= 0:
        return []
    k = min(limit, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    return [int(i) for i in sorted(top, key=lambda i: -scores[i]) if scores[i] >= share * best]

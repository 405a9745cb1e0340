"""How close one paper is to another, and to everything a reader saved.

`similarity` is the one measure: BM25 with a paper's own title, summary and impact as the
query (`likeness_terms`), scored over the whole catalog; the Similar button ranks by it. "For
you" sums it over every save:

    score(c) = sum over saves s of  w_s * similarity(s)[c] / sum of idf over s's terms

each save's query scaled by how much it can score (so a long summary does not outvote a short
one), the newest save weighing 1 and each older one less (`HALF_LIFE`). BM25 is a sum over
terms, so the saves' queries merge into one weighted query, one sparse mat-vec over every
catalog paper (`bot.search.accumulate`) instead of one Similar query per save (`naive_scores`,
the reference the tests and `benchmarks/foryou.py` check it against). Nothing is left out: the
float32 sums pick the few papers that can be among the best, whose float64 sums rank them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.arrays import distinct
from bot.catalog.schema import Paper
from bot.search import accumulate
from bot.search.lookup import SearchIndex

HALF_LIFE = 10  # saves: the tenth newest weighs half the newest
MOST = 30  # recommendations offered in all (ten pages of three)
RANKINGS_KEPT = 2_000  # readers' rankings kept: the next page, or the same ask again, is a lookup


def similarity(paper: Paper, index: SearchIndex) -> np.ndarray:
    """Every catalog paper's closeness to `paper` (itself included): what Similar ranks by."""
    return index.bm25.scores(likeness_terms(paper, index).tolist())


def likeness_terms(paper: Paper, index: SearchIndex) -> np.ndarray:
    """The Similar query: the distinct BM25 terms of the paper's title, summary and impact
    (`bot.search.build.likeness_text`), ascending, as the index keeps them; none for a paper the
    catalog does not hold."""
    try:
        return index.bm25.kept(index.catalog.position(paper.id))
    except KeyError:
        return np.zeros(0, dtype=np.int32)


@dataclass(frozen=True)
class Pick:
    position: int  # the recommended paper's place in the catalog
    near: int  # the saved paper (its place) it is closest to
    score: float


def recency(n: int) -> np.ndarray:
    """Weights of n saves, oldest first: the newest 1, halving every HALF_LIFE saves back."""
    return np.power(0.5, (n - 1 - np.arange(n)) / HALF_LIFE)


class Recommender:
    """Ranks a catalog against a reader's saves. One per index (a reload makes a new one);
    the latest rankings are kept (bounded): a reader asks again, and pages through. A ranking is
    keyed by the saves themselves, in order, so a new ⭐ (or one taken back) is a new key and
    never meets a stale ranking."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.accumulator = accumulate.Accumulator(index.bm25)
        self._rankings: OrderedDict[tuple[tuple[int, ...], int], tuple[Pick, ...]] = OrderedDict()

    def queries(self, positions: Sequence[int]) -> list[tuple[np.ndarray, float]]:
        """Each saved paper's likeness terms (read from the index, nothing tokenised) and the
        sum of their idf, which scales its query."""
        bm25 = self.index.bm25
        out = []
        for position in positions:
            terms = bm25.kept(position)
            out.append((terms, float(bm25.idf[terms].sum())))
        return out

    def rank(self, saved: Sequence[int], limit: int = MOST) -> tuple[Pick, ...]:
        """The unsaved papers closest to the saves (catalog positions, oldest save first), best
        first: `naive_scores`' ranking over the whole catalog, ties in catalog order."""
        key = (tuple(saved), limit)
        if (kept := self._rankings.get(key)) is not None:
            self._rankings.move_to_end(key)
            return kept
        picks = self._ranked(saved, limit)
        self._rankings[key] = picks
        while len(self._rankings) > RANKINGS_KEPT:
            self._rankings.popitem(last=False)
        return picks

    def _ranked(self, saved: Sequence[int], limit: int) -> tuple[Pick, ...]:
        if not saved:
            return ()
        queries = self.queries(saved)
        scale = recency(len(saved)) / np.maximum([norm for _, norm in queries], 1e-9)
        terms = distinct(np.concatenate([t for t, _ in queries]))
        if not len(terms):
            return ()
        # saves x terms: how much each save asks of each term (a save's terms are distinct); a
        # term's weight sums its column.
        asks = np.zeros((len(saved), len(terms)))
        for row, (t, _) in enumerate(queries):
            asks[row, np.searchsorted(terms, t)] = scale[row]
        scores = self.accumulator.scores(terms, asks.sum(axis=0))
        scores.values[list(saved)] = -np.inf
        near = accumulate.near_top(scores, limit)
        # The few near the top, summed exactly: each save's share, whose largest names the save a
        # pick is close to (the oldest of equals, as `naive_scores` picks).
        # Not a matrix product: BLAS sums in an order that depends on how many picks there are,
        # and the same pick would score a last bit apart on another page size.
        weights = self.accumulator.weights_at(terms, near)
        shares = np.stack([(row[:, None] * weights).sum(axis=0) for row in asks])
        exact = shares.sum(axis=0)
        ranked = sorted((j for j in range(len(near)) if exact[j] > 0), key=lambda j: (-exact[j], int(near[j])))
        return tuple(Pick(int(near[j]), int(saved[int(np.argmax(shares[:, j]))]), float(exact[j])) for j in ranked[:limit])


def naive_scores(index: SearchIndex, saved: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """The reference: each save's `similarity` over the whole catalog, one after another, scaled
    and summed (every paper's score, and the save each is closest to)."""
    bm25 = index.bm25
    total = np.zeros(len(index.catalog.papers))
    best = np.zeros(len(total))
    near = np.zeros(len(total), dtype=np.int64)
    for s, w in zip(saved, recency(len(saved)), strict=True):
        paper = index.catalog.papers[s]
        terms = likeness_terms(paper, index)
        share = similarity(paper, index) * (w / max(float(bm25.idf[terms].sum()), 1e-9))
        total += share
        near = np.where(share > best, s, near)
        best = np.maximum(best, share)
    total[list(saved)] = -np.inf
    return total, near

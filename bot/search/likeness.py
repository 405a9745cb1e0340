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

from bot.catalog.schema import Paper
from bot.search import accumulate
from bot.search.bm25 import LATIN_BASE, BM25Index
from bot.search.lookup import SearchIndex
from bot.text import normalise, normalise_many, tokens

HALF_LIFE = 10  # saves: the tenth newest weighs half the newest
MOST = 30  # recommendations offered in all (ten pages of three)
KEPT = 20_000  # saved papers whose query terms stay in memory
RANKINGS_KEPT = 2_000  # readers' rankings kept: the next page, or the same ask again, is a lookup


def similarity(paper: Paper, index: SearchIndex) -> np.ndarray:
    """Every catalog paper's closeness to `paper` (itself included): what Similar ranks by."""
    return index.bm25.scores(likeness_terms(paper, index))


def likeness_terms(paper: Paper, index: SearchIndex) -> list[int]:
    """The BM25 term numbers of the paper's title, summary and impact: the Similar query, in the
    order of its words (each once)."""
    text = " ".join((paper.title, paper.summary_en, paper.impact_texts))
    terms: list[int] = _term_numbers(index.bm25, [list(dict.fromkeys(tokens(normalise(text))))])[0].tolist()
    return terms


def _term_numbers(bm25: BM25Index, texts: list[list[str]]) -> list[np.ndarray]:
    """`BM25Index.term` of each word of each text, the known ones only: every word's key made,
    then all looked up in one search of the term keys (50 saves have thousands of words)."""
    vocab = bm25.vocab
    keys = [
        (ord(word[0]) << 16 | (ord(word[1]) if len(word) > 1 else 0))  # `cjk_key`, inline: thousands of words
        if "\u3400" <= word[0] <= "\ufaff" and len(word) <= 2
        else (LATIN_BASE + wid if (wid := vocab.get(word, -1)) >= 0 else -1)  # -1: a stopword or an unknown word
        for words in texts
        for word in words
    ]
    wanted = np.asarray(keys, dtype=np.int64)
    found = np.full(len(wanted), -1, dtype=np.int64)
    if len(bm25.term_keys) and len(wanted):
        at = np.minimum(np.searchsorted(bm25.term_keys, wanted), len(bm25.term_keys) - 1)
        found = np.where(bm25.term_keys[at] == wanted, at, -1)
    ends = np.cumsum([len(words) for words in texts])
    return [terms[terms >= 0] for terms in np.split(found, ends[:-1])] if texts else []


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
    the saves' query terms and the latest rankings are kept (bounded): a reader asks again, and
    pages through. A ranking is keyed by the saves themselves, in order, so a new ⭐ (or one
    taken back) is a new key and never meets a stale ranking."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.accumulator = accumulate.Accumulator(index.bm25)
        self._queries: OrderedDict[int, tuple[np.ndarray, float]] = OrderedDict()
        self._rankings: OrderedDict[tuple[tuple[int, ...], int], tuple[Pick, ...]] = OrderedDict()

    def queries(self, positions: Sequence[int]) -> list[tuple[np.ndarray, float]]:
        """Each saved paper's likeness terms, and the sum of their idf, which scales its query;
        the papers not kept are read together (one normalising pass over all their texts)."""
        missing = [p for p in dict.fromkeys(positions) if p not in self._queries]
        if missing:
            papers = [self.index.catalog.papers[p] for p in missing]
            normals = normalise_many([" ".join((p.title, p.summary_en, p.impact_texts)) for p in papers])
            read = _term_numbers(self.index.bm25, [list(dict.fromkeys(tokens(normal))) for normal in normals])
            for position, terms in zip(missing, read, strict=True):
                self._queries[position] = (terms, float(self.index.bm25.idf[terms].sum()))
        out = []
        for position in positions:
            self._queries.move_to_end(position)
            out.append(self._queries[position])
        while len(self._queries) > KEPT:
            self._queries.popitem(last=False)
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
        terms = np.unique(np.concatenate([t for t, _ in queries]))
        if not len(terms):
            return ()
        # saves x terms: how much each save asks of each term (a term twice in its Similar query
        # counts twice there, so here too); a term's weight sums its column.
        asks = np.zeros((len(saved), len(terms)))
        for row, (t, _) in enumerate(queries):
            np.add.at(asks[row], np.searchsorted(terms, t), scale[row])
        scores = self.accumulator.scores(terms, asks.sum(axis=0))
        scores.values[list(saved)] = -np.inf
        near = accumulate.near_top(scores, limit)
        # The few near the top, summed exactly: each save's share, whose largest names the save a
        # pick is close to (the oldest of equals, as `naive_scores` picks).
        shares = asks @ self.accumulator.weights_at(terms, near)
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

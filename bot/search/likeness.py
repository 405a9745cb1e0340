"""How close one paper is to another, and to everything a reader saved.

`likeness_terms` is the one query the Similar button asks: BM25 with the paper's own title,
summary and impact. "For you" asks it of every saved paper at once:

    score(c) = sum over saves s of  w_s * bm25(q_s, c) / sum of idf over q_s

each save's query scaled by how much it can score (so a long summary does not outvote a short
one), the newest save weighing 1 and each older one less (`HALF_LIFE`). BM25 is
a sum over terms, so the saves' queries merge into one weighted query: each term is scored once,
not once per save (`naive_scores` is the per-save baseline the benchmark and the tests check
against). Over a large catalog the commonest terms hold most of the postings and move every
paper alike: there the rarer terms, up to a budget of postings, rank (as Lucene's MoreLikeThis
drops its commonest terms). Where the whole query fits the budget (the catalog the bot ships, a
catalog of a few thousand papers) the ranking is the exact one; `benchmarks/foryou.py` measures
how far the budgeted one strays from it on real abstracts and at 100,000 papers.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.catalog.schema import Paper
from bot.search.bm25 import BM25Index, cjk_key
from bot.search.lookup import SearchIndex
from bot.text import normalise, normalise_many, tokens

HALF_LIFE = 10  # saves: the tenth newest weighs half the newest
POSTINGS_BUDGET = 400_000  # postings scored per ask: about 20 ms of one core at 100,000 papers
MOST = 30  # recommendations offered in all (ten pages of three)
KEPT = 20_000  # saved papers whose query terms stay in memory


def likeness_terms(paper: Paper, index: SearchIndex) -> list[int]:
    """The BM25 term numbers of the paper's title, summary and impact: the Similar query, in the
    order of its words (each once)."""
    text = " ".join((paper.title, paper.summary_en, paper.impact_texts))
    return _term_numbers(index.bm25, list(dict.fromkeys(tokens(normalise(text)))))


def _term_numbers(bm25: BM25Index, words: list[str]) -> list[int]:
    """`BM25Index.term` of each word, the known ones only; the Chinese ones found in one search of
    the term keys instead of one each (a summary has dozens of bigrams)."""
    out: list[int] = []
    slots: list[int] = []  # where in `out` each Chinese word's term goes
    keys: list[int] = []
    for word in words:
        if "\u3400" <= word[0] <= "\ufaff" and len(word) <= 2:
            slots.append(len(out))
            out.append(-1)
            keys.append(cjk_key(word))
        elif (term := bm25.term(word)) is not None:
            out.append(term)
    if keys and len(bm25.term_keys):
        wanted = np.asarray(keys, dtype=np.int64)
        at = np.minimum(np.searchsorted(bm25.term_keys, wanted), len(bm25.term_keys) - 1)
        for slot, term, hit in zip(slots, at.tolist(), (bm25.term_keys[at] == wanted).tolist(), strict=True):
            out[slot] = term if hit else -1
    return [t for t in out if t >= 0]


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
    the saves' query terms are kept (bounded): a reader asks again, and pages through."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self._queries: OrderedDict[int, tuple[np.ndarray, float]] = OrderedDict()

    def queries(self, positions: Sequence[int]) -> list[tuple[np.ndarray, float]]:
        """Each saved paper's likeness terms, and the sum of their idf, which scales its query;
        the papers not kept are read together (one normalising pass over all their texts)."""
        missing = [p for p in dict.fromkeys(positions) if p not in self._queries]
        if missing:
            papers = [self.index.catalog.papers[p] for p in missing]
            normals = normalise_many([" ".join((p.title, p.summary_en, p.impact_texts)) for p in papers])
            for position, normal in zip(missing, normals, strict=True):
                terms = np.asarray(_term_numbers(self.index.bm25, list(dict.fromkeys(tokens(normal)))), dtype=np.int64)
                self._queries[position] = (terms, float(self.index.bm25.idf[terms].sum()))
        out = []
        for position in positions:
            self._queries.move_to_end(position)
            out.append(self._queries[position])
        while len(self._queries) > KEPT:
            self._queries.popitem(last=False)
        return out

    def rank(self, saved: Sequence[int], limit: int = MOST, *, budget: int = POSTINGS_BUDGET) -> tuple[Pick, ...]:
        """The unsaved papers closest to the saves (catalog positions, oldest save first), best first."""
        if not saved:
            return ()
        bm25 = self.index.bm25
        queries = self.queries(saved)
        scale = recency(len(saved)) / np.maximum([norm for _, norm in queries], 1e-9)
        terms = np.unique(np.concatenate([t for t, _ in queries]))
        if not len(terms):
            return ()
        # saves x terms: which save asks which term, scaled; a term's weight sums its column.
        asks = np.zeros((len(saved), len(terms)))
        for row, (t, _) in enumerate(queries):
            asks[row, np.searchsorted(terms, t)] = scale[row]
        weight = asks.sum(axis=0)
        lengths = bm25.indptr[terms + 1] - bm25.indptr[terms]
        # The most score per posting first (the rarer terms), as many as the budget holds; a term
        # only one paper holds is that save's own and recommends nothing.
        order = np.argsort(-(weight * bm25.idf[terms]) / np.maximum(lengths, 1), kind="stable")
        order = order[lengths[order] > 1]
        if not len(order):
            return ()
        head = np.sort(order[: max(1, int(np.searchsorted(np.cumsum(lengths[order]), budget, side="right")))])
        docs, data, rows = _postings(bm25, terms[head])
        n_docs = len(self.index.catalog.papers)
        scores = np.bincount(docs, weights=weight[head][rows] * data, minlength=n_docs)
        scores[list(saved)] = -np.inf
        k = min(limit, n_docs)
        top = np.argpartition(-scores, k - 1)[:k] if k < n_docs else np.arange(n_docs)
        top = np.sort(top[scores[top] > 0])
        if not len(top):
            return ()
        # Which save each pick owes most of its score to: the saves' shares of the same terms.
        shares = asks[:, head] @ _weights_at(docs, data, rows, len(head), top)
        ranked = sorted(range(len(top)), key=lambda j: (-scores[top[j]], int(top[j])))
        return tuple(Pick(int(top[j]), int(saved[int(np.argmax(shares[:, j]))]), float(scores[top[j]])) for j in ranked)


def _postings(bm25: BM25Index, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The terms' postings end to end: documents, weights, and the row (term) of each; one
    pass in C instead of one numpy call per term."""
    spans = [(int(bm25.indptr[t]), int(bm25.indptr[t + 1])) for t in terms.tolist()]
    docs = np.concatenate([bm25.indices[lo:hi] for lo, hi in spans])
    data = np.concatenate([bm25.data[lo:hi] for lo, hi in spans])
    rows = np.repeat(np.arange(len(spans)), [hi - lo for lo, hi in spans])
    return docs, data, rows


def _weights_at(docs: np.ndarray, data: np.ndarray, rows: np.ndarray, n_rows: int, wanted: np.ndarray) -> np.ndarray:
    """rows x wanted: each term's weight in each wanted (sorted) document, 0 where absent; the
    postings of the wanted documents picked out in one pass (a document is once in a term's postings)."""
    mine = np.isin(docs, wanted, kind="table")
    out = np.zeros((n_rows, len(wanted)))
    out[rows[mine], np.searchsorted(wanted, docs[mine])] = data[mine]
    return out


def naive_scores(index: SearchIndex, saved: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """The baseline: each save's Similar query scored over the whole catalog, one after another
    (every paper's score, and the save each is closest to)."""
    bm25 = index.bm25
    total = np.zeros(len(index.catalog.papers))
    best = np.zeros(len(total))
    near = np.zeros(len(total), dtype=np.int64)
    for s, w in zip(saved, recency(len(saved)), strict=True):
        terms = likeness_terms(index.catalog.papers[s], index)
        share = bm25.scores(terms) * (w / max(float(bm25.idf[terms].sum()), 1e-9))
        total += share
        near = np.where(share > best, s, near)
        best = np.maximum(best, share)
    total[list(saved)] = -np.inf
    return total, near

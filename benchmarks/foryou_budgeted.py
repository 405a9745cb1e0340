"""The for-you ranking paperbot had before the exact one, kept for benchmarks/foryou.py to
measure beside it: the saves' merged query cut to its rarer terms, as many as a budget of
postings holds (as Lucene's MoreLikeThis drops its commonest terms), so that over a large
catalog the commonest terms are never scored. Exact only where the whole query fits the budget.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.search.bm25 import BM25Index
from bot.search.likeness import MOST, Pick, Recommender, recency

POSTINGS_BUDGET = 400_000  # postings scored per ask: about 20 ms of one core at 100,000 papers


def budgeted_rank(rec: Recommender, saved: Sequence[int], limit: int = MOST, *, budget: int = POSTINGS_BUDGET) -> tuple[Pick, ...]:
    if not saved:
        return ()
    bm25 = rec.index.bm25
    queries = rec.queries(saved)
    scale = recency(len(saved)) / np.maximum([norm for _, norm in queries], 1e-9)
    terms = np.unique(np.concatenate([t for t, _ in queries]))
    if not len(terms):
        return ()
    asks = np.zeros((len(saved), len(terms)))
    for row, (t, _) in enumerate(queries):
        asks[row, np.searchsorted(terms, t)] = scale[row]
    weight = asks.sum(axis=0)
    lengths = bm25.indptr[terms + 1] - bm25.indptr[terms]
    # The most score per posting first (the rarer terms), as many as the budget holds.
    order = np.argsort(-(weight * bm25.idf[terms]) / np.maximum(lengths, 1), kind="stable")
    order = order[lengths[order] > 1]
    if not len(order):
        return ()
    head = np.sort(order[: max(1, int(np.searchsorted(np.cumsum(lengths[order]), budget, side="right")))])
    docs, data, rows = _postings(bm25, terms[head])
    n_docs = len(rec.index.catalog.papers)
    scores = np.bincount(docs, weights=weight[head][rows] * data, minlength=n_docs)
    scores[list(saved)] = -np.inf
    k = min(limit, n_docs)
    top = np.argpartition(-scores, k - 1)[:k] if k < n_docs else np.arange(n_docs)
    top = np.sort(top[scores[top] > 0])
    if not len(top):
        return ()
    shares = asks[:, head] @ _weights_at(docs, data, rows, len(head), top)
    ranked = sorted(range(len(top)), key=lambda j: (-scores[top[j]], int(top[j])))
    return tuple(Pick(int(top[j]), int(saved[int(np.argmax(shares[:, j]))]), float(scores[top[j]])) for j in ranked)


def _postings(bm25: BM25Index, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    spans = [(int(bm25.indptr[t]), int(bm25.indptr[t + 1])) for t in terms.tolist()]
    docs = np.concatenate([bm25.indices[lo:hi] for lo, hi in spans])
    data = np.concatenate([bm25.data[lo:hi] for lo, hi in spans])
    rows = np.repeat(np.arange(len(spans)), [hi - lo for lo, hi in spans])
    return docs, data, rows


def _weights_at(docs: np.ndarray, data: np.ndarray, rows: np.ndarray, n_rows: int, wanted: np.ndarray) -> np.ndarray:
    mine = np.isin(docs, wanted, kind="table")
    out = np.zeros((n_rows, len(wanted)))
    out[rows[mine], np.searchsorted(wanted, docs[mine])] = data[mine]
    return out

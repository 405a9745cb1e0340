"""Every document's BM25 score for one weighted query of hundreds of terms: a sparse mat-vec.

A reader's saves merge into a query of some 700 terms whose postings, on a 100,000-paper
catalog, number some 12 million: scattered one by one through numpy that is over 100 ms.
Two things make it a few tens of ms, with nothing left out:

- the commonest terms (held by more than `DENSE_SHARE` of the documents) are also kept as dense
  float32 rows, built once on first use: their share of the scores is one BLAS mat-vec, about a
  nanosecond a document, where scattering their postings costs ten;
- the other terms' postings are scattered in float32 with `np.add.at`, whose fast path wants
  its three arrays of matching kinds (in float64 it is twenty times slower).

float32 sums are not the float64 ones the Similar button ranks by, so `Scores` says how far
they can be off (`error`); `weights_at` then gives the exact float64 weights of the few
documents near the top, which rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bot.search.bm25 import BM25Index

DENSE_SHARE = 0.1  # a term in more than a tenth of the documents: dense beats scattering it
DENSE_BYTES = 128 << 20  # the dense rows' memory at most (the commonest terms first)
LONG = 2048  # postings: a term with fewer is scattered together with the other short ones
_UNIT = 2.0**-24  # float32's unit roundoff


@dataclass(frozen=True)
class Scores:
    """float32 scores of every document, and a bound on how far each is from the exact sum."""

    values: np.ndarray
    error: float


@dataclass(frozen=True)
class DenseRows:
    """The commonest terms' weights in every document, a row per term (0 where absent)."""

    terms: np.ndarray  # term numbers, ascending
    matrix: np.ndarray  # float32 (len(terms), documents)


class Accumulator:
    """Scores documents for weighted terms over one index (a reload makes a new one)."""

    def __init__(self, bm25: BM25Index) -> None:
        self.bm25 = bm25
        # Plain views of the (often memory-mapped) postings: slicing a memmap makes a memmap,
        # a Python-level object, and a query slices them a thousand times.
        self._indices, self._data = np.asarray(bm25.indices), np.asarray(bm25.data)

    @cached_property
    def dense(self) -> DenseRows:
        bm25 = self.bm25
        lengths = np.diff(np.asarray(bm25.indptr))
        common = np.flatnonzero(lengths > DENSE_SHARE * bm25.n_docs)
        room = DENSE_BYTES // max(4 * bm25.n_docs, 1)
        if len(common) > room:  # the commonest first: they cost the most to scatter
            common = np.sort(common[np.argsort(-lengths[common], kind="stable")[:room]])
        matrix = np.zeros((len(common), bm25.n_docs), dtype=np.float32)
        for row, (lo, hi) in enumerate(self._spans(common)):
            matrix[row, self._indices[lo:hi]] = self._data[lo:hi]
        return DenseRows(common, matrix)

    def scores(self, terms: np.ndarray, weights: np.ndarray) -> Scores:
        """Every document's sum of weight x BM25 weight over `terms` (distinct, ascending)."""
        dense = self.dense
        at, is_dense = self._rows(terms)
        row_weights = np.zeros(len(dense.terms), dtype=np.float32)
        row_weights[at[is_dense]] = weights[is_dense]
        values = row_weights @ dense.matrix if len(dense.terms) else np.zeros(self.bm25.n_docs, dtype=np.float32)
        sparse = np.flatnonzero(~is_dense)
        pointers = np.asarray(self.bm25.indptr)
        lengths = pointers[terms[sparse] + 1] - pointers[terms[sparse]]
        # Short postings all in one scatter (a call each would cost more than its postings), long
        # ones a call each (copying them together would cost as much as the calls).
        short = sparse[lengths < LONG]
        if len(short):
            starts, counts = pointers[terms[short]], lengths[lengths < LONG]
            at = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
            scale = np.repeat(weights[short].astype(np.float32), counts)
            np.add.at(values, self._indices[at], self._data[at] * scale)
        for (lo, hi), weight in zip(
            self._spans(terms[sparse[lengths >= LONG]]), weights[sparse[lengths >= LONG]].astype(np.float32), strict=True
        ):
            np.add.at(values, self._indices[lo:hi], self._data[lo:hi] * weight)
        # Each score is a sum of at most one product per term, each rounded (and its weight) once:
        # whatever order BLAS and the scatter add them in, the error is within (terms + 3) units
        # of the largest score (all weights are positive).
        top = float(values.max()) if len(values) else 0.0
        return Scores(values, 1.01 * (len(terms) + 3) * _UNIT * top / (1 - (len(terms) + 3) * _UNIT))

    def weights_at(self, terms: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """float64 (terms, docs): each term's BM25 weight in each of a few documents (ascending),
        0 where absent: a dense row's are read, the other terms' postings searched for them all."""
        out = np.zeros((len(terms), len(docs)))
        if not len(docs):
            return out
        dense = self.dense
        rows, is_dense = self._rows(terms)
        out[is_dense] = dense.matrix[np.ix_(rows[is_dense], docs)]
        # The other terms: one search of each term's postings for all the documents, then every
        # (term, document) pair checked at once.
        sparse = np.flatnonzero(~is_dense)
        spans = self._spans(terms[sparse])
        if not spans:
            return out
        wanted = docs.astype(self._indices.dtype)  # else each search converts the postings
        found = np.concatenate([np.searchsorted(self._indices[lo:hi], wanted) for lo, hi in spans])
        starts = np.repeat([lo for lo, _ in spans], len(docs))
        ends = np.repeat([hi for _, hi in spans], len(docs))
        at = np.minimum(starts + found, len(self._indices) - 1)
        hit = (starts + found < ends) & (self._indices[at] == np.tile(wanted, len(spans)))
        out[sparse] = np.where(hit, self._data[at], 0).reshape(len(spans), len(docs))
        return out

    def _rows(self, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each term's dense row (any where it has none), and whether it has one."""
        dense = self.dense.terms
        if not len(dense):
            return np.zeros(len(terms), dtype=np.int64), np.zeros(len(terms), dtype=bool)
        at = np.minimum(np.searchsorted(dense, terms), len(dense) - 1)
        return at, dense[at] == terms

    def _spans(self, terms: np.ndarray) -> list[tuple[int, int]]:
        pointers = np.asarray(self.bm25.indptr)
        return list(zip(pointers[terms].tolist(), pointers[terms + 1].tolist(), strict=True))


def near_top(scores: Scores, k: int) -> np.ndarray:
    """The documents (ascending) that may be among the k best by their exact sums: every one
    whose float32 score is within twice the error of the k-th best one, and above 0."""
    values = scores.values
    if k <= 0 or not len(values):
        return np.zeros(0, dtype=np.int64)
    kth = float(values[np.argpartition(-values, k - 1)[k - 1]]) if k < len(values) else float(values.min())
    return np.flatnonzero((values >= kth - 2 * scores.error) & (values > 0))

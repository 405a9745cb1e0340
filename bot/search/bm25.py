"""A vectorised BM25 index over weighted fields: Chinese character bigrams and Latin words.

Built with numpy over whole chunks of the catalog at once instead of per-token Python loops,
so 100,000 papers with full abstracts index in seconds and in bounded memory. A term's key
is an int64: a CJK bigram is its two code points (`a << 16 | b`, a lone character `a << 16`),
a Latin word is `LATIN_BASE + its vocabulary id`. The matrix is CSC by term: the postings of
term t are `indices[indptr[t]:indptr[t+1]]` (documents, ascending) with BM25 weights `data`.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from bot.arrays import distinct
from bot.text import _CJK, NUMBER_WORDS, SEPARATOR, STOPWORDS, prepare_joined

LATIN_BASE = 1 << 32
CHUNK = 8192              # documents tokenised together (a power of two, at most 2**16); bounds temporaries
_CHUNK_BITS = CHUNK.bit_length() - 1
_SEP = ord(SEPARATOR)
# Latin words as `normalise` splits them (letters, or digits with an optional decimal part and
# letters: `llama2` -> llama 2, `100k` stays), and the separator between texts.
_LATIN = re.compile(rf"{SEPARATOR}|[^\W\d_{_CJK}]+|\d+(?:\.\d+)*[^\W\d_{_CJK}]*")
_SEP_ID = -2
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def _cjk_table() -> np.ndarray:
    """Which code points are CJK ideographs (the separator is not): one gather per character."""
    table = np.zeros(0x10000 + 1, dtype=bool)
    for lo, hi in _CJK_RANGES:
        table[lo:hi + 1] = True
    table[_SEP] = False
    return table


_CJK_TABLE = _cjk_table()


def _is_cjk(cps: np.ndarray) -> np.ndarray:
    mask: np.ndarray = _CJK_TABLE[np.minimum(cps, 0x10000)]
    return mask


def cjk_key(token: str) -> int:
    return (ord(token[0]) << 16) | (ord(token[1]) if len(token) > 1 else 0)


@dataclass(frozen=True)
class BM25Index:
    term_keys: np.ndarray     # int64 term keys, ascending; a term's number is its position
    indptr: np.ndarray        # int64, len(terms) + 1
    indices: np.ndarray       # int32 document numbers, ascending within a term
    data: np.ndarray          # float32 BM25 weights
    idf: np.ndarray           # float64, one per term
    vocab: dict[str, int]     # Latin word -> id (its key is LATIN_BASE + id); stopwords -> -1
    n_docs: int
    # Each document's distinct terms of its kept fields (`Field.kept`), ascending: the terms
    # of document d are `kept_terms[kept_indptr[d]:kept_indptr[d + 1]]` (a forward index, as
    # Lucene's term vectors: "more like this" reads a document's own terms, never re-tokenises).
    kept_indptr: np.ndarray = dataclass_field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    kept_terms: np.ndarray = dataclass_field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    def kept(self, doc: int) -> np.ndarray:
        """The distinct terms of the document's kept fields, ascending (none when nothing was kept)."""
        if doc + 1 >= len(self.kept_indptr):
            return np.zeros(0, dtype=np.int32)
        lo, hi = int(self.kept_indptr[doc]), int(self.kept_indptr[doc + 1])
        return np.asarray(self.kept_terms[lo:hi])

    def term(self, token: str) -> int | None:
        """The term number of a query token (a Latin word or a CJK uni/bigram), or None."""
        if not token:
            return None
        if "\u3400" <= token[0] <= "\ufaff" and len(token) <= 2:
            key = cjk_key(token)
            keys = self._keys
            at = bisect_left(keys, key)
            return at if at < len(keys) and keys[at] == key else None
        wid = self.vocab.get(token)
        if wid is None or wid < 0:
            return None
        found = self._word_terms[wid]
        return found if found >= 0 else None

    @cached_property
    def _word_terms(self) -> memoryview:
        """Each Latin word id's term number (-1: a word no document has), found in one vectorised
        search on first use: a query looks words up many times (weights, repairs, frequencies)."""
        keys = LATIN_BASE + np.arange(max(self.vocab.values(), default=-1) + 1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.term_keys, keys), max(len(self.term_keys) - 1, 0))
        found = np.where(self.term_keys[at] == keys, at, -1) if len(self.term_keys) else np.full(len(keys), -1)
        return found.astype(np.int64).data

    @cached_property
    def _keys(self) -> memoryview:
        """`term_keys` read as Python ints (bisect over it beats a numpy call per token)."""
        return np.ascontiguousarray(self.term_keys, dtype=np.int64).data

    @cached_property
    def _pointers(self) -> memoryview:
        """`indptr` read as Python ints: a term's postings are sliced with no numpy scalar."""
        return np.ascontiguousarray(self.indptr, dtype=np.int64).data

    @cached_property
    def max_idf(self) -> float:
        """The rarest term's idf, which scales word weights in `search.coverage`."""
        return float(self.idf.max()) if len(self.idf) else 1.0

    def scores(self, terms: Iterable[int], weights: Sequence[float] | None = None) -> np.ndarray:
        """Every document's BM25 score for the terms, each optionally weighted."""
        return self.gather(terms, weights).scores()

    def gather(self, terms: Iterable[int], weights: Sequence[float] | None = None) -> Gathered:
        """The terms' postings end to end, each term's weights times its weight (see `Gathered`)."""
        pointers = self._pointers
        order, docs, parts = [], [], []
        for k, t in enumerate(terms):
            lo, hi = pointers[t], pointers[t + 1]
            order.append(t)
            docs.append(self.indices[lo:hi])
            # (A weighted term's products are float32, as they were when added term by term.)
            parts.append(self.data[lo:hi] if weights is None or weights[k] == 1.0 else weights[k] * self.data[lo:hi])
        if not docs:
            return Gathered(self.n_docs, (), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32),
                            np.zeros(0, dtype=np.int64))
        ends = np.cumsum(np.fromiter(map(len, docs), dtype=np.int64, count=len(docs)))
        return Gathered(self.n_docs, tuple(order), np.concatenate(docs), np.concatenate(parts), ends)

    def document_frequency(self, word: str) -> int:
        """How many documents hold a Latin word (0 for an unknown word)."""
        term = self.term(word)
        return 0 if term is None else self._pointers[term + 1] - self._pointers[term]

    def holding(self, terms: Iterable[int], docs: Iterable[int]) -> dict[int, frozenset[int]]:
        """For each term, which of `docs` hold it: one vectorised search of its postings per term
        instead of one per (term, document)."""
        wanted = distinct(np.fromiter(docs, dtype=np.int64))
        pointers = self._pointers
        out: dict[int, frozenset[int]] = {}
        for t in set(terms):
            lo, hi = pointers[t], pointers[t + 1]
            if lo == hi:
                out[t] = frozenset()
                continue
            postings = self.indices[lo:hi]
            at = postings.searchsorted(wanted)
            at[at == hi - lo] = hi - lo - 1
            out[t] = frozenset(wanted[postings[at] == wanted].tolist())
        return out

    def contains(self, term: int, doc: int) -> bool:
        lo, hi = self._pointers[term], self._pointers[term + 1]
        at = lo + int(np.searchsorted(self.indices[lo:hi], doc))
        return at < hi and int(self.indices[at]) == doc


@dataclass(frozen=True)
class Gathered:
    """Some terms' postings in one pass (`BM25Index.gather`): a query's scores and which of its
    shortlist holds each term, each from the same arrays in a few numpy calls, however many terms."""

    n_docs: int
    terms: tuple[int, ...]   # unique term numbers, in the order gathered
    docs: np.ndarray         # their postings' documents, term after term
    weights: np.ndarray      # and weights
    ends: np.ndarray         # where each term's postings end

    def scores(self) -> np.ndarray:
        """Every document's score. One pass in C: bincount adds in input order, term after term,
        as a loop of `scores[docs] += weights` did, so each sum is the same number."""
        return np.bincount(self.docs, weights=self.weights, minlength=self.n_docs)

    def holding(self, docs: Iterable[int]) -> dict[int, frozenset[int]]:
        """For each term, which of `docs` hold it (`BM25Index.holding`, the same sets)."""
        wanted = np.zeros(self.n_docs, dtype=bool)
        wanted[np.fromiter(docs, dtype=np.int64)] = True
        at = np.flatnonzero(wanted[self.docs])
        found: dict[int, set[int]] = {t: set() for t in self.terms}
        terms = self.terms
        for row, doc in zip(np.searchsorted(self.ends, at, side="right").tolist(), self.docs[at].tolist(), strict=True):
            found[terms[row]].add(doc)
        return {t: frozenset(held) for t, held in found.items()}


@dataclass
class _Chunk:
    """One chunk's postings, sorted by key then document: run r is key `keys[r]`, `runs[r]` long.

    Documents are numbered within the chunk and frequencies are small integers, so both fit in
    16 bits: the postings of all chunks wait for the scatter in a quarter of the memory.
    """

    start: int
    keys: np.ndarray
    runs: np.ndarray
    docs: np.ndarray   # uint16, document number minus `start`
    tf: np.ndarray     # uint16 weighted term frequency
    present: np.ndarray  # bool (2, documents): has CJK / Latin text outside label fields
    lengths: np.ndarray  # float64 (2, documents): weighted CJK / Latin tokens per document
    kept_keys: np.ndarray  # int64 keys of the kept fields' distinct (document, term) pairs
    kept_docs: np.ndarray  # uint16 their documents (minus `start`), ascending


Texts = Callable[[int, int], Sequence[str]]


class Field(NamedTuple):
    """A weighted text field. A label field (an organisation's or section's name) is searched
    like the others but does not make a document count as having text in a script: a thousand
    English papers filed under a Chinese section name are still English papers."""

    weight: int
    texts: Texts
    label: bool = False
    kept: bool = False   # each document keeps its distinct terms of this field (`BM25Index.kept`)


def build(given: Sequence[tuple[int, Texts] | Field], n_docs: int, *, k1: float = 1.2, b: float = 0.75,
          workers: int | None = None, also: Callable[[int, int], Any] | None = None) -> tuple[BM25Index, list[Any]]:
    """Index `n_docs` documents given as weighted fields: [(weight, texts), ...], where
    `texts(lo, hi)` gives the field's text of documents lo to hi - 1.

    A term's frequency in a document is the weighted sum of its counts in the fields (weights 1-3).
    Each chunk is counted with one integer sort: key, document and field weight packed in an int64.
    The chunks are then scattered into the CSC arrays by term, with no global sort.

    Chunks are independent (each numbers its Latin words itself; they are renumbered here), so
    on a large catalog forked worker processes count them, and this process takes the chunks no
    worker has started. `workers=None` chooses: all cores for a large catalog when called from
    the main thread (forking from another thread is unsafe), else this process alone.
    `also(lo, hi)`, when given, runs beside each chunk's counting; its results come back in order.
    Each document also keeps the distinct terms of its `kept` fields (`BM25Index.kept`), read
    from the same tokens: nothing is tokenised twice.
    """
    fields = [Field(*f) for f in given]
    if any(not 1 <= f.weight <= 3 for f in fields):
        raise ValueError("field weights must be 1, 2 or 3")
    starts = range(0, n_docs, CHUNK)
    if workers is None:
        parallel = (len(starts) >= PARALLEL_MIN_CHUNKS and threading.current_thread() is threading.main_thread()
                    and "fork" in multiprocessing.get_all_start_methods())
        workers = min(os.cpu_count() or 1, len(starts)) if parallel else 1
    vocab, words = _vocabulary()
    chunks: list[_Chunk] = []
    extras: list[Any] = []

    def adopt(chunk: _Chunk | None, local_words: list[str], extra: Any) -> None:
        extras.append(extra)
        if chunk is None:
            return
        for word in local_words:  # renumber the chunk's Latin words in the shared vocabulary
            if word not in vocab:
                vocab[word] = len(words)
                words.append(word)
        number = np.fromiter((vocab[w] for w in local_words), dtype=np.int64, count=len(local_words))
        for keys in (chunk.keys, chunk.kept_keys):
            latin = keys >= LATIN_BASE
            keys[latin] = LATIN_BASE + number[keys[latin] - LATIN_BASE]
        chunks.append(chunk)

    if workers > 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_adopt_job,
                                 initargs=(fields, n_docs, also)) as pool:
            futures = [pool.submit(_chunk_in_worker, start) for start in starts]
            # This process takes chunks from the end that no worker has started yet.
            done_here: dict[int, tuple[_Chunk | None, list[str], Any]] = {}
            for position in reversed(range(len(futures))):
                if not futures[position].cancel():
                    break
                done_here[position] = _count_chunk(fields, starts[position], n_docs, also)
            for position, future in enumerate(futures):
                adopt(*(done_here[position] if position in done_here else future.result()))
    else:
        for start in starts:
            adopt(*_count_chunk(fields, start, n_docs, also))
    term_keys = distinct(np.concatenate([c.keys for c in chunks])) if chunks else np.zeros(0, np.int64)
    # First pass: each term's document count, each document's length per script (chunks hold
    # disjoint documents).
    kept_indptr, kept_terms = _kept_lists(chunks, term_keys, n_docs)
    for c in chunks:   # read: freed before the postings' scatter
        c.kept_keys = c.kept_docs = _NOTHING
    counts = np.zeros(len(term_keys), dtype=np.int64)
    doc_len = np.zeros((2, n_docs), dtype=np.float64)   # row 0: CJK tokens, row 1: Latin words
    has_text = np.zeros((2, n_docs), dtype=bool)
    numbers = []
    for c in chunks:
        number = np.searchsorted(term_keys, c.keys)
        counts[number] += c.runs
        numbers.append(number)
        size = min(CHUNK, n_docs - c.start)
        doc_len[:, c.start:c.start + size] = c.lengths  # counted beside the chunk (in a worker)
        has_text[:, c.start:c.start + size] = c.present
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    # Statistics per script: a Chinese bigram's rarity and a document's Chinese length are
    # measured among the documents that have Chinese text, so adding thousands of English-only
    # papers leaves Chinese ranking as it was (and the other way round).
    script_docs = has_text.sum(axis=1).astype(np.float64)
    script_of_term = (term_keys >= LATIN_BASE).astype(np.int64)
    n_script = np.maximum(script_docs[script_of_term], counts)
    idf = np.log(1.0 + (n_script - counts + 0.5) / (counts + 0.5))
    idf_k = (idf * (k1 + 1.0)).astype(np.float32)
    mean_len = np.array([doc_len[s][has_text[s]].mean() if has_text[s].any() else 1.0 for s in (0, 1)])
    norm = (k1 * (1.0 - b + b * doc_len / np.maximum(mean_len, 1e-9)[:, None])).astype(np.float32)
    # Second pass: each chunk's postings go after the earlier chunks' postings of the same term,
    # with their BM25 weight, so each term's documents stay in ascending order.
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    data = np.empty(int(indptr[-1]), dtype=np.float32)
    cursor = indptr[:-1].copy()
    while chunks:
        c, number = chunks.pop(0), numbers.pop(0)
        run_start = np.cumsum(c.runs) - c.runs
        at = np.repeat(cursor[number] - run_start, c.runs) + np.arange(len(c.docs))
        docs = c.docs.astype(np.int32) + c.start
        tf = c.tf.astype(np.float32)
        indices[at] = docs
        data[at] = np.repeat(idf_k[number], c.runs) * tf / (tf + norm[np.repeat(script_of_term[number], c.runs), docs])
        cursor[number] += c.runs
    return BM25Index(term_keys, indptr, indices, data, idf, vocab, n_docs, kept_indptr, kept_terms), extras


_NOTHING = np.zeros(0, dtype=np.int64)


def _kept_lists(chunks: Sequence[_Chunk], term_keys: np.ndarray, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """The documents' kept terms as term numbers, a CSR by document (chunks hold disjoint,
    ascending documents)."""
    counts = np.zeros(n_docs, dtype=np.int64)
    parts = []
    for c in chunks:
        # Every kept pair is one of the chunk's postings: its key is a term.
        at = np.searchsorted(term_keys, c.kept_keys)
        docs = c.kept_docs.astype(np.int64) + c.start
        counts += np.bincount(docs, minlength=n_docs)
        # By document, then term number (renumbering the chunk's words changed their order).
        parts.append((np.sort((docs << 32) | at) & 0xFFFFFFFF).astype(np.int32))
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return indptr, np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)


PARALLEL_MIN_CHUNKS = 4   # below this many chunks, starting processes costs more than it saves


def _count_chunk(fields: Sequence[Field], start: int, n_docs: int,
                 also: Callable[[int, int], Any] | None = None) -> tuple[_Chunk | None, list[str], Any]:
    """The postings of documents start .. start + CHUNK - 1, the chunk's own Latin words (a word's
    key in the chunk is LATIN_BASE + its position in that list), and `also(start, stop)`."""
    stop = min(start + CHUNK, n_docs)
    extra = also(start, stop) if also is not None else None
    vocab, words = _vocabulary()
    codes = []
    present = np.zeros((2, stop - start), dtype=bool)
    kept = []
    for field in fields:
        keys, docs = _tokenise(field.texts(start, stop), vocab, words)
        codes.append((((keys << _CHUNK_BITS) | docs) << 2) | field.weight)
        if field.kept:
            kept.append((docs << 40) | keys)
        if not field.label:
            latin = keys >= LATIN_BASE
            present[0, docs[~latin]] = True
            present[1, docs[latin]] = True
    # The kept fields' (document, term) pairs, each once, by document: a key is under 2**40,
    # a document under 2**13.
    pairs = distinct(np.concatenate([np.zeros(0, dtype=np.int64), *kept]))
    kept_keys, kept_docs = pairs & ((1 << 40) - 1), (pairs >> 40).astype(np.uint16)
    code = np.sort(np.concatenate(codes))
    if not len(code):   # no postings: nothing a kept term could be either
        return None, words, extra
    pair = code >> 2
    starts = np.flatnonzero(np.concatenate(([True], pair[1:] != pair[:-1])))
    weighted = np.minimum(np.add.reduceat(code & 3, starts), 0xFFFF).astype(np.uint16)
    pair = pair[starts]
    keys = pair >> _CHUNK_BITS
    key_starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    docs = (pair & (CHUNK - 1)).astype(np.uint16)
    latin = keys >= LATIN_BASE
    lengths = np.stack([np.bincount(docs[~latin], weights=weighted[~latin], minlength=stop - start),
                        np.bincount(docs[latin], weights=weighted[latin], minlength=stop - start)])
    return _Chunk(start, keys[key_starts], np.diff(np.append(key_starts, len(keys))), docs, weighted, present,
                  lengths, kept_keys, kept_docs), words, extra


# A worker process's job: handed over by fork (never pickled), set once per worker process.
_worker_job: tuple[Sequence[Field], int, Callable[[int, int], Any] | None] | None = None


def _adopt_job(fields: Sequence[Field], n_docs: int, also: Callable[[int, int], Any] | None) -> None:
    global _worker_job
    _worker_job = (fields, n_docs, also)


def _chunk_in_worker(start: int) -> tuple[_Chunk | None, list[str], Any]:
    assert _worker_job is not None
    fields, n_docs, also = _worker_job
    return _count_chunk(fields, start, n_docs, also)


def _vocabulary() -> tuple[dict[str, int], list[str]]:
    """A fresh Latin vocabulary (word -> id) and its words by id. Stopwords map to -1 (dropped),
    the text separator to -2, and number words share their digit's id."""
    vocab: dict[str, int] = dict.fromkeys(STOPWORDS, -1)
    vocab[SEPARATOR] = _SEP_ID
    words: list[str] = []
    for word, digit in NUMBER_WORDS.items():
        if digit not in vocab:
            vocab[digit] = len(words)
            words.append(digit)
        vocab[word] = vocab[digit]
    return vocab, words


def _tokenise(texts: Sequence[str], vocab: dict[str, int], words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(term keys, document numbers within `texts`) for every token of every text."""
    big = prepare_joined(texts)
    # Latin words: one findall over all texts (separators included, to number the texts),
    # ids for new words, then one vectorised lookup.
    flat = _LATIN.findall(big)
    for word in set(flat).difference(vocab):
        vocab[word] = len(words)
        words.append(word)
    ids = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
    word_docs = np.cumsum(ids == _SEP_ID)
    keep = ids >= 0
    # CJK: bigrams of neighbouring characters, and lone characters as unigrams, all at once.
    cps = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32)
    seg = np.cumsum(cps == _SEP, dtype=np.int32)
    cjk = _is_cjk(cps)
    pair = cjk[:-1] & cjk[1:]
    bigram_keys = (cps[:-1][pair].astype(np.int64) << 16) | cps[1:][pair]
    before = np.concatenate(([False], cjk[:-1]))
    after = np.concatenate((cjk[1:], [False]))
    lone = cjk & ~before & ~after
    keys = np.concatenate((bigram_keys, cps[lone].astype(np.int64) << 16, LATIN_BASE + ids[keep]))
    docs = np.concatenate((seg[:-1][pair], seg[lone], word_docs[keep])).astype(np.int64)
    return keys, docs

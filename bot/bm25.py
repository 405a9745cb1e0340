"""A vectorised BM25 index over weighted fields: Chinese character bigrams and Latin words.

Built with numpy over whole chunks of the catalog at once instead of per-token Python loops,
so 100,000 papers with full abstracts index in seconds and in bounded memory. A term's key
is an int64: a CJK bigram is its two code points (`a << 16 | b`, a lone character `a << 16`),
a Latin word is `LATIN_BASE + its vocabulary id`. The matrix is CSC by term: the postings of
term t are `indices[indptr[t]:indptr[t+1]]` (documents, ascending) with BM25 weights `data`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.text import _CJK, NUMBER_WORDS, SEPARATOR, STOPWORDS, prepare

LATIN_BASE = 1 << 32
DOC_BITS = 30             # up to a billion documents per index
CHUNK = 8192              # documents tokenised together (a power of two, at most 2**16); bounds temporaries
_CHUNK_BITS = CHUNK.bit_length() - 1
_FINISH_STEP = 1 << 22
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

    def term(self, token: str) -> int | None:
        """The term number of a query token (a Latin word or a CJK uni/bigram), or None."""
        if not token:
            return None
        if "\u3400" <= token[0] <= "\ufaff" and len(token) <= 2:
            key = cjk_key(token)
        else:
            wid = self.vocab.get(token)
            if wid is None or wid < 0:
                return None
            key = LATIN_BASE + wid
        at = int(np.searchsorted(self.term_keys, key))
        return at if at < len(self.term_keys) and self.term_keys[at] == key else None

    def scores(self, terms: Iterable[int]) -> np.ndarray:
        out = np.zeros(self.n_docs, dtype=np.float64)
        for t in terms:
            lo, hi = self.indptr[t], self.indptr[t + 1]
            out[self.indices[lo:hi]] += self.data[lo:hi]
        return out

    def contains(self, term: int, doc: int) -> bool:
        lo, hi = int(self.indptr[term]), int(self.indptr[term + 1])
        at = lo + int(np.searchsorted(self.indices[lo:hi], doc))
        return at < hi and int(self.indices[at]) == doc


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


Texts = Callable[[int, int], Sequence[str]]


def build(fields: Sequence[tuple[int, Texts]], n_docs: int, *, k1: float = 1.2, b: float = 0.75) -> BM25Index:
    """Index `n_docs` documents given as weighted fields: [(weight, texts), ...], where
    `texts(lo, hi)` gives the field's text of documents lo to hi - 1.

    A term's frequency in a document is the weighted sum of its counts in the fields (weights 1-3).
    Each chunk is counted with one integer sort: key, document and field weight packed in an int64.
    The chunks are then scattered into the CSC arrays by term, with no global sort.
    """
    if any(not 1 <= weight <= 3 for weight, _ in fields):
        raise ValueError("field weights must be 1, 2 or 3")
    vocab = _vocabulary()
    chunks: list[_Chunk] = []
    for start in range(0, n_docs, CHUNK):
        stop = min(start + CHUNK, n_docs)
        codes = []
        for weight, texts in fields:
            keys, docs = _tokenise(texts(start, stop), vocab)
            codes.append((((keys << _CHUNK_BITS) | docs) << 2) | weight)
        code = np.sort(np.concatenate(codes))
        if not len(code):
            continue
        pair = code >> 2
        starts = np.flatnonzero(np.concatenate(([True], pair[1:] != pair[:-1])))
        weighted = np.minimum(np.add.reduceat(code & 3, starts), 0xFFFF).astype(np.uint16)
        pair = pair[starts]
        keys = pair >> _CHUNK_BITS
        key_starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        chunks.append(_Chunk(start, keys[key_starts], np.diff(np.append(key_starts, len(keys))),
                             (pair & (CHUNK - 1)).astype(np.uint16), weighted))
    term_keys = np.unique(np.concatenate([c.keys for c in chunks])) if chunks else np.zeros(0, np.int64)
    n_terms = len(term_keys)
    counts = np.zeros(n_terms, dtype=np.int64)
    numbers = []
    for c in chunks:
        number = np.searchsorted(term_keys, c.keys)
        counts[number] += c.runs
        numbers.append(number)
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    tf = np.empty(int(indptr[-1]), dtype=np.float32)
    cursor = indptr[:-1].copy()
    while chunks:  # scatter each chunk's runs after the earlier chunks' runs of the same term
        c, number = chunks.pop(0), numbers.pop(0)
        run_start = np.cumsum(c.runs) - c.runs
        rank = np.arange(len(c.docs)) - np.repeat(run_start, c.runs)
        at = np.repeat(cursor[number], c.runs) + rank
        indices[at] = c.docs.astype(np.int32) + c.start
        tf[at] = c.tf
        cursor[number] += c.runs
    idf = np.log(1.0 + (n_docs - counts + 0.5) / (counts + 0.5))
    doc_len = np.bincount(indices, weights=tf, minlength=n_docs)
    norm = (k1 * (1.0 - b + b * doc_len / max(float(doc_len.mean()) if n_docs else 0.0, 1e-9))).astype(np.float32)
    # The weights overwrite the term frequencies in place, a slice at a time, so that no
    # posting-sized temporary exists (at 100,000 papers each would be ~150 MB).
    data = tf
    idf32 = (idf * (k1 + 1.0)).astype(np.float32)
    for lo in range(0, len(data), _FINISH_STEP):
        hi = min(lo + _FINISH_STEP, len(data))
        term = np.searchsorted(indptr, np.arange(lo, hi), side="right") - 1
        part = data[lo:hi]
        denominator = norm[indices[lo:hi]]
        denominator += part
        part *= idf32[term]
        part /= denominator
    return BM25Index(term_keys, indptr, indices, data, idf, vocab, n_docs)


def _vocabulary() -> dict[str, int]:
    """A fresh Latin vocabulary: stopwords map to -1 (dropped), number words share their digit's id."""
    vocab: dict[str, int] = dict.fromkeys(STOPWORDS, -1)
    vocab[SEPARATOR] = _SEP_ID
    for word, digit in NUMBER_WORDS.items():
        vocab[word] = vocab.setdefault(digit, len(vocab))
    return vocab


def _tokenise(texts: Sequence[str], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(term keys, document numbers within `texts`) for every token of every text."""
    big = prepare(SEPARATOR.join(t.replace(SEPARATOR, "") for t in texts))
    # Latin words: one findall over all texts (separators included, to number the texts),
    # ids for new words, then one vectorised lookup.
    flat = _LATIN.findall(big)
    for word in set(flat).difference(vocab):
        vocab[word] = len(vocab)
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

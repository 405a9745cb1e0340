"""The lookup side of a search index: exact names, typo repairs of a query's words, names typed
with a slip, and the names inside a query. `SearchIndex` holds what `bot/search/build.py` made."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from bot.catalog.catalog import Catalog
from bot.catalog.mapped import KeyTable, Strings
from bot.search.bm25 import BM25Index
from bot.search.build import build
from bot.text import STOPWORDS, Normal, is_cjk, squeeze

FUZZY_NAME_WORDS = 4     # names with a slipped letter are looked for in queries this short
REPAIRS = 3              # candidate corrections kept per misspelled word
RARE = 2                 # a word in at most this many papers may be a slip of a name


def allowed_edits(word: str) -> int:
    """Typos tolerated in a word: none under 4 letters, 1 up to 7, 2 from 8."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def slip_cost(typed: str, meant: str) -> float:
    """Edits from `typed` to `meant`, an adjacent swap counting less than other edits.

    A swap has one way to happen, a wrong letter twenty-five, so of two candidates one
    edit away the swapped one is the likelier meaning ("gpqt" is GPTQ, not GPQA).
    """
    osa = OSA.distance(typed, meant)
    swaps = Levenshtein.distance(typed, meant) - osa  # each adjacent swap: 2 Levenshtein edits, 1 OSA
    if not swaps and sorted(typed) == sorted(meant):
        return 0.75 * osa  # the right letters misplaced ("lamma" for llama): a slip, not another word
    return osa - 0.25 * swaps


def repair_rank(cost: float, frequency: int) -> float:
    """A noisy-channel ordering of candidate words: fewer, likelier edits first, and of similar
    edits the word more papers use (a famous name is likelier meant than an obscure one)."""
    return cost - 0.5 * math.log10(1 + frequency)


_DIGITS = re.compile(r"\d+")


def same_numbers(a: str, b: str) -> bool:
    """Versions are not typos: "gemini 2" never slips into "gemini"."""
    return _DIGITS.findall(a) == _DIGITS.findall(b)


@dataclass
class SearchIndex:
    """An immutable index over one Catalog; build once per catalog version."""

    catalog: Catalog
    exact: KeyTable          # every normal name (and its compact and content-word forms) -> papers
    bm25: BM25Index
    latin_vocab: dict[tuple[str, int], list[str]]
    name_buckets: dict[tuple[str, int], list[str]]
    names: Strings           # each paper's normal names, a line each

    @property
    def vocab(self) -> dict[str, int]:
        return self.bm25.vocab

    @classmethod
    def build(cls, catalog: Catalog, *, workers: int | None = None) -> SearchIndex:
        """Build the index; `workers` as in `bm25.build` (None: parallel when that pays)."""
        return cls(catalog, *build(catalog, workers=workers))

    def names_of(self, doc: int) -> list[str]:
        """A paper's names in the normal form, read from the index (no paper is decoded)."""
        return self.names[doc].split("\n")

    def names_of_each(self, docs: Iterable[int]) -> list[list[str]]:
        """`names_of` each of `docs`."""
        return [names.split("\n") for names in self.names.take(docs)]

    # --- query side ---------------------------------------------------------------------

    def repairs(self, word: str) -> tuple[str, ...]:
        """The catalog words a Latin word may have meant, likeliest first (the word itself when
        the catalog has it and no far commoner word is one swap away)."""
        if is_cjk(word) or not word.isalpha() or not allowed_edits(word):
            return (word,)
        df = self.bm25.document_frequency
        if word in self.vocab:
            # A known word is kept unless a swap of two letters gives a word ten times commoner:
            # a typo printed in one title ("specualtive") still means the common word.
            own = df(word)
            swapped = (word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1))
            # (An unknown swap has no documents: the dict look-up skips its df.)
            better = sorted((-df(w), w) for w in swapped if w != word and w in self.vocab and df(w) >= 10 * max(own, 1))
            return (better[0][1], word) if better else (word,)
        edits = allowed_edits(word)
        reach = max(edits, 2)
        found = [w for size in range(len(word) - reach, len(word) + reach + 1)
                 for w, _, _ in process.extract(word, self.latin_vocab.get((word[0], size), ()), scorer=OSA.distance,
                                                score_cutoff=reach, limit=None)]
        costs = ((slip_cost(word, w), w) for w in found)
        # Misplaced letters may cost half an edit more than the word's allowance.
        ranked = sorted((repair_rank(cost, df(w)), w) for cost, w in costs if cost <= edits + 0.5)
        return tuple(w for _, w in ranked[:REPAIRS]) or (word,)

    def fixes(self, q: Normal) -> dict[str, tuple[str, ...]]:
        """`repairs` of each word of a query, computed once per query."""
        return {w: self.repairs(w) for w in q.words if not is_cjk(w) and w not in STOPWORDS}

    def query_terms(self, q: Normal, fixes: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
        """One slot per search token: the token's likeliest catalog forms, best first; plus
        joined neighbours that are catalog words ("flash attention" also looks for "flashattention")."""
        slots = [fixes.get(t, (t,)) for t in q.tokens]
        latin = [slot[0] for slot in slots if not is_cjk(slot[0])]
        for a, b in pairwise(latin):
            if a + b in self.vocab:
                slots.append((a + b,))
        return slots

    @staticmethod
    def repaired(q: Normal, fixes: dict[str, tuple[str, ...]]) -> str:
        """The query with each misspelled word replaced by its likeliest repair."""
        return " ".join(fixes[w][0] if w in fixes else w for w in q.words)

    def slipped_names(self, key: str) -> list[tuple[str, float]]:
        """Compact names one slip away from `key` (two for long keys), with their cost.

        A four-letter key only matches across a swap of two letters; numbers must agree.
        """
        edits = 0 if len(key) < 4 else 1 if len(key) < 8 else 2
        if not edits:
            return []
        out = []
        for size in range(len(key) - edits, len(key) + edits + 1):
            for name, _, _ in process.extract(key, self.name_buckets.get((key[0], size), ()), scorer=OSA.distance,
                                              score_cutoff=edits + 1, limit=None):
                cost = slip_cost(key, name)
                if cost <= edits + 0.5 and same_numbers(key, name) and (len(key) > 4 or cost < 1):
                    out.append((name, cost))
        return out

    def maybe_slip(self, word: str) -> bool:
        """An unknown or rare Latin word may be a slip of a name ("bilp", "lama"); a common one is not."""
        return not is_cjk(word) and word not in STOPWORDS and self.bm25.document_frequency(word) <= RARE

    def names_in(self, q: Normal, slips: Mapping[str, list[tuple[str, float]]] | None = None) -> dict[int, float]:
        """Papers whose name appears as whole words inside the query, with the share it covers;
        in a short query, also a name typed with a slip (its share a little smaller). `slips`:
        `slipped_names` of a key, when the caller keeps them (else searched here)."""
        ws = q.words
        found: dict[int, float] = {}
        total = max(len(q.compact), 1)
        # A slipped name is looked for in a short query, among n-grams holding a rare word or
        # spanning several words ("lmm in a flash"): one common word alone is no slip.
        short = len(ws) <= FUZZY_NAME_WORDS
        rare = [short and self.maybe_slip(w) for w in ws]
        for n in range(min(len(ws), 5), 0, -1):
            for start in range(len(ws) - n + 1):
                key = squeeze("".join(ws[start:start + n]))
                if len(key) < 3:
                    continue
                owners = self.exact.get(key)
                matches = [(key, 0.0, owners)] if owners is not None else [
                    (name, cost, self.exact[name])
                    for name, cost in (slips[key] if slips is not None else self.slipped_names(key))
                ] if (any(rare[start:start + n]) or (short and n > 1)) and not is_cjk(key) else []
                for _, cost, papers in matches:
                    share = len(key) / total * (1 - 0.15 * cost)
                    for i in papers:
                        found[i] = max(found.get(i, 0.0), share)
        return found


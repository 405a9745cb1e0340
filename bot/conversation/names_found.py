"""Finding a catalog's names (organisations, sections, topics, authors) in a normal message.

The gazetteer used to compile every name into one alternation, longest first; compiling it
took most of a tenth of a second at each start at 26 papers (`paperbot ask` pays it every
time) and grows with every author. This finds the same spans by lookups: at each position,
the names starting with that character, longest first, exactly as the alternation chose.

A Chinese name (CJK at both ends) matches anywhere; any other name only as whole words (no
a-z or 0-9 just before or after it), and an organisation's also with an "s" after it
("googles", from "Google's").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bot.text import is_cjk

_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True)
class Name:
    whole_words: bool  # a Latin name: not inside a longer word
    plural: bool  # an organisation's: "googles" names Google too


@dataclass(frozen=True)
class NameFinder:
    names: Mapping[str, Name]
    lengths: Mapping[str, tuple[int, ...]]  # first character -> its names' lengths, longest first

    @classmethod
    def build(cls, plural: Mapping[str, bool]) -> NameFinder:
        """`plural`: each name -> whether an "s" may follow it (an organisation's name)."""
        names = {n: Name(not (is_cjk(n[0]) and is_cjk(n[-1])), allowed) for n, allowed in plural.items() if n}
        lengths: dict[str, set[int]] = {}
        for name in names:
            lengths.setdefault(name[0], set()).add(len(name))
        return cls(names, {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()})

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each name found, left to right, never overlapping; at one start the
        longest name that fits wins."""
        at, size = 0, len(text)
        while at < size:
            end = self._match(text, at)
            if end:
                yield at, end
                at = end
            else:
                at += 1

    def _match(self, text: str, at: int) -> int:
        lengths = self.lengths.get(text[at])
        if lengths is None:
            return 0
        free_before = at == 0 or text[at - 1] not in _WORD
        room = len(text) - at
        for length in lengths:
            if length > room:
                continue
            name = self.names.get(text[at : at + length])
            if name is None:
                continue
            end = at + length
            if not name.whole_words:
                return end
            if not free_before:
                continue
            if name.plural and text[end : end + 1] == "s" and _free_at(text, end + 1):
                return end + 1
            if _free_at(text, end):
                return end
        return 0


def _free_at(text: str, at: int) -> bool:
    return at >= len(text) or text[at] not in _WORD

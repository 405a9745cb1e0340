"""What thing a message asks for, beyond the paper's card: its BibTeX entry ("medusa 的引用格式",
"cite gptq", "它的bibtex") or its whole abstract ("medusa摘要", "full abstract of gemini"); and the
answer that puts one line per paper when a question names several ("kosmos-2 cogagent qwen-vl
分别是谁家的"). Cue words read from the normal text (simplified, case-folded, punctuation gone);
a question about how often a paper is cited ("被引多少次", "most cited") is no request for its
entry. No I/O and no HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.catalog.schema import Paper

# A count or a ranking of citations (conversation/standing.py answers those), never an entry.
_COUNTED = r"(?:量|数|次|最多|最高|排名|排序|更多|了多少|多少)"
# zh anywhere; en as whole words, with the slips readers make ("bibtx", "citaion", "abstarct").
BIBTEX = re.compile(
    rf"(?<!被)引用(?!{_COUNTED})|(?<!被)引文|引用格式|怎么引|如何引|咋引|参考文献格式|"
    r"\b(?:bib(?: ?te?xt?)?|bib entry|cite|cit(?:at|a)?ion(?! (?:count|number|rank))|citeation|"
    r"how (?:do|should|to) (?:i|we|you) cite)\b"
)
ABSTRACT = re.compile(r"摘要|\b(?:abstracts?|abstarct|abstact|abtract|abstrct)\b")
CUES: dict[str, re.Pattern[str]] = {"bibtex": BIBTEX, "abstract": ABSTRACT}

# The questions one line per paper can answer, for several papers named at once.
SEVERAL_FOCI = frozenset({"who", "when", "code", "links", "impact", "bibtex", "abstract"})


@dataclass(frozen=True)
class SeveralAnswer:
    """The same question about several papers, answered for each in the order they were named."""

    papers: tuple[Paper, ...]
    focus: str


def several(papers: tuple[Paper, ...], intent: str | None) -> SeveralAnswer | None:
    """One line per paper, when the question is one of those and names more than one paper."""
    if len(papers) >= 2 and intent in SEVERAL_FOCI:
        return SeveralAnswer(papers, intent)
    return None

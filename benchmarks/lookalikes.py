"""The look-alike catalog: the 26 papers plus thousands of real ML papers with similar names.

The papers come from `../shared/eval/real_distractors.jsonl` (one JSON object a line: title,
arxiv or null, abstract or null). They are read from there at run time and never copied into
the project. Each becomes a catalog paper as an operator's import would make it: a unique id,
no aliases, its abstract (or title) as the English summary, the date its arXiv id gives, and a
neutral section and organisation, so no look-alike borrows the catalog's own section or
organisation words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.catalog.catalog import Catalog
from bot.catalog.schema import Organisation, Paper, Section, Text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval" / "real_distractors.jsonl"
_ARXIV = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")
IMPORTED = Section(id="imported", zh="其他论文", en="Other papers")
UNKNOWN = Organisation(id="unknown-org", en="Unknown organisation", zh="未知机构")


def _first_sentence(text: str) -> str:
    head, _, _ = text.partition(". ")
    return head[:300]


def distractor_papers(path: Path, taken: set[str]) -> list[Paper]:
    """The file's papers as catalog papers; an arXiv id already `taken` is dropped from the copy."""
    papers = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        title = " ".join(str(row["title"]).split())
        arxiv = row.get("arxiv")
        match = _ARXIV.match(arxiv or "")
        if arxiv in taken or not match:
            arxiv = None
        abstract = " ".join((row.get("abstract") or "").split())
        date = f"20{match.group(1)}-{match.group(2)}" if match and 1 <= int(match.group(2)) <= 12 else "2024-01"
        papers.append(Paper(id=f"lookalike-{i}", title=title, section=IMPORTED.id, orgs=(UNKNOWN.id,), date=date,
                            impact=Text(en=_first_sentence(abstract) or title), arxiv=arxiv,
                            summary_en=abstract or title))
        if arxiv:
            taken.add(arxiv)
    return papers


def lookalike_catalog(base: Catalog, path: Path = DEFAULT) -> Catalog:
    """`base` followed by every look-alike paper in `path`."""
    extra = distractor_papers(path, {p.arxiv for p in base if p.arxiv})
    return Catalog((*base.papers, *extra), (*base.sections, IMPORTED), (*base.organisations, UNKNOWN),
                   source=f"{base.source} + {path.name}")

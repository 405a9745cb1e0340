"""`paperbot import-digest`: parse a "2023 AI核心论文"-style article into catalog YAML.

The article's shape: a title line; sections, each a short heading line; papers, each a title
line followed by 发布时间 / 发表单位 / 影响力 / 摘要 fields (摘要 may run over several
lines and end with a URL line); a closing 回复“KEYWORD”… line; then page furniture.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.catalog.catalog import Catalog
from bot.text import is_cjk, normalise

FIELDS = {"发布时间": "date", "发表单位": "org", "影响力": "impact", "摘要": "abstract"}
_FIELD = re.compile(r"^(发布时间|发表单位|影响力|摘要)\s*[:：]\s*(.*)$")
_CLOSING = re.compile(r"^回复\s*[“\"「]([^”\"」]+)[”\"」]")
_URL = re.compile(r"https?://[^\s。，；)）]+")
_DATE = re.compile(r"^(\d{4})[.\-/年](\d{1,2})")

# The digest's Chinese went through a synonym spinner; these undo its frequent substitutions
# (see catalog-facts.md). Context keeps real uses intact: 第一阶段, 实验表明, 聚焦在.
SPINNER_FIXES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in [
        (r"业界第一个", "业界首个"),
        (r"第一(?![个阶次名步章层部位轮代届季行段篇项])", "首先"),
        (r"(数据|子|训练|测试|验证)聚焦", r"\1集"),
        (r"重大", "重要"),
        (r"超级", "非常"),
        (r"强劲", "强大"),
        (r"依旧", "仍然"),
        (r"我们信任", "我们相信"),
        (r"表明(?=的|学习|为)", "表示"),
        (r"发目前", "发现在"),
    ]
)

# Organisation strings list several names ("伯克利,微软") with trailing words to drop ("清华等").
_ORG_SPLIT = re.compile(r"\s*(?:[,，、/&;；]|\band\b|和|及|与)\s*")
_ORG_TRIM = re.compile(r"(研究人员|等|团队)$")


def clean(text: str) -> str:
    for pattern, repl in SPINNER_FIXES:
        text = pattern.sub(repl, text)
    return text


@dataclass
class DigestEntry:
    """One paper as the article prints it, before any enrichment."""

    title: str
    section: str
    line: int
    date: str = ""
    org: str = ""
    impact: str = ""
    abstract: str = ""
    urls: list[str] = field(default_factory=list)

    @property
    def month(self) -> str:
        """发布时间 as YYYY-MM (the article writes 2023.02)."""
        m = _DATE.match(self.date)
        return f"{m.group(1)}-{int(m.group(2)):02d}" if m else ""


@dataclass
class ParsedDigest:
    title: str
    sections: list[str]
    entries: list[DigestEntry]
    keyword: str = ""
    closing: str = ""


def parse_digest(text: str) -> ParsedDigest:
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line]
    if not lines:
        raise ValueError("the article is empty")
    # A title line is the one just before a 发布时间 line; that is the article's only fixed cue.
    title_at = {i for i in range(len(lines) - 1) if lines[i + 1][1].startswith("发布时间")}
    digest = ParsedDigest(title=lines[0][1], sections=[], entries=[])
    section = ""
    current: DigestEntry | None = None
    in_abstract = False
    for i, (n, line) in enumerate(lines[1:], 1):
        closing = _CLOSING.match(line)
        if closing:
            digest.keyword, digest.closing = closing.group(1).strip(), line
            break
        if i in title_at:
            current = DigestEntry(title=line, section=section, line=n)
            digest.entries.append(current)
            in_abstract = False
            continue
        if (i + 1) in title_at and len(line) <= 20 and not _FIELD.match(line) and not (
                current and in_abstract and len(line) > 12):
            section = line
            digest.sections.append(section)
            current, in_abstract = None, False
            continue
        if current is None:
            continue
        m = _FIELD.match(line)
        if m:
            name = FIELDS[m.group(1)]
            setattr(current, name, m.group(2).strip())
            in_abstract = name == "abstract"
            if in_abstract:
                current.urls.extend(_URL.findall(m.group(2)))
        elif in_abstract:
            urls = _URL.findall(line)
            current.urls.extend(urls)
            # A line opening with a URL finishes the sentence before it; prose starts a paragraph.
            joiner = " " if _URL.match(line) else "\n\n"
            current.abstract = f"{current.abstract}{joiner}{line}".strip()
    return digest


def slug(text: str, limit: int = 40) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", normalise(text).replace(".", "-")).strip("-")[:limit].strip("-")
    return value or "x" + hashlib.sha1(text.encode()).hexdigest()[:8]


def split_orgs(text: str) -> list[str]:
    parts = (_ORG_TRIM.sub("", p.strip()) for p in _ORG_SPLIT.split(text))
    return [p for p in parts if p]


def resolve_orgs(text: str, reference: Catalog | None) -> list[str]:
    """Organisation ids for an organisation string; unknown names get a new id of their own."""
    known = reference.org_names if reference else {}
    return [known.get(normalise(name)) or known.get(normalise(name.removeprefix("美国"))) or slug(name)
            for name in split_orgs(text)]


def to_catalog(digest: ParsedDigest, reference: Catalog | None = None,
               digest_id: str = "") -> dict[str, Any]:
    """Catalog YAML data for an imported digest, reusing the reference's ids where they match."""
    sections: dict[str, dict[str, Any]] = {}
    for name in digest.sections:
        sid = (reference.section_names.get(normalise(name)) if reference else None) or slug(name)
        known = reference.section_by_id.get(sid) if reference else None
        sections[name] = {"id": sid, "zh": known.zh if known else name, "en": known.en if known else name}
    by_title = {normalise(t): p for p in reference for t in reversed(p.titles)} if reference else {}
    orgs: dict[str, dict[str, Any]] = {}
    papers = []
    for entry in digest.entries:
        org_ids = resolve_orgs(entry.org, reference)
        for oid, name in zip(org_ids, split_orgs(entry.org), strict=True):
            if oid not in orgs:
                ref = reference.org_by_id.get(oid) if reference else None
                orgs[oid] = ({"id": oid, "en": ref.en, "zh": ref.zh} if ref else
                             {"id": oid, "en": name, "zh": name if is_cjk(name) else ""})
        known_paper = by_title.get(normalise(entry.title))
        paper: dict[str, Any] = {
            "id": known_paper.id if known_paper else slug(entry.title.partition(":")[0]),
            "title": entry.title,
            "section": sections[entry.section]["id"] if entry.section in sections else "uncategorised",
            "orgs": org_ids,
            "date": entry.month,
            "impact": {"zh": clean(entry.impact)},
        }
        if known_paper and known_paper.arxiv:
            paper["arxiv"] = known_paper.arxiv
        if entry.abstract:
            paper["abstract_zh"] = clean(entry.abstract)
        code = next((u for u in entry.urls if "github.com" in u), None)
        if code:
            paper["links"] = {"code": code.rstrip("。.,，")}
        if digest_id:
            paper["digest"] = digest_id
        papers.append(paper)
    section_list = list({s["id"]: s for s in sections.values()}.values())
    if any(p["section"] == "uncategorised" for p in papers):
        section_list.append({"id": "uncategorised", "zh": "未分类", "en": "Uncategorised"})
    return {"sections": section_list, "organisations": list(orgs.values()), "papers": papers}


def digest_record(digest: ParsedDigest, digest_id: str, sections: Iterable[str], source: str) -> dict[str, Any]:
    return {"id": digest_id, "title": digest.title, "sections": list(sections),
            "keyword": digest.keyword, "closing": digest.closing, "source": source}


def merge_catalog(existing: dict[str, Any], imported: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """Add an imported digest to catalog data without duplicates: a paper already present
    (same arXiv id, same id or same normalised title) is skipped. Returns (merged, added, skipped).
    """
    merged = {key: list(existing.get(key) or []) for key in ("sections", "organisations", "papers")}
    for key in ("sections", "organisations"):
        have = {entry.get("id") for entry in merged[key]}
        merged[key] += [entry for entry in imported.get(key, []) if entry.get("id") not in have]
    arxiv = {p.get("arxiv") for p in merged["papers"] if p.get("arxiv")}
    ids = {p.get("id") for p in merged["papers"]}
    # A retitled paper keeps its earlier titles as errata: they still name it.
    titles = {normalise(str(t)) for p in merged["papers"] for t in [p.get("title", ""), *(
        e.get(k) for e in p.get("errata") or [] if isinstance(e, dict) and e.get("field") == "title"
        for k in ("digest", "replaced"))] if t}
    added, skipped = [], []
    for paper in imported.get("papers", []):
        if (paper.get("arxiv") and paper["arxiv"] in arxiv) or normalise(paper["title"]) in titles:
            skipped.append(paper["id"])
            continue
        while paper["id"] in ids:  # a new paper whose slug is taken: keep both, distinctly
            paper = {**paper, "id": f"{paper['id']}-{len(ids)}"[:41]}
        merged["papers"].append(paper)
        ids.add(paper["id"])
        titles.add(normalise(paper["title"]))
        if paper.get("arxiv"):
            arxiv.add(paper["arxiv"])
        added.append(paper["id"])
    return {**existing, **merged}, added, skipped

"""Two or more papers side by side: each one's facts, then what sets them apart (dates,
sections, organisations, and the words of its title and summary the others do not use)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.catalog.schema import Paper
from bot.render.html import clip, clip_html, esc, first_sentence
from bot.render.kit import Kit
from bot.render.locale import t
from bot.render.reply import Reply
from bot.text import STOPWORDS


@dataclass(frozen=True)
class Comparisons:
    kit: Kit

    def compare(self, papers: tuple[Paper, ...]) -> Reply:
        """One side-by-side message: each paper's facts, then what sets them apart."""
        kit, lang = self.kit, self.kit.lang
        names = [kit.name(p) for p in papers]
        lines = [t("compare_title", lang, names=t("and", lang).join(names)), ""]
        for paper in papers:
            lines.append(f"<b>{kit.name(paper)}</b> — {esc(clip(paper.title, 120))}")
            lines.append(" · ".join([t("card_date", lang, date=paper.date), "🏛 " + kit.orgs(paper),
                                     "📚 " + kit.section(paper)]))
            if paper.impact:
                lines.append("💡 " + esc(clip(paper.impact_in(lang), 200)))
            if paper.summary_en:
                lines.append("📝 " + esc(clip(first_sentence(paper.summary_en), 240)))
            lines.append("")
        lines.append(t("compare_differences", lang))
        lines += ["• " + line for line in self.differences(papers)]
        return Reply(clip_html("\n".join(lines).rstrip()), kit.picks(papers, width=40, per_row=1))

    def differences(self, papers: tuple[Paper, ...]) -> list[str]:
        kit, lang = self.kit, self.kit.lang
        dated = sorted(papers, key=lambda p: p.date)
        out = []
        if dated[0].date == dated[-1].date:
            out.append(t("diff_same_month", lang, date=dated[0].date))
        else:
            out.append(t("diff_earlier", lang, first=kit.name(dated[0]), dates=" / ".join(
                f"{kit.name(p)} {p.date}" for p in dated)))
        sections = {p.section for p in papers}
        if len(sections) == 1:
            out.append(t("diff_same_section", lang, section=kit.section(papers[0])))
        else:
            out.append(t("diff_sections", lang, sections="；".join(f"{kit.name(p)}: {kit.section(p)}" for p in papers)))
        shared_orgs = set(papers[0].orgs).intersection(*(p.orgs for p in papers[1:]))
        orgs = kit.catalog.org_by_id
        if shared_orgs:
            out.append(t("diff_same_org", lang, orgs=esc("、".join(orgs[o].name(lang) for o in sorted(shared_orgs) if o in orgs))))
        else:
            out.append(t("diff_orgs", lang, orgs="；".join(f"{kit.name(p)}: {kit.orgs(p)}" for p in papers)))
        for paper, words in zip(papers, distinctive_words(papers), strict=True):
            if words:
                out.append(t("diff_focus", lang, name=kit.name(paper), words=esc(", ".join(words))))
        return out


def distinctive_words(papers: tuple[Paper, ...], limit: int = 4) -> list[list[str]]:
    """For each paper, the words of its title and summary that the others' do not use: what sets
    it apart ("quantization", "second-order" for GPTQ beside "flash", "memory" for LLM in a flash)."""
    vocab = [_content_words(f"{p.title} {p.summary_en}") for p in papers]
    out = []
    for i, words in enumerate(vocab):
        others = set().union(*(v for j, v in enumerate(vocab) if j != i))
        out.append([w for w in words if w not in others][:limit])
    return out


# Words every abstract uses: they set no paper apart.
_COMMON_TEXT = """
than then their them they we our using use uses used via while whose model models large language llm llms
method approach new based results show shows shown up more most only also both each other such can has have
had not one two three no over under after before between without within into
"""
_COMMON = STOPWORDS | frozenset(_COMMON_TEXT.split())


def _content_words(text: str) -> list[str]:
    found = [w.strip("-").lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", text)]
    return list(dict.fromkeys(w for w in found if w not in _COMMON))

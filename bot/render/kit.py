"""What every renderer shares: the catalog, the reader's language, and the few ways a paper is
named in a line (its short name, organisations, section, first authors) or offered as a button."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.catalog.catalog import Catalog, display_name
from bot.catalog.schema import Paper, Topic
from bot.render.html import clip, esc
from bot.render.locale import Lang, t
from bot.render.reply import Button, encode

LINE_TITLE = 90   # a list line's title is cut here


@dataclass(frozen=True)
class Kit:
    catalog: Catalog
    lang: Lang
    topics: dict[str, Topic] = field(default_factory=dict)

    def name(self, paper: Paper) -> str:
        return esc(paper.short_name)

    def orgs(self, paper: Paper) -> str:
        """The organisations, escaped; a paper added by its arXiv id may have none listed."""
        return esc(self.catalog.org_label(paper, self.lang)) or "—"

    def named(self, kind: str, key: str) -> str:
        """The name (unescaped) of an organisation "o", section "s", topic "g", author "a" or paper
        "p" by its id, in the reader's language; the id itself when the catalog lacks it."""
        catalog, lang = self.catalog, self.lang
        if kind == "o" and (org := catalog.org_by_id.get(key)):
            return org.name(lang)
        if kind == "s" and (section := catalog.section_by_id.get(key)):
            return section.zh if lang == "zh" else section.en
        if kind == "g" and (topic := self.topics.get(key)):
            return topic.zh if lang == "zh" else topic.en
        if kind == "a":
            return catalog.authors.get(key, key)
        if kind == "p" and (paper := catalog.get(key)):
            return paper.short_name
        return key

    def section(self, paper: Paper) -> str:
        return esc(self.catalog.section_label(paper, self.lang))

    def authors(self, paper: Paper, shown: int) -> str:
        """The first `shown` authors, then how many more: "… and 4 more" / "… 等 7 人" (Chinese counts
        everyone: "等 4 人" would read as four in all)."""
        names = [display_name(a) for a in paper.named_authors]
        text = ", ".join(names[:shown])
        rest = len(names) - shown
        if paper.authors_cut:  # the list ends with "others": how many in all is not known
            return text + (t("more_authors_cut", self.lang, n=rest) if rest > 0 or self.lang == "zh" else "…")
        return text + (t("more_authors", self.lang, n=rest, total=len(names)) if rest > 0 else "")

    def paper_line(self, n: int, paper: Paper) -> str:
        """One numbered line of a list: "3. <b>Medusa: Simple LLM Inference…</b> · 2024-01 · Princeton…".
        The title, not the short name: "LLaMA" alone reads like a word of "Code Llama"."""
        return f"{n}. <b>{esc(clip(paper.title, LINE_TITLE))}</b> · {paper.date} · {self.orgs(paper)}"

    def picks(self, papers: Sequence[Paper], *, width: int = 24, per_row: int = 2) -> tuple[tuple[Button, ...], ...]:
        """A button to open each paper, `per_row` to a row."""
        buttons = [Button(clip(p.short_name, width), encode("pick", p.id, lang=self.lang)) for p in papers]
        return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))

    def pager(self, verb: str, key: str, page: int, pages: int) -> tuple[Button, ...]:
        """Prev/Next buttons that edit the same message to another page."""
        nav = []
        if page > 0:
            nav.append(Button(t("btn_prev", self.lang), encode(verb, key, str(page - 1), self.lang)))
        if page < pages - 1:
            nav.append(Button(t("btn_next", self.lang), encode(verb, key, str(page + 1), self.lang)))
        return tuple(nav)

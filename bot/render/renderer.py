"""Answers -> Replies: escaped HTML under Telegram's limits, buttons with short callback data.

Callback data is `verb:paper_id[:arg]`, at most 64 bytes, encoded and decoded only here.
Only handlers turn Replies into Telegram objects.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.catalog.catalog import Catalog, display_name
from bot.catalog.keywords import KeywordRules, find_digest, pick
from bot.catalog.schema import Digest, Paper, ReplyItem
from bot.conversation.answer import (
    Answer,
    BundleAnswer,
    ChatAnswer,
    CheckAnswer,
    ChoiceAnswer,
    CompareAnswer,
    CountAnswer,
    FallbackAnswer,
    KeywordAnswer,
    ListAnswer,
    NotFound,
    PaperAnswer,
    SimilarAnswer,
)
from bot.conversation.understand import ListFilter, When
from bot.render.locale import Lang, t
from bot.text import STOPWORDS, cjk_share, normalise

if TYPE_CHECKING:
    from bot.store.records import Subscription

MAX_TEXT = 4096
MAX_CALLBACK = 64
PAGE_SIZE = 8
SUMMARY_CHARS = 220
PUSH_SHOWN = 8             # a push lists this many new papers, then how many more
CARD_AUTHORS = 3          # a card names the first authors, "who wrote it" a few more
WHO_AUTHORS = 8
EXPANDED_CHARS = 3200    # an expanded card stays one message, with room for its other lines
QUERY_ECHO = 80


@dataclass(frozen=True)
class Button:
    text: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Document:
    """A file to send; `kind`+`key` name it for reuse of Telegram's file_id."""

    kind: str
    key: str
    filename: str
    data: bytes | None = None   # the file itself, when it is made for one reader (not the bundle)


@dataclass(frozen=True)
class Reply:
    text: str = ""
    buttons: tuple[tuple[Button, ...], ...] = ()
    document: Document | None = None
    caption: str = ""
    part_caption: str = ""   # for a document sent in parts: "{n}" and "{total}" are filled in


@dataclass(frozen=True)
class Callback:
    verb: str
    paper_id: str = ""
    arg: str = ""


VERBS = ("card", "abs", "bib", "sim", "ls", "dg", "pick", "save", "sub", "svd")


def encode(verb: str, paper_id: str = "", arg: str = "") -> str:
    data = ":".join([verb, paper_id, arg]).rstrip(":")
    if verb not in VERBS or len(data.encode()) > MAX_CALLBACK:
        raise ValueError(f"callback data {data!r} is not valid")
    return data


def decode(data: str | None) -> Callback | None:
    """Parse callback data; None for anything forged, stale in format, or oversized."""
    if not data or len(data.encode()) > MAX_CALLBACK:
        return None
    verb, _, rest = data.partition(":")
    paper_id, _, arg = rest.partition(":")
    return Callback(verb, paper_id, arg) if verb in VERBS else None


def language(text: str, user_language: str | None) -> Lang:
    """Chinese when the message is Chinese, or the user's Telegram language is zh; else English."""
    if cjk_share(text) > 0:
        return "zh"
    body = text.split(maxsplit=1)[1] if text.startswith("/") and " " in text else text
    if not body.startswith("/") and any(c.isalpha() for c in body):
        return "en"
    return "zh" if (user_language or "").lower().startswith("zh") else "en"


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def esc_clip(text: str, limit: int) -> str:
    """Escaped text of at most `limit` characters *after* escaping, never cut inside an entity."""
    escaped = esc(text)
    if len(escaped) <= limit:
        return escaped
    return escaped[:_safe_cut(escaped, limit - 1)].rstrip() + "…"


@dataclass
class Renderer:
    catalog: Catalog
    lang: Lang
    digests: tuple[Digest, ...] = ()
    rng: random.Random = field(default_factory=random.Random)
    keywords: KeywordRules = field(default_factory=KeywordRules)
    featured: tuple[Paper, ...] = ()   # offered as buttons under the welcome

    # --- answers ------------------------------------------------------------------------

    def answer(self, answer: Answer) -> list[Reply]:
        if isinstance(answer, PaperAnswer):
            return [self.card(answer.paper, answer.focus)]
        if isinstance(answer, ListAnswer):
            return [self.list_page(answer.filter, answer.page)]
        if isinstance(answer, ChoiceAnswer):
            return [self.choice(answer)]
        if isinstance(answer, NotFound):
            return [Reply(t("not_found", self.lang, query=esc(clip(answer.query, QUERY_ECHO)),
                            count=len(self.catalog)))]
        if isinstance(answer, CountAnswer):
            return [self.count(answer)]
        if isinstance(answer, KeywordAnswer):
            return [r for item in pick(answer.rule, self.rng) for r in self.reply_item(item)]
        if isinstance(answer, CheckAnswer):
            return [self.card(answer.paper, focus_line=self.check_line(answer))]
        if isinstance(answer, CompareAnswer):
            return [self.compare(answer.papers)]
        if isinstance(answer, SimilarAnswer):
            return [self.paper_list(t("similar_title", self.lang, name=self.name(answer.paper)), answer.papers)]
        if isinstance(answer, BundleAnswer):
            return self.reply_item(ReplyItem(bundle=answer.digest)) if answer.digest else [self.list_page(ListFilter(), 0)]
        if isinstance(answer, ChatAnswer):
            return [self.chat(answer.kind)]
        if isinstance(answer, FallbackAnswer):
            fallback = [r for item in self.keywords.fallback for r in self.reply_item(item)]
            return fallback or [Reply(t("off_topic", self.lang, count=len(self.catalog)))]
        raise TypeError(f"unknown answer {answer!r}")

    def chat(self, kind: str) -> Reply:
        """Small talk: the welcome (with the main commands and examples), help, and short lines."""
        if kind == "greeting":
            return self.welcome()
        if kind == "help":
            return self.help()
        return Reply(t(f"chat_{kind}", self.lang))

    def welcome(self) -> Reply:
        """/start and "hi": the operator's welcome, the main commands, and featured papers to try."""
        welcome = [r.text for item in self.keywords.welcome for r in self.reply_item(item) if r.text]
        buttons = tuple((Button(clip(p.short_name, 40), encode("pick", p.id)),) for p in self.featured)
        text = (welcome[0] if welcome else self.intro().text) + "\n\n" + t("commands_line", self.lang)
        return Reply(text + ("\n\n" + t("start_examples", self.lang) if buttons else ""), buttons)

    def reply_item(self, item: ReplyItem) -> list[Reply]:
        """One reply of a keyword rule, welcome or fallback."""
        if item.text is not None:
            return [Reply(esc(item.text.get(self.lang)))]
        if item.paper is not None:
            paper = self.catalog.get(item.paper)
            return [self.card(paper)] if paper else []
        if item.digest is not None:
            return [self.digest_page(item.digest, 0)]
        if item.bundle is not None:
            digest = find_digest(self.digests, item.bundle)
            caption = t("bundle_caption", self.lang, title=esc(digest.title if digest else item.bundle),
                        count=len(self.catalog))
            return [Reply(document=Document("bundle", item.bundle, f"{item.bundle}-papers.zip"), caption=caption,
                          part_caption=t("bundle_part", self.lang))]
        return []

    # --- cards --------------------------------------------------------------------------

    def name(self, paper: Paper) -> str:
        return esc(paper.short_name)

    def orgs(self, paper: Paper) -> str:
        """The organisations, escaped; a paper added by its arXiv id may have none listed."""
        return esc(self.catalog.org_label(paper, self.lang)) or "—"

    def card(self, paper: Paper, focus: str = "card", *, expanded: bool = False, focus_line: str = "") -> Reply:
        lang = self.lang
        lines: list[str] = []
        focus_line = focus_line or self._focus_line(paper, focus)
        if focus_line:
            lines += [focus_line, ""]
        title = esc(paper.title)
        lines.append(f'<b><a href="{paper.abs_url}">{title}</a></b>' if paper.abs_url else f"<b>{title}</b>")
        date = paper.date + (t("when_arxiv", lang, date=paper.arxiv_date) if paper.arxiv_date else "")
        meta = [t("card_date", lang, date=date), "🏛 " + self.orgs(paper),
                "📚 " + esc(self.catalog.section_label(paper, lang))]
        lines.append(" · ".join(meta))
        if paper.authors:
            lines.append("✍️ " + esc(self.authors(paper, CARD_AUTHORS)))
        if paper.impact:
            lines.append("💡 " + esc(paper.impact_in(lang)))
        if expanded:  # English readers get the summary and the Chinese abstract after it
            body = ((paper.abstract_zh or paper.summary_en) if lang == "zh"
                    else "\n\n".join(filter(None, (paper.summary_en, paper.abstract_zh))))
            lines += ["", esc_clip(body, EXPANDED_CHARS)]
        else:
            short = paper.abstract_zh if lang == "zh" and paper.abstract_zh else paper.summary_en
            lines += ["", esc(clip(short, SUMMARY_CHARS))]
        for erratum in paper.errata:
            if erratum.field == "title" and normalise(erratum.digest) == normalise(paper.title):
                continue  # capitals or an apostrophe's shape: not worth a reader's line
            if erratum.field in ("orgs", "title", "date"):
                lines.append(t("card_errata", lang, field=t(f"field_{erratum.field}", lang),
                               digest=esc(clip(erratum.digest, 90)), note=esc(erratum.note) if lang == "en" else ""))
            elif expanded and erratum.field == "abstract_zh":
                lines.append("⚠️ " + t("abstract_missing_note" if not erratum.digest else "wrong_abstract_note", lang))
        if paper.arxiv:
            lines.append(f"arXiv: <code>{paper.arxiv}</code>")
        text = "\n".join(lines).rstrip()
        return Reply(clip_html(text), self.card_buttons(paper, expanded))

    def authors(self, paper: Paper, shown: int) -> str:
        """The first `shown` authors, then how many more ("Tianle Cai, Yuhong Li, … and 4 more")."""
        names = [display_name(a) for a in paper.named_authors]
        text = ", ".join(names[:shown])
        rest = len(names) - shown
        if paper.authors_cut:
            return text + ("…" if rest <= 0 else t("more_authors", self.lang, n=f"{rest}+"))
        return text + (t("more_authors", self.lang, n=rest) if rest > 0 else "")

    def _focus_line(self, paper: Paper, focus: str) -> str:
        lang, name = self.lang, self.name(paper)
        if focus == "who":
            who = (t("who", lang, name=name, orgs=self.orgs(paper), date=paper.date) if paper.orgs
                   else t("who_no_org", lang, name=name, date=paper.date))
            if paper.authors:
                who += "\n" + t("who_authors", lang, authors=esc(self.authors(paper, WHO_AUTHORS)))
            return who
        if focus == "when":
            extra = t("when_arxiv", lang, date=paper.arxiv_date) if paper.arxiv_date else ""
            return t("when", lang, name=name, date=paper.date) + extra
        if focus == "impact":
            return t("impact_focus", lang, name=name, impact=esc(paper.impact_in(lang) or t("no_impact", lang)))
        if focus == "links":
            links = [u for u in (paper.abs_url, paper.pdf_url, paper.links.code, paper.links.data, paper.links.project)
                     if u]
            return t("links_focus", lang, name=name) + "\n" + "\n".join(esc(u) for u in links)
        if focus == "code":
            code = [u for u in (paper.links.code, paper.links.data, paper.links.project) if u]
            if code:
                return t("code_focus", lang, name=name) + "\n" + "\n".join(esc(u) for u in code)
            paper_links = [u for u in (paper.abs_url, paper.pdf_url) if u]
            return t("no_code", lang, name=name) + "\n" + "\n".join(esc(u) for u in paper_links)
        return ""

    def check_line(self, answer: CheckAnswer) -> str:
        """"是的，…" / "不是，…": the yes or no first, then the fact that decides it."""
        paper, claim, lang = answer.paper, answer.claim, self.lang
        if claim.org:
            fact = t("who", lang, name=self.name(paper), orgs=self.orgs(paper), date=paper.date)
        elif claim.section:
            fact = t("in_section", lang, name=self.name(paper), section=esc(self.catalog.section_label(paper, lang)))
        else:
            extra = t("when_arxiv", lang, date=paper.arxiv_date) if paper.arxiv_date else ""
            fact = t("when", lang, name=self.name(paper), date=paper.date) + extra
        return t("yes" if answer.holds else "no", lang) + fact

    def compare(self, papers: tuple[Paper, ...]) -> Reply:
        """One side-by-side message: each paper's facts, then what sets them apart."""
        lang = self.lang
        names = [self.name(p) for p in papers]
        lines = [t("compare_title", lang, names=t("and", lang).join(names)), ""]
        for paper in papers:
            lines.append(f"<b>{self.name(paper)}</b> — {esc(clip(paper.title, 120))}")
            lines.append(" · ".join([t("card_date", lang, date=paper.date), "🏛 " + self.orgs(paper),
                                     "📚 " + esc(self.catalog.section_label(paper, lang))]))
            if paper.impact:
                lines.append("💡 " + esc(clip(paper.impact_in(lang), 200)))
            if paper.summary_en:
                lines.append("📝 " + esc(clip(first_sentence(paper.summary_en), 240)))
            lines.append("")
        lines.append(t("compare_differences", lang))
        lines += ["• " + line for line in self.differences(papers)]
        picks = tuple((Button(clip(p.short_name, 40), encode("pick", p.id)),) for p in papers)
        return Reply(clip_html("\n".join(lines).rstrip()), picks)

    def differences(self, papers: tuple[Paper, ...]) -> list[str]:
        lang = self.lang
        dated = sorted(papers, key=lambda p: p.date)
        out = []
        if dated[0].date == dated[-1].date:
            out.append(t("diff_same_month", lang, date=dated[0].date))
        else:
            out.append(t("diff_earlier", lang, first=self.name(dated[0]), dates=" / ".join(
                f"{self.name(p)} {p.date}" for p in dated)))
        sections = {p.section for p in papers}
        if len(sections) == 1:
            out.append(t("diff_same_section", lang, section=esc(self.catalog.section_label(papers[0], lang))))
        else:
            out.append(t("diff_sections", lang, sections="；".join(
                f"{self.name(p)}: {esc(self.catalog.section_label(p, lang))}" for p in papers)))
        shared_orgs = set(papers[0].orgs).intersection(*(p.orgs for p in papers[1:]))
        if shared_orgs:
            out.append(t("diff_same_org", lang, orgs=esc("、".join(self.catalog.org_by_id[o].name(lang)
                                                                   for o in sorted(shared_orgs) if o in self.catalog.org_by_id))))
        else:
            out.append(t("diff_orgs", lang, orgs="；".join(
                f"{self.name(p)}: {self.orgs(p)}" for p in papers)))
        for paper, words in zip(papers, distinctive_words(papers), strict=True):
            if words:
                out.append(t("diff_focus", lang, name=self.name(paper), words=esc(", ".join(words))))
        return out

    def card_buttons(self, paper: Paper, expanded: bool = False) -> tuple[tuple[Button, ...], ...]:
        lang = self.lang
        first = [Button(t("btn_card" if expanded else "btn_abstract", lang),
                        encode("card" if expanded else "abs", paper.id)),
                 Button(t("btn_similar", lang), encode("sim", paper.id)),
                 Button(t("btn_bibtex", lang), encode("bib", paper.id)),
                 Button(t("btn_save", lang), encode("save", paper.id))]
        second = []
        if paper.pdf_url:
            second.append(Button(t("btn_pdf", lang), url=paper.pdf_url))
        if paper.abs_url:
            second.append(Button(t("btn_arxiv", lang), url=paper.abs_url))
        if paper.links.code:
            second.append(Button(t("btn_code", lang), url=paper.links.code))
        if paper.links.data:
            second.append(Button(t("btn_data", lang), url=paper.links.data))
        return (tuple(first), tuple(second)) if second else (tuple(first),)

    def bibtex(self, paper: Paper) -> Reply:
        from bot.catalog.bundle import bibtex_entry

        return Reply(f"<pre>{esc(bibtex_entry(paper, self.catalog))}</pre>")

    # --- lists --------------------------------------------------------------------------

    def filter_title(self, wanted: ListFilter) -> str:
        parts = []
        if wanted.author:
            parts.append(t("by_author", self.lang, name=self.catalog.authors.get(wanted.author, wanted.author)))
        if wanted.org:
            org = self.catalog.org_by_id.get(wanted.org)
            parts.append(org.name(self.lang) if org else wanted.org)
        if wanted.section:
            section = self.catalog.section_by_id.get(wanted.section)
            parts.append((section.zh if self.lang == "zh" else section.en) if section else wanted.section)
        if wanted.when:
            parts.append(time_label(wanted.when, self.lang))
        return " · ".join(parts) or t("list_all", self.lang)

    def list_page(self, wanted: ListFilter, page: int, *, title: str | None = None) -> Reply:
        papers = wanted.papers(self.catalog)
        heading = title or esc(self.filter_title(wanted))
        if not papers:
            return Reply(t("list_empty", self.lang, filter=heading))
        pages = page_count(len(papers))
        page = min(max(page, 0), pages - 1)
        start, end = page_bounds(len(papers), page)
        chunk = papers[start:end]
        lines = [t("list_title", self.lang, title=heading, count=len(papers))]
        section = None
        for n, paper in enumerate(chunk, start + 1):
            if wanted.section is None and paper.section != section:
                section = paper.section
                lines.append(f"\n<i>{esc(self.catalog.section_label(paper, self.lang))}</i>")
            lines.append(f"{n}. <b>{esc(paper.short_name)}</b> · {paper.date} · "
                         f"{self.orgs(paper)}")
        if pages > 1:
            lines.append("\n" + t("page", self.lang, page=page + 1, pages=pages))
        picks = [Button(clip(p.short_name, 24), encode("pick", p.id)) for p in chunk]
        rows = [tuple(picks[i:i + 2]) for i in range(0, len(picks), 2)]
        if len(wanted.key.encode()) <= MAX_CALLBACK - 10:  # room for "ls:" and the page number
            nav = self.pager("ls", wanted.key, page, pages)
            if nav:
                rows.append(nav)
        if wanted.when is None and sum(map(bool, (wanted.section, wanted.org, wanted.author))) == 1 \
                and len(wanted.key.encode()) <= MAX_CALLBACK - 5:
            rows.append((Button(t("btn_follow", self.lang), encode("sub", wanted.key)),))
        return Reply(clip_html("\n".join(lines)), tuple(rows))

    # --- readers' own: saves, follows, pushes ------------------------------------------------

    def saved_page(self, papers: Sequence[Paper], page: int) -> Reply:
        if not papers:
            return Reply(t("saved_empty", self.lang))
        pages = page_count(len(papers))
        page = min(max(page, 0), pages - 1)
        start, end = page_bounds(len(papers), page)
        lines = [t("saved_title", self.lang, count=len(papers)), ""]
        lines += [f"{n}. <b>{esc(p.short_name)}</b> · {p.date} · {self.orgs(p)}"
                  for n, p in enumerate(papers[start:end], start + 1)]
        picks = [Button(clip(p.short_name, 24), encode("pick", p.id)) for p in papers[start:end]]
        rows = [tuple(picks[i:i + 2]) for i in range(0, len(picks), 2)]
        nav = self.pager("svd", "", page, pages)
        return Reply(clip_html("\n".join(lines)), tuple([*rows, nav] if nav else rows))

    def subscriptions(self, subs: Sequence[Subscription]) -> Reply:
        if not subs:
            return Reply(t("subs_empty", self.lang))
        lines = [t("subs_title", self.lang)]
        lines += [f"{n}. {t('kind_' + s.kind, self.lang)}: <b>{esc(s.label)}</b>" for n, s in enumerate(subs, 1)]
        return Reply("\n".join(lines))

    def push(self, papers: Sequence[Paper]) -> Reply:
        """One message per follower per batch of new papers, with a button to open each."""
        lines = [t("push_title", self.lang, count=len(papers)), ""]
        for n, p in enumerate(papers[:PUSH_SHOWN], 1):
            lines.append(f"{n}. <b>{esc(clip(p.title, 120))}</b>")
            lines.append(f"   {p.date} · {self.orgs(p)}")
            if p.impact:
                lines.append(f"   💡 {esc(clip(p.impact_in(self.lang), 120))}")
        if len(papers) > PUSH_SHOWN:
            lines.append(f"… +{len(papers) - PUSH_SHOWN}")
        picks = [Button(clip(p.short_name, 24), encode("pick", p.id)) for p in papers[:PUSH_SHOWN]]
        return Reply(clip_html("\n".join(lines)), tuple(tuple(picks[i:i + 2]) for i in range(0, len(picks), 2)))

    def paper_list(self, heading: str, papers: tuple[Paper, ...]) -> Reply:
        """A short numbered list of papers with a button to open each (similar papers)."""
        if not papers:
            return Reply(heading)
        lines = [heading]
        lines += [f"{n}. <b>{esc(p.short_name)}</b> · {p.date} · {self.orgs(p)}"
                  for n, p in enumerate(papers, 1)]
        picks = [Button(clip(p.short_name, 24), encode("pick", p.id)) for p in papers]
        return Reply(clip_html("\n".join(lines)), tuple(tuple(picks[i:i + 2]) for i in range(0, len(picks), 2)))

    def pager(self, verb: str, key: str, page: int, pages: int) -> tuple[Button, ...]:
        """Prev/Next buttons that edit the same message to another page."""
        nav = []
        if page > 0:
            nav.append(Button(t("btn_prev", self.lang), encode(verb, key, str(page - 1))))
        if page < pages - 1:
            nav.append(Button(t("btn_next", self.lang), encode(verb, key, str(page + 1))))
        return tuple(nav)

    def choice(self, answer: ChoiceAnswer) -> Reply:
        query = esc(clip(answer.query, QUERY_ECHO))
        text = t("did_you_mean", self.lang) if answer.found else t("not_found_suggest", self.lang, query=query)
        rows = tuple((Button(clip(p.short_name, 40), encode("pick", p.id)),) for p in answer.papers)
        return Reply(text, rows)

    def count(self, answer: CountAnswer) -> Reply:
        if not answer.filter.empty:
            title = esc(self.filter_title(answer.filter))
            if not answer.count:
                return Reply(t("list_empty", self.lang, filter=title))
            line = t("count_filtered", self.lang, title=title, count=answer.count, s="" if answer.count == 1 else "s")
            listing = self.list_page(answer.filter, 0)
            return Reply(line + "\n\n" + listing.text, listing.buttons)
        sep = "、" if self.lang == "zh" else ", "
        detail = sep.join(f"{esc(s.zh if self.lang == 'zh' else s.en)} {len(self.catalog.in_section(s.id))}"
                          for s in self.catalog.sections)
        return Reply(t("count", self.lang, count=len(self.catalog), sections=len(self.catalog.sections),
                       detail=detail))

    # --- the digest ---------------------------------------------------------------------

    def intro(self) -> Reply:
        """The short introduction: on joining a group, and /start when no welcome is configured."""
        title = self.digests[0].title if self.digests else "paperbot"
        return Reply(t("group_intro", self.lang, digest=esc(title), count=len(self.catalog)))

    def help(self) -> Reply:
        title, keyword = (self.digests[0].title, self.digests[0].keyword) if self.digests else ("paperbot", "")
        return Reply(t("help", self.lang, digest=esc(title), keyword=esc(keyword or "LLM论文")))

    def digest_page(self, digest_id: str, page: int) -> Reply:
        digest = find_digest(self.digests, digest_id)
        if digest is None:
            return self.list_page(ListFilter(), 0)
        page = min(max(page, 0), len(digest.sections) - 1)
        section = self.catalog.section_by_id.get(digest.sections[page])
        papers = self.catalog.in_digest(digest.id, digest.sections[page])
        name = (section.zh if self.lang == "zh" else section.en) if section else digest.sections[page]
        lines = [t("digest_page", self.lang, title=esc(digest.title), section=esc(name)), ""]
        for n, paper in enumerate(papers, 1):
            lines.append(f"{n}. <b>{esc(paper.title)}</b>")
            lines.append(f"   {paper.date} · {self.orgs(paper)}")
            if paper.impact:
                lines.append(f"   💡 {esc(clip(paper.impact_in(self.lang), 160))}")
        lines.append("\n" + t("page", self.lang, page=page + 1, pages=len(digest.sections)))
        if digest.keyword:
            lines.append(t("digest_closing", self.lang, keyword=esc(digest.keyword)))
        nav = self.pager("dg", digest.id, page, len(digest.sections))
        return Reply(clip_html("\n".join(lines)), (nav,) if nav else ())


def page_count(n: int) -> int:
    """Pages of PAGE_SIZE papers; a last page of one or two papers joins the page before it
    (nine papers are one page of nine, not eight and a lonely one)."""
    pages = max(1, -(-n // PAGE_SIZE))
    return pages - 1 if pages > 1 and n % PAGE_SIZE in (1, 2) else pages


def page_bounds(n: int, page: int) -> tuple[int, int]:
    """[start, end) of a page's papers, `page` within page_count(n)."""
    start = page * PAGE_SIZE
    return start, n if page == page_count(n) - 1 else start + PAGE_SIZE


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def time_label(when: When, lang: Lang) -> str:
    """"2023-12", "2023", "12月" / "December", "2023年7–9月" / "2023-07 – 2023-09"."""
    if when.year is not None and when.first == when.last:
        return f"{when.year}-{when.first:02d}"
    if (when.first, when.last) == (1, 12):
        return str(when.year)
    if when.year is None and when.first == when.last:
        return f"{when.first}月" if lang == "zh" else _MONTHS_EN[when.first - 1]
    if lang == "zh":
        return f"{when.year}年{when.first}–{when.last}月" if when.year else f"{when.first}–{when.last}月"
    if when.year:
        return f"{when.year}-{when.first:02d} – {when.year}-{when.last:02d}"
    return f"{_MONTHS_EN[when.first - 1]}–{_MONTHS_EN[when.last - 1]}"


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?。；;])\s", text, maxsplit=1)[0]


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


def clip_html(text: str, limit: int = MAX_TEXT) -> str:
    """Keep a rendered message under Telegram's limit by dropping whole lines from the end.

    Our markup never spans lines, so cutting between lines can never break a tag.
    """
    if len(text) <= limit:
        return text
    out: list[str] = []
    size = 0
    for line in text.split("\n"):
        if size + len(line) + 1 > limit - 1:
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out) + "\n…"


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long rendered text into messages on paragraph, then line, boundaries."""
    if len(text) <= limit:
        return [text]
    pieces = [piece for para in text.split("\n\n")
              for piece in ([para] if len(para) <= limit else _pack(_lines(para, limit), "\n", limit))]
    return _pack(pieces, "\n\n", limit)


def _lines(para: str, limit: int) -> list[str]:
    """The lines of a paragraph, an enormous line cut outside any tag or entity."""
    out: list[str] = []
    for line in para.split("\n"):
        while len(line) > limit:
            cut = _safe_cut(line, limit)
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


def _pack(pieces: list[str], sep: str, limit: int) -> list[str]:
    """Join pieces (each within the limit) into as few messages as fit."""
    out: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{sep}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            out.append(current)
            current = piece
    if current:
        out.append(current)
    return out


def _safe_cut(line: str, limit: int) -> int:
    cut = limit
    lt, gt = line.rfind("<", 0, cut), line.rfind(">", 0, cut)
    if lt > gt:
        cut = lt
    amp, semi = line.rfind("&", 0, cut), line.rfind(";", 0, cut)
    if amp > semi:
        cut = amp
    return max(cut, 1)

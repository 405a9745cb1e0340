"""Rendering the thing asked for: the BibTeX entry itself, the whole abstract in the reader's
language (paged, never cut), one line per paper; all valid Telegram HTML under its limits."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from bot.catalog.catalog import Catalog
from bot.conversation.answer import PaperAnswer
from bot.conversation.asked import SeveralAnswer
from bot.render.renderer import Renderer
from bot.render.reply import MAX_CALLBACK, decode
from tests.html_rules import html_problem


def visible(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def test_a_bibtex_request_gets_the_entry_then_one_line_with_the_card_button(catalog: Catalog) -> None:
    gptq = catalog.get("gptq")
    assert gptq is not None
    for lang in ("zh", "en"):
        [reply] = Renderer(catalog, lang).answer(PaperAnswer(gptq, "bibtex"))  # type: ignore[arg-type]
        entry, _, line = reply.text.rpartition("</pre>\n")
        assert entry.startswith("<pre>@misc{") and "eprint = {2210.17323}" in entry
        assert "\n" not in line and "GPTQ" in line  # one line, naming the paper
        [[button]] = reply.buttons
        callback = decode(button.data)
        assert callback is not None and (callback.verb, callback.paper_id, callback.lang) == ("pick", "gptq", lang)
        assert html_problem(reply.text) is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_whole_abstract_in_the_readers_language(catalog: Catalog, lang: str) -> None:
    for paper in catalog:
        [reply] = Renderer(catalog, lang).answer(PaperAnswer(paper, "abstract"))  # type: ignore[arg-type]
        shown = visible(reply.text)
        assert paper.abstract_en in shown, paper.id  # arXiv's own words, whole (zh readers get them as the original)
        if lang == "zh":
            assert paper.abstract_zh in shown, paper.id
            assert shown.index(paper.abstract_zh) < shown.index(paper.abstract_en)  # the reader's language first
        else:
            assert not re.search(r"[\u4e00-\u9fff]", shown), paper.id
        assert len(reply.text) <= 4096 and html_problem(reply.text) is None


def test_a_long_abstract_is_paged_never_cut(catalog: Catalog) -> None:
    sentences = [f"Sentence {i} says <b> & things about results number {i} in some detail." for i in range(250)]
    medusa = catalog.get("medusa")
    assert medusa is not None
    long = dataclasses.replace(medusa, abstract_en=" ".join(sentences))
    cat = Catalog((long, *(p for p in catalog.papers if p.id != "medusa")), catalog.sections, catalog.organisations)
    r = Renderer(cat, "en")
    pages = r.asked.abstract_pages(long)
    assert len(pages) >= 4
    shown = ""
    for n in range(len(pages)):
        reply = r.asked.abstract(long, n)
        assert len(reply.text) <= 4096 and html_problem(reply.text) is None
        assert f"({n + 1}/{len(pages)})" in reply.text
        verbs = [(c.verb, c.arg) for row in reply.buttons for b in row if (c := decode(b.data)) is not None]
        assert ("abp", str(n + 1)) in verbs if n < len(pages) - 1 else ("abp", str(n - 1)) in verbs
        assert all(len(b.data.encode()) <= MAX_CALLBACK for row in reply.buttons for b in row if b.data)
        shown += " " + visible(pages[n])
    assert " ".join(shown.split()) == " ".join(sentences)  # every sentence, in order, none cut


def test_several_papers_one_line_each_in_the_order_named(catalog: Catalog) -> None:
    papers = tuple(p for i in ("kosmos-2", "cogagent", "qwen-vl") if (p := catalog.get(i)) is not None)
    zh = Renderer(catalog, "zh").answer(SeveralAnswer(papers, "who"))
    [reply] = zh
    lines = visible(reply.text).splitlines()
    assert [line.split(". ", 1)[0] for line in lines] == ["1", "2", "3"]
    assert "微软" in lines[0] and "清华" in lines[1] and "阿里" in lines[2]
    [en] = Renderer(catalog, "en").answer(SeveralAnswer(papers, "when"))
    assert [re.search(r"\d{4}-\d\d", line).group(0) for line in visible(en.text).splitlines()] == ["2023-06", "2023-12", "2023-08"]  # type: ignore[union-attr]
    [code] = Renderer(catalog, "en").answer(SeveralAnswer(papers[:2], "code"))
    assert "github.com/microsoft/unilm" in code.text or "aka.ms" in code.text or "github.com" in code.text
    bib = Renderer(catalog, "en").answer(SeveralAnswer(papers, "bibtex"))
    assert sum(r.text.count("@misc{") for r in bib) == 3 and all(html_problem(r.text) is None for r in bib)
    assert len(Renderer(catalog, "zh").answer(SeveralAnswer(papers, "abstract"))) == 3


def test_the_expanded_card_gives_english_readers_arxivs_abstract(catalog: Catalog) -> None:
    medusa = catalog.get("medusa")
    assert medusa is not None
    card = Renderer(catalog, "en").cards.card(medusa, expanded=True)
    assert "typical acceptance scheme" in card.text and medusa.abstract_zh[:20] not in card.text

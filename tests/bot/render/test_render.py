"""Rendering: escaping, Telegram's limits, callback data, languages, the bundle."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

import pytest

from bot.catalog.bundle import build_bundle
from bot.catalog.catalog import Catalog
from bot.conversation.answer import ChatAnswer, CheckAnswer, CompareAnswer, CountAnswer, NotFound, SimilarAnswer
from bot.conversation.asked import SeveralAnswer
from bot.conversation.understand import ListFilter, When
from bot.render.html import split_html
from bot.render.locale import language
from bot.render.renderer import Renderer
from bot.render.reply import MAX_CALLBACK, decode, encode
from tests.html_rules import html_problem


def all_replies(catalog: Catalog, lang: str) -> list:  # type: ignore[type-arg]
    r = Renderer(catalog, lang)  # type: ignore[arg-type]
    out = []
    papers = list(catalog)
    for n, paper in enumerate(papers):
        other = papers[(n + 1) % len(papers)]
        out += [r.cards.card(paper), r.cards.card(paper, expanded=True), r.cards.bibtex(paper)]
        out += [r.asked.bibtex(paper), r.asked.abstract(paper)]
        out += r.answer(SeveralAnswer((paper, other), "who")) + r.answer(SeveralAnswer((paper, other), "bibtex"))
        out += [r.cards.card(paper, focus) for focus in ("who", "when", "impact", "links", "code")]
        out += r.answer(SimilarAnswer(paper, (other,)))
        out += r.answer(CompareAnswer((paper, other)))
        out += r.answer(CheckAnswer(paper, ListFilter(org=other.orgs[0]), other.orgs[0] in paper.orgs))
        out += r.answer(CheckAnswer(paper, ListFilter(when=When(2023, 5, 5)), False))
    for key in ("*", "o=google", "s=agent", "t=2023-05", "t=2024", "s=agent,o=tsinghua,t=*-07..12"):
        wanted = ListFilter.from_key(key)
        assert wanted
        out += [r.lists.list_page(wanted, page) for page in range(4)]
        out += r.answer(CountAnswer(wanted, len(wanted.papers(catalog))))
    for kind in ("greeting", "help", "thanks", "goodbye", "which_paper", "not_understood"):
        out += r.answer(ChatAnswer(kind))  # type: ignore[arg-type]
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_reply_is_valid_telegram_html_under_the_limits(catalog: Catalog, lang: str) -> None:
    for reply in all_replies(catalog, lang):
        assert len(reply.text) <= 4096
        assert html_problem(reply.text) is None, reply.text
        for row in reply.buttons:
            for button in row:
                assert button.url or (button.data and len(button.data.encode()) <= MAX_CALLBACK)


def test_hostile_text_is_escaped(catalog: Catalog) -> None:
    reply = Renderer(catalog, "en").answer(NotFound("<script>alert(1)</script> & <b>"))[0]
    assert "<script>" not in reply.text and "&lt;script&gt;" in reply.text
    assert html_problem(reply.text) is None


def test_callback_data_round_trips_and_rejects_forgeries() -> None:
    data = encode("ls", "o=google", "3")
    assert decode(data) is not None and decode(data).arg == "3"  # type: ignore[union-attr]
    assert decode("rm:-rf") is None and decode("") is None and decode("x" * 65) is None
    with pytest.raises(ValueError):
        encode("abs", "p" * 70)
    zh = decode(encode("abs", "medusa", lang="zh"))
    assert zh is not None and (zh.verb, zh.paper_id, zh.lang) == ("abs", "medusa", "zh")
    page = decode(encode("ls", "o=google", "3", "en"))
    assert page is not None and (page.paper_id, page.arg, page.lang) == ("o=google", "3", "en")
    assert decode("abs:medusa|fr") is None and decode("abs:medusa") is not None   # old buttons still work


def test_split_html_keeps_paragraphs_and_limits() -> None:
    text = "\n\n".join(f"<b>part {i}</b> " + "x" * 900 for i in range(12))
    parts = split_html(text)
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert "".join(parts).count("<b>") == 12 and all(html_problem(p) is None for p in parts)
    long_line = "&amp;" * 2000
    assert all(html_problem(p) is None and len(p) <= 4096 for p in split_html(long_line))


@pytest.mark.parametrize(("text", "user", "lang"), [
    ("Medusa 是谁发表的", None, "zh"), ("who published Mixtral", "zh-hans", "en"),
    ("/paper gptq", "zh", "en"), ("/help", "zh-hans", "zh"), ("/help", "en", "en"), ("/start", None, "en"),
])
def test_language_follows_the_message_then_the_user(text: str, user: str | None, lang: str) -> None:
    assert language(text, user) == lang


def test_the_bundle_is_deterministic_and_complete(catalog: Catalog, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first, second = build_bundle(catalog, None), build_bundle(catalog, None)
    assert first == second
    names = zipfile.ZipFile(BytesIO(first)).namelist()
    assert names == ["digest.md", "links.md", "papers.bib", "papers.csv"]
    bib = zipfile.ZipFile(BytesIO(first)).read("papers.bib").decode()
    assert len(re.findall(r"^@misc\{", bib, re.M)) == 26
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4 operator file")
    with_pdf = build_bundle(catalog, None, tmp_path)
    assert "pdf/a.pdf" in zipfile.ZipFile(BytesIO(with_pdf)).namelist() and with_pdf != first


def test_a_huge_abstract_still_fits_one_valid_card(catalog: Catalog) -> None:
    import dataclasses

    from bot.catalog.catalog import Catalog as CatalogType

    big = dataclasses.replace(catalog.papers[0], abstract_zh="很长的摘要 & <b> " * 1500)
    cat = CatalogType((big, *catalog.papers[1:]), catalog.sections, catalog.organisations)
    for lang in ("zh", "en"):
        card = Renderer(cat, lang).cards.card(big, expanded=True)  # type: ignore[arg-type]
        assert len(card.text) <= 4096 and html_problem(card.text) is None
        assert card.text.rstrip().endswith(f"arXiv: <code>{big.arxiv}</code>")


def test_cards_name_the_first_authors_and_who_names_more(catalog: Catalog) -> None:
    medusa, gemini = catalog.get("medusa"), catalog.get("gemini")
    assert medusa is not None and gemini is not None
    en, zh = Renderer(catalog, "en"), Renderer(catalog, "zh")
    assert "✍️ Tianle Cai, Yuhong Li, Zhengyang Geng and 4 more" in en.cards.card(medusa).text
    assert "✍️ Tianle Cai, Yuhong Li, Zhengyang Geng 等 7 人" in zh.cards.card(medusa).text   # 7 in all
    assert zh.cards.card(gemini).text.count("等") >= 1 and "+ 人" not in zh.cards.card(gemini).text
    who = en.cards.card(medusa, "who").text
    assert "Princeton University" in who and "Authors: Tianle Cai, Yuhong Li, Zhengyang Geng, Hongwu Peng, " \
                                             "Jason D. Lee, Deming Chen, Tri Dao" in who
    assert "and 7+ more" in en.cards.card(gemini).text  # a list cut short says so
    assert "others" not in en.cards.card(gemini, "who").text


def test_the_html_check_is_telegrams_own() -> None:
    from tests.html_rules import tdlib_parse

    pytest.importorskip("tdjson")
    assert html_problem("<b>ok</b> &amp; <i>x</i>") is None
    assert "Unmatched end tag" in (html_problem("<b>bad</i>") or "")
    assert html_problem("a < b") is not None and html_problem("<blink>x</blink>") is not None
    parsed = tdlib_parse("😀<b>x</b>")
    assert parsed is not None and parsed["entities"][0]["offset"] == 2   # UTF-16 units, as Telegram counts

"""Questions about citations and venues: "most cited", "被引最多", "which papers were at NeurIPS",
"where was Medusa published"; answered from the counts and venues the catalog stores."""

from __future__ import annotations

import pytest

from bot.conversation.answer import PaperAnswer, answer_text
from bot.conversation.library import Library
from bot.conversation.standing import CitedAnswer, VenueAnswer
from tests.bot.cited import cited_library


@pytest.fixture(scope="module")
def cited(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return cited_library(tmp_path_factory.mktemp("cited"))


def ask(text: str, library: Library) -> object:
    return answer_text(text, library, private=True)


@pytest.mark.parametrize("text", ["most cited multimodal paper", "Which multimodal paper is the most cited?",
                                  "被引最多的多模态论文", "多模态里最有影响力的论文是哪篇"])
def test_the_most_cited_of_a_section(cited: Library, text: str) -> None:
    found = ask(text, cited)
    assert isinstance(found, CitedAnswer) and found.single and found.uncounted == 0
    assert [p.id for p in found.papers] == ["llava-1-5", "blip-2", "qwen-vl", "kosmos-2"]


@pytest.mark.parametrize("text", ["most cited papers", "papers ranked by citations", "被引最多的论文", "按引用排序的论文"])
def test_a_ranking_of_every_paper(cited: Library, text: str) -> None:
    found = ask(text, cited)
    assert isinstance(found, CitedAnswer) and len(found.papers) == 26 and found.papers[0].id == "llama"
    counts = [p.citations.count for p in found.papers if p.citations]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize("text", ["which is cited more, LLaVA-1.5 or BLIP-2?", "BLIP-2 和 LLaVA-1.5 哪个引用更多"])
def test_named_papers_are_ranked_among_themselves(cited: Library, text: str) -> None:
    found = ask(text, cited)
    assert isinstance(found, CitedAnswer) and [p.id for p in found.named] != []
    assert [p.id for p in found.papers] == ["llava-1-5", "blip-2"]


@pytest.mark.parametrize(("text", "venue", "year", "ids"), [
    ("which papers were at NeurIPS", "NeurIPS", None, ["doremi", "gorilla"]),
    ("NeurIPS 2023 papers", "NeurIPS", 2023, ["doremi"]),
    ("ICLR 2024 的论文有哪些", "ICLR", 2024, ["flashattention-2", "toolllm"]),
    ("papers at ICML", "ICML", None, ["speculative-decoding", "medusa"]),
    ("AAAI 的论文", "AAAI", None, ["tasklama"]),
])
def test_a_venue_lists_its_papers(library: Library, text: str, venue: str, year: int | None, ids: list[str]) -> None:
    found = ask(text, library)
    assert isinstance(found, VenueAnswer) and (found.venue, found.year) == (venue, year)
    assert sorted(p.id for p in found.papers) == sorted(ids)


@pytest.mark.parametrize(("text", "focus"), [
    ("Where was Medusa published?", "venue"), ("Medusa 发表在哪个会议", "venue"), ("which conference accepted GPTQ", "venue"),
    ("How many citations does Medusa have?", "cited"), ("Medusa 被引多少次", "cited"),
])
def test_one_paper_asked_where_or_how_often(library: Library, text: str, focus: str) -> None:
    found = ask(text, library)
    assert isinstance(found, PaperAnswer) and found.focus == focus


def test_ordinary_questions_are_not_taken_for_standing_ones(library: Library) -> None:
    for text, focus in [("when was Medusa published", "when"), ("Medusa 的影响力", "impact"), ("who published Mixtral", "who")]:
        found = ask(text, library)
        assert isinstance(found, PaperAnswer) and found.focus == focus, text


class _Counted(list):  # type: ignore[type-arg]
    """A catalog's papers that count how many are read."""

    reads = 0

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        _Counted.reads += 1
        return super().__getitem__(i)

    def __iter__(self):  # type: ignore[no-untyped-def]
        for i in range(len(self)):
            yield self[i]


def test_a_venue_question_reads_the_venues_papers_not_the_catalogs(library: Library) -> None:
    """At 100,000 papers, reading every paper for its venue took seconds a message: a venue is
    found among the names the catalog files its papers under, and only its papers are read."""
    import dataclasses

    from bot.catalog.catalog import Catalog
    from bot.search.engine import SearchIndex

    real = library.catalog
    padding = [dataclasses.replace(real.papers[0], id=f"padding-{i}", arxiv=None, venue=None) for i in range(500)]
    catalog = Catalog(_Counted([*real.papers, *padding]), real.sections, real.organisations)
    grown = Library(catalog, library.keywords, library.digests, SearchIndex.build(catalog), library.topics)
    ask("which papers were at NeurIPS", grown)   # the catalog's venue names, found once per version
    _Counted.reads = 0
    found = ask("which papers were at NeurIPS", grown)
    assert isinstance(found, VenueAnswer) and sorted(p.id for p in found.papers) == ["doremi", "gorilla"]
    assert _Counted.reads < 20
    _Counted.reads = 0
    found = ask("Meta 在 ICML 的论文", grown)
    assert isinstance(found, VenueAnswer) and _Counted.reads < 60

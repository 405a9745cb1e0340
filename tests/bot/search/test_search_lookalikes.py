"""Search among look-alikes: invented papers named like the catalog's, each built to trip one
mechanism (phrase evidence, typo repair, slipped names, calibrated confidence).

The titles here are made up for the tests; the real look-alike file is measured only in
benchmarks/quality.py, never copied here.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz

from bot.catalog.catalog import Catalog
from bot.catalog.schema import Paper, Text
from bot.search.engine import SearchIndex, search
from bot.search.lookup import slip_cost
from bot.search.scoring import best_phrase, phrase, similarities

LOOKALIKES = [
    ("SeaOwl: Open Foundation and Chat Multilingual Large Language Models", ""),
    ("BILD: Bidirectional Logit Distillation for Small Models", ""),
    ("GPQS: Graded Physics Questions for Science Models", ""),
    ("Cascade Self-Specualtive Decoding", "A cascade of drafts for speculative decoding."),
    ("Polyglot Speech: Multilingual Text to Speech with Neural Codecs",
     "We synthesise speech from text in many languages."),
    ("MentaLlama: Interpretable Mental Health Analysis", ""),
    ("CodeGamma: Open Code Models for Gamma Rays", ""),
    ("Visual Instruction Tuning", "Connects a vision encoder and an LLM for visual chat."),
    ("KV-Thrift: Efficient KV Cache Eviction under Limited Memory", "Cache eviction with limited memory."),
    ("Omni-XL: A Versatile Large Vision Language Model for Long Videos", "A versatile large vision language model."),
]


@pytest.fixture(scope="module")
def crowded(catalog: Catalog) -> SearchIndex:
    extra = tuple(Paper(id=f"lookalike-{i}", title=title, section="foundation", orgs=("google",), date="2024-01",
                        impact=Text(en=title), summary_en=summary or title)
                  for i, (title, summary) in enumerate(LOOKALIKES))
    return SearchIndex.build(Catalog((*catalog.papers, *extra), catalog.sections, catalog.organisations))


@pytest.mark.parametrize(("query", "paper_id"), [
    ("open foundation language models", "llama"),            # a run of LLaMA's title beats scattered words
    ("inference with limited memory", "llm-in-a-flash"),     # the end of a title, as a run
    ("versatile vision language model", "qwen-vl"),          # the whole query is one run of Qwen-VL's title
    ("improved baselines visual instruction tuning", "llava-1-5"),  # a title without its stopwords
])
def test_the_contiguous_title_run_wins(crowded: SearchIndex, query: str, paper_id: str) -> None:
    result = search(query, crowded)
    assert result.hits and result.hits[0].paper.id == paper_id, [h.paper.title for h in result.hits]


@pytest.mark.parametrize(("query", "paper_id"), [
    ("bilp-2", "blip-2"),                # a swap of two letters, not the other name one letter away
    ("gpqt", "gptq"),                    # a swap beats a substitution, even in four letters
    ("kosmso-2", "kosmos-2"),
    ("lama 2", "llama-2"),               # the whole name with a slip, over TaskLAMA's word "lama"
    ("code lama", "code-llama"),
    ("lalva 1.5", "llava-1-5"),
    ("lmm in a flash", "llm-in-a-flash"),
    ("specualtive decoding", "speculative-decoding"),  # a typo printed in one title still means the common word
    ("speculaitve decoding", "speculative-decoding"),
])
def test_a_slip_of_a_famous_name_finds_it(crowded: SearchIndex, query: str, paper_id: str) -> None:
    result = search(query, crowded)
    assert result.verdict == "answer" and result.best and result.best.id == paper_id, result


def test_known_words_and_versions_are_no_slips(crowded: SearchIndex) -> None:
    """"meta llama" is two common words, not MentaLlama; a version number is never a typo."""
    result = search("meta llama", crowded)
    assert result.hits and result.hits[0].paper.id in ("llama", "llama-2")
    assert not [name for name, _ in crowded.slipped_names("gemini2") if name == "gemini"]
    assert not [name for name, _ in crowded.slipped_names("llama3") if name.startswith("llama")]
    assert ("llama2", 1.0) in crowded.slipped_names("lama2")


@pytest.mark.parametrize("query", ["tacotron text to speech", "medusa gorgon mythology", "gemini horoscope",
                                   "yolo object detection"])
def test_an_unknown_name_is_never_answered_with_a_neighbour(crowded: SearchIndex, query: str) -> None:
    assert search(query, crowded).verdict != "answer"


def test_slip_costs_prefer_swaps_and_misplaced_letters() -> None:
    assert slip_cost("bilp", "blip") < slip_cost("bilp", "bild") == 1
    assert slip_cost("mirtxal", "mixtral") < slip_cost("mirtxal", "mistral") == 2  # the right letters, misplaced


def test_phrase_evidence_needs_two_words_in_order() -> None:
    query = [("open", 1.0), ("foundation", 1.0), ("language", 1.0), ("models", 1.0)]
    llama = ["llama", "open", "efficient", "foundation", "language", "models"]
    scattered = ["models", "language", "foundation", "open"]
    assert phrase(query, llama) > phrase(query, scattered)
    assert phrase([("open", 1.0), ("lake", 1.0)], ["open"]) == 0.0  # one shared word is no phrase
    assert phrase(query, [w for w, _ in query]) == pytest.approx(1.0)  # the whole query as one run


words_ = st.sampled_from(["flash", "attention", "fast", "memory", "of", "llm", "2"])
names_ = st.lists(st.lists(words_, max_size=6).map(" ".join), max_size=5)


@given(st.lists(st.tuples(words_.filter(lambda w: w != "of"), st.floats(0.1, 1.0)), max_size=4), names_)
def test_best_phrase_is_the_best_of_each_name(query: list[tuple[str, float]], names: list[str]) -> None:
    # The shortcut that skips names sharing under two query words must change no result.
    each = [phrase(query, [w for w in n.split() if w != "of"]) for n in names] if len(query) > 1 else []
    assert best_phrase(query, names) == max(each, default=0.0)


@given(st.lists(words_, max_size=5).map(" ".join), st.lists(names_, max_size=4))
def test_similarities_are_each_papers_best_ratio(query: str, papers: list[list[str]]) -> None:
    expected = [max((fuzz.token_set_ratio(query, n) for n in own), default=0) / 100 for own in papers]
    assert similarities(query, papers) == expected

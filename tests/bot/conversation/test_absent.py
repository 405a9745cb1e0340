"""Names the catalog does not hold get "X is not in this catalog", never the card of a paper that
mentions X or shares letters with it; a catalog name, typed with a slip or an alias, is still its paper."""

from __future__ import annotations

import pytest

from bot.conversation.absent import Absent
from bot.conversation.answer import ChoiceAnswer, ListAnswer, PaperAnswer, answer_query, answer_text
from bot.conversation.library import Library


def ask(text: str, library: Library) -> object:
    return answer_text(text, library, private=True)


@pytest.mark.parametrize(
    ("text", "name", "related"),
    [
        ("GPT-4 的论文在不在", "GPT-4", ["gorilla"]),  # Gorilla mentions GPT-4; GPTQ only shares letters
        ("有没有llama 3", "llama 3", []),  # a version no catalog paper has: not LLaMA-1's card
        ("qwen2的论文", "qwen2", []),
        ("mistral 7b paper?", "mistral 7b", ["mixtral"]),  # an organisation's model, named in Mixtral's abstract
        ("Mamba 那篇在不在", "Mamba", []),  # "在不在" after a name asks for the paper, it is no greeting
        ("DPO 收录了吗", "DPO", []),
        ("is the QLoRA paper in here", "QLoRA", []),
        ("segment anything 有吗", "segment anything", []),
        ("do you have the attention is all you need paper", "attention is all you need", []),
        ("CogVLM 那篇论文有吗", "CogVLM", ["cogagent"]),
        ("chinchilla那篇在吗", "chinchilla", ["llama"]),  # the papers write it as a name (Chinchilla-70B)
        ("GLM-130B 收录了吗", "GLM-130B", ["flm-101b"]),
        ("is PaLM 2 in the catalog?", "PaLM 2", []),
        ("do you have toolformer", "toolformer", []),
        ("GPT-4", "GPT-4", ["gorilla"]),  # a bare name with a version
        ("有 Llama 3 吗", "Llama 3", []),
    ],
)
def test_a_name_the_catalog_lacks_is_said_to_be_absent(library: Library, text: str, name: str, related: list[str]) -> None:
    found = ask(text, library)
    assert isinstance(found, Absent), (text, found)
    assert found.name == name and [p.id for p in found.related] == related


@pytest.mark.parametrize(
    ("text", "paper"),
    [
        ("medsua 那篇在不在", "medusa"),  # a slip of a catalog name
        ("llama2 有吗", "llama-2"),
        ("有没有 llava 1.5 的论文", "llava-1-5"),
        ("the gorilla paper", "gorilla"),
        ("code llama 34b 的论文", "code-llama"),  # a size of the family the catalog holds
        ("gorrilla 有吗", "gorilla"),
        ("Medusa", "medusa"),
        ("the last multimodal paper", "llava-1-5"),  # a place in a list
    ],
)
def test_a_catalog_name_is_still_its_paper(library: Library, text: str, paper: str) -> None:
    found = ask(text, library)
    assert isinstance(found, PaperAnswer) and found.paper.id == paper, (text, found)


@pytest.mark.parametrize(
    "text", ["有没有 Meta 的论文", "有没有投机解码的论文", "有没有 agent 论文", "the 2nd google paper", "有没有 LLM 的论文"]
)
def test_what_the_catalog_holds_is_not_absent(library: Library, text: str) -> None:
    assert not isinstance(ask(text, library), Absent), text


def test_gibberish_alone_stays_not_found(library: Library) -> None:
    assert not isinstance(ask("asdfgh", library), Absent | ChoiceAnswer | ListAnswer)


@pytest.mark.parametrize(("query", "name"), [("gpt-4", "gpt-4"), ("Llama 3", "Llama 3"), ("qwen2", "qwen2")])
def test_the_paper_command_says_a_versioned_name_is_absent(library: Library, query: str, name: str) -> None:
    found = answer_query(query, library.index, gazetteer=library.gazetteer)
    assert isinstance(found, Absent) and found.name == name  # not GPTQ's, LLaMA-1's or Qwen-VL's card


@pytest.mark.parametrize(
    ("query", "paper"),
    [
        ("fa2", "flashattention-2"),
        ("llava 1.5", "llava-1-5"),
        ("flm-101b", "flm-101b"),
        ("2401.10774", "medusa"),
        ("medsua", "medusa"),
        ("kosmos-2", "kosmos-2"),
        ("gorrilla", "gorilla"),
        ("llama2", "llama-2"),
    ],
)
def test_the_paper_command_still_finds_catalog_names(library: Library, query: str, paper: str) -> None:
    found = answer_query(query, library.index, gazetteer=library.gazetteer)
    assert isinstance(found, PaperAnswer) and found.paper.id == paper


@pytest.mark.parametrize("text", ["no such paper here", "no_such_paper_here"])
def test_plain_words_name_no_paper(library: Library, text: str) -> None:
    assert not isinstance(ask(text, library), Absent)
    assert not isinstance(answer_query(text, library.index, gazetteer=library.gazetteer), Absent)

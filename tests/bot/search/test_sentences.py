"""Sentence retrieval within one paper: figures by kind, sentences and clauses, and the quote that
answers a question, in either language, or none."""

from __future__ import annotations

import pytest

from bot.search.sentences import Ask, Figure, Passage, clause_marks, figures, quotes, sentences, terms


def shown(text: str, kinds: tuple[Figure, ...], ask: Ask | None = None) -> list[str]:
    return [text[s:e] for s, e in figures(text, kinds, ask)]


@pytest.mark.parametrize(
    ("text", "kinds", "found"),
    [
        ("Medusa-1 可以实现超过 2.2 倍的加速,而 Medusa-2 提高到 2.3-3.6 倍。", ("ratio",), ["2.2 倍", "2.3-3.6 倍"]),
        ("speeding up inference 2.2x (Medusa-1) to 2.3-3.6x", ("ratio",), ["2.2x", "2.3-3.6x"]),
        ("Mixtral 8x7B beats Llama 2 70B", ("ratio",), []),  # a model's name, not a speed-up
        ("支持运行高达可用 DRAM 大小两倍的模型", ("ratio",), ["两倍"]),
        ("解决了子集 78% 的问题", ("count", "percent"), ["78%"]),  # the whole figure, not its number
        ("性能相对提高了 15%-280%", ("percent",), ["15%-280%"]),
        ("在大约 4 个 GPU 小时内量化", ("duration",), ["4 个 GPU 小时"]),
        ("trained in about a day on one 8-A100 node", ("duration",), ["a day"]),
        ("由 7B 到 65B 个参数组成", ("params",), ["7B 到 65B 个参数"]),
        ("一个拥有 180 亿参数的视觉语言模型", ("params",), ["180 亿参数"]),
        ("支持 1120×1120 分辨率的输入", ("resolution",), ["1120×1120"]),
        ("训练出拥有 0.31T 标记的 101B 参数 LLM", ("tokens",), ["0.31T 标记"]),
        ("在 32k 标记的上下文大小下进行了训练", ("tokens",), []),  # a context, not training tokens
        ("在 32k 标记的上下文大小下进行了训练", ("context",), ["32k 标记"]),
        ("releases PRM800K, 800,000 step-level labels", ("count",), ["800,000"]),  # PRM800K is a name
        ("仅使用 120 万个公开可用数据", ("data",), ["120 万"]),
        ("只需 10 万美元的预算", ("money",), ["10 万美元"]),
    ],
)
def test_figures_of_a_kind(text: str, kinds: tuple[Figure, ...], found: list[str]) -> None:
    assert shown(text, kinds) == found


def test_names_are_not_the_fields_words_nor_the_questions_own() -> None:
    text = "我们构建了 APIBench,一个由 HuggingFace、TorchHub 和 TensorHub API 组成的综合数据集。"
    assert shown(text, ("names",), Ask(("names",), skip="gorilla 的 apibench 里有哪些来源")) == [
        "HuggingFace",
        "TorchHub",
        "TensorHub",
    ]


def test_sentences_end_at_stops_not_at_decimal_points() -> None:
    text = "Medusa-1 reaches 2.2x. Medusa-2 reaches 2.3-3.6x, e.g. on Vicuna. 我们发布了模型。代码公开"
    assert [text[s:e] for s, e in sentences(text)] == [
        "Medusa-1 reaches 2.2x.",
        "Medusa-2 reaches 2.3-3.6x, e.g. on Vicuna.",
        "我们发布了模型。",
        "代码公开",
    ]


def test_clauses_keep_brackets_and_thousands_whole() -> None:
    text = "inference 2.2x (Medusa-1, frozen backbone) to 800,000 labels, done"
    assert [text[m] for m in clause_marks(text)] == [","]
    assert text[clause_marks(text)[0] + 1 :].strip() == "done"


def test_content_words_meet_across_languages() -> None:
    assert "@speed" in terms("能加速多少倍") & terms("speeding up LLM inference")
    assert "@params" in terms("多少参数") & terms("an 18B-parameter model")


MEDUSA = [
    Passage(
        "abstract", "zh", "我们提出了 Medusa。我们的实验表明,Medusa-1 可以实现超过 2.2 倍的加速,而 Medusa-2 进一步将加速提高到 2.3-3.6 倍。"
    ),
    Passage("summary", "en", "Medusa adds decoding heads, speeding up LLM inference 2.2x (Medusa-1) to 2.3-3.6x (Medusa-2)."),
    Passage("impact", "en", "Trains extra LM heads that speed up inference."),
]


def test_the_sentence_with_the_figure_answers_in_each_language() -> None:
    found = quotes(MEDUSA, Ask(("ratio", "percent"), ("加速",)))
    zh, en = found["zh"], found["en"]
    assert zh.field == "abstract" and zh.text.startswith("我们的实验表明") and "2.2 倍" in [zh.text[s:e] for s, e in zh.marks]
    assert en.field == "summary" and [en.text[s:e] for s, e in en.marks] == ["2.2x", "2.3-3.6x"]


def test_no_sentence_with_such_a_figure_is_no_quote() -> None:
    assert quotes(MEDUSA, Ask(("duration",), ("训练", "小时"))) == {}


def test_a_count_stands_next_to_what_is_counted() -> None:
    llama2 = [Passage("summary", "en", "Llama 2 is a family of LLMs from 7 to 70 billion parameters trained on 2 trillion tokens.")]
    assert quotes(llama2, Ask(("count", "percent"), ("gpus", "train"), nouns=("gpus",))) == {}
    found = quotes(llama2, Ask(("count", "percent"), ("parameters",), nouns=("parameters",)))
    assert [found["en"].text[s:e] for s, e in found["en"].marks] == ["7 to 70"]


def test_a_long_sentence_is_cut_to_the_clauses_around_its_figure() -> None:
    long = "，".join(["这是一段很长的背景介绍没有任何数字" * 2] * 6 + ["推理速度提高了 20-25 倍"]) + "。"
    found = quotes([Passage("abstract", "zh", long)], Ask(("ratio",), ("推理", "速度")))["zh"]
    assert found.text.startswith("…") and found.text.endswith("推理速度提高了 20-25 倍。") and len(found.text) < len(long)
    assert [found.text[s:e] for s, e in found.marks] == ["20-25 倍"]


def test_the_words_asked_about_are_the_figure_of_which_paper_released_it() -> None:
    text = [Passage("abstract", "zh", "过程监督明显优于结果监督。我们还发布了 PRM800K,一个包含 800,000 个标签的数据集。")]
    found = quotes(text, Ask(("named",), ("released", "prm800k")))["zh"]
    assert found.text.startswith("我们还发布了") and [found.text[s:e] for s, e in found.marks] == ["PRM800K"]
    assert quotes(text, Ask(("named",), ())) == {}

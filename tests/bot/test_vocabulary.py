"""Traditional words whose mainland word differs: mapped once, in the one normal form."""

from __future__ import annotations

import pytest

from bot.text import normalise, simplify
from bot.vocabulary import WORDS, mainland


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("給我 GPTQ 的程式碼", "给我 GPTQ 的代码"),
        ("Medusa 原始程式碼", "Medusa 源代码"),
        ("請給我論文壓縮檔", "请给我论文压缩包"),
        ("論文連結", "论文链接"),
        ("哪間學校", "哪家学校"),
        ("作者 發表 摘要 引用", "作者 发表 摘要 引用"),  # the same words: characters only
    ],
)
def test_traditional_words_become_the_mainland_words(traditional: str, simplified: str) -> None:
    assert simplify(traditional) == simplified
    assert normalise(traditional) == normalise(simplified)


def test_simplified_text_and_english_pass_unchanged() -> None:
    for text in ("给我 gptq 的代码", "medusa bibtex", "论文压缩包", ""):
        assert mainland(text) == text and simplify(text) == text
    assert all(mainland(word) == WORDS[word] for word in WORDS)

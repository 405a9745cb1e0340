"""What a new reader meets first, the README, says what the bot does today and needs nothing outside
the repository."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings
from bot.telegram.local import LocalBot, replies_of, transcript

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SIZE = re.compile(r"\((\d[\d,]*) bytes\)")


def sample_turns() -> list[tuple[str, list[str]]]:
    """The README's sample chat: each `you>` line and the lines shown under it."""
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```$", README, re.S | re.M)
    block = next(b for b in blocks if b.startswith("you> "))
    turns: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("you> "):
            turns.append((line.removeprefix("you> "), []))
        elif line.strip():
            turns[-1][1].append(line)
    return turns


def shows(expected: str, actual: str) -> bool:
    """One README line against one printed line: "…" at the end stands for the rest of the line; a
    byte count may differ by 10 % (every catalog edit changes the bundle by a few bytes)."""
    if expected.endswith("…"):
        return actual.startswith(expected.removesuffix("…").rstrip())
    want, got = SIZE.search(expected), SIZE.search(actual)
    if want and got and SIZE.sub("", expected) == SIZE.sub("", actual):
        a, b = (int(m.group(1).replace(",", "")) for m in (want, got))
        return abs(a - b) <= a / 10
    return expected == actual


def follows(expected: list[str], printed: list[str]) -> bool:
    """The README's lines appear in the printed ones, in order; a line of just "…" skips any number."""
    at = 0
    for line in expected:
        if line == "…":
            continue
        while at < len(printed) and not shows(line, printed[at]):
            at += 1
        if at == len(printed):
            return False
        at += 1
    return True


async def test_the_readme_sample_chat_is_what_the_chat_prints(settings: Settings) -> None:
    turns = sample_turns()
    assert len(turns) >= 4
    async with LocalBot(settings) as bot:
        for message, expected in turns:
            printed = [line for line in transcript(await bot.say(message)).splitlines() if line.strip()]
            assert follows(expected, printed), (message, expected, printed)


def examples(row_start: str) -> list[str]:
    [row] = [line for line in README.splitlines() if line.startswith("| " + row_start)]
    return re.findall(r"`([^`]+)`", row.split(" | ")[0])


async def test_the_questions_promised_a_one_line_answer_get_one(settings: Settings) -> None:
    async with LocalBot(settings) as bot:
        for question in examples("`Medusa 是谁发表的`"):
            first = replies_of(await bot.say(question))[0]["text"]
            assert not first.startswith("<b><a href"), question              # a line that answers, then the card
        for question in examples("`什么是投机解码`"):
            first = replies_of(await bot.say(question))[0]["text"]
            assert first.startswith("<b><a href=\"https://arxiv.org/abs/"), question   # the card itself
        for question in examples("`which paper released PRM800K`"):
            line, card = replies_of(await bot.say(question))[0]["text"].split("\n\n", 1)
            assert line.startswith("📌") and "“" in line and "</b>" in line, question   # the quote, its figure bold
            assert card.startswith("<b><a href=\"https://arxiv.org/abs/"), question    # ...then the card
        for question in examples("`GPT-4 的论文在不在`"):
            first = replies_of(await bot.say(question))[0]["text"]
            assert "不在这个目录里" in first or "not in this catalog" in first, question
            assert "arxiv.org/abs/" not in first, question                            # no other paper's card


def test_the_readme_and_the_tests_need_nothing_outside_the_repository() -> None:
    assert "../" not in README and "/work/" not in README
    for path in (ROOT / "tests").rglob("*.py"):
        if path.name == "test_readme.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and 'parent / "shared"' not in text and "parent.parent.parent" not in text, path

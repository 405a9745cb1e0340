"""The local chat behind `paperbot chat` shows what a Telegram user would see, presses included."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from bot.telegram.local import LocalBot, Shown, _callback_update, banner, no_button, pressable, replies_of, silence, transcript

pytestmark = pytest.mark.asyncio


@pytest.fixture()
async def bot(settings: Settings) -> AsyncIterator[LocalBot]:
    async with LocalBot(settings) as local:
        yield local


def last_shown(calls: list) -> Shown:  # type: ignore[type-arg]
    return [c.shown for c in calls if c.shown is not None][-1]


async def test_the_star_shows_its_notice_and_the_edited_card(bot: LocalBot) -> None:
    card = last_shown(await bot.say("/paper medusa"))
    star = pressable(card).index("save:medusa|en")
    calls = await bot.process(_callback_update(pressable(card)[star], False, 1, card))
    seen = transcript(calls)
    assert "💬 Saved; see /saved" in seen and "(edited)" in seen
    assert "[ ★ Saved ]" in seen and "Medusa: Simple LLM Inference" in seen   # the whole card, starred
    [edited] = replies_of(calls)                                                # --json counts the edit
    assert edited["text"] == card.text and edited["parse_mode"] == "HTML"
    assert "★ Saved" in [b["text"] for row in edited["buttons"] for b in row]


async def test_a_bundle_sent_again_by_file_id_is_still_the_same_file(bot: LocalBot) -> None:
    [first] = [r["document"] for r in replies_of(await bot.say("LLM论文")) if r["document"]]
    [again] = [r["document"] for r in replies_of(await bot.say("LLM论文")) if r["document"]]
    assert first["filename"] == "2023-ai-core-papers.zip" and first["bytes"] > 1000
    assert again == first
    assert "📎 2023-ai-core-papers.zip (" in transcript(await bot.say("llm 论文"))


async def test_a_press_of_a_button_that_is_not_there_says_so() -> None:
    assert no_button(99, 4) == "(no button 99: the last reply has 4, !1 to !4)\n"
    assert "no buttons" in no_button(1, 0)


async def test_the_group_chat_names_the_bot_and_explains_a_wrong_mention() -> None:
    assert "@PaperLocalBot" in banner("PaperLocalBot", group=True)
    assert "@PaperLocalBot" in silence("@paperbot medusa", "PaperLocalBot", group=True)
    assert silence("@PaperLocalBot hi", "PaperLocalBot", group=True) == ""
    assert silence("anyone up for lunch?", "PaperLocalBot", group=True) == ""
    assert silence("@paperbot medusa", "PaperLocalBot", group=False) == ""


async def test_the_local_backend_makes_no_http_client(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each HTTP client loads the system's CA bundle (0.15 s and more): `chat`, `ask` and every
    LocalBot in the tests answer in-process and need none."""
    import ssl

    made: list[object] = []
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: made.append(a) or real(*a, **k))
    async with LocalBot(settings) as local:
        assert "2401.10774" in last_shown(await local.say("/paper medusa")).text
    assert made == []

"""A store that hangs (a frozen database) costs readers nothing on cards, a clear "try again"
on saves and follows, and the reader's language falls back to the message's."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.settings import Settings
from bot.telegram.local import LocalBot

pytestmark = pytest.mark.asyncio


async def hang(*_: Any, **__: Any) -> Any:
    await asyncio.sleep(3600)


@pytest.fixture()
async def bot(settings: Settings) -> AsyncIterator[LocalBot]:
    async with LocalBot(settings) as local:
        yield local


async def say(bot: LocalBot, text: str, **kw: Any) -> list[Any]:
    return await asyncio.wait_for(bot.say(text, **kw), 10)   # a hang fails the test, not the suite


def sent(calls: list[Any]) -> list[str]:
    return [c.params.get("text", "") for c in calls if c.method == "sendMessage"]


async def test_cards_answer_at_once_while_the_store_hangs(bot: LocalBot, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.store.records as records

    store = bot.state.store
    assert store is not None
    for repo, name in ((store.languages, "of"), (store.saves, "of"), (store.saves, "toggle"),
                       (store.follows, "subscribe"), (store.shared, "cooldown_allows")):
        monkeypatch.setattr(repo, name, hang)
    monkeypatch.setattr(records, "TIMEOUT", 0.5)
    start = time.perf_counter()
    [card] = sent(await say(bot, "/paper medusa", language_code="en"))
    assert "Medusa" in card and time.perf_counter() - start < 1.0
    [zh] = sent(await say(bot, "Medusa 是谁发表的", language_code="en"))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)            # the message's language
    start = time.perf_counter()
    assert sent(await say(bot, "/saved")) == ["That cannot be saved right now; please try again later."]
    assert sent(await say(bot, "/subscribe agent")) == ["That cannot be saved right now; please try again later."]
    assert time.perf_counter() - start < 2.0


async def test_a_lang_choice_is_kept_in_memory_and_read_once(bot: LocalBot, monkeypatch: pytest.MonkeyPatch) -> None:
    store = bot.state.store
    assert store is not None
    await bot.say("/lang en")
    reads = 0
    real = store.languages.of

    async def counted(user_id: int) -> str | None:
        nonlocal reads
        reads += 1
        return await real(user_id)

    monkeypatch.setattr(store.languages, "of", counted)
    for _ in range(3):
        [reply] = sent(await bot.say("Medusa 是谁发表的"))
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in reply.split("\n")[0])   # English, as chosen
    assert reads == 0                                     # written through: no read at all
    bot.state.languages.drop(bot_user(bot))   # forgotten (idle past the TTL): read once again
    [reply] = sent(await bot.say("Medusa 是谁发表的"))
    assert reads == 1 and not any("\u4e00" <= ch <= "\u9fff" for ch in reply.split("\n")[0])


def bot_user(bot: LocalBot) -> int:
    from bot.telegram.local import USER

    return int(USER["id"])


async def test_per_chat_memory_is_bounded(settings: Settings) -> None:
    bounded = settings.model_copy(update={"memory_chats": 5})
    async with LocalBot(bounded) as local:
        from bot.telegram.local import message_update

        for chat in range(20):
            update = message_update("/paper medusa", group=False, update_id=chat + 1)
            update["message"]["chat"] = {"id": 7000 + chat, "type": "private", "first_name": "A"}
            await local.process(update)
        assert len(local.state.contexts) == 5 and local.app.chat_data == {}


async def test_memory_stays_bounded_over_many_readers(settings: Settings) -> None:
    """Per chat and per reader, everything kept is bounded by PAPERBOT_MEMORY_CHATS: context,
    /lang choices, ⭐ saves, PTB's chat_data and user_data, the reads and answer decisions in
    flight (the issue's 20,000 chats, scaled down to a test's time; benchmarks/faults.py prints RSS)."""
    from bot.telegram.local import message_update

    bounded = settings.model_copy(update={"memory_chats": 40})
    async with LocalBot(bounded) as local:
        for n in range(400):
            update = message_update("/paper medusa", group=False, update_id=n + 1)
            update["message"]["chat"] = {"id": 50_000 + n, "type": "private", "first_name": "A"}
            update["message"]["from"] = {"id": 50_000 + n, "is_bot": False, "first_name": "A"}
            await local.process(update)
        state = local.state
        assert len(state.contexts) == 40 and len(state.languages) <= 40 and len(state.saved) <= 40
        assert local.app.chat_data == {} and local.app.user_data == {}
        assert not state.language_reads._flying and not state.saved_reads._flying
        assert len(state.cooldown._last) <= 10_001

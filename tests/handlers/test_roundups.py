"""Roundups through the real handlers on a chosen clock: a weekly follow gets one message per
period that collected papers, at 09:00 of the reader's zone, never twice, none for an empty
period, and after a restart neither again nor skipped; exclusions hold for pushes and roundups."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.catalog.curate import entries_yaml, insert_papers
from bot.conversation.cadence import tz_of
from bot.conversation.follow import Pacer
from bot.settings import Settings
from bot.telegram.local import LocalBot
from handlers.common import renderer
from handlers.roundups import send_roundups
from tests.handlers.test_push import NEW, Sender, add_paper_and_reload, run
from tests.handlers.test_readers import press, texts

pytestmark = pytest.mark.asyncio
DATA = Path(__file__).resolve().parents[2] / "data"
VISION = {"id": "vision-one", "title": "Seeing Further: A Vision-Language Model", "authors": ["Ada Lovelace"],
          "arxiv": "2311.00001", "date": "2023-11", "section": "multimodal", "orgs": ["google"]}
BY_MICROSOFT = VISION | {"id": "vision-ms", "title": "Looking Closer at Pictures", "arxiv": "2311.00002",
                         "orgs": ["microsoft"]}


def at(text: str, zone: str = "UTC") -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz_of(zone)).timestamp()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def open_bot(settings: Settings, tmp_path: Path, clock: Clock) -> LocalBot:
    catalog = tmp_path / "papers.yaml"
    if not catalog.exists():
        catalog.write_bytes((DATA / "papers.yaml").read_bytes())
    local = LocalBot(settings.model_copy(update={"catalog": catalog,
                                                 "database_url": f"sqlite:///{tmp_path / 'store.sqlite3'}"}))
    local.state.clock = clock
    return local


@pytest.fixture()
async def clock() -> Clock:
    return Clock(at("2026-12-02T12:00", "Asia/Shanghai"))    # a Wednesday


@pytest.fixture()
async def bot(settings: Settings, tmp_path: Path, clock: Clock) -> AsyncIterator[LocalBot]:
    async with open_bot(settings, tmp_path, clock) as local:
        yield local


async def roundups(bot: LocalBot, sender: Sender) -> Any:
    store = bot.state.store
    assert store is not None
    context: Any = type("Ctx", (), {"state": bot.state})()
    return await send_roundups(store, bot.state.now(), lambda lang: renderer(context, lang), sender, Pacer(1000.0),
                               bot.state.library.catalog.get)


async def test_a_weekly_follow_gets_one_roundup_when_its_week_ends(bot: LocalBot, clock: Clock) -> None:
    [answer] = texts(await bot.say("每周给我推送多模态的论文"))
    assert "已关注「多模态」" in answer and "每周一 09:00（Asia/Shanghai）" in answer
    await add_paper_and_reload(bot, VISION)
    await run(bot, instant := Sender())
    assert instant.sent == []                                   # a weekly follow is not pushed at once
    await roundups(bot, early := Sender())
    assert early.sent == []                                     # the week is under way
    clock.now = at("2026-12-07T08:59", "Asia/Shanghai")
    await roundups(bot, still := Sender())
    assert still.sent == []
    clock.now = at("2026-12-07T09:00", "Asia/Shanghai")         # Monday 09:00 in Shanghai
    await roundups(bot, sender := Sender())
    [(chat, text)] = sender.sent
    assert chat == 1001 and "「多模态」过去一周有 1 篇新论文（2026-11-30 09:00 起）" in text and "Seeing Further" in text
    await roundups(bot, again := Sender())
    assert again.sent == []                                     # never twice
    clock.now = at("2026-12-21T09:30", "Asia/Shanghai")         # two weeks that collected nothing
    await roundups(bot, empty := Sender())
    assert empty.sent == []
    await add_paper_and_reload(bot, VISION | {"id": "vision-2", "arxiv": "2311.00009", "title": "Second Sight"})
    [answer] = texts(await bot.say("/subscribe 多模态 即时"))           # made instant mid-week
    assert "已更新" in answer
    await roundups(bot, now := Sender())
    assert len(now.sent) == 1 and "新论文" in now.sent[0][1] and "Second Sight" in now.sent[0][1]


async def test_a_restart_in_the_middle_of_a_week_neither_repeats_nor_skips_it(settings: Settings, tmp_path: Path,
                                                                              clock: Clock) -> None:
    async with open_bot(settings, tmp_path, clock) as first:
        texts(await first.say("/subscribe multimodal weekly"))
        await add_paper_and_reload(first, VISION)
    clock.now = at("2026-12-04T18:00", "Asia/Shanghai")          # Friday: a restart mid-week
    async with open_bot(settings, tmp_path, clock) as second:
        await roundups(second, mid := Sender())
        assert mid.sent == []
    clock.now = at("2026-12-09T10:00", "Asia/Shanghai")          # down over Monday 09:00: sent on the next start
    async with open_bot(settings, tmp_path, clock) as third:
        await roundups(third, late := Sender())
        assert len(late.sent) == 1 and "Seeing Further" in late.sent[0][1]
    async with open_bot(settings, tmp_path, clock) as fourth:
        await roundups(fourth, after := Sender())
        assert after.sent == []


async def test_the_readers_zone_sets_the_hour(bot: LocalBot, clock: Clock) -> None:
    texts(await bot.say("/subscribe multimodal daily"))
    [answer] = texts(await bot.say("/tz America/New_York"))
    assert "America/New_York" in answer
    await add_paper_and_reload(bot, VISION)                     # Tuesday 23:00 in New York
    clock.now = at("2026-12-02T08:00", "America/New_York")
    await roundups(bot, before := Sender())
    assert before.sent == []
    clock.now = at("2026-12-02T09:00", "America/New_York")
    await roundups(bot, sender := Sender())
    assert len(sender.sent) == 1 and "“Multimodal” this past day: 1 new paper(s) (since 2026-12-01 09:00)" \
        in sender.sent[0][1]


async def test_exclusions_hold_for_pushes_and_roundups(bot: LocalBot, clock: Clock) -> None:
    [answer] = texts(await bot.say("/subscribe multimodal weekly -microsoft"))
    assert "Leaving out: not Microsoft" in answer
    [same] = texts(await bot.say("关注多模态，但不要微软的"))
    assert same == "你已经关注了「多模态」。"                  # the same follow: weekly, without Microsoft
    [answer] = texts(await bot.say("关注 agent，但不要清华的"))
    assert "不含 清华大学" in answer or "不含 清华" in answer
    [listing] = texts(await bot.say("/subscriptions"))
    assert "Multimodal</b> · weekly · not Microsoft" in listing and "不" not in listing.split("\n")[1]
    await add_paper_and_reload(bot, BY_MICROSOFT)
    await add_paper_and_reload(bot, VISION)
    await add_paper_and_reload(bot, NEW)                        # an agent paper from Tsinghua
    await run(bot, instant := Sender())
    assert instant.sent == []                                   # the agent follow leaves Tsinghua out
    await add_paper_and_reload(bot, NEW | {"id": "agent-g", "arxiv": "2308.03690", "title": "Agents at Google",
                                           "orgs": ["google"]})
    await run(bot, pushed := Sender())
    assert [t for _, t in pushed.sent if "Agents at Google" in t]
    [stopped] = texts(await bot.say("/unsubscribe agent"))
    assert stopped == "Stopped following “agent（智能体）” (not Tsinghua University)."   # named as it was followed
    clock.now = at("2026-12-07T09:00", "UTC")
    await roundups(bot, sender := Sender())
    [(_, text)] = sender.sent
    assert "Seeing Further" in text and "Looking Closer" not in text


async def test_a_long_roundup_is_paged_in_one_message(bot: LocalBot, clock: Clock) -> None:
    texts(await bot.say("/subscribe multimodal weekly"))
    path = bot.state.settings.catalog
    entries = [VISION | {"id": f"vision-{n:02d}", "arxiv": f"2311.{n + 10:05d}", "title": f"Vision Paper Number {n}"}
               for n in range(12)]
    path.write_text(insert_papers(path.read_text(encoding="utf-8"), str(path), entries_yaml(entries)), encoding="utf-8")
    assert await bot.state.refresh(force=True) == []
    clock.now = at("2026-12-07T09:00", "UTC")
    calls: list[tuple[int, str, Any]] = []

    async def keep(chat_id: int, text: str, markup: Any) -> None:
        calls.append((chat_id, text, markup))

    await roundups(bot, keep)   # type: ignore[arg-type]
    [(_, text, markup)] = calls
    assert "12 new paper" in text and "Vision Paper Number 0" in text and "Vision Paper Number 11" not in text
    data = [b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data.startswith("rp:")]
    [next_page] = data
    assert len(next_page.encode()) <= 64
    edits = [c for c in await bot.process(press(next_page)) if c.method == "editMessageText"]
    assert "Vision Paper Number 11" in edits[0].params["text"]
    buttons = edits[0].params["reply_markup"]
    buttons = json.loads(buttons) if isinstance(buttons, str) else buttons
    assert any(b["callback_data"].startswith("rp:") and b["callback_data"].endswith(":0|en")
               for row in buttons["inline_keyboard"] for b in row)


async def test_help_and_the_command_menu_name_tz_and_the_cadences(bot: LocalBot) -> None:
    from bot.telegram.app import MENU

    assert "tz" in MENU
    [en] = texts(await bot.say("/help", language_code="en"))
    assert "/tz" in en and "weekly" in en and "-microsoft" in en
    [zh] = texts(await bot.say("/help", language_code="zh-hans"))
    assert "/tz" in zh and "每周" in zh and "-微软" in zh
    [usage] = texts(await bot.say("/subscribe weekly"))
    assert "Usage" in usage                                     # a cadence alone names nothing to follow


async def test_flood_control_gives_a_roundup_back_and_a_blocked_chat_loses_its_follow(bot: LocalBot, clock: Clock) -> None:
    import datetime as dt

    from telegram.error import Forbidden, RetryAfter

    texts(await bot.say("/subscribe multimodal weekly"))
    await add_paper_and_reload(bot, VISION)
    clock.now = at("2026-12-07T09:00")   # an English reader: UTC
    outcome = await roundups(bot, refused := Sender({1001: RetryAfter(dt.timedelta(seconds=0))}))
    assert refused.sent == [] and outcome.deferred == 1
    await roundups(bot, later := Sender())
    assert len(later.sent) == 1 and "Seeing Further" in later.sent[0][1]   # refused, so sent on the next run
    await add_paper_and_reload(bot, VISION | {"id": "vision-2", "arxiv": "2311.00009", "title": "Second Sight"})
    clock.now = at("2026-12-14T09:00")
    outcome = await roundups(bot, Sender({1001: Forbidden("Forbidden: bot was blocked by the user")}))
    assert outcome.dropped == 1
    assert bot.state.store is not None and await bot.state.store.subscriptions_of(1001) == []

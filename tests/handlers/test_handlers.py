"""Handlers through Application.process_update with a recording request: the exact Bot API calls."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.settings import Settings
from bot.telegram.local import BOT_USER, GROUP_CHAT, PRIVATE_CHAT, USER, Call, LocalBot, replies_of
from tests.html_rules import html_problem

pytestmark = pytest.mark.asyncio


@pytest.fixture()
async def bot(settings: Settings) -> AsyncIterator[LocalBot]:
    async with LocalBot(settings) as local:
        yield local


def sent(calls: list[Call], method: str = "sendMessage") -> list[Call]:
    return [c for c in calls if c.method == method]


def buttons(call: Call) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def assert_valid(calls: list[Call]) -> None:
    for call in calls:
        text = call.params.get("text")
        if text is not None:
            assert len(text) <= 4096 and call.params.get("parse_mode") == "HTML"
            assert html_problem(text) is None, text
        for b in buttons(call):
            assert b.get("url") or len(b["callback_data"].encode()) <= 64


def callback(data: str, chat: dict[str, Any] = PRIVATE_CHAT, message_id: int = 7) -> dict[str, Any]:
    return {"update_id": 5000 + message_id, "callback_query": {
        "id": "cb1", "from": USER, "chat_instance": "x", "data": data,
        "message": {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": BOT_USER, "text": "…"}}}


async def test_paper_card_in_a_private_chat(bot: LocalBot) -> None:
    calls = await bot.say("/paper medusa")
    [msg] = sent(calls)
    assert msg.params["chat_id"] == PRIVATE_CHAT["id"]
    assert '<a href="https://arxiv.org/abs/2401.10774">Medusa: Simple LLM' in msg.params["text"]
    assert "reply_parameters" not in msg.params  # no quoting in private chats
    labels = [b["text"] for b in buttons(msg)]
    assert labels == ["Abstract", "Similar", "BibTeX", "⭐ Save", "PDF", "arXiv", "Code"]
    assert_valid(calls)


async def test_paper_without_argument_explains_usage(bot: LocalBot) -> None:
    [msg] = sent(await bot.say("/paper"))
    assert "/paper NAME" in msg.params["text"]


async def test_ambiguous_and_missing(bot: LocalBot) -> None:
    [missing] = sent(await bot.say("/paper bitcoin price"))
    assert "Nothing in the catalog" in missing.params["text"] and "/list" in missing.params["text"]
    [choice] = sent(await bot.say("/paper tool"))
    assert choice.params["text"] == "Did you mean:"
    assert [b["text"] for b in buttons(choice)] == ["Tool Learning with Foundation Models", "ToolLLM"]


async def test_hostile_text_is_escaped(bot: LocalBot) -> None:
    for text in ("/paper <script>alert(1)</script>", "/paper & <b>", "<b>unclosed", "/paper " + "<" * 5000):
        calls = await bot.say(text)
        assert_valid(calls)
        assert all("<script>" not in (c.params.get("text") or "") for c in calls)


async def test_huge_empty_and_non_text_messages(bot: LocalBot) -> None:
    calls = await bot.say("medusa " * 1500)  # 10,500 characters
    assert_valid(calls)
    assert await bot.say("   ") == []
    sticker = {"update_id": 77, "message": {"message_id": 77, "date": int(time.time()), "chat": PRIVATE_CHAT,
                                            "from": USER, "sticker": {"file_id": "s", "file_unique_id": "s",
                                                                      "width": 1, "height": 1, "is_animated": False,
                                                                      "is_video": False, "type": "regular"}}}
    assert await bot.process(sticker) == []


async def test_keyword_sends_the_bundle_and_reuses_its_file_id(bot: LocalBot) -> None:
    calls = await bot.say("LLM论文")
    assert [c.method for c in calls] == ["sendMessage", "sendChatAction", "sendDocument"]
    assert calls[1].params["action"] == "upload_document"
    first = sent(calls, "sendDocument")[0]
    assert first.files["document"][0] == "2023-ai-core-papers.zip" and first.files["document"][1] > 1000
    again = sent(await bot.say("llm 论文"), "sendDocument")[0]
    assert again.files == {} and str(again.params["document"]).startswith("local-file-")


async def test_group_rules(bot: LocalBot) -> None:
    calls = await bot.say("/paper@PaperLocalBot gptq", group=True)
    [msg] = sent(calls)
    assert msg.params["chat_id"] == GROUP_CHAT["id"] and "GPTQ" in msg.params["text"]
    assert msg.params["reply_parameters"]["message_id"] > 0  # quotes the asking message
    assert await bot.say("anyone up for lunch?", group=True) == []
    assert await bot.say("medusa", group=True) == []  # a paper name alone is chatter in a group
    [mention] = sent(await bot.say("@PaperLocalBot medusa", group=True))
    assert "Medusa" in mention.params["text"]


async def test_keyword_cooldown_in_groups(bot: LocalBot) -> None:
    first = await bot.say("LLM论文", group=True)
    assert sent(first, "sendDocument")
    assert await bot.say("LLM论文", group=True) == []  # once per chat per minute
    assert sent(await bot.say("LLM论文"), "sendDocument")  # private chats have no cooldown
    assert await bot.say("谢谢", group=True) == []  # chatter is not thanked


async def test_context_follows_a_private_chat(bot: LocalBot) -> None:
    assert "GPTQ" in sent(await bot.say("/paper gptq"))[0].params["text"]
    [code] = sent(await bot.say("它的代码在哪"))
    assert "github.com/IST-DASLab/gptq" in code.params["text"]
    [when] = sent(await bot.say("and when did it come out?"))
    assert "2023-03" in when.params["text"] and "GPTQ" in when.params["text"]
    assert "Meta" in sent(await bot.say("Meta 的论文有哪些"))[0].params["text"]
    [google] = sent(await bot.say("那谷歌的呢"))
    assert "Gemini" in google.params["text"] and "Code Llama" not in google.params["text"]


async def test_a_pressed_button_becomes_the_context(bot: LocalBot) -> None:
    [listing] = sent(await bot.say("/list multimodal"))
    pick = next(b["callback_data"] for b in buttons(listing) if b["text"] == "BLIP-2")
    await bot.process(callback(pick))
    [who] = sent(await bot.say("这篇是谁发的"))
    assert "Salesforce" in who.params["text"]


async def test_group_context_is_per_chat_and_only_for_messages_to_the_bot(bot: LocalBot) -> None:
    assert "GPTQ" in sent(await bot.say("@PaperLocalBot gptq", group=True))[0].params["text"]
    assert await bot.say("它的代码在哪", group=True) == []  # not addressed: chatter
    [code] = sent(await bot.say("@PaperLocalBot 它的代码在哪", group=True))
    assert "github.com/IST-DASLab/gptq" in code.params["text"]
    [which] = sent(await bot.say("它的代码在哪"))  # the private chat was shown nothing yet
    assert "哪篇" in which.params["text"] and "github" not in which.params["text"]


async def test_addressed_group_messages_always_get_an_answer(bot: LocalBot) -> None:
    [help_line] = sent(await bot.say("@PaperLocalBot 今天吃什么", group=True))
    assert "/help" in help_line.params["text"] and "arXiv" not in help_line.params["text"]
    [bare] = sent(await bot.say("@PaperLocalBot", group=True))
    assert "/help" in bare.params["text"]


async def test_unknown_commands(bot: LocalBot) -> None:
    [line] = sent(await bot.say("/foo"))
    assert "/help" in line.params["text"]
    assert await bot.say("/foo", group=True) == []  # it may be another bot's command


async def test_language_choice(bot: LocalBot) -> None:
    [zh] = sent(await bot.say("/help", language_code="zh-hans"))
    assert "用法" in zh.params["text"]
    [en] = sent(await bot.say("/help", language_code="en"))
    assert "How to use" in en.params["text"]
    [question] = sent(await bot.say("Medusa 是谁发表的"))
    assert "普林斯顿" in question.params["text"]


async def test_start_and_deep_links(bot: LocalBot) -> None:
    [welcome] = sent(await bot.say("/start"))
    assert "26" in welcome.params["text"] and len(buttons(welcome)) == 3
    [card] = sent(await bot.say("/start medusa"))
    assert "Medusa" in card.params["text"]


async def test_list_pagination_edits_the_same_message(bot: LocalBot) -> None:
    [page] = sent(await bot.say("/list"))
    nxt = [b for b in buttons(page) if b["text"].startswith("Next")]
    assert nxt and nxt[0]["callback_data"] == "ls:*:1|en"          # the page after it, in this page's language
    calls = await bot.process(callback("ls:*:1|en"))
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    assert calls[1].params["message_id"] == 7 and "page 2/" in calls[1].params["text"]
    assert_valid(calls)


async def test_abstract_expands_in_place_and_pick_sends_a_card(bot: LocalBot) -> None:
    calls = await bot.process(callback("abs:medusa"))
    edit = calls[-1]
    assert edit.method == "editMessageText" and "Medusa-1" in edit.params["text"]
    assert buttons(edit)[0]["text"] == "Less"
    pick = await bot.process(callback("pick:gptq"))
    assert pick[-1].method == "sendMessage" and "GPTQ" in pick[-1].params["text"]


async def test_forged_or_stale_callbacks_are_answered_quietly(bot: LocalBot) -> None:
    for data in ("abs:no-such-paper", "zzz", "ls:q=1:0", "dg:nope:0"):
        calls = await bot.process(callback(data))
        assert [c.method for c in calls] == ["answerCallbackQuery"]


async def test_inline_query(bot: LocalBot) -> None:
    update = {"update_id": 900, "inline_query": {"id": "iq", "from": USER, "query": "medusa", "offset": ""}}
    [call] = await bot.process(update)
    assert call.method == "answerInlineQuery"
    results = call.params["results"]
    results = json.loads(results) if isinstance(results, str) else results
    assert results[0]["id"] == "medusa" and call.params["cache_time"] == 300
    empty = dict(update, inline_query=dict(update["inline_query"], query=""))
    [featured] = await bot.process(empty)
    featured_results = featured.params["results"]
    assert len(json.loads(featured_results) if isinstance(featured_results, str) else featured_results) == 10


async def test_added_to_a_group_introduces_itself_once(bot: LocalBot) -> None:
    def member(status: str) -> dict[str, Any]:
        return {"user": BOT_USER, "status": status}

    update = {"update_id": 901, "my_chat_member": {"chat": GROUP_CHAT, "from": USER, "date": int(time.time()),
                                                   "old_chat_member": member("left"),
                                                   "new_chat_member": member("member")}}
    [intro] = sent(await bot.process(update))
    assert "paperbot" in intro.params["text"]


async def test_reload_is_for_admins_only(settings: Settings) -> None:
    async with LocalBot(settings) as bot:
        assert await bot.say("/reload") == []  # not an admin: no sign the command exists
    admin = settings.model_copy(update={"admin_ids": [USER["id"]]})
    async with LocalBot(admin) as bot:
        [ok] = sent(await bot.say("/reload"))
        assert "Reloaded" in ok.params["text"]


async def test_a_broken_catalog_on_reload_keeps_the_last_good_one(settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    catalog = tmp_path / "papers.yaml"
    catalog.write_text(settings.catalog.read_text(encoding="utf-8"), encoding="utf-8")
    admin = settings.model_copy(update={"admin_ids": [USER["id"]], "catalog": catalog})
    async with LocalBot(admin) as bot:
        catalog.write_text(catalog.read_text(encoding="utf-8").replace("arxiv: '2401.10774'", "arxiv: 'oops'"),
                           encoding="utf-8")
        [report] = sent(await bot.say("/reload"))
        assert f"{catalog}:" in report.params["text"] and "malformed value" in report.params["text"]
        [card] = sent(await bot.say("/paper medusa"))
        assert "2401.10774" in card.params["text"]


async def test_contract_json_shape(bot: LocalBot) -> None:
    replies = replies_of(await bot.say("LLM论文"))
    assert replies[-1]["document"]["filename"].endswith(".zip") and replies[-1]["document"]["bytes"] > 0
    assert set(replies[0]) == {"text", "parse_mode", "buttons", "document"}


async def test_a_bundle_with_pdfs_is_sent_in_parts_under_the_limit_each_reused(
        settings: Settings, tmp_path: Any) -> None:
    from tests.fakes.arxiv import pdf_bytes

    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    for arxiv in ("2205.14135", "2302.13971", "2401.10774"):
        (pdfs / f"{arxiv}.pdf").write_bytes(pdf_bytes(arxiv, 400_000))
    limited = settings.model_copy(update={"bundle_dir": pdfs, "upload_limit_mb": 0.9})
    async with LocalBot(limited) as local:
        docs = sent(await local.say("LLM论文"), "sendDocument")
        assert [d.files["document"][0] for d in docs] == [f"2023-ai-core-papers-part{n}of2.zip" for n in (1, 2)]
        assert all(d.files["document"][1] <= 900_000 for d in docs)
        assert docs[0].params["caption"].endswith("第 1/2 部分")   # the keyword is Chinese, so is the caption
        again = sent(await local.say("LLM论文"), "sendDocument")
        assert [d.files for d in again] == [{}, {}]                                 # both parts by file_id
        assert len({str(d.params["document"]) for d in again}) == 2


async def test_a_reply_to_the_bot_in_a_group_is_answered_and_other_replies_are_not(bot: LocalBot) -> None:
    from bot.telegram.local import message_update

    to_bot = message_update("and who made it?", group=True, update_id=801)
    to_bot["message"]["reply_to_message"] = {"message_id": 5, "date": int(time.time()), "chat": GROUP_CHAT,
                                             "from": BOT_USER, "text": "Medusa …"}
    await bot.say("@PaperLocalBot medusa", group=True)
    [answer] = sent(await bot.process(to_bot))
    assert "Princeton" in answer.params["text"]
    to_person = message_update("and who made it?", group=True, update_id=802)
    to_person["message"]["reply_to_message"] = {"message_id": 6, "date": int(time.time()), "chat": GROUP_CHAT,
                                                "from": USER, "text": "hm"}
    assert sent(await bot.process(to_person)) == []


async def test_random_digest_paging_filtered_lists_and_unknown_deep_links(bot: LocalBot) -> None:
    [card] = sent(await bot.say("/random"))
    assert "arxiv.org/abs/" in card.params["text"] and "⭐ Save" in [b["text"] for b in buttons(card)]
    [page] = sent(await bot.say("/digest"))
    nav = [b["callback_data"] for b in buttons(page) if b.get("callback_data", "").startswith("dg:")]
    assert nav == ["dg:2023-ai-core:1|en"]
    [second] = sent(await bot.process(callback(nav[0])), "editMessageText")
    assert "page 2/5" in second.params["text"] and "Alignment" in second.params["text"]
    [google] = sent(await bot.say("/list google 2023年12月"))
    assert "Gemini" in google.params["text"] and "（1 篇）" in google.params["text"]   # asked partly in Chinese
    [unknown] = sent(await bot.say("/start no_such_paper_here"))
    assert "Nothing in the catalog matches" in unknown.params["text"]


async def test_buttons_on_an_inline_card_edit_it_in_place(bot: LocalBot) -> None:
    press = {"update_id": 7777, "callback_query": {"id": "cb9", "from": USER, "chat_instance": "x",
                                                   "inline_message_id": "inl-1", "data": "abs:gptq"}}
    calls = await bot.process(press)
    [edit] = sent(calls, "editMessageText")
    assert edit.params["inline_message_id"] == "inl-1" and "GPTQ" in edit.params["text"]
    assert not sent(calls)


async def test_without_a_keyword_cooldown_a_group_keyword_is_answered_every_time_and_costs_no_store_write(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    async with LocalBot(settings.model_copy(update={"keyword_cooldown": 0.0})) as bot:
        store = bot.state.store
        assert store is not None

        writes: list[tuple[object, ...]] = []

        async def write(*args: object) -> bool:
            writes.append(args)
            return True
        monkeypatch.setattr(store, "cooldown_allows", write)
        for _ in range(2):
            assert sent(await bot.say("LLM论文", group=True), "sendDocument")
        assert writes == []

"""/start (with deep links), /help, /paper, /list, /random, /digest."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction

from bot.conversation.answer import ListAnswer, PaperAnswer, answer_query
from bot.conversation.dates import impossible_month
from bot.conversation.understand import ListFilter, list_filter
from bot.render.html import clip, esc
from bot.render.locale import t
from bot.render.reply import Reply
from bot.text import clean_input
from handlers.common import PaperContext, lang_of, record, remember, renderer, send


def _args(context: PaperContext) -> str:
    return clean_input(" ".join(context.args or [])).strip()


async def start(update: Update, context: PaperContext) -> None:
    arg = _args(context)
    if arg:  # deep link t.me/YourBot?start=medusa opens that paper's card
        paper = context.state.library.catalog.get(arg.lower())
        lang = lang_of(update, context)
        if paper is not None:
            await send(update, context, [renderer(context, lang).cards.card(paper)])
            remember(context, PaperAnswer(paper))
            return
        await paper_for(update, context, arg.replace("_", " ").replace("-", " "))
        return
    await send(update, context, [renderer(context, lang_of(update, context)).chat.welcome()])


async def help_command(update: Update, context: PaperContext) -> None:
    await send(update, context, [renderer(context, lang_of(update, context)).chat.help()])


async def paper(update: Update, context: PaperContext) -> None:
    query = _args(context)
    if not query:
        await send(update, context, [Reply(t("paper_usage", lang_of(update, context)))])
        return
    await paper_for(update, context, query)


async def paper_for(update: Update, context: PaperContext, query: str) -> None:
    answer = answer_query(query, context.state.library.index, gazetteer=context.state.library.gazetteer)
    lang = lang_of(update, context, query)
    await send(update, context, renderer(context, lang).answer(answer))
    remember(context, answer)
    await record(update, context, query, answer, lang)


async def list_command(update: Update, context: PaperContext) -> None:
    arg = _args(context)
    lang = lang_of(update, context, arg)
    lib = context.state.library
    bad = impossible_month(arg)
    if bad is not None:  # else "2023-13" would list the whole year without a word
        await send(update, context, [Reply(t("bad_month", lang, date=esc(clip(bad, 40))))])
        return
    wanted = list_filter(arg, lib.index, lib.gazetteer) if arg else ListFilter()
    if wanted is None:
        await send(update, context, [Reply(t("list_empty", lang, filter=esc(clip(arg, 80))))])
        return
    await send(update, context, renderer(context, lang).answer(ListAnswer(wanted)))
    remember(context, ListAnswer(wanted))


async def random_paper(update: Update, context: PaperContext) -> None:
    state = context.state
    paper = state.rng.choice(state.library.catalog.papers)
    await send(update, context, [renderer(context, lang_of(update, context)).cards.card(paper)])
    remember(context, PaperAnswer(paper))


async def unknown_command(update: Update, context: PaperContext) -> None:
    """/foo in a private chat: one line pointing to /help (groups stay quiet: it may be another bot's)."""
    await send(update, context, [Reply(t("unknown_command", lang_of(update, context)))])


async def digest(update: Update, context: PaperContext) -> None:
    digests = context.state.library.digests
    if update.effective_chat:
        await context.bot.send_chat_action(update.effective_chat.id, ChatAction.TYPING)
    r = renderer(context, lang_of(update, context))
    await send(update, context, [r.chat.digest_page(digests[0].id, 0)] if digests else
               r.answer(ListAnswer(ListFilter())))

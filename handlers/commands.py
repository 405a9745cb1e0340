"""/start (with deep links), /help, /paper, /list, /random, /digest."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction

from bot.answer import ListAnswer, ListFilter, answer_query, parse_filter
from bot.locale import t
from bot.render import Button, Reply, clip, encode, esc
from handlers.common import PaperContext, lang_of, record, renderer, send


def _args(context: PaperContext) -> str:
    return " ".join(context.args or []).strip()


async def start(update: Update, context: PaperContext) -> None:
    arg = _args(context)
    if arg:  # deep link t.me/YourBot?start=medusa opens that paper's card
        paper = context.state.library.catalog.get(arg.lower())
        lang = lang_of(update)
        if paper is not None:
            await send(update, context, [renderer(context, lang).card(paper)])
            return
        await paper_for(update, context, arg.replace("_", " ").replace("-", " "))
        return
    lang = lang_of(update)
    r = renderer(context, lang)
    welcome = [reply for item in context.state.library.keywords.welcome for reply in r.reply_item(item)]
    buttons = tuple((Button(clip(p.short_name, 40), encode("pick", p.id)),)
                    for p in context.state.library.featured(3))
    text = (welcome[0].text if welcome else r.intro().text) + "\n\n" + t("start_examples", lang)
    await send(update, context, [Reply(text, buttons)])


async def help_command(update: Update, context: PaperContext) -> None:
    await send(update, context, [renderer(context, lang_of(update)).help()])


async def paper(update: Update, context: PaperContext) -> None:
    query = _args(context)
    if not query:
        await send(update, context, [Reply(t("paper_usage", lang_of(update)))])
        return
    await paper_for(update, context, query)


async def paper_for(update: Update, context: PaperContext, query: str) -> None:
    answer = answer_query(query, context.state.library.index)
    lang = lang_of(update, query)
    await send(update, context, renderer(context, lang).answer(answer))
    await record(update, context, query, answer, lang)


async def list_command(update: Update, context: PaperContext) -> None:
    arg = _args(context)
    lang = lang_of(update, arg)
    wanted = parse_filter(arg, context.state.library.catalog) if arg else ListFilter()
    if wanted is None:
        await send(update, context, [Reply(t("list_empty", lang, filter=esc(clip(arg, 80))))])
        return
    await send(update, context, renderer(context, lang).answer(ListAnswer(wanted)))


async def random_paper(update: Update, context: PaperContext) -> None:
    state = context.state
    paper = state.rng.choice(state.library.catalog.papers)
    await send(update, context, [renderer(context, lang_of(update)).card(paper)])


async def digest(update: Update, context: PaperContext) -> None:
    digests = context.state.library.digests
    if update.effective_chat:
        await context.bot.send_chat_action(update.effective_chat.id, ChatAction.TYPING)
    r = renderer(context, lang_of(update))
    await send(update, context, [r.digest_page(digests[0].id, 0)] if digests else
               r.answer(ListAnswer(ListFilter())))

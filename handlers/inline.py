"""Inline mode: `@YourBot medusa` in any chat -> up to 10 cards to choose from."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update

from bot.catalog.schema import Paper
from bot.conversation.answer import NotFound, PaperAnswer
from bot.search.engine import search
from bot.text import clean_input
from handlers.common import PaperContext, lang_of, markup, record, renderer

MAX_RESULTS = 10
CACHE_SECONDS = 300


async def inline_query(update: Update, context: PaperContext) -> None:
    query = update.inline_query
    if query is None:
        return
    text = clean_input(query.query).strip()
    catalog = context.state.library.catalog
    if text:
        papers: list[Paper] = [h.paper for h in search(text, context.state.library.index, limit=MAX_RESULTS).hits]
    else:
        papers = context.state.library.featured(MAX_RESULTS)
    lang = lang_of(update, context, text)
    r = renderer(context, lang)
    results = []
    for paper in papers[:MAX_RESULTS]:
        card = r.cards.card(paper)
        results.append(InlineQueryResultArticle(
            id=paper.id, title=paper.short_name,
            description=f"{paper.date} · {catalog.org_label(paper, lang)}",
            input_message_content=InputTextMessageContent(card.text),
            reply_markup=markup(card)))
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)
    if text:
        await record(update, context, text, PaperAnswer(papers[0]) if papers else NotFound(text), lang)

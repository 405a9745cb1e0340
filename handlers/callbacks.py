"""Inline-button presses: abstract/less, BibTeX, similar, list and digest pages, picks."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest

from bot.conversation.answer import Answer, ListAnswer, PaperAnswer, SimilarAnswer, similar
from bot.conversation.understand import ListFilter
from bot.render.locale import Lang, t
from bot.render.reply import Button, Reply, decode
from handlers import foryou, readers, roundups
from handlers.common import PaperContext, button_lang, lang_of, mark_saved, markup, remember, renderer, save_button, send


async def button(update: Update, context: PaperContext) -> None:
    query = update.callback_query
    if query is None:
        return
    callback = decode(query.data)
    lang = button_lang(callback, lang_of(update, context))
    catalog = context.state.library.catalog
    paper = catalog.get(callback.paper_id) if callback else None
    r = renderer(context, lang)
    reply: Reply | None = None
    shown: Answer | None = None  # what the chat remembers having been shown
    edit = True
    if callback is None:
        pass
    elif callback.verb == "ls":
        wanted = ListFilter.from_key(callback.paper_id)
        reply = r.lists.list_page(wanted, _page(callback.arg)) if wanted else None
        shown = ListAnswer(wanted, _page(callback.arg)) if wanted else None
    elif callback.verb == "svd":
        reply = await readers.saved_page(update, context, _page(callback.arg), lang)
    elif callback.verb == "rp":
        reply = await roundups.roundup_page(update, context, callback.paper_id, _page(callback.arg), lang)
    elif callback.verb == "fy":
        reply = await foryou.for_you(update, context, _page(callback.arg), lang)
    elif callback.verb == "sub":
        target = readers.target_of_key(callback.paper_id, context, lang)
        if target is not None:
            await query.answer()
            await send(update, context, [Reply(await readers.follow(update, context, target, lang))])
            return
    elif callback.verb == "save" and paper is not None:
        toast = await readers.toggle_save(update, context, paper.id, lang)
        await query.answer(toast or t("store_down", lang))
        if toast is not None and query.message is not None:
            await _refresh_save_button(update, context, query.message, lang)
        return
    elif callback.verb == "dg":
        reply = r.chat.digest_page(callback.paper_id, _page(callback.arg)) \
            if context.state.library.digest(callback.paper_id) else None
    elif paper is not None:
        shown = PaperAnswer(paper)
        if callback.verb in ("card", "abs"):
            reply = r.cards.card(paper, expanded=callback.verb == "abs")
        elif callback.verb == "pick":
            reply = r.cards.card(paper)
            edit = False
        elif callback.verb == "sim":
            shown = SimilarAnswer(paper, similar(paper, context.state.library.index))
            [reply], edit = r.answer(shown), False
        elif callback.verb == "bib":
            reply, edit = r.cards.bibtex(paper), False
        elif callback.verb == "abp":   # another page of the whole abstract, in place
            reply = r.asked.abstract(paper, _page(callback.arg))
    if reply is None:  # forged, stale (paper removed by a reload) or unknown
        await query.answer(t("stale_button", lang), show_alert=False)
        return
    await query.answer()
    remember(context, shown)
    # A card sent through inline mode has no chat to send to: it is always edited in place.
    if query.inline_message_id is not None or (edit and query.message is not None):
        try:
            await query.edit_message_text(reply.text, reply_markup=markup(reply))
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        return
    await send(update, context, [reply])


def _page(arg: str) -> int:
    return int(arg) if arg.isdigit() and len(arg) < 5 else 0


async def _refresh_save_button(update: Update, context: PaperContext, message: object, lang: Lang) -> None:
    """The ⭐ on the card just pressed shows the new state (the rest of the keyboard unchanged)."""
    from telegram import Message

    if not isinstance(message, Message) or message.reply_markup is None:
        return
    rows = tuple(tuple(Button(b.text, b.callback_data if isinstance(b.callback_data, str) else None, b.url)
                       for b in row) for row in message.reply_markup.inline_keyboard)
    plain = Reply(buttons=tuple(tuple(Button(t("btn_save", lang), b.data) if save_button(b) else b for b in row)
                                for row in rows))
    [marked] = await mark_saved(update, context, [plain])
    try:
        await message.edit_reply_markup(markup(marked))
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise

"""`paperbot --help` is written for the person running the bot, not for its developers."""

from __future__ import annotations

import argparse

from bot.cli import build_parser


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_the_top_help_says_what_the_bot_is_and_no_implementation_notes() -> None:
    text = build_parser().format_help()
    assert "Telegram bot" in text and "paperbot chat" in text
    for note in ("imported", "modules", "starts fast"):
        assert note not in text.lower(), note


def test_every_argument_of_ask_chat_search_and_check_is_explained() -> None:
    commands = _subcommands(build_parser())
    for name in ("ask", "chat", "search", "check", "import-digest"):
        bare = [a.dest for a in commands[name]._actions if not a.help]
        assert bare == [], (name, bare)

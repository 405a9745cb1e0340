"""Rendering: Answers as Replies (escaped HTML under Telegram's limits, short callback data) and every interface string."""

"""Telegram glue: the Application builder, the in-process Bot API backend, a running bot's state; only it imports telegram."""

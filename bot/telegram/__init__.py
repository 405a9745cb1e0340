"""Telegram glue: the Application builder, the in-process Bot API backend, a running bot's state; only it imports telegram."""

import os

# PTB 22 deprecates time periods as int seconds (RetryAfter.retry_after warns on every 429, even
# when built): opt in to the timedelta form it will switch to, read in handlers/push.py.
os.environ.setdefault("PTB_TIMEDELTA", "true")

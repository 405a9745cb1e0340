"""No secret reaches the logs: not in messages, arguments, exception text or tracebacks."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from pydantic import SecretStr

from bot.settings import Settings
from bot.telegram.app import RedactingFormatter, redact, secrets_of

TOKEN = "123456789:AAHsecretPartOfTheTokenThatMustNotLeak42"


def test_every_secret_is_collected_longest_first(settings: Settings) -> None:
    cfg = settings.model_copy(update={"webhook_secret": SecretStr("hook-secret-1"),
                                      "database_url": "postgresql://bot:pg-pass-99@db:5432/paperbot"})
    found = secrets_of(cfg, TOKEN)
    assert found[0] == TOKEN and set(found) == {TOKEN, TOKEN.split(":")[1], "hook-secret-1", "pg-pass-99"}
    assert redact(f"url=https://api/bot{TOKEN}/getMe pw=pg-pass-99", found) == \
        "url=https://api/bot<redacted>/getMe pw=<redacted>"


def test_a_traceback_with_the_token_in_the_exception_is_redacted() -> None:
    formatter = RedactingFormatter("%(message)s", [TOKEN, TOKEN.split(":")[1]])
    try:
        raise ValueError(f"Invalid port: '18081{TOKEN}'")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed for %s", (TOKEN,), sys.exc_info())
    text = formatter.format(record)
    assert "Invalid port" in text and "Traceback" in text
    assert TOKEN not in text and TOKEN.split(":")[1] not in text


def test_a_bad_base_url_never_prints_the_token(tmp_path: Path) -> None:
    """The whole output of a real start that fails with the token inside an exception."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PAPERBOT_", "WEBHOOK_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL="http://127.0.0.1:18081", PAPERBOT_LOG_LEVEL="DEBUG",
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", PAPERBOT_STATS_DB=str(tmp_path / "stats.db"),
               PAPERBOT_CACHE_DIR=str(tmp_path), WEBHOOK_URL="https://bot.example.com/hook",
               WEBHOOK_SECRET="hook-secret-value", WEBHOOK_PORT="0", WEBHOOK_LISTEN="127.0.0.1")
    log = tmp_path / "out.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path, stdout=out,
                                stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while "attempt 2" not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.terminate()
        proc.wait(timeout=20)
    text = log.read_text()
    assert "attempt 2" in text, text[-2000:]                     # the failing start was logged, twice
    assert TOKEN not in text and TOKEN.split(":")[1] not in text and "hook-secret-value" not in text


def test_an_uncaught_exception_after_logging_is_configured_is_redacted_on_stderr() -> None:
    """What no handler catches goes to sys.excepthook, past the log formatter: it must redact too."""
    script = ("import sys\nfrom bot.telegram.app import configure_logging\n"
              "token = sys.argv[1]\nconfigure_logging('INFO', [token, token.split(':')[1]])\n"
              "raise RuntimeError(f'cannot reach https://api.telegram.org/bot{token}/getMe')\n")
    proc = subprocess.run([sys.executable, "-c", script, TOKEN], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "Traceback" in proc.stderr
    assert "RuntimeError: cannot reach https://api.telegram.org/bot<redacted>/getMe" in proc.stderr
    assert TOKEN.split(":")[1] not in proc.stderr + proc.stdout


def test_a_short_webhook_secret_is_redacted_in_the_setwebhook_line(settings: Settings) -> None:
    """Secrets under 4 characters are not replaced wherever they occur (every "a" would go); the
    parameter that carries one still is, in PTB's own DEBUG line for setWebhook."""
    cfg = settings.model_copy(update={"webhook_secret": SecretStr("q7")})
    formatter = RedactingFormatter("%(message)s", secrets_of(cfg, TOKEN))
    record = logging.LogRecord("telegram.ext.ExtBot", logging.DEBUG, __file__, 1,
                               "Calling Bot API endpoint `%s` with parameters `%s`",
                               ("setWebhook", {"url": "https://h/hook", "secret_token": "q7"}), None)
    text = formatter.format(record)
    assert "'secret_token': '<redacted>'" in text and "q7" not in text and "https://h/hook" in text


def test_webhook_secrets_follow_telegrams_rules(settings: Settings) -> None:
    for good in ("", "a", "A-z_09", "x" * 256):
        assert settings.model_copy(update={"webhook_secret": SecretStr(good)}).webhook_secret_problem() is None
    for bad in ("x" * 257, "with space", "ünï", "a/b", "a:b"):
        problem = settings.model_copy(update={"webhook_secret": SecretStr(bad)}).webhook_secret_problem()
        assert problem is not None and bad not in problem

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings, TokenError

GOOD_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=60)


def test_a_missing_token_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = run(["run"], env, tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "TELEGRAM_BOT_TOKEN" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_malformed_token_is_refused_without_echoing_it(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
           "TELEGRAM_BOT_TOKEN": "not-a-token-secret"}
    proc = run(["run"], env, tmp_path)
    assert proc.returncode == 2 and "malformed" in proc.stderr
    assert "not-a-token-secret" not in proc.stderr + proc.stdout


def test_token_validation(settings: Settings) -> None:
    with pytest.raises(TokenError):
        settings.token()
    assert Settings(TELEGRAM_BOT_TOKEN=GOOD_TOKEN).token() == GOOD_TOKEN  # type: ignore[call-arg]
    assert GOOD_TOKEN not in repr(Settings(TELEGRAM_BOT_TOKEN=GOOD_TOKEN))  # type: ignore[call-arg]


def test_admin_ids_and_api_urls_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAPERBOT_ADMIN_IDS", "11, 22 33")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    s = Settings()
    assert s.admin_ids == [11, 22, 33]
    assert s.base_file_url() == "http://127.0.0.1:8081/file/bot"


def test_the_shipped_data_is_found(settings: Settings) -> None:
    assert settings.catalog.name == "papers.yaml" and settings.catalog.exists()
    assert settings.keywords.exists() and settings.digests.exists()


def test_env_example_lists_exactly_the_settings() -> None:
    import re

    root = Path(__file__).resolve().parents[2]
    listed = set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]+)=", (root / ".env.example").read_text(encoding="utf-8"), re.M))
    known = {(f.validation_alias or name).upper() for name, f in Settings.model_fields.items()}  # type: ignore[union-attr]
    assert listed == known
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert [name for name in sorted(known) if name not in readme] == []


def test_dotenv_then_environment_then_given_values(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """pydantic-settings' order, kept by bot/settings.py's own reading: a value given beats the
    environment, which beats `.env`; names match whatever their case; unknown names are ignored."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text('export PAPERBOT_PUSH_RATE=7\npaperbot_memory_chats="12"\n'
                                   "WEBHOOK_PORT=9000\nNOT_A_SETTING=1\nBARE\n", encoding="utf-8")
    monkeypatch.setenv("PAPERBOT_MEMORY_CHATS", "34")
    monkeypatch.delenv("WEBHOOK_PORT", raising=False)
    s = Settings()
    assert (s.push_rate, s.memory_chats, s.webhook_port) == (7.0, 34, 9000)
    assert Settings(PAPERBOT_MEMORY_CHATS=56, webhook_port="9001").memory_chats == 56  # type: ignore[call-arg]
    assert Settings(webhook_port="9001").webhook_port == 9001  # type: ignore[call-arg]


def test_a_value_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pydantic import ValidationError

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAPERBOT_PUSH_RATE", "31")   # Telegram's limit is 30 a second
    with pytest.raises(ValidationError, match="PAPERBOT_PUSH_RATE"):
        Settings()

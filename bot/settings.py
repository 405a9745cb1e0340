"""Settings, read once from the environment (and `.env`) and passed down, never global.

The environment is read here rather than by pydantic-settings: its import alone cost `paperbot
ask` about a tenth of a second, and pydantic (which the catalog's schema loads anyway) does the
validation. The rules are pydantic-settings' own: a name is matched without regard to case, a
value given to `Settings(...)` beats the environment, which beats `.env` in the working folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator


def data_dir() -> Path:
    """The shipped data folder: the source tree's `data/` or, in a wheel, `bot/_data/`."""
    source = Path(__file__).resolve().parent.parent / "data"
    return source if source.is_dir() else Path(__file__).resolve().parent / "_data"


# Telegram tokens look like "123456789:AA...": a numeric bot id, a colon, 30+ url-safe chars.
TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,}$")


# Telegram's rule for setWebhook's secret_token.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class TokenError(ValueError):
    """The bot token is missing or malformed; the message says what to set."""


ENV_FILE = ".env"


def _dotenv(path: Path) -> dict[str, str]:
    """A `.env` file's values (python-dotenv's reading: quotes, `export`, `${VAR}`); a bare name
    without `=` sets nothing."""
    if not path.is_file():
        return {}
    from dotenv import dotenv_values  # only where there is a file to read

    return {k: v for k, v in dotenv_values(path, encoding="utf-8").items() if v is not None}


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    telegram_bot_token: SecretStr | None = None
    catalog: Path = Field(default_factory=lambda: data_dir() / "papers.yaml",
                          validation_alias="PAPERBOT_CATALOG")
    keywords: Path = Field(default_factory=lambda: data_dir() / "keywords.yaml",
                           validation_alias="PAPERBOT_KEYWORDS")
    digests: Path = Field(default_factory=lambda: data_dir() / "digests.yaml",
                          validation_alias="PAPERBOT_DIGESTS")
    topics: Path = Field(default_factory=lambda: data_dir() / "topics.yaml",
                         validation_alias="PAPERBOT_TOPICS")
    bundle_dir: Path = Field(default_factory=lambda: data_dir() / "bundle",
                             validation_alias="PAPERBOT_BUNDLE_DIR")
    cache_dir: Path | None = Field(default=None, validation_alias="PAPERBOT_CACHE_DIR")
    admin_ids: list[int] = Field(default_factory=list, validation_alias="PAPERBOT_ADMIN_IDS")
    keyword_cooldown: float = Field(default=60.0, validation_alias="PAPERBOT_KEYWORD_COOLDOWN")
    reload_interval: float = Field(default=30.0, validation_alias="PAPERBOT_RELOAD_INTERVAL")
    # Seconds between two looks for new papers to push and for roundups whose period ended.
    push_interval: float = Field(default=5.0, gt=0, validation_alias="PAPERBOT_PUSH_INTERVAL")
    stats_db: Path | None = Field(default=None, validation_alias="PAPERBOT_STATS_DB")
    stats_store_users: bool = Field(default=False, validation_alias="STATS_STORE_USERS")
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = None
    telegram_api_base_url: str | None = None
    log_level: str = Field(default="INFO", validation_alias="PAPERBOT_LOG_LEVEL")
    # Readers' saves, follows and the push log: SQLite by default, PostgreSQL for several replicas.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    # Seconds a stop waits for updates in flight (keep it under the supervisor's kill timeout:
    # Docker's --stop-timeout, systemd's TimeoutStopSec); the journal replays what is left.
    drain_timeout: float = Field(default=8.0, gt=0, validation_alias="PAPERBOT_DRAIN_TIMEOUT")
    # What the bot remembers per chat (the last answer, for "它的代码呢") and per reader (their
    # /lang choice, their saves): at most this many, each forgotten after this many idle seconds.
    memory_chats: int = Field(default=50_000, gt=0, validation_alias="PAPERBOT_MEMORY_CHATS")
    memory_ttl: float = Field(default=3600.0, gt=0, validation_alias="PAPERBOT_MEMORY_TTL")
    push_rate: float = Field(default=25.0, gt=0, le=30, validation_alias="PAPERBOT_PUSH_RATE")
    # Seconds added to the wall clock that daily and weekly roundups are collected and sent by:
    # 0 in production; a test (or an operator trying a roundup out) moves time forward with it.
    clock_offset: float = Field(default=0.0, validation_alias="PAPERBOT_CLOCK_OFFSET")
    arxiv_api: str = Field(default="https://export.arxiv.org/api/query", validation_alias="PAPERBOT_ARXIV_API")
    arxiv_pdf: str = Field(default="https://arxiv.org/pdf/", validation_alias="PAPERBOT_ARXIV_PDF")
    # arXiv asks for one request every 3 seconds; tests against a local server set 0.
    arxiv_delay: float = Field(default=3.0, ge=0, validation_alias="PAPERBOT_ARXIV_DELAY")
    arxiv_timeout: float = Field(default=30.0, gt=0, validation_alias="PAPERBOT_ARXIV_TIMEOUT")
    # `paperbot enrich`: Semantic Scholar (an API key raises its rate limit), Hugging Face, GitHub.
    s2_api: str = Field(default="https://api.semanticscholar.org/graph/v1", validation_alias="PAPERBOT_S2_API")
    s2_api_key: SecretStr | None = Field(default=None, validation_alias="S2_API_KEY")
    hf_api: str = Field(default="https://huggingface.co/api", validation_alias="PAPERBOT_HF_API")
    github_url: str = Field(default="https://github.com", validation_alias="PAPERBOT_GITHUB")
    # Seconds between two requests to one service; unset, each service's own pace.
    enrich_delay: float | None = Field(default=None, ge=0, validation_alias="PAPERBOT_ENRICH_DELAY")
    # A document sent through Telegram's cloud Bot API may be 50 MB; a local Bot API server allows 2000.
    upload_limit_mb: float = Field(default=50.0, gt=0, validation_alias="PAPERBOT_UPLOAD_LIMIT_MB")

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, given: object) -> object:
        """`.env`, then the environment, then the values given, each name matched by its
        lower-case form; names that are no setting are ignored."""
        if not isinstance(given, dict):
            return given
        names = {(f.validation_alias if isinstance(f.validation_alias, str) else name).lower():
                 (f.validation_alias if isinstance(f.validation_alias, str) else name)
                 for name, f in cls.model_fields.items()}
        merged: dict[str, Any] = {}
        for source in (_dotenv(Path(ENV_FILE)), os.environ, given):
            for key, value in source.items():
                name = names.get(str(key).lower())
                if name is not None:
                    merged[name] = value
        return merged

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        # "1,2, 3" in the environment is friendlier than a JSON list.
        if isinstance(value, str):
            return [int(part) for part in re.split(r"[,\s]+", value) if part]
        if isinstance(value, int):
            return [value]
        return value

    def token(self) -> str:
        """The bot token, or TokenError with one line saying what to set."""
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value().strip():
            raise TokenError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and "
                             "set TELEGRAM_BOT_TOKEN in the environment or in .env")
        token = self.telegram_bot_token.get_secret_value().strip()
        if not TOKEN_PATTERN.match(token):
            raise TokenError("TELEGRAM_BOT_TOKEN is malformed: expected the form "
                             "123456789:ABC... as given by @BotFather")
        return token

    def webhook_secret_problem(self) -> str | None:
        """WEBHOOK_SECRET breaking Telegram's rules (1-256 of A-Z a-z 0-9 _ -), in one line; None if fine."""
        value = self.webhook_secret.get_secret_value() if self.webhook_secret is not None else ""
        if value and not WEBHOOK_SECRET_PATTERN.match(value):   # empty: no secret, as before
            return ("WEBHOOK_SECRET is not one Telegram accepts: 1 to 256 characters, each a letter, "
                    "a digit, _ or - (choose a long random one, e.g. `openssl rand -hex 32`)")
        return None

    def base_file_url(self) -> str | None:
        """The file URL that follows TELEGRAM_API_BASE_URL (`.../bot` -> `.../file/bot`)."""
        if not self.telegram_api_base_url:
            return None
        base = self.telegram_api_base_url.rstrip("/")
        head, _, tail = base.rpartition("/")
        return f"{head}/file/{tail}" if head else f"{base}/file"

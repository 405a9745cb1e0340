"""`paperbot ask` starts in well under a second because it imports only what one answer needs:
the store's SQLAlchemy (0.5 s and more) and pydantic-settings stay out of the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Runs the real command line, then reports which modules the process had loaded.
PROBE = """
import contextlib, io, json, sys
from bot.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(["ask", sys.argv[1], "--json"])
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""
NOT_ON_THE_ASK_PATH = ("sqlalchemy", "pydantic_settings", "aiosqlite", "asyncpg")


def test_ask_imports_no_store_and_no_settings_library(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"PAPERBOT_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    for text in ("/paper medusa", "Medusa 是谁发表的", "/list google"):
        proc = subprocess.run([sys.executable, "-c", PROBE, text], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert proc.returncode == 0, proc.stderr
        found = json.loads(proc.stdout.splitlines()[-1])
        assert found["code"] == 0 and json.loads(found["out"])["replies"]
        loaded = {name.split(".")[0] for name in found["modules"]}
        assert [name for name in NOT_ON_THE_ASK_PATH if name in loaded] == [], text

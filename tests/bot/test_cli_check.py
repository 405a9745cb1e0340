"""`paperbot check` as the contract states it: summary and exit 0, or FILE:LINE lines and exit 1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA


def check(*paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "check", *paths], capture_output=True, text=True,
                          timeout=60)


def test_the_shipped_files_are_valid() -> None:
    proc = check()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "26 papers, 5 sections" in proc.stdout and "keyword rules" in proc.stdout


def test_explicit_paths_each_get_a_summary() -> None:
    proc = check(str(DATA / "papers.yaml"), str(DATA / "keywords.yaml"), str(DATA / "digests.yaml"))
    assert proc.returncode == 0
    assert len(proc.stdout.strip().splitlines()) == 3


def test_problems_in_several_files_are_all_listed(tmp_path: Path) -> None:
    bad_catalog = tmp_path / "papers.yaml"
    text = (DATA / "papers.yaml").read_text(encoding="utf-8")
    bad_catalog.write_text(text.replace("arxiv: '2401.10774'", "arxiv: '2401'", 1), encoding="utf-8")
    bad_rules = tmp_path / "keywords.yaml"
    bad_rules.write_text("rules:\n  - id: a\n    keywords: ['(unclosed']\n    match: regex\n"
                         "    replies: [{text: {zh: 好}}]\n  - id: b\n    keywords: [x]\n    match: fuzzy\n"
                         "    replies: []\n", encoding="utf-8")
    proc = check(str(bad_catalog), str(bad_rules))
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    line_of_medusa_arxiv = text.splitlines().index("  arxiv: '2401.10774'") + 1
    assert f"{bad_catalog}:{line_of_medusa_arxiv}: paper 'medusa': arxiv: malformed value '2401'" in lines
    assert any(line.startswith(f"{bad_rules}:3: rule 'a': invalid regex") for line in lines)
    assert any(line.startswith(f"{bad_rules}:8: match:") for line in lines)
    assert any(line.startswith(f"{bad_rules}:9: replies:") for line in lines)

"""Topics (data/topics.yaml) and the papers' `topics:` lists: checked together, every problem
as FILE:LINE, the way `paperbot check` reports the other data files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.catalog.topics import load_topics, topic_names
from bot.catalog.yamlfile import DataError
from bot.conversation.library import load_library
from bot.settings import Settings
from tests.conftest import DATA


def test_the_shipped_topics_are_valid_and_every_tag_is_known() -> None:
    topics = load_topics(DATA / "topics.yaml")
    assert len(topics) >= 20 and all(t.zh and t.en for t in topics)
    assert "推测解码" in topic_names(next(t for t in topics if t.id == "speculative-decoding"))
    proc = subprocess.run([sys.executable, "-m", "bot", "check", str(DATA / "topics.yaml")], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0 and f"{len(topics)} topics" in proc.stdout


def test_a_name_two_topics_share_and_a_duplicate_id_are_reported_by_line(tmp_path: Path) -> None:
    bad = tmp_path / "topics.yaml"
    bad.write_text("topics:\n- id: a\n  zh: 甲\n  en: alpha\n- id: b\n  zh: 乙\n  en: Alpha\n- id: a\n  zh: 丙\n  en: gamma\n"
                   "- id: Bad Id\n  zh: 丁\n  en: delta\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_topics(bad)
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith(f"{bad}:11: ") and "malformed" in line for line in lines), lines
    bad.write_text("topics:\n- id: a\n  zh: 甲\n  en: alpha\n- id: b\n  zh: 乙\n  en: Alpha\n- id: a\n  zh: 丙\n  en: gamma\n",
                   encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_topics(bad)
    lines = [str(p) for p in caught.value.problems]
    assert f"{bad}:5: topic 'b': name 'Alpha' is also a name of 'a' (line 2)" in lines
    assert f"{bad}:8: duplicate topic id 'a' (first at line 2)" in lines


def test_a_paper_tagged_with_an_unknown_topic_is_reported_at_its_line(tmp_path: Path, settings: Settings) -> None:
    text = (DATA / "papers.yaml").read_text(encoding="utf-8")
    old = "  topics: [speculative-decoding, parallel-decoding, inference-acceleration]"
    lines = text.splitlines()
    line = lines.index(old, lines.index("- id: medusa")) + 1   # Medusa's own topics line
    lines[line - 1] = "  topics: [speculative-decoding, telepathy]"
    catalog = tmp_path / "papers.yaml"
    catalog.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = settings.model_copy(update={"catalog": catalog, "topics": DATA / "topics.yaml",
                                           "keywords": DATA / "keywords.yaml", "digests": DATA / "digests.yaml"})
    with pytest.raises(DataError) as caught:
        load_library(settings)
    assert [str(p) for p in caught.value.problems] == [
        f"{catalog}:{line}: paper 'medusa': unknown topic 'telepathy' (known: "
        + ", ".join(sorted(t.id for t in load_topics(DATA / "topics.yaml"))) + ")"]

"""The persisted, memory-mapped search index: same answers, never stale, never damaged."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.catalog import catalog as catalog_mod
from bot.catalog.mapped import is_mapped
from bot.search.engine import SearchIndex, search
from bot.search.index_cache import folder_for, load_or_build

DATA = Path(__file__).resolve().parents[3] / "data"
QUERIES = ["medusa", "medsua", "flash attention 2", "投机解码", "bilp-2", "open foundation language models",
           "yolo object detection", "數據配比", "papers by touvron", "lama 2"]


def answers(index: SearchIndex) -> list[tuple[str, list[tuple[str, float]]]]:
    return [(r.verdict, [(h.paper.id, round(float(h.score), 6)) for h in r.hits])  # type: ignore[misc]
            for r in (search(q, index) for q in QUERIES)]


@pytest.fixture()
def catalog_file(tmp_path: Path) -> Path:
    path = tmp_path / "papers.yaml"
    path.write_bytes((DATA / "papers.yaml").read_bytes())
    return path


def test_a_mapped_index_answers_like_a_built_one(catalog_file: Path, tmp_path: Path) -> None:
    catalog = catalog_mod.load(catalog_file, tmp_path)
    first = load_or_build(catalog, tmp_path)              # builds and writes
    folder = folder_for(catalog, tmp_path)
    assert (folder / "header.json").exists()
    mapped = load_or_build(catalog, tmp_path)             # maps
    assert is_mapped(mapped.bm25.indices)
    assert answers(mapped) == answers(first) == answers(SearchIndex.build(catalog))
    # ...and all of them like an index of the catalog as parsed, its papers live objects
    assert answers(mapped) == answers(SearchIndex.build(catalog_mod.load(catalog_file, use_cache=False)))
    # Similar and "for you" read each paper's kept terms: mapped, they are the built ones.
    assert is_mapped(mapped.bm25.kept_terms)
    built = SearchIndex.build(catalog)
    for doc in range(len(catalog)):
        assert len(built.bm25.kept(doc)) > 0
        assert mapped.bm25.kept(doc).tolist() == built.bm25.kept(doc).tolist()


@pytest.mark.parametrize("damage", ["truncate", "meta", "header", "foreign"])
def test_a_damaged_or_foreign_index_is_rebuilt_with_one_line(catalog_file: Path, tmp_path: Path, damage: str,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    catalog = catalog_mod.load(catalog_file, tmp_path)
    expected = answers(load_or_build(catalog, tmp_path))
    folder = folder_for(catalog, tmp_path)
    if damage == "truncate":
        data = (folder / "indices.npy").read_bytes()
        (folder / "indices.npy").write_bytes(data[: len(data) // 2])
    elif damage == "meta":
        raw = bytearray((folder / "meta.pickle").read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        (folder / "meta.pickle").write_bytes(bytes(raw))
    elif damage == "header":
        (folder / "header.json").write_text("{not json", encoding="utf-8")
    else:
        header = json.loads((folder / "header.json").read_text(encoding="utf-8"))
        (folder / "header.json").write_text(json.dumps({**header, "version": 99}), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        again = load_or_build(catalog, tmp_path)
    assert answers(again) == expected
    assert sum("rebuilding it" in r.message for r in caplog.records) == 1
    assert answers(load_or_build(catalog, tmp_path)) == expected    # and the rebuilt copy is sound


def test_a_catalog_edit_gets_a_new_index_and_the_old_one_goes(catalog_file: Path, tmp_path: Path) -> None:
    old = catalog_mod.load(catalog_file, tmp_path)
    load_or_build(old, tmp_path)
    catalog_file.write_text(catalog_file.read_text(encoding="utf-8").replace("aliases: [美杜莎,", "aliases: [海蛇女, 美杜莎,"),
                            encoding="utf-8")
    new = catalog_mod.load(catalog_file, tmp_path)
    index = load_or_build(new, tmp_path)
    assert search("海蛇女", index).best is not None
    assert folder_for(new, tmp_path).is_dir() and not folder_for(old, tmp_path).exists()


def test_two_processes_starting_at_once_share_one_cache(catalog_file: Path, tmp_path: Path) -> None:
    script = ("import sys; from pathlib import Path; from bot.catalog import catalog as c; from bot.search.index_cache import "
              "load_or_build; from bot.search.engine import search; cat = c.load(Path(sys.argv[1]), Path(sys.argv[2])); "
              "print(search('medusa', load_or_build(cat, Path(sys.argv[2]))).best.id)")
    cmd = [sys.executable, "-c", script, str(catalog_file), str(tmp_path / "shared")]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [o.strip() for o, _ in outs] == ["medusa"] * 3, [e for _, e in outs]
    assert not [p for p in (tmp_path / "shared").iterdir() if p.name.startswith(".")]   # no half-written folder
    catalog = catalog_mod.load(catalog_file, tmp_path / "shared")
    assert is_mapped(load_or_build(catalog, tmp_path / "shared").bm25.data)

"""The folders show the order a message takes: every import points down, and only the Telegram
glue imports `telegram`. Walks every module's imports (function-level ones too) with `ast`."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from tests.conftest import ROOT

# Lowest first. A module may import its own room and any room below it, never one above.
# The running state sits under the handlers that read it; the Application builder and the local
# backend sit over them, because they register the handlers.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("bot", "bot.settings", "bot.text"),
    ("bot.catalog",),
    ("bot.search",),
    ("bot.store",),
    ("bot.conversation",),
    ("bot.render",),
    ("bot.telegram.state",),
    ("handlers",),
    ("bot.telegram.app", "bot.telegram.local", "bot.telegram"),
    ("bot.cli", "bot.__main__"),
)
TELEGRAM_ALLOWED = ("bot.telegram", "handlers")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache  # asked once per imported name: walk the folders once (the tree does not change during a run)
def modules() -> dict[str, Path]:
    return {module_name(p): p for folder in ("bot", "handlers") for p in sorted((ROOT / folder).rglob("*.py"))}


def rank(name: str) -> int:
    """The layer of a module: its longest matching prefix decides (bot.telegram.state before bot.telegram)."""
    best, best_len = -1, -1
    for i, layer in enumerate(LAYERS):
        for prefix in layer:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = i, len(prefix)
    if best < 0:
        raise AssertionError(f"{name} belongs to no layer: add it to LAYERS")
    return best


def imports_of(path: Path, name: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import of the module, resolved to absolute names."""
    found: list[tuple[int, str]] = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], *([base] if base else [])])
            found.append((node.lineno, base))
            # `from bot.catalog import mapped` imports the module bot.catalog.mapped
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if f"{base}.{alias.name}" in modules()]
    return found


def test_every_module_belongs_to_a_layer() -> None:
    for name in modules():
        rank(name)


def test_imports_point_down() -> None:
    upward = [f"{path.relative_to(ROOT)}:{line}: imports {target} (layer {rank(target)} over {rank(name)})"
              for name, path in modules().items()
              for line, target in imports_of(path, name)
              if (target == "bot" or target.startswith(("bot.", "handlers"))) and rank(target) > rank(name)]
    assert not upward, "\n".join(upward)


def test_only_the_telegram_glue_imports_telegram() -> None:
    hits = [f"{path.relative_to(ROOT)}:{line}" for name, path in modules().items() if not name.startswith(TELEGRAM_ALLOWED)
            for line, target in imports_of(path, name) if target == "telegram" or target.startswith("telegram.")]
    assert not hits, "telegram imported outside bot/telegram and handlers: " + ", ".join(hits)


def test_the_walker_sees_an_upward_import(tmp_path: Path) -> None:
    """The check itself can fail: a catalog module importing the renderer is reported."""
    fake = ROOT / "bot" / "catalog" / "catalog.py"
    tree = imports_of(fake, "bot.catalog.catalog")
    assert all(rank(t) <= rank("bot.catalog.catalog") for _, t in tree if t.startswith("bot."))
    planted = tmp_path / "planted.py"
    planted.write_text("def f():\n    from bot.render.renderer import Renderer\n")
    targets = [t for _, t in imports_of(planted, "bot.catalog.planted")]
    assert "bot.render.renderer" in targets and rank("bot.render.renderer") > rank("bot.catalog.planted")

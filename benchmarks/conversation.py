"""How well paperbot understands what readers type: pass rate per kind of message.

    python benchmarks/conversation.py [--set tests/data/conversations.yaml] [--baseline REV] [--show-misses]

Plays every message of the set (each in a fresh chat) and every multi-turn dialogue through the
real handlers (`benchmarks/conversation_driver.py`), judges the replies by the set's checks, and
prints a table. The same set is played through the bot at git revision REV (default: the last
commit with the template parser) in a temporary worktree, so the old numbers sit beside the new
ones in the same run. Then it times understanding + answering per message, at 26 papers and on a
synthetic catalog (`--papers`, default 100,000).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PARSER_REV = "6fa13ee"  # the last commit whose questions went through regex templates


def visible(replies: list[dict[str, Any]]) -> str:
    """What a reader sees: reply texts without markup, plus the URLs behind buttons."""
    parts = []
    for r in replies:
        parts.append(html.unescape(re.sub(r"<[^>]+>", "", r.get("text") or "")))
        parts.extend(b.get("url") or "" for row in r.get("buttons") or [] for b in row)
    return "\n".join(parts).casefold()


def judge(check: dict[str, Any], replies: list[dict[str, Any]]) -> list[str]:
    """The problems of one turn's replies against its check (empty: passed)."""
    shown = visible(replies)
    problems = [f"none of {g}" for g in check.get("all", []) if not any(s.casefold() in shown for s in g)]
    problems += [f"{s!r} must not appear" for s in check.get("none", []) if s.casefold() in shown]
    if check.get("document") and not any((r.get("document") or {}).get("bytes", 0) > 0 for r in replies):
        problems.append("no document sent")
    if check.get("silent") and replies:
        problems.append("should stay silent")
    if not check.get("silent") and not replies:
        problems.append("no reply")
    return problems


def load_set(path: Path) -> list[tuple[str, bool, list[dict[str, Any]]]]:
    """(kind, group, turns) for every message and dialogue; dialogues are the kind `follow-up`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = [(kind, bool(m.get("group")), [m]) for kind, messages in data["messages"].items() for m in messages]
    cases += [("follow-up", bool(d.get("group")), d["turns"]) for d in data["dialogues"]]
    return cases


def score(cases: list[tuple[str, bool, list[dict[str, Any]]]], played: list[list[list[dict[str, Any]]]]
          ) -> tuple[dict[str, list[int]], list[str]]:
    """{kind: [passed, total]} and a line per miss."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for (kind, group, turns), replies in zip(cases, played, strict=True):
        problems = [f"turn {n} {t['text']!r}: {p}" for n, (t, r) in enumerate(zip(turns, replies, strict=True), 1)
                    for p in judge(t, r)]
        table[kind][1] += 1
        table[kind][0] += not problems
        if problems:
            misses.append(f"  [{kind}{', group' if group else ''}] " + "; ".join(problems))
    return table, misses


def driver_input(cases: list[tuple[str, bool, list[dict[str, Any]]]]) -> dict[str, Any]:
    return {"cases": [{"group": group, "turns": [t["text"] for t in turns]} for _, group, turns in cases]}


def play_here(cases: list[tuple[str, bool, list[dict[str, Any]]]]) -> list[list[list[dict[str, Any]]]]:
    sys.path.insert(0, str(ROOT))
    from benchmarks.conversation_driver import play

    with tempfile.TemporaryDirectory() as cache:
        return asyncio.run(play(driver_input(cases)["cases"], Path(cache)))


def play_at(rev: str, cases: list[tuple[str, bool, list[dict[str, Any]]]]) -> list[list[list[dict[str, Any]]]] | str:
    """The same cases through the bot at another revision; a string says why it could not run."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        made = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev],
                              capture_output=True, text=True)
        if made.returncode != 0:
            return f"no worktree at {rev}: {made.stderr.strip()[-200:]}"
        try:
            env = dict(os.environ, PYTHONPATH=str(tree))
            for name in list(env):
                if name.startswith("PAPERBOT_"):
                    del env[name]
            proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "conversation_driver.py")],
                                  input=json.dumps(driver_input(cases)), capture_output=True, text=True,
                                  env=env, cwd=tmp, timeout=900)
            if proc.returncode != 0:
                return f"revision {rev} failed: {proc.stderr.strip()[-300:]}"
            return json.loads(proc.stdout)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)


def latency(papers: int) -> tuple[float, float, int]:
    """(p50, p99 in ms, messages) of understanding + answering the set's texts, no Telegram."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.synthetic import generated
    from bot.conversation.answer import answer_text
    from bot.conversation.library import load_library
    from bot.conversation.understand import ChatContext
    from bot.settings import Settings

    env: dict[str, Any] = {"PAPERBOT_CACHE_DIR": ROOT / "benchmarks" / "_generated" / "cache"}
    if papers:
        env["PAPERBOT_CATALOG"] = generated(papers)
    lib = load_library(Settings(**env))  # type: ignore[arg-type]
    texts = [t["text"] for _, _, turns in load_set(ROOT / "tests" / "data" / "conversations.yaml") for t in turns]
    times = []
    for _ in range(3):
        for text in texts:
            start = time.process_time()   # CPU time: on a shared machine wall time measures the neighbours
            answer_text(text, lib, ChatContext(), private=True)
            times.append((time.process_time() - start) * 1000)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99)], len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", type=Path, default=ROOT / "tests" / "data" / "conversations.yaml")
    parser.add_argument("--baseline", default=TEMPLATE_PARSER_REV, help="git revision to compare with ('' to skip)")
    parser.add_argument("--papers", type=int, default=100_000, help="synthetic catalog size for latency (0 to skip)")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    cases = load_set(args.set)
    start = time.perf_counter()
    table, misses = score(cases, play_here(cases))
    elapsed = time.perf_counter() - start
    old: dict[str, list[int]] | None = None
    why = ""
    if args.baseline:
        played = play_at(args.baseline, cases)
        if isinstance(played, str):
            why = played
        else:
            old, _ = score(cases, played)

    head = f"| kind | cases | paperbot | template parser ({args.baseline}) |" if old else "| kind | cases | paperbot |"
    print(head)
    print("|---|---:|---:|---:|" if old else "|---|---:|---:|")
    total = [0, 0]
    old_total = [0, 0]
    for kind, (ok, n) in table.items():
        total[0] += ok
        total[1] += n
        row = f"| {kind} | {n} | {ok / n:.1%} |"
        if old:
            old_total[0] += old[kind][0]
            old_total[1] += old[kind][1]
            row += f" {old[kind][0] / n:.1%} |"
        print(row)
    last = f"| **all** | {total[1]} | **{total[0] / total[1]:.1%}** |"
    print(last + (f" {old_total[0] / old_total[1]:.1%} |" if old else ""))
    print(f"\n{total[1]} cases played in {elapsed:.1f} s" + (f"; baseline skipped: {why}" if why else ""))
    if args.show_misses and misses:
        print("\nmisses:\n" + "\n".join(misses))

    sizes = [26] + ([args.papers] if args.papers else [])
    print("\n| papers | messages | understand + answer p50 (CPU ms) | p99 (CPU ms) |\n|---:|---:|---:|---:|")
    for size in sizes:
        p50, p99, n = latency(0 if size == 26 else size)
        print(f"| {size:,} | {n} | {p50:.2f} | {p99:.2f} |")


if __name__ == "__main__":
    main()

"""The README's embedded default, `paperbot chat`, and the contract's `ask` and `search`."""

from __future__ import annotations

import json
import subprocess
import sys


def run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


def test_chat_answers_each_line_and_presses_buttons() -> None:
    proc = run(["chat"], "/paper medsua\n!1\n!99\nLLM论文\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Medusa: Simple LLM Inference Acceleration" in out and "[ Abstract ]" in out
    assert "Medusa-1" in out and "[ Less ]" in out  # !1 pressed Abstract: the card expanded
    assert "📎 2023-ai-core-papers.zip (" in out and "<b>" not in out
    assert "(no button 99: the last reply has " in out and "“99”" not in out   # not sent as text


def test_chat_in_a_group_stays_quiet_on_chatter_and_piped_lines_read_as_a_chat() -> None:
    proc = run(["chat", "--group"], "anyone up for lunch?\n/paper gptq\n")
    assert proc.returncode == 0 and "GPTQ" in proc.stdout and "lunch" not in proc.stdout.split("you>")[-1]
    assert "the bot is @PaperLocalBot" in proc.stdout.splitlines()[0]
    lines = proc.stdout.splitlines()
    assert "you> anyone up for lunch?" in lines and "you> /paper gptq" in lines   # echoed, one a line
    assert "you> you>" not in proc.stdout and proc.stdout.endswith("\n")


def test_ask_json_shape() -> None:
    proc = run(["ask", "LLM论文", "--json"])
    replies = json.loads(proc.stdout)["replies"]
    assert [set(r) for r in replies] == [{"text", "parse_mode", "buttons", "document"}] * 2
    assert replies[1]["document"]["bytes"] > 0 and replies[0]["parse_mode"] == "HTML"


def test_search_reads_queries_from_stdin() -> None:
    proc = run(["search", "-", "--json", "--limit", "2"], "fa2\nbitcoin price\n")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["fa2", "bitcoin price"]
    assert lines[0]["results"][0]["arxiv"] == "2307.08691" and lines[1]["results"] == []


def test_chat_json_is_one_line_per_message_with_context_and_buttons() -> None:
    proc = run(["chat", "--json"], "/paper gptq\n它的代码在哪\n/list multimodal\n!1\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 4 and all(set(line) == {"replies"} for line in lines)
    assert "GPTQ" in lines[0]["replies"][0]["text"]
    assert "github.com/IST-DASLab/gptq" in lines[1]["replies"][0]["text"]  # context carried over
    assert "BLIP-2" in lines[3]["replies"][0]["text"]  # !1 pressed the list's first button


def test_chat_json_in_a_group_prints_an_empty_line_for_chatter() -> None:
    proc = run(["chat", "--json", "--group"], "anyone up for lunch?\n@PaperLocalBot who made medusa\n")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert lines[0] == {"replies": []} and "Princeton" in lines[1]["replies"][0]["text"]

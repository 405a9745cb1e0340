"""The conversation set (tests/data/conversations.yaml) through the real handlers: the bar the
benchmark reports against, so a change that breaks understanding fails here, not only in a table."""

from __future__ import annotations

from benchmarks.conversation import load_set, play_here, score
from tests.conftest import ROOT

OVERALL = 0.99   # 99.7% today: three new misses fail it
PER_KIND = 0.95


def test_the_conversation_set_passes_its_bar() -> None:
    cases = load_set(ROOT / "tests" / "data" / "conversations.yaml")
    assert len([c for c in cases if c[0] != "follow-up"]) >= 300 and len([c for c in cases if c[0] == "follow-up"]) >= 30
    table, misses = score(cases, play_here(cases))
    passed = sum(ok for ok, _ in table.values())
    assert passed / len(cases) >= OVERALL, "\n".join(misses)
    weak = {kind: f"{ok}/{n}" for kind, (ok, n) in table.items() if ok / n < PER_KIND}
    assert not weak, f"{weak}\n" + "\n".join(misses)

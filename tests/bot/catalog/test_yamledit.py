"""Edits to papers in the catalog's text: only the lines changed move, comments and order stay."""

from __future__ import annotations

import pytest

from bot.catalog.yamledit import EditError, Flow, PaperChange, edit_papers

TEXT = """# the catalog
papers:
- id: a
  title: A   # a comment on the title
  authors: ["Ada Lovelace"]
  links:
    code: https://github.com/x/a

  # between papers
- id: b
  title: B
  errata:
  - field: title
    digest: b
    note: capitals
- id: c
  title: C
  links: {code: https://github.com/x/c}
"""


def test_values_are_replaced_or_added_where_they_belong() -> None:
    out = edit_papers(TEXT, "f.yaml", {
        "a": PaperChange({"title": "A2", "links.data": "https://d.org", "citations": Flow(count=3, read="2026-12-02"),
                          "authors": ("Ada Lovelace", "Charles Babbage")}),
        "b": PaperChange(append={"errata": [{"field": "authors", "note": "n", "replaced": ("X",)}],
                                 "provenance": [{"field": "title", "source": "the paper"}]}),
    })
    assert out == """# the catalog
papers:
- id: a
  title: A2
  authors: ["Ada Lovelace", "Charles Babbage"]
  links:
    code: https://github.com/x/a
    data: https://d.org
  citations: {count: 3, read: '2026-12-02'}

  # between papers
- id: b
  title: B
  errata:
  - field: title
    digest: b
    note: capitals
  - field: authors
    note: n
    replaced: ["X"]
  provenance:
  - field: title
    source: the paper
- id: c
  title: C
  links: {code: https://github.com/x/c}
"""


def test_a_flow_style_mapping_or_an_unknown_paper_is_refused() -> None:
    with pytest.raises(EditError, match="flow style"):
        edit_papers(TEXT, "f.yaml", {"c": PaperChange({"links.code": "https://github.com/x/c2"})})
    with pytest.raises(EditError, match="no paper 'zz'"):
        edit_papers(TEXT, "f.yaml", {"zz": PaperChange({"title": "Z"})})
    assert edit_papers(TEXT, "f.yaml", {"a": PaperChange()}) == TEXT

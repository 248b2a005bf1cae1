"""The rendered file loads back to exactly the proposed rules, whatever the names."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dbrefresh.rules.init_yaml import TableBlock, render
from dbrefresh.rules.propose import ColumnProposal

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda s: s.strip() == s and "\x85" not in s and "\u2028" not in s)


@settings(max_examples=200, deadline=None)
@given(table=names, columns=st.lists(names, min_size=1, max_size=5, unique=True))
def test_any_names_round_trip(table: str, columns: list[str]) -> None:
    proposals = [
        ColumnProposal(c, "digits", {"keep_prefix": 3}, why=["name: x\n# y"]) for c in columns
    ]
    text = render("db", [TableBlock(f"s.{table}", proposals, "note\nwith newline")])
    loaded = yaml.safe_load(text)
    rules = loaded["tables"][f"s.{table}"]["columns"]
    assert list(rules) == columns
    assert all(r == {"strategy": "digits", "keep_prefix": 3} for r in rules.values())


def test_shape_of_a_small_file() -> None:
    columns = [
        ColumnProposal("id"),
        ColumnProposal("email", "email", {"unique": True}, unique=True, why=["a", "b"]),
        ColumnProposal("notes", "null", why=["free text"]),
        ColumnProposal("on"),
    ]
    text = render("shop", [TableBlock("public.z", []), TableBlock("public.c", columns)])
    assert "\n  public.c:\n" in text
    assert text.index("public.c:") < text.index("public.z:")
    assert "      email: {strategy: email, unique: true}  # a; b\n" in text
    assert "      notes: 'null'  # free text\n" in text
    assert "      'on': keep\n" in text
    assert text.endswith("  public.z: keep\n")

"""Rule files are read as written: YAML's implicit dates stay text (every rule value
ends up in SQL as text, and a date object is no string to a strategy's parameters)."""

from __future__ import annotations

from pathlib import Path

from dbrefresh.rules.load import load_rules

RULES = """version: 1
tables:
  public.contracts:
    columns:
      id: keep
      valid_until: {strategy: date_shift, keep: [9999-12-31, 1900-01-01 00:00:00+00:00]}
      signed_on: {strategy: constant, value: 2020-01-01}
      quarter: {strategy: choice, values: [2024-01-01, 2024-04-01]}
"""


def test_unquoted_dates_are_taken_as_written(tmp_path: Path) -> None:
    path = tmp_path / "contracts.yaml"
    path.write_text(RULES, encoding="utf-8")
    columns = load_rules([path]).tables["public.contracts"].columns
    assert columns["valid_until"].params.keep == ("9999-12-31", "1900-01-01 00:00:00+00:00")
    assert columns["signed_on"].params.value == "2020-01-01"
    assert columns["quarter"].params.values == ["2024-01-01", "2024-04-01"]


def test_booleans_and_integers_are_yaml_1_2s(tmp_path: Path) -> None:
    """YAML 1.1 reads NO (Norway), yes, on and off as booleans (a constant of NO wrote
    'false' into a country column), and 01234 as an octal number."""
    path = tmp_path / "countries.yaml"
    path.write_text(
        "version: 1\ntables:\n  public.addresses:\n    columns:\n"
        "      country: {strategy: constant, value: NO}\n"
        "      region: {strategy: choice, values: [on, off]}\n"
        "      email: {strategy: email, unique: true}\n"
        "      postcode: {strategy: constant, value: 01234}\n"
        "      opens: {strategy: constant, value: 10:30}\n"
        "      born: {strategy: date_shift, max_days: 30}\n",
        encoding="utf-8",
    )
    columns = load_rules([path]).tables["public.addresses"].columns
    assert columns["country"].params.value == "NO"
    assert columns["region"].params.values == ["on", "off"]
    assert columns["email"].unique is True
    # YAML 1.1 integers: 01234 was octal 668, 10:30 sexagesimal 630; decimals stay ints
    assert columns["postcode"].params.value == "01234"
    assert columns["opens"].params.value == "10:30"
    assert columns["born"].params.max_days == 30


def test_a_files_locale_reaches_its_column_rules_only(tmp_path: Path) -> None:
    """defaults.locale is per file: the rules of a file without one stay mixed."""
    german = tmp_path / "german.yaml"
    german.write_text(
        "version: 1\ndefaults: {locale: de_DE}\ntables:\n  public.kunden:\n    columns:\n"
        "      vorname: first_name\n      stadt: {strategy: city, locale: [fr_FR, it_IT]}\n"
    )
    plain = tmp_path / "plain.yaml"
    plain.write_text("version: 1\ntables:\n  public.users:\n    columns:\n      name: full_name\n")
    rules = load_rules([german, plain])
    kunden = rules.tables["public.kunden"].columns
    assert kunden["vorname"].locale == ("de_DE",)
    assert kunden["vorname"].params.locale is None  # the file's, not the rule's own
    assert kunden["stadt"].params.locale == ("fr_FR", "it_IT")
    assert rules.tables["public.users"].columns["name"].locale == ()

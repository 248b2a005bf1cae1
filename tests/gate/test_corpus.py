"""The static analysis agrees with eugene's expected verdict and rule class on every public
case in ../shared/gate-corpus, except the deliberate disagreements documented in
docs/gate.md (asserted here too, so a change of behaviour on them is noticed)."""

from __future__ import annotations

import csv

import pytest

from dbrefresh.gate.run import GateOptions, gate
from tests.gate.conftest import CORPUS

# case -> (our verdict, our eugene ids, why we disagree). Keep in sync with docs/gate.md.
DISAGREEMENTS = {
    "eugene__E5__good.sql": (
        "unsafe",
        {"E1"},
        "4.sql validates the CHECK in the same ALTER TABLE as DROP COLUMN: the scan runs "
        "under ACCESS EXCLUSIVE; 3.sql backfills the whole table in one UPDATE",
    ),
}


def _cases() -> list[dict[str, str]]:
    with (CORPUS / "expected.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["case_file"])
def test_static_analysis_matches_expected_verdict_and_rules(case: dict[str, str]) -> None:
    result = gate([CORPUS / case["case_file"]], GateOptions())

    verdict = "safe" if result.passed else "unsafe"
    rules = {e for f in result.findings for e in f.eugene if f.finding.severity != "info"}
    expected_rules = {r for r in case["expected_rules"].split(",") if r}
    expected_verdict = case["expected_verdict"]
    if case["case_file"] in DISAGREEMENTS:
        expected_verdict, expected_rules, _ = DISAGREEMENTS[case["case_file"]]
    assert (verdict, rules) == (expected_verdict, expected_rules), [
        f.finding.render() for f in result.findings
    ]


def test_corpus_is_complete() -> None:
    cases = _cases()
    assert len(cases) == 20
    assert all((CORPUS / c["case_file"]).is_file() for c in cases)

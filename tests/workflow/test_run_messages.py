"""What `dbrefresh run` says when rules or masking fail: in the run's own terms.

A rules file naming a database production lacks was said as a Python list, and only
after the snapshot; a masking refusal inside a run advised `run anonymize again`, a
command the run's user does not run, once per relation of the group it rolled back.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from wfsupport import Production, Setup, config_text, shop_rules


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup]) -> Setup:
    return make_setup("runmessages")


def _with_rules(setup: Setup, rules: str) -> None:
    path = setup.dir / "shop.yaml"
    path.write_text(rules)
    text = config_text(setup).replace(f"files: [{shop_rules()}]", f"files: [{path}]")
    assert str(path) in text
    setup.config.write_text(text)


def test_rules_naming_a_database_production_lacks_are_refused_before_the_copy(
    setup: Setup, production: Production
) -> None:
    before = setup.refreshed_by()
    _with_rules(setup, shop_rules().read_text().replace("database: shop", "database: shopx"))
    try:
        proc = setup.cli("run")
    finally:
        setup.write_config()
    assert proc.returncode == 2, proc.stderr
    err = " ".join(proc.stderr.split())
    rules = setup.dir / "shop.yaml"
    assert f"rules name database shopx ({rules}), which production does not have (it has: " in err
    assert "shop, " in err and "warehouse" in err and "['shopx']" not in err
    assert not (setup.state_dir / "runs").exists()  # refused before a run began
    parent = setup.staging.data_dir.parent
    assert [p.name for p in parent.iterdir() if p.name.startswith(".dbrefresh-")] == []
    assert setup.refreshed_by() == before


def test_a_refusal_at_the_swap_advises_a_new_run_and_is_said_once(setup: Setup) -> None:
    """customers' phone rule fails past the preflight's sample (its first 1,000 rows):
    the error is said once, at customers, the tables tied to it are named as not
    written, and the advice is a new `dbrefresh run`, not `anonymize` again."""
    rule = (
        "phone: {strategy: sql, expression: "
        "\"CASE WHEN id <= 1500 THEN 'x' || id ELSE (1 / (id - id))::text END\"}"
    )
    rules = shop_rules().read_text()
    assert "      phone: phone\n" in rules
    before = setup.refreshed_by()
    _with_rules(setup, rules.replace("      phone: phone\n", f"      {rule}\n", 1))
    try:
        proc = setup.cli("run")
    finally:
        setup.write_config()
    assert proc.returncode == 2, proc.stderr
    err = " ".join(proc.stderr.split())
    assert "masking failed for public.customers (rolled back): division by zero;" in err, err
    assert err.count("division by zero") == 1, err
    assert "public.addresses" in err and "not written because of it" in err
    assert "start `dbrefresh run` again (staging is untouched" in err
    assert "anonymize again" not in err and "Traceback" not in err
    assert setup.refreshed_by() == before

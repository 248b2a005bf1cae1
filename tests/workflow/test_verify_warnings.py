"""verify's warnings reach `dbrefresh run`'s output, journal and webhook.

The verify step used to call the API that returns findings only, so a masked column of
which nothing was sampled (anonymize/unsampled.py: its leak check proved nothing) was
shown by `dbrefresh verify` and silently dropped by `dbrefresh run`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from wfsupport import Setup, config_text, shop_rules, webhook_receiver

# products.name ("Widget 12") masked with a prefix longer than any name: every value is
# kept as it is, none sampled, and verify passes with a warning
UNSAMPLED = "name: {strategy: digits, keep_prefix: 64}"


@pytest.fixture(scope="module")
def webhook() -> Iterator[tuple[str, list[dict[str, object]]]]:
    with webhook_receiver() as hook:
        yield hook


def test_a_nothing_sampled_warning_reaches_the_run_report_and_webhook(
    make_setup: Callable[[str], Setup], webhook: tuple[str, list[dict[str, object]]]
) -> None:
    setup = make_setup("verifywarn")
    text = shop_rules().read_text()
    products = text.index("public.products:")
    name = text.index("name: keep", products)
    rules = setup.dir / "shop.yaml"
    rules.write_text(text[:name] + UNSAMPLED + text[name + len("name: keep") :])
    setup.config.write_text(
        config_text(setup, webhook=webhook[0]).replace(str(shop_rules()), str(rules))
    )
    proc = setup.cli("run", "--json", check=True)  # a warning, not a failure
    report = json.loads(proc.stdout)
    assert report["state"] == "done"
    [verify] = [s for s in report["steps"] if s["name"] == "verify"]
    [warning] = verify["data"]["warnings"]
    # at the column's rule (file:line), then the column
    assert warning.startswith(f"shop: nothing-sampled: {rules}:")
    assert "public.products.name: masked, but" in warning
    sent = webhook[1][-1]
    assert warning in sent["dbrefresh"]["warnings"]  # type: ignore[index]
    assert "public.products.name" in str(sent["text"])


def test_a_kept_column_that_looks_personal_reaches_the_run_report(
    make_setup: Callable[[str], Setup],
) -> None:
    """verify_drift.py's warning (a kept column rules init would now mask) passes the
    run, named in its report like nothing-sampled."""
    setup = make_setup("verifydrift")
    text = shop_rules().read_text()
    rules = setup.dir / "shop.yaml"
    rules.write_text(text.replace("      phone: phone\n", "      phone: keep\n", 1))
    setup.config.write_text(config_text(setup).replace(str(shop_rules()), str(rules)))
    proc = setup.cli("run", "--json", check=True)
    report = json.loads(proc.stdout)
    assert report["state"] == "done"
    [verify] = [s for s in report["steps"] if s["name"] == "verify"]
    [warning] = verify["data"]["warnings"]
    assert warning.startswith(f"shop: kept-looks-personal: {rules}:")
    assert "public.customers.phone: kept, but its values now look personal" in warning

"""Whole postal addresses in one value keep their layout: pretix's invoice_to
('Clarke Group\\nErnestine Kelly\\nTäscheplatz 8/1\\n96036 Bakershire'), Traccar's
positions.address ('Zenta-Hartung-Gasse 346, 99351 Recklinghausen, DE') and an outbox's
JSON billTo got `street`, one street line ('2, rue de Valentin'). A template of the
sample's layout masks each part now. And the seller's own address, the same on every
invoice, is a setting: kept with a note."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
from faker import Faker

from dbrefresh.rules import address_layouts

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

SELLER = "Veranstaltungs GmbH\nMusterstraße 1\n10115 Berlin"
SCHEMA = """
CREATE TABLE pretixbase_invoice (id int PRIMARY KEY, invoice_from text NOT NULL,
  invoice_to text NOT NULL, contact_email varchar(254) NOT NULL);
CREATE TABLE tc_positions (id int PRIMARY KEY, address varchar(512));
CREATE TABLE outbox (id int PRIMARY KEY, payload jsonb NOT NULL);
INSERT INTO pretixbase_invoice VALUES {invoices};
INSERT INTO tc_positions VALUES {positions};
INSERT INTO outbox VALUES {events};
ANALYZE;
"""


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _data() -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Invoices (four lines: company, person, street, postcode town; every tenth without
    the company), positions ('street, postcode town, DE'), events' billTo (3 lines)."""
    Faker.seed(3)
    fake = Faker("de_DE")

    def street_town() -> tuple[str, str]:
        return fake.street_address(), f"{fake.postcode()} {fake.city()}"

    invoices, positions, events = {}, {}, {}
    for i in range(1, 121):
        street, town = street_town()
        lines = [fake.company(), fake.name(), street, town]
        invoices[i] = "\n".join(lines[1:] if i % 10 == 0 else lines)
        street, town = street_town()
        positions[i] = f"{street}, {town}, DE"
        street, town = street_town()
        events[i] = f"{fake.first_name()} {fake.last_name()}\n{street}\n{town}"
    return invoices, positions, events


def test_layouts_are_read() -> None:
    found = address_layouts.propose(
        ["Clarke Group\nErnestine Kelly\nTäscheplatz 8/1\n96036 Bakershire"]
    )
    assert (
        found is not None
        and found.template == "{company}\n{full_name}\n{street}\n{postcode} {city}"
    )
    found = address_layouts.propose(["Zenta-Hartung-Gasse 346, 99351 Recklinghausen, DE"] * 3)
    assert found is not None and found.template == "{street}, {postcode} {city}, DE"
    found = address_layouts.propose(["2, rue de Valentin, Paris 75001"])
    assert found is not None and found.template == "{street}, {city} {postcode}"
    # a street alone, or a sentence, is no laid-out address
    assert (
        address_layouts.propose(["12 Main Street", "Call me at 12 Main Street, 48337 today"])
        is None
    )


def _lines(value: str, separator: str, count: int) -> list[str]:
    """The lines of an address; a street may hold ', ' ('Via Roma, 12'): split from the end."""
    return value.rsplit(separator, count - 1)


def test_whole_addresses_keep_their_layout(make_db, tmp_path: Path) -> None:
    invoices, positions, events = _data()
    rows = ", ".join(
        f"({i}, {_quoted(SELLER)}, {_quoted(v)}, 'billing@veranstaltung.example')"
        for i, v in invoices.items()
    )
    places = ", ".join(f"({i}, {_quoted(v)})" for i, v in positions.items())
    outbox = ", ".join(
        f"({i}, {_quoted(json.dumps({'billTo': v, 'total': i}))})" for i, v in events.items()
    )
    schema = SCHEMA.format(invoices=rows, positions=places, events=outbox)
    dsn, text = generate_then_mask(make_db, tmp_path, schema)

    invoice = "public.pretixbase_invoice"
    assert rule_of(text, invoice, "invoice_to") == {
        "strategy": "template",
        "template": "{company}\n{full_name}\n{street}\n{postcode} {city}",
    }, text
    assert "company, full name, street, postcode city, one a line" in comment_of(
        text, invoice, "invoice_to"
    )
    assert rule_of(text, "public.tc_positions", "address") == {
        "strategy": "template",
        "template": "{street}, {postcode} {city}, DE",
    }, text
    assert rule_of(text, "public.outbox", "payload")["paths"]["billTo"] == {
        "strategy": "template",
        "template": "{full_name}\n{street}\n{postcode} {city}",
    }, text
    assert strategy_of(text, invoice, "invoice_from") == "keep", text  # see below

    with psycopg.connect(dsn) as conn:
        streets = {r[0] for r in conn.execute("SELECT unnest(dbrefresh.dict_street())")}
        cities = {r[0] for r in conn.execute("SELECT unnest(dbrefresh.dict_city())")}
        postcodes = {r[0] for r in conn.execute("SELECT unnest(dbrefresh.dict_postcode())")}
        masked_invoices = dict(conn.execute("SELECT id, invoice_to FROM pretixbase_invoice"))
        froms = {r[0] for r in conn.execute("SELECT invoice_from FROM pretixbase_invoice")}
        masked_positions = dict(conn.execute("SELECT id, address FROM tc_positions"))
        masked_events = dict(conn.execute("SELECT id, payload->>'billTo' FROM outbox"))
    assert froms == {SELLER}

    def town_ok(line: str) -> bool:
        # a postcode may hold a space ('SR08 7UX')
        return any(line.startswith(f"{p} ") and line[len(p) + 1 :] in cities for p in postcodes)

    for originals, masked, separator, count in (
        (invoices, masked_invoices, "\n", 4),
        (positions, masked_positions, ", ", 3),
        (events, masked_events, "\n", 3),
    ):
        for i, original in originals.items():
            new = _lines(masked[i], separator, count)
            assert len(new) == count, masked[i]  # the 3-line invoices take 4 lines too
            old = _lines(original, separator, count)
            if len(old) == count:
                kept = [o for o, n in zip(old, new, strict=True) if o == n]
                assert kept in ([], ["DE"]), (original, masked[i])
            town = new[1] if separator == ", " else new[-1]
            assert town_ok(town), masked[i]  # postcode and town from the dictionaries
            assert new[count - 2 if separator == "\n" else 0] in streets, masked[i]
        assert all(o not in set(masked.values()) for o in originals.values())


SETTINGS = """
CREATE TABLE invoice (id int PRIMARY KEY, invoice_from text, contact_email text, invoice_to text);
INSERT INTO invoice SELECT i, {seller}, 'billing@veranstaltung.example',
  CASE WHEN i < 50 THEN {seller} END FROM generate_series(1, 60) AS i;
ANALYZE;
"""


def test_one_value_on_every_row_is_a_setting(make_db, tmp_path: Path) -> None:
    """The seller's own address on each of 60 invoices is kept with a note; one email
    address on every row is still masked, and 49 rows of one address are too few to
    call it a setting."""
    schema = SETTINGS.format(seller=_quoted(SELLER))
    dsn, text = generate_then_mask(make_db, tmp_path, schema)
    assert strategy_of(text, "public.invoice", "invoice_from") == "keep", text
    note = comment_of(text, "public.invoice", "invoice_from")
    assert "one and the same" in note and "each part masked" not in note, note
    assert strategy_of(text, "public.invoice", "contact_email") == "email", text
    assert strategy_of(text, "public.invoice", "invoice_to") == "template", text
    with psycopg.connect(dsn) as conn:
        froms = {r[0] for r in conn.execute("SELECT invoice_from FROM invoice")}
    assert froms == {SELLER}

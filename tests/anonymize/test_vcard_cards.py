"""vcard through anonymize and verify: Nextcloud's oc_cards.carddata (bytea) and a text
column of vCards.

One card in the bytea column that was no UTF-8 (a Latin-1 import, a client's garbage)
failed the whole table's masking (convert_from raised), so anonymize failed: now it is
read as Latin-1, masked like any card and written back as UTF-8, and verify passes.
The leak sample evaluated vcard's condition (its whole masking) twice a text value,
once for the hash and once for the folded hash: now once, with the same hashes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import psycopg

from dbrefresh.anonymize.session import prepare_session
from dbrefresh.catalog import read_catalog
from dbrefresh.rules.compiler import compile_plan
from dbrefresh.rules.load import load_rules
from dbrefresh.strategies.keyed import derive_key
from tests.anonymize.helpers import db_with_rules, mask_and_verify

# Folded lines (CRLF and a space, a fold inside a name and an address), LF-only lines,
# and vCard 2.1's typed parameters without TYPE= (TEL;HOME, EMAIL;INTERNET)
FOLDED = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ingrid Berg\r\n man\r\nN:Berg\r\n man;Ingrid;;;\r\n"
    "EMAIL;TYPE=HOME:ingrid.berg\r\n man@mail.example\r\nTEL;TYPE=CELL:+46 70 12\r\n 3 45 67\r\n"
    "ADR;TYPE=HOME:;;Storgatan\r\n  12;Stockholm;;11122;Sweden\r\nBDAY:1955-0\r\n 8-29\r\n"
    "END:VCARD\r\n"
)
LF_ONLY = (
    "BEGIN:VCARD\nVERSION:3.0\nFN:Kasper Lund\nN:Lund;Kasper;;;\nEMAIL:kasper.lund@post.example\n"
    "TEL;TYPE=work:+45 32 11 22 33\nADR:;;Vesterbrogade 9;Copenhagen;;1620;\n"
    "BDAY:19610214\nEND:VCARD\n"
)
OLD = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Okafor;Chidi\r\nFN:Chidi Okafor\r\n"
    "TEL;HOME:+234 803 555 0199\r\n"
    "EMAIL;INTERNET:chidi.okafor@mail.example\r\nADR;HOME:;;14 Marina Road;Lagos;;101241;\r\n"
    "BDAY:1977-11-03\r\nEND:VCARD\r\n"
)
VALID = {1: FOLDED, 2: LF_ONLY, 3: OLD}
PERSONAL = {
    1: ("Ingrid", "Bergman", "ingrid.bergman", "123 45 67", "Storgatan", "Stockholm", "1955-08-29"),
    2: ("Kasper", "Lund", "kasper.lund", "11 22 33", "Vesterbrogade", "Copenhagen", "19610214"),
    3: ("Chidi", "Okafor", "chidi.okafor", "0199", "Marina", "Lagos", "1977-11-03"),
}
LATIN1 = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1:Müller;Jürgen\r\n"
    "FN;CHARSET=ISO-8859-1:Jürgen Müller\r\nEMAIL;INTERNET:juergen.mueller@web.example\r\n"
    "ADR;HOME:;;Hauptstraße 5;München;;80331;Deutschland\r\nEND:VCARD\r\n"
).encode("latin-1")
GARBAGE = b"FN:Kurt Weber\r\n\xff\xd8\x00\x10JFIF\x00 kurt.weber@mail.example\r\n"
GARBAGE += bytes(range(256))

SCHEMA = """
CREATE TABLE oc_cards (id bigint PRIMARY KEY, carddata bytea, uri varchar(255));
CREATE TABLE contacts (id int PRIMARY KEY, card text NOT NULL, name text NOT NULL);
"""
RULES = """version: 1
tables:
  public.oc_cards:
    columns: {id: keep, carddata: vcard, uri: keep}
  public.contacts:
    columns: {id: keep, card: vcard, name: full_name}
"""
CALENDAR = "BEGIN:VCALENDAR\r\nUID:1\r\nDTSTART:20240115T090000Z\r\nEND:VCALENDAR\r\n"
CONTENT_LINE = re.compile(r"([A-Za-z0-9-]+)((?:;[^;:]+)*):(.*)")  # (2.1: bare parameters)


def _properties(card: str) -> dict[str, str]:
    """Each property's value, once the card is unfolded; fails on a line that is no
    content line, or on a card not from BEGIN:VCARD to END:VCARD."""
    lines = re.sub(r"\r?\n[ \t]", "", card).rstrip("\r\n").split("\n")
    parsed = [CONTENT_LINE.fullmatch(line.rstrip("\r")) for line in lines]
    assert all(parsed), card
    props = {m[1].upper(): m[3] for m in parsed if m}
    assert lines[0].rstrip("\r") == "BEGIN:VCARD" and lines[-1].rstrip("\r") == "END:VCARD"
    return props


def _database(make_db: Callable[[], str], tmp_path: Path) -> tuple[str, Path]:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "cards.yaml")
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = [(i, card.encode()) for i, card in VALID.items()] + [(4, LATIN1), (5, GARBAGE)]
        for i, data in rows:
            conn.execute("INSERT INTO oc_cards VALUES (%s, %s, %s)", (i, data, f"{i}.vcf"))
        for i, card in [*VALID.items(), (4, CALENDAR)]:
            conn.execute("INSERT INTO contacts VALUES (%s, %s, 'Ingrid Bergman')", (i, card))
    return dsn, rules


def test_a_card_that_is_no_utf8_is_masked_not_failing_the_table(
    make_db: Callable[[], str], tmp_path: Path
) -> None:
    dsn, rules = _database(make_db, tmp_path)
    report = mask_and_verify(dsn, rules)
    assert report.findings == [] and report.sampled["public.oc_cards.carddata"] == 5
    with psycopg.connect(dsn) as conn:
        masked = dict(conn.execute("SELECT id, carddata FROM oc_cards").fetchall())
    cards = {i: bytes(data).decode("utf-8") for i, data in masked.items()}
    for i in VALID:
        props = _properties(cards[i])
        assert all(person not in cards[i] for person in PERSONAL[i]), cards[i]
        assert set(props) == {"BEGIN", "VERSION", "FN", "N", "EMAIL", "TEL", "ADR", "BDAY", "END"}
        assert "@" in props["EMAIL"] and re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", props["BDAY"])
        given, family = props["N"].split(";")[1::-1]
        assert props["FN"] == f"{given} {family}"  # as the masked N: still agreeing
    assert cards[2].count("\r") == 0 and cards[3].count("\r\n") == cards[3].count("\n")
    latin = cards[4]  # read as Latin-1, each property masked, written as UTF-8
    props4 = _properties(latin)
    for person in ("Müller", "Jürgen", "juergen", "Hauptstraße", "München", "80331"):
        assert person not in latin, latin
    assert props4["VERSION"] == "2.1" and props4["ADR"].endswith(";Deutschland")
    assert "@" in props4["EMAIL"] and props4["FN"].count(" ") >= 1
    assert "Kurt" not in cards[5] and "kurt.weber" not in cards[5] and "\x00" not in cards[5]


def test_the_leak_sample_masks_a_text_value_once(
    make_db: Callable[[], str], tmp_path: Path
) -> None:
    dsn, rules = _database(make_db, tmp_path)
    with psycopg.connect(dsn) as conn:
        plan = compile_plan(load_rules([rules]), read_catalog(conn))
    step = next(s for s in plan.steps if s.relation == "public.contacts")
    card = next(m for m in step.masked if m.column == "card")
    assert card.leak_when and len(card.leak_when) > 10_000  # the whole masking
    assert step.record_leaks[-1].count(card.leak_when) == 1
    report = mask_and_verify(dsn, rules)
    assert report.findings == [] and report.sampled["public.contacts.card"] == 3
    originals = {"card": dict(VALID), "name": dict.fromkeys(range(1, 5), "Ingrid Bergman")}
    with psycopg.connect(dsn) as conn:
        prepare_session(conn, derive_key("s"), plan.rules_digest, replica=False)
        recorded = {
            (column, int(key)): (bytes(hash_), bytes(folded))
            for column, key, hash_, folded in conn.execute(
                "SELECT column_name, row_key, hash, folded FROM dbrefresh.leak_hashes"
                " WHERE table_name = 'public.contacts'"
            )
        }
        expected = {
            (column, i): tuple(
                bytes(h)
                for h in conn.execute(
                    "SELECT dbrefresh.leak_hash(%s), dbrefresh.leak_hash(lower(%s))",
                    (text, text),
                ).fetchone()
            )
            for column, texts in originals.items()
            for i, text in texts.items()
        }
    assert recorded == expected  # the calendar (row 4) holds nothing personal: not sampled

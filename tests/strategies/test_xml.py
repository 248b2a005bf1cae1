"""xml: ODK Central's submissions (text) got `lorem` and Axon's event payloads (bytea)
were emptied, so the applications parsed none. Listed elements' text is masked by
their nested strategies, every other byte kept; the result still parses
(xmlparse(document ...)); references are unescaped before and escaped after; bytea is
read as UTF-8; what is no XML or no UTF-8 becomes NULL, never kept nor failing."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

import pytest
from pydantic import ValidationError

from dbrefresh.strategies.registry import get

from .conftest import Masking

ODK = (
    '<?xml version=\'1.0\'?><data id="household_survey" version="2024011501" '
    'xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">'
    "<name>Élise-Astrid Guichard</name>\n  <phone>+33 6 19 40 19 95</phone>"
    "<dob>1980-02-03</dob><gps>41.19 -8.57 120.0 10.0</gps><email> elise.guichard@mail.example "
    "</email><household><size>4</size></household><orx:meta><orx:instanceID>uuid:8fa0c1d2-"
    "0000-4000-8000-00000000abcd</orx:instanceID></orx:meta></data>"
)
AXON = (
    "<com.acme.CustomerRegisteredEvent>\n  <customerId>7d1f</customerId>\n"
    "  <fullName>Tom &amp; Jerry &lt;Smith&gt; Lef&#232;vre</fullName>\n"
    "  <email><![CDATA[tom&jerry@mail.example]]></email>\n</com.acme.CustomerRegisteredEvent>"
)
REFS = "<e><email>elise.guichard&#64;mail.example</email><name/><note>x</note></e>"
TINY = "<e><name>Al Li</name></e>"
VALUES = [ODK, AXON, REFS, "Élise-Astrid Guichard", "", "<name>   </name>", TINY]
ELEMENTS: dict[str, Any] = {
    "name": "full_name",
    "fullName": "full_name",
    "phone": "phone",
    "email": "email",
    "dob": {"strategy": "date_shift", "text": True},
}
PARAMS = {"elements": ELEMENTS}
MASKED_ELEMENTS = re.compile(r"(<(?:[\w.-]+:)?(name|fullName|phone|email|dob)>)(.*?)(</)", re.S)


def _table(masking: Masking) -> None:
    conn = masking.conn
    conn.execute("SET jit = off")
    conn.execute("DROP TABLE IF EXISTS docs")
    conn.execute(
        "CREATE TABLE docs (id int PRIMARY KEY, v text, raw bytea, x xml, short varchar(26),"
        " nn text NOT NULL DEFAULT '', mail text)"
    )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO docs (id, v, raw, x, short, mail) VALUES (%s, %s, convert_to(%s, 'UTF8'),"
            " CASE WHEN %s ~ '^<' THEN %s::xml END, CASE WHEN length(%s) <= 26 THEN %s END,"
            " 'elise.guichard@mail.example')",
            [(i, v, v, v, v, v, v) for i, v in enumerate(VALUES)],
        )
    conn.execute("INSERT INTO docs (id, raw) VALUES (99, '\\xc328'::bytea)")
    conn.execute("UPDATE docs SET nn = v WHERE v IS NOT NULL")


def _skeleton(doc: str) -> str:
    """The document with the masked elements' text taken out: what must stay."""
    return MASKED_ELEMENTS.sub(r"\1\4", doc)


def _parses(masking: Masking, doc: str) -> None:
    masking.conn.execute("SELECT xmlparse(document %s)", (doc,))


def test_listed_elements_masked_every_other_byte_kept(masking: Masking) -> None:
    _table(masking)
    masked = dict(masking.run("xml", PARAMS, "v", table="docs"))
    mail = dict(masking.run("email", {}, "mail", table="docs"))["elise.guichard@mail.example"]
    odk = masked[ODK]
    assert _skeleton(odk) == _skeleton(ODK), odk
    for person in ("Élise", "Guichard", "19 40 19 95", "1980-02-03", "elise.guichard"):
        assert person not in odk, (person, odk)
    assert "<gps>41.19 -8.57 120.0 10.0</gps>" in odk and "<size>4</size>" in odk
    assert "uuid:8fa0c1d2-0000-4000-8000-00000000abcd</orx:instanceID>" in odk
    assert f"<email> {mail} </email>" in odk  # blanks around kept, as an email column
    assert re.search(r"<dob>\d{4}-\d{2}-\d{2}</dob>", odk)
    assert re.search(r"<phone>\+33 \d", odk)
    _parses(masking, odk)
    masked_refs = masked[REFS]  # '&#64;' read as '@' before masking: the same address
    assert masked_refs == f"<e><email>{mail}</email><name/><note>x</note></e>"
    assert masked["Élise-Astrid Guichard"] is None  # no XML: NULL, not kept
    assert masked[""] == "" and masked["<name>   </name>"] == "<name>   </name>"


def test_references_and_cdata_unescaped_then_escaped(masking: Masking) -> None:
    _table(masking)
    params = {
        "elements": {
            "fullName": {"strategy": "constant", "value": "A & <B> ]]>"},
            "email": {"strategy": "constant", "value": "x]]>y"},
        }
    }
    axon = dict(masking.run("xml", params, "v", table="docs"))[AXON]
    assert "<fullName>A &amp; &lt;B&gt; ]]&gt;</fullName>" in axon, axon
    assert "<email><![CDATA[x]]]]><![CDATA[>y]]></email>" in axon, axon
    assert "<customerId>7d1f</customerId>" in axon
    _parses(masking, axon)
    parsed = ElementTree.fromstring(axon)
    assert parsed.findtext("email") == "x]]>y" and parsed.findtext("fullName") == "A & <B> ]]>"
    # a name holding '&' and '<' is masked from its unescaped text, deterministically
    masked = dict(masking.run("xml", PARAMS, "v", table="docs"))[AXON]
    name = re.search(r"<fullName>(.*)</fullName>", masked)
    assert name and "Jerry" not in masked and "Smith" not in masked and "tom&" not in masked
    assert "<![CDATA[" in masked and masked.startswith("<com.acme.CustomerRegisteredEvent>\n")
    _parses(masking, masked)
    assert masked == dict(masking.run("xml", PARAMS, "v", table="docs"))[AXON]


def test_bytea_xml_and_varchar_columns(masking: Masking) -> None:
    _table(masking)
    text = dict(masking.run("xml", PARAMS, "v", table="docs"))
    raw = {
        bytes(k) if k is not None else None: v
        for k, v in masking.run("xml", PARAMS, "raw", table="docs")
    }
    assert bytes(raw[ODK.encode()]).decode() == text[ODK]
    assert bytes(raw[AXON.encode()]).decode() == text[AXON]
    assert raw[b"\xc3\x28"] is None  # no UTF-8: NULL, the table not failed
    assert raw["Élise-Astrid Guichard".encode()] is None and bytes(raw[b""]) == b""
    xml = {i: v for i, (_, v) in enumerate(masking.run("xml", PARAMS, "x", table="docs"))}
    assert "Guichard" not in xml[0] and "<orx:instanceID>uuid:8fa0c1d2" in xml[0]
    assert xml[1] == text[AXON]
    short = {i: v for i, (_, v) in enumerate(masking.run("xml", PARAMS, "short", table="docs"))}
    assert short[6] is None  # longer than 26 characters masked: cut, it would not parse
    assert short[5] == "<name>   </name>" and short[4] == ""
    nn = dict(masking.run("xml", PARAMS, "nn", table="docs"))
    assert nn["Élise-Astrid Guichard"] == ""  # NOT NULL: empty rather than NULL
    expr = masking.expression("xml", PARAMS, masking.context("x", table="docs"))
    row = masking.conn.execute(f"SELECT pg_typeof({expr})::text FROM docs LIMIT 1").fetchone()
    assert row == ("xml",)  # the xml column's values stay xml


def test_leak_sample_skips_documents_it_keeps(masking: Masking) -> None:
    _table(masking)
    s = get("xml")
    ctx = masking.context("v", table="docs")
    when = s.leak_sample_when(s.parse_params(PARAMS), ctx).sql(dialect="postgres")
    masking.use_key("k")
    rows = masking.conn.execute(f"SELECT id, {when} FROM docs ORDER BY id").fetchall()
    sampled = {i for i, changed in rows if changed}
    assert {0, 1, 2, 3} <= sampled and 5 not in sampled and 4 not in sampled


@pytest.mark.parametrize(
    "elements",
    [{"h:name": "full_name"}, {"name": "no_such"}, {"name": "shuffle"}, {"name": "keep"}, {}],
)
def test_bad_parameters_refused(elements: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        get("xml").parse_params({"elements": elements})


def test_fits_text_xml_bytea_only(masking: Masking) -> None:
    _table(masking)
    s = get("xml")
    assert s.check(s.parse_params(PARAMS), masking.context("id", table="docs"))
    assert s.check(
        s.parse_params({"elements": {"dob": "date_shift"}}), masking.context("v", table="docs")
    )


def test_others_masks_what_is_no_xml(masking: Masking) -> None:
    """Axon writes JSON payloads beside XStream ones: `others` masks them (decoded),
    and bytes that are no UTF-8 still become NULL rather than fail the table."""
    conn = masking.conn
    conn.execute("DROP TABLE IF EXISTS events")
    conn.execute("CREATE TABLE events (id int PRIMARY KEY, payload bytea)")
    rows = [
        (1, b"<e><email>ann@mail.example</email></e>"),
        (2, b'{"email": "ann@mail.example", "amount": 5}'),
        (3, b"\xff\xfe"),
    ]
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO events VALUES (%s, %s)", rows)
    params = {
        "elements": {"email": "email"},
        "others": {"strategy": "jsonb", "paths": {"email": "email"}},
    }
    masked = {bytes(o): m for o, m in masking.run("xml", params, "payload", table="events")}
    xml, json = bytes(masked[rows[0][1]]).decode(), bytes(masked[rows[1][1]]).decode()
    address = re.fullmatch(r"<e><email>(.+)</email></e>", xml)
    assert address and address[1] != "ann@mail.example"
    assert json == f'{{"email": "{address[1]}", "amount": 5}}'
    assert masked[b"\xff\xfe"] is None


CONTACT = (
    '<?xml version="1.0"?>\n<order id="A-17" version="3" type="B2C" xmlns:c="urn:crm">'
    '<c:contact email = "Ann.Lee@mail.example" name=\'Ann "Annie" O&apos;Lee &amp; Co\''
    ' phone="+33 6 19 40 19 95" kind="primary"/>\n  <person firstName="  Élise &#233;  "'
    ' role="buyer"><name>Ann Lee</name></person><note lang="en">keep me</note></order>'
)
DECOY = (
    '<order id="A-18" version="2024011501" type="B2B" status="OPEN"><line sku="X-1"'
    ' qty="2"/></order>'
)
ATTRIBUTES: dict[str, Any] = {
    "email": "email",
    "name": "full_name",
    "phone": "phone",
    "firstName": "first_name",
}


def _attribute_table(masking: Masking) -> None:
    conn = masking.conn
    conn.execute("SET jit = off")
    conn.execute("DROP TABLE IF EXISTS orders")
    conn.execute(
        "CREATE TABLE orders (id int PRIMARY KEY, v text, raw bytea, x xml, short varchar(400),"
        f" mail text, tight varchar({len(CONTACT)}))"
    )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO orders VALUES (%s, %s, convert_to(%s, 'UTF8'), %s::xml, %s,"
            " 'Ann.Lee@mail.example', %s)",
            [(i, v, v, v, v, v) for i, v in enumerate([CONTACT, DECOY])],
        )


def _attributes(doc: str) -> dict[str, dict[str, str]]:
    """Each element's attributes, parsed (namespace URIs in braces)."""
    return {e.tag: dict(e.attrib) for e in ElementTree.fromstring(doc).iter()}


def test_listed_attributes_masked_unescaped_and_escaped(masking: Masking) -> None:
    """`<contact email="..." name="...">`: the listed attributes' values are masked as
    their columns would be (an address as the email column's), read unescaped and
    escaped again for their own quote; every other attribute, element and byte kept,
    and the document still parses."""
    _attribute_table(masking)
    params = {"elements": {"name": "full_name"}, "attributes": ATTRIBUTES}
    masked = dict(masking.run("xml", params, "v", table="orders"))
    mail = dict(masking.run("email", {}, "mail", table="orders"))["Ann.Lee@mail.example"]
    doc = masked[CONTACT]
    _parses(masking, doc.split("\n", 1)[1])
    before, after = _attributes(CONTACT), _attributes(doc)
    contact = "{urn:crm}contact"
    assert before[contact]["name"] == 'Ann "Annie" O\'Lee & Co'  # what was masked
    for name in ("email", "name", "phone"):
        assert after[contact][name] != before[contact][name], (name, doc)
    assert after[contact]["kind"] == "primary" and after["person"]["role"] == "buyer"
    assert after["order"] == before["order"] and after["note"] == before["note"]
    assert after["person"]["firstName"].strip() not in ("", "Élise é")
    assert after["person"]["firstName"].startswith("  ")  # blanks around kept
    assert after[contact]["email"] == mail  # the address masks as the column's
    assert re.search(r"<name>(?!Ann Lee)[^<]+</name>", doc)  # elements still masked
    for person in ("Ann", "Lee", "19 40 19 95", "Élise", "&#233;"):
        assert person not in doc, (person, doc)
    # every byte outside the masked values kept
    shape = re.compile(r'((?:email|name|phone|firstName) ?= ?)("[^"]*"|\'[^\']*\')|<name>[^<]*')
    assert shape.sub(r"\1", doc) == shape.sub(r"\1", CONTACT), doc
    assert masked[DECOY] == DECOY  # ids, versions, type codes: nothing listed, kept
    assert masked[CONTACT] == dict(masking.run("xml", params, "v", table="orders"))[CONTACT]


def test_attribute_values_escaped_for_their_quote(masking: Masking) -> None:
    """A masked value holding '&', '<', both quotes and a line break stays one value
    of the same attribute: parsed back it is the masked text."""
    _attribute_table(masking)
    value = "A & <B> \"q\" 'a'\nz"
    params = {"attributes": {"name": {"strategy": "constant", "value": value}}}
    doc = dict(masking.run("xml", params, "v", table="orders"))[CONTACT]
    assert "name='A &amp; &lt;B&gt; \"q\" &apos;a&apos;&#10;z'" in doc, doc
    assert _attributes(doc.split("\n", 1)[1])["{urn:crm}contact"]["name"] == value
    _parses(masking, doc.split("\n", 1)[1])
    # longer than the varchar(n) once escaped: NULL, as a document that would not fit
    tight = dict(masking.run("xml", params, "tight", table="orders"))
    assert tight == {CONTACT: None, DECOY: DECOY}


def test_attributes_on_bytea_xml_and_varchar(masking: Masking) -> None:
    _attribute_table(masking)
    params = {"attributes": ATTRIBUTES}
    text = dict(masking.run("xml", params, "v", table="orders"))
    raw = {
        bytes(k): bytes(v).decode() for k, v in masking.run("xml", params, "raw", table="orders")
    }
    assert raw[CONTACT.encode()] == text[CONTACT] and raw[DECOY.encode()] == DECOY
    xml = [v for _, v in masking.run("xml", params, "x", table="orders")]
    assert not any("Ann.Lee@" in v for v in xml) and DECOY in xml
    short = dict(masking.run("xml", params, "short", table="orders"))
    assert short[CONTACT] == text[CONTACT] and short[DECOY] == DECOY
    ctx = masking.context("v", table="orders")
    s = get("xml")
    when = s.leak_sample_when(s.parse_params(params), ctx).sql(dialect="postgres")
    masking.use_key("k")
    rows = masking.conn.execute(f"SELECT id, {when} FROM orders ORDER BY id").fetchall()
    assert rows == [(0, True), (1, False)]  # the decoy is kept: no leak sampled


@pytest.mark.parametrize("attributes", [{"c:email": "email"}, {"xmlns": "email"}, {"id": "keep"}])
def test_bad_attribute_parameters_refused(attributes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        get("xml").parse_params({"attributes": attributes})


EDGES = {
    # a '>' inside a value, line breaks between attributes, no blank before '/>'
    '<a t=">"\n  email="x@y.example"/>': '<a t=">"\n  email="M"/>',
    # markup that only looks like an attribute: text, comments, CDATA, PIs, end tags
    # (a comment's text blanked: test_xml_comments.py)
    '<a><!-- <b email="x@y.example"/> -->email="x@y.example"<?pi email="x"?></a>': (
        "<a><!--" + " " * 26 + '-->email="x@y.example"<?pi email="x"?></a>'
    ),
    '<a><b><![CDATA[<c email="x@y.example"/>]]></b></a>': None,
    # a namespace declaration named like an attribute, a prefixed one, a longer name
    '<a xmlns:email="u" xmlns:p="v" p:email="x@y.example" emails="k" xemail="k" email=""/>': (
        '<a xmlns:email="u" xmlns:p="v" p:email="M" emails="k" xemail="k" email=""/>'
    ),
    # blanks around the value kept; a blank value kept
    "<a email = ' x@y.example ' name='  '><b>t</b></a>": "<a email = ' M ' name='  '><b>t</b></a>",
}


@pytest.mark.parametrize("doc", list(EDGES))
def test_attribute_edges(masking: Masking, doc: str) -> None:
    conn = masking.conn
    conn.execute("DROP TABLE IF EXISTS edges")
    conn.execute("CREATE TABLE edges (id int PRIMARY KEY, v text)")
    conn.execute("INSERT INTO edges VALUES (1, %s)", (doc,))
    params = {"attributes": {"email": {"strategy": "constant", "value": "M"}, "name": "lorem"}}
    ((_, masked),) = masking.run("xml", params, "v", table="edges")
    assert masked == (EDGES[doc] or doc)
    ElementTree.fromstring(masked)

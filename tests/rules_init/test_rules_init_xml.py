"""XML documents, in `rules init`: ODK Central's submission_defs.xml (text) got `lorem`
and Axon's domain_event_entry.payload (bytea, XStream XML beside JSON) was emptied, so
no submission parsed and no aggregate loaded. They get `xml`: personal elements masked
by the JSON path classifier's choice, instanceID, form ids and other elements kept, the
documents still parse, an address in an element masks as the email column's does, JSON
payloads beside get a jsonb `others`, verify counts no leak. HTML fragments, XML
holding nothing personal and XStream maps (keys beside values) are not proposed `xml`."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import psycopg

from dbrefresh.anonymize.api import verify

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

SCHEMA = r"""
CREATE TABLE submission_defs (id serial PRIMARY KEY, "submissionId" int NOT NULL,
  xml text NOT NULL, "instanceId" varchar(64) NOT NULL);
CREATE TABLE customers (id uuid PRIMARY KEY, email text UNIQUE, full_name text);
CREATE TABLE domain_event_entry (global_index bigint PRIMARY KEY, payload bytea NOT NULL,
  payload_type varchar(255) NOT NULL, meta_data bytea);
CREATE TABLE pages (id serial PRIMARY KEY, body text);
CREATE TABLE settings (id serial PRIMARY KEY, conf text);
CREATE TABLE contacts_xml (id serial PRIMARY KEY, doc xml);
WITH p AS (SELECT i, fn, ln, lower(fn) || '.' || lower(ln) || i || '@mail.example' em,
    '+33 6 ' || lpad((i * 7919 % 100)::text, 2, '0') || ' 40 19 ' || lpad(i::text, 2, '0') ph,
    md5(i::text)::uuid u
  FROM generate_series(1, 60) i,
  LATERAL (SELECT
    (ARRAY['Élise','Marc','Anna','Jonas','Chloé','Tomás','Ines','Paul'])[1 + i % 8] fn,
    (ARRAY['Guichard','Lefèvre','Schmidt','Moreau','Rossi','Dubois','Keller','Laurent'])
    [1 + i / 8 % 8] ln) n),
s AS (INSERT INTO submission_defs ("submissionId", xml, "instanceId")
  SELECT i, '<?xml version=''1.0''?><data id="household_survey" version="2024011501" '
  || 'xmlns:orx="http://openrosa.org/xforms"><name>' || fn || ' ' || ln || '</name><phone>'
  || ph || '</phone><dob>19' || (50 + i % 40) || '-0' || (1 + i % 9) || '-1' || (i % 9)
  || '</dob><gps>41.1971' || i || ' -8.5778' || i || ' 120.0 10.0</gps><household><size>'
  || (1 + i % 6) || '</size></household><orx:meta><orx:instanceID>uuid:' || u
  || '</orx:instanceID></orx:meta></data>', 'uuid:' || u FROM p RETURNING 1),
c AS (INSERT INTO customers SELECT u, em, fn || ' ' || ln FROM p RETURNING 1),
e AS (INSERT INTO domain_event_entry SELECT i, convert_to(CASE WHEN i % 2 = 0 THEN
  '<com.acme.CustomerRegisteredEvent>' || E'\n  <customerId>' || u || E'</customerId>\n  '
  || '<fullName>' || fn || ' ' || ln || E'</fullName>\n  <email>' || em
  || E'</email>\n</com.acme.CustomerRegisteredEvent>'
  ELSE '{"customerId": "' || u || '", "fullName": "' || fn || ' ' || ln || '", "email": "'
  || em || '"}' END, 'UTF8'), 'com.acme.CustomerRegisteredEvent', convert_to('<meta-data>'
  || '<entry><string>traceId</string><string>' || u || '</string></entry><entry><string>'
  || 'username</string><string>' || em || '</string></entry><entry><string>clientIp'
  || '</string><string>10.1.' || i || '.7</string></entry></meta-data>', 'UTF8')
  FROM p RETURNING 1),
x AS (INSERT INTO contacts_xml (doc) SELECT xmlelement(name contact, xmlattributes(i AS id),
  xmlelement(name "fullName", fn || ' ' || ln), xmlelement(name email, em)) FROM p RETURNING 1),
h AS (INSERT INTO pages (body) SELECT '<p>Call ' || fn || ' ' || ln || ' on ' || ph
  || ' or write to ' || em || '</p>' FROM p RETURNING 1)
INSERT INTO settings (conf) SELECT '<config><timeout>' || i || '</timeout><mode>fast</mode>'
  || '</config>' FROM p;
ANALYZE;
"""


def test_odk_and_axon_documents_get_xml_and_still_parse(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
        originals = dict(conn.execute("SELECT id, xml FROM submission_defs").fetchall())
        payloads = {
            i: bytes(p).decode()
            for i, p in conn.execute("SELECT global_index, payload FROM domain_event_entry")
        }
        emails = dict(conn.execute("SELECT id, email FROM customers").fetchall())
    dsn, text = generate_then_mask(lambda **_: dsn, tmp_path, "SELECT 1")
    assert strategy_of(text, "public.submission_defs", "xml") == "xml", text
    elements = rule_of(text, "public.submission_defs", "xml")["elements"]
    assert {"name", "phone", "dob"} <= set(elements), elements
    assert not {"instanceID", "size"} & set(elements), elements
    # the form id and version (`<data id="household_survey" version="...">`) are kept
    assert "attributes" not in rule_of(text, "public.submission_defs", "xml"), text
    assert "attributes" not in rule_of(text, "public.contacts_xml", "doc"), text
    assert elements["dob"] == {"strategy": "date_shift", "max_days": 365, "text": True}
    assert elements["gps"] == "coordinates", elements  # a geopoint: cut to the grid
    assert "REVIEW: elements masked" in comment_of(text, "public.submission_defs", "xml")
    payload = rule_of(text, "public.domain_event_entry", "payload")
    assert payload["strategy"] == "xml" and {"fullName", "email"} <= set(payload["elements"])
    assert payload["others"]["strategy"] == "jsonb", payload
    # customers.email is unique: the element's address masks as that column's does
    assert payload["elements"]["email"] == {"strategy": "email", "unique": True}, payload
    assert strategy_of(text, "public.contacts_xml", "doc") == "xml", text  # an xml column
    assert strategy_of(text, "public.pages", "body") != "xml", text  # HTML: prose
    # XStream's map: keys and values in <string> alike, no rule masks a value by its key
    assert strategy_of(text, "public.domain_event_entry", "meta_data") != "xml", text
    assert strategy_of(text, "public.settings", "conf") == "keep", text  # nothing personal
    with psycopg.connect(dsn) as conn:
        masked = dict(conn.execute("SELECT id, xml FROM submission_defs").fetchall())
        parsed = conn.execute(
            "SELECT count(xmlparse(document xml)) FROM submission_defs"
        ).fetchone()
        events = {
            i: bytes(p).decode()
            for i, p in conn.execute("SELECT global_index, payload FROM domain_event_entry")
        }
        new_emails = dict(conn.execute("SELECT id, email FROM customers").fetchall())
        contacts = [d for (d,) in conn.execute("SELECT doc::text FROM contacts_xml")]
        instance_ids = conn.execute(
            "SELECT count(*) FROM submission_defs WHERE xml LIKE '%>' || \"instanceId\" || '<%'"
        ).fetchone()
    assert parsed == (60,) and instance_ids == (60,)
    for i, doc in masked.items():
        original = originals[i]
        assert doc.startswith("<?xml version='1.0'?><data id=\"household_survey\" version=")
        name = re.search("<name>(.*)</name>", original)
        assert name and name[1] not in doc and re.search("<phone>(.*)</phone>", original)
        assert "<household><size>" in doc and doc.count("<") == original.count("<")
        assert re.search(r"<gps>41\.1 -8\.5 120\.0 10\.0</gps>", doc), doc
    masked_of = {emails[u]: new_emails[u] for u in emails}
    for doc in contacts:
        assert re.fullmatch(
            r'<contact id="\d+"><fullName>[^<]+</fullName><email>[^<]+</email>'
            r"</contact>",
            doc,
        ), doc
        assert "mail.example" not in doc and doc.split("<email>")[1][:-18] in masked_of.values()
    for i, doc in events.items():
        before = payloads[i]
        address = re.search(r"[\w.]+@mail\.example", before)
        assert address and address[0] not in doc, doc
        assert masked_of[address[0]] in doc, (masked_of[address[0]], doc)
        if before.startswith("<"):
            assert doc.startswith("<com.acme.CustomerRegisteredEvent>\n  <customerId>")
            with psycopg.connect(dsn) as conn:
                conn.execute("SELECT xmlparse(document %s)", (doc,))
        else:
            assert doc.startswith("{") and '"customerId"' in doc
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


ATTRIBUTES = r"""
CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE inbound_msg (id serial PRIMARY KEY, payload bytea NOT NULL, settings text);
WITH p AS (SELECT i, fn, ln, fn || '.' || ln || i || '@mail.example' em
  FROM generate_series(1, 60) i,
  LATERAL (SELECT (ARRAY['Evelyne','Marc','Anna','Jonas','Chloé','Tomás'])[1 + i % 6] fn,
    (ARRAY['Flantz','Lefèvre','Schmidt','Moreau','Rossi','Damico'])[1 + i / 6 % 6] ln) n),
c AS (INSERT INTO customers (email) SELECT em FROM p RETURNING 1)
INSERT INTO inbound_msg (payload, settings)
SELECT convert_to('<?xml version="1.0"?><order id="' || i || '" version="2" type="B2C" '
  || 'xmlns:c="urn:acme:crm"><c:contact kind="primary" email="' || em || '" name="'
  || CASE WHEN i % 6 = 0 THEN 'O&apos;Hara &amp; ' ELSE '' END || fn || ' ' || ln
  || '"/><line sku="SKU-' || i % 7 || '" qty="' || i % 3 || '"/></order>', 'UTF8'),
  '<config version="3"><setting name="timeout" value="' || i || '"/><setting name="mode" '
  || 'value="fast"/><feature id="F' || i % 4 || '" enabled="true"/></config>'
FROM p;
ANALYZE;
"""


def test_addresses_and_names_in_attributes_get_attribute_rules(make_db, tmp_path: Path) -> None:
    """`<contact email="..." name="...">`: rules init proposes `xml` with `attributes`
    (the address masked as the unique email column's, the name as a name), not the
    whole-value rule that emptied the payload; ids, versions and codes are kept, the
    documents still parse, and verify counts no leak. Settings documents whose
    attributes name no one (`<setting name="timeout" value="30">`) are kept whole."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(ATTRIBUTES)
        before = {
            i: bytes(p).decode()
            for i, p in conn.execute("SELECT id, payload FROM inbound_msg").fetchall()
        }
        emails = dict(conn.execute("SELECT id, email FROM customers").fetchall())
    dsn, text = generate_then_mask(lambda **_: dsn, tmp_path, "SELECT 1")
    rule = rule_of(text, "public.inbound_msg", "payload")
    assert rule["strategy"] == "xml", text
    assert rule["attributes"]["email"] == {"strategy": "email", "unique": True}, rule
    assert set(rule["attributes"]) == {"email", "name"} and "elements" not in rule, rule
    assert "attributes masked" in comment_of(text, "public.inbound_msg", "payload")
    assert strategy_of(text, "public.inbound_msg", "settings") == "keep", text
    with psycopg.connect(dsn) as conn:
        after = {
            i: bytes(p).decode()
            for i, p in conn.execute("SELECT id, payload FROM inbound_msg").fetchall()
        }
        new_emails = dict(conn.execute("SELECT id, email FROM customers").fetchall())
        for doc in after.values():
            conn.execute("SELECT xmlparse(document %s)", (doc.split("?>", 1)[1],))
    masked_of = {emails[i]: new_emails[i] for i in emails}
    for i, doc in after.items():
        old = ElementTree.fromstring(before[i].split("?>", 1)[1])
        new = ElementTree.fromstring(doc.split("?>", 1)[1])
        contact, was = new.find("{urn:acme:crm}contact"), old.find("{urn:acme:crm}contact")
        assert contact is not None and was is not None
        assert new.attrib == old.attrib and contact.get("kind") == "primary"
        assert contact.get("email") == masked_of[str(was.get("email"))], doc
        assert contact.get("name") not in (None, "", was.get("name")), doc
        assert [e.attrib for e in new.iter("line")] == [e.attrib for e in old.iter("line")]
        assert "mail.example" not in doc and "Flantz" not in doc and "O&apos;Hara" not in doc
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []

"""Organisation domains are kept inside XML too, and XML comments lose their text.

A B2B catalogue keeps its suppliers' domains in supplier_contacts.email (a policy reads
them, suppliers.domain lists them) and `keep_domains` kept them there, but the same
`orders@umbrella-supplies.de` in products.spec's `<supplier email="...">` became
`matilda.wenda40@example.com`: the rule's attributes and elements never got the list.
Now every email rule inside an xml rule gets it (and keeps the column's `unique`), so
the address masks as the column's;
and a comment's address (`<!-- edited by anna.berg@gmail.com -->`) is gone, the
document still parsing in PostgreSQL and in Python."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import psycopg

from .helpers import generate_then_mask, rule_of

DOMAINS = ["acme.com", "globex.com", "initech.io", "starkparts.com", "umbrella-supplies.de"]
B2B = """
CREATE TABLE suppliers (id serial PRIMARY KEY, name text NOT NULL, domain text NOT NULL UNIQUE,
  vat_code text);
INSERT INTO suppliers (name, domain, vat_code) VALUES
 ('Acme Corp', 'acme.com', 'DE811111111'), ('Globex', 'globex.com', 'FR40303265045'),
 ('Initech', 'initech.io', 'GB123456789'), ('Umbrella Supplies', 'umbrella-supplies.de',
  'DE222222222'), ('Stark Parts', 'starkparts.com', 'US-99-1234567');
CREATE TABLE supplier_contacts (id serial PRIMARY KEY, supplier_id int REFERENCES suppliers,
  email text NOT NULL UNIQUE, purpose text NOT NULL);
INSERT INTO supplier_contacts (supplier_id, email, purpose)
SELECT s.id, p || CASE WHEN i >= 12 THEN (i / 12)::text ELSE '' END || '@' || s.domain, p
FROM suppliers s, generate_series(0, 119) i, LATERAL (SELECT (ARRAY['sales', 'orders',
  'billing', 'support', 'info', 'edi', 'returns', 'quotes', 'logistics', 'ap', 'invoices',
  'rfq'])[1 + i % 12] p) r;
ALTER TABLE supplier_contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY contacts_by_domain ON supplier_contacts
  USING (split_part(email, '@', 2) = current_setting('app.supplier_domain', true));
CREATE TABLE products (id serial PRIMARY KEY, sku text UNIQUE, supplier_id int, spec xml);
INSERT INTO products (sku, supplier_id, spec)
SELECT 'SKU-' || lpad(i::text, 6, '0'), 1 + i % 5, xmlparse(document '<product sku="SKU-'
  || lpad(i::text, 6, '0') || '" color="' || (ARRAY['red', 'blue', 'zinc'])[1 + i % 3] || '">'
  || CASE WHEN i % 4 = 0 THEN '<!-- edited by anna.berg' || i || '@gmail.com -->' ELSE '' END
  || '<supplier id="' || (1 + i % 5) || '" email="orders@' || d || '"/>'
  || '<dimension unit="mm" width="' || (10 + i % 90) || '"/></product>')
FROM generate_series(1, 600) i, LATERAL (SELECT (ARRAY['acme.com', 'globex.com', 'initech.io',
  'umbrella-supplies.de', 'starkparts.com'])[1 + i % 5] d) s;
"""


def test_supplier_domain_kept_inside_xml_and_comments_blanked(
    make_db: object, tmp_path: Path
) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, B2B)
    column = rule_of(text, "public.supplier_contacts", "email")
    assert column["keep_domains"] == DOMAINS, text
    spec = rule_of(text, "public.products", "spec")
    assert spec["strategy"] == "xml", text
    attribute = spec["attributes"]["email"]
    assert isinstance(attribute, dict), text
    # the column's parameters: its organisation domains, and unique as the column is
    assert attribute.get("keep_domains") == DOMAINS, text
    assert attribute.get("unique") is True and column["unique"] is True, text
    with psycopg.connect(dsn) as conn:
        docs = [str(r[0]) for r in conn.execute("SELECT spec::text FROM products ORDER BY id")]
        contact = conn.execute(
            "SELECT email FROM supplier_contacts WHERE supplier_id = 4 AND purpose = 'orders'"
            " ORDER BY id LIMIT 1"
        ).fetchone()
        # the documents are still xml PostgreSQL parses
        conn.execute("SELECT xmlparse(document spec::text) FROM products")
    assert contact is not None
    masked_orders = contact[0]  # 'orders@umbrella-supplies.de' as the column masks it
    assert masked_orders.endswith("@umbrella-supplies.de") and masked_orders != (
        "orders@umbrella-supplies.de"
    )
    umbrella = [d for d in docs if "umbrella-supplies.de" in d]
    assert len(umbrella) == 120
    for doc in docs:
        supplier = ElementTree.fromstring(doc).find("supplier")
        assert supplier is not None
        address = supplier.attrib["email"]
        local, _, domain = address.partition("@")
        assert domain in DOMAINS and local != "orders", doc
        assert "gmail.com" not in doc and "anna.berg" not in doc, doc
        assert re.fullmatch(r'<product sku="SKU-\d{6}" color="(red|blue|zinc)">.*', doc), doc
    # the same address masks alike in the column and in the attribute
    assert {d for d in umbrella if f'email="{masked_orders}"' in d} == set(umbrella)
    blanked = [d for d in docs if "<!--" in d]
    assert len(blanked) == 150
    assert all(re.search(r"<!-- +-->", d) for d in blanked)
    from dbrefresh.anonymize.api import verify

    assert list(verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init")) == []

"""Organisation domains of addresses survive masking: `rules init` proposes
`keep_domains` where the database says a domain is an organisation's.

A CRM's contacts table is shown to the app role by a policy over the generated
`email_domain` (staff at '@ourcompany.example' see every contact); a SaaS app joins
users to `organization_domains` by the domain of their address. Every address masked
onto example.com, the app role saw no contact and no user joined an organisation. Now
the domains read by the policy or listed by the other table are kept, the local parts
masked; a vanity domain with one address and the freemail customers of a plain table
still go to example.com, and verify finds nothing."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules.org_domains import reads_domain

from .helpers import generate_then_mask, rule_of

FIRST = "ARRAY['jane','mario','amanda','brian','debra','chad','roger','david','karen','lisa']"
LAST = (
    "ARRAY['doe','hernandez','diaz','romero','jones','davis','serrano','walker','miller','adams']"
)
# an address whose local part is still the original's (first.last<id>)
SAME_LOCAL = f"""lower(split_part(email, '@', 1)) = ({FIRST})[1 + id % 10] || '.'
  || ({LAST})[1 + (id / 10) % 10] || id"""
CRM = f"""
CREATE ROLE crm_app_od;
CREATE TABLE contacts (
  id int PRIMARY KEY, first_name text, last_name text,
  email text NOT NULL UNIQUE CHECK (email LIKE '%@%'),
  email_domain text GENERATED ALWAYS AS (lower(split_part(email, '@', 2))) STORED,
  owner_user text);
ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY contacts_staff ON contacts FOR ALL TO crm_app_od
  USING (owner_user = current_user OR email_domain = 'ourcompany.example');
GRANT SELECT ON contacts TO crm_app_od;
INSERT INTO contacts (id, first_name, last_name, email, owner_user)
SELECT i, f, l, f || '.' || l || i || '@' || (ARRAY['ourcompany.example', 'gmail.com',
  'web.de', 'Ourcompany.example'])[1 + i % 4], 'sales'
FROM generate_series(1, 200) i, LATERAL (SELECT ({FIRST})[1 + i % 10] f,
  ({LAST})[1 + (i / 10) % 10] l) n;
INSERT INTO contacts (id, first_name, last_name, email, owner_user)
VALUES (1000, 'Jurgen', 'Schmidt', 'jurgen@jurgen-schmidt.de', 'sales');
"""
SAAS = f"""
CREATE TABLE organizations (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE organization_domains (
  organization_id int NOT NULL REFERENCES organizations, domain text NOT NULL UNIQUE);
CREATE TABLE users (id int PRIMARY KEY, full_name text, email varchar(120) NOT NULL UNIQUE);
INSERT INTO organizations VALUES (1, 'Acme Corporation'), (2, 'Initech Holdings');
INSERT INTO organization_domains VALUES (1, 'acme.com'), (1, 'acme-corp.io'),
  (2, 'initech.example');
INSERT INTO users
SELECT i, initcap(f || ' ' || l), f || '.' || l || i || '@' || (ARRAY['acme.com', 'ACME.com',
  'initech.example', 'gmail.com', 'yahoo.com'])[1 + i % 5]
FROM generate_series(1, 200) i, LATERAL (SELECT ({FIRST})[1 + i % 10] f,
  ({LAST})[1 + (i / 10) % 10] l) n;
INSERT INTO users VALUES (1000, 'Vera Vogel', 'vera@vera-vogel.de'),
  (1001, 'Info Vera Vogel', 'info@vera-vogel.de'), (1002, 'Vera Kontakt', 'kontakt@vera-vogel.de');
-- decoy: people's own sites, a vanity domain listed; its role boxes are no second person
CREATE TABLE user_websites (user_id int PRIMARY KEY, host text NOT NULL);
INSERT INTO user_websites VALUES (1000, 'vera-vogel.de'), (1, 'jane-doe.example'),
  (2, 'mario-rossi.example');
"""
PLAIN = f"""
CREATE TABLE customers (id int PRIMARY KEY, full_name text, email text NOT NULL UNIQUE);
CREATE TABLE email_templates (id int PRIMARY KEY, code text NOT NULL, sender_host text);
INSERT INTO customers
SELECT i, initcap(f || ' ' || l), f || '.' || l || i || '@' || (ARRAY['gmail.com', 'web.de',
  'yahoo.com', 'outlook.com'])[1 + i % 4]
FROM generate_series(1, 200) i, LATERAL (SELECT ({FIRST})[1 + i % 10] f,
  ({LAST})[1 + (i / 10) % 10] l) n;
INSERT INTO email_templates VALUES (1, 'welcome', 'mail.shop.example'),
  (2, 'reset', 'mail.shop.example');
"""


def _verify(dsn: str, tmp_path: Path) -> list[object]:
    from dbrefresh.anonymize.api import verify

    return list(verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init"))


def test_domain_a_policy_reads_is_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, CRM)
    rule = rule_of(text, "public.contacts", "email")
    assert rule["keep_domains"] == ["gmail.com", "ourcompany.example", "web.de"], text
    with psycopg.connect(dsn) as conn:
        conn.execute("SET ROLE crm_app_od")
        visible = conn.execute("SELECT count(*) FROM contacts").fetchone()
        conn.execute("RESET ROLE")
        rows = conn.execute(
            f"""SELECT count(*) FILTER (WHERE {SAME_LOCAL}),
               count(*) FILTER (WHERE email_domain = 'ourcompany.example'),
               (SELECT email FROM contacts WHERE id = 1000),
               (SELECT email FROM contacts WHERE id = 3)
               FROM contacts"""
        ).fetchone()
    assert visible == (100,)  # 'ourcompany.example' and 'Ourcompany.example', as before
    assert rows is not None
    survivors, staff, vanity, mixed_case = rows
    assert survivors == 0 and staff == 100
    assert vanity.endswith("@example.com") and "jurgen" not in vanity
    assert mixed_case.endswith("@Ourcompany.example")
    assert _verify(dsn, tmp_path) == []


def test_domains_an_organisation_table_lists_are_kept(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SAAS)
    rule = rule_of(text, "public.users", "email")
    assert rule["keep_domains"] == ["acme.com", "initech.example"], text
    with psycopg.connect(dsn) as conn:
        joined = conn.execute(
            """SELECT d.organization_id, count(*) FROM users u
               JOIN organization_domains d ON d.domain = lower(split_part(u.email, '@', 2))
               GROUP BY 1 ORDER BY 1"""
        ).fetchall()
        others = conn.execute(
            f"""SELECT count(*) FILTER (WHERE email LIKE '%@example.com'),
                 count(*) FILTER (WHERE {SAME_LOCAL})
               FROM users"""
        ).fetchone()
    assert joined == [(1, 80), (2, 40)]
    assert others == (83, 0)  # gmail, yahoo and the vanity domain: example.com
    assert _verify(dsn, tmp_path) == []


def test_plain_freemail_customers_keep_no_domain(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, PLAIN)
    rule = rule_of(text, "public.customers", "email")
    assert not isinstance(rule, dict) or "keep_domains" not in rule, text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE email NOT LIKE '%@example.com') FROM customers"
        ).fetchone()
    assert row == (0,)


def test_expressions_reading_the_domain() -> None:
    assert reads_domain("lower(split_part((email)::text, '@'::text, 2))")
    assert reads_domain("((email)::text ~~ '%@ourcompany.example'::text)")
    assert reads_domain("\"substring\"(email, (strpos(email, '@'::text) + 1))")
    assert reads_domain("regexp_replace(email, '^.*@'::text, ''::text)")
    # shape checks read no domain
    assert not reads_domain("CHECK (((email)::text ~~ '%@%'::text))")
    assert not reads_domain("CHECK ((email ~ '^[^@]+@[^@]+$'::text))")
    assert not reads_domain("CHECK ((strpos(email, '@'::text) > 0))")

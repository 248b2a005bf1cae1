"""Camunda's business keys ('LOAN-2024-000001', 'ONB-9132-HÄNE', for some processes the
customer's address) read as text holding phone numbers ('2024-000001') and became
lorem: the application's ids of its processes lost, unique ones no longer unique. The
codes are kept now and the addresses masked; a word every process name shares ('KYC'
in 'KYC Jan Jansen') is no mention of the process's person in 'KYC-00041'; and
Flowable's schema version '6.8.0.0' (act_ge_property name_/value_) is no IP address."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of

SCHEMA = """
CREATE TABLE act_hi_procinst (id_ varchar(64) PRIMARY KEY, business_key_ varchar(255),
  name_ varchar(255));
INSERT INTO act_hi_procinst SELECT 'p' || g, CASE WHEN g % 4 = 0
    THEN lower(f) || '.' || lower(l) || g || '@gmail.com'
    WHEN g % 4 = 1 THEN 'ONB-' || (1000 + g) || '-' || upper(left(l, 4))
    ELSE 'LOAN-2024-' || lpad(g::text, 6, '0') END, NULL
  FROM generate_series(1, 200) g, LATERAL (SELECT
    (ARRAY['Anna', 'Jan', 'Maria', 'Pieter', 'Sofia', 'Lukas'])[1 + g % 6] f,
    (ARRAY['Jansen', 'Müller', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Höfer'])[1 + g % 7] l) n;
CREATE TABLE act_ru_execution (id_ varchar(64) PRIMARY KEY, business_key_ varchar(255),
  name_ varchar(255));
INSERT INTO act_ru_execution
  SELECT 'e' || g, 'KYC-' || lpad(g::text, 5, '0'), 'KYC ' || f || ' ' || l
  FROM generate_series(1, 200) g, LATERAL (SELECT
    (ARRAY['Lars', 'Bilal', 'Nathan', 'Kayleigh', 'Briana', 'Maria', 'Joost'])[1 + g % 7] f,
    (ARRAY['Sanders', 'Mathis', 'Morgan', 'Soto', 'Austin', 'Martinez'])[1 + g % 6] l) n;
CREATE TABLE act_ge_property (name_ varchar(64) PRIMARY KEY, value_ varchar(300), rev_ integer);
INSERT INTO act_ge_property VALUES ('common.schema.version', '6.8.0.0', 1),
  ('identitylink.schema.version', '6.8.0.0', 1), ('next.dbid', '1', 1),
  ('schema.history', 'create(6.8.0.0)', 1), ('cfg.execution-related-entities-count', 'true', 1),
  ('cfg.task-related-entities-count', 'true', 1), ('batch.lock', 'false', 1),
  ('job.lock', 'false', 1);
"""


def test_business_keys_keep_their_codes(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    rule = rule_of(text, "public.act_hi_procinst", "business_key_")
    assert rule == {"strategy": "forms", "cases": {"email": "email"}, "default": "keep"}, text
    assert rule_of(text, "public.act_ru_execution", "business_key_") == "keep"
    assert rule_of(text, "public.act_ge_property", "value_") == "keep"
    with psycopg.connect(dsn) as conn:
        codes, addresses, kyc, version = conn.execute(
            "SELECT (SELECT count(*) FROM act_hi_procinst WHERE business_key_ ~ "
            "'^(LOAN-2024-[0-9]{6}|ONB-1[0-9]{3}-[[:upper:]]{4})$'),"
            " (SELECT count(*) FROM act_hi_procinst WHERE business_key_ ~ "
            "'^(anna|jan|maria|pieter|sofia|lukas)\\.'),"
            " (SELECT count(DISTINCT business_key_) FROM act_ru_execution"
            "  WHERE business_key_ LIKE 'KYC-%'),"
            " (SELECT value_ FROM act_ge_property WHERE name_ = 'common.schema.version')"
        ).fetchone()
    assert (codes, addresses, kyc, version) == (150, 0, 200, "6.8.0.0")

"""Camunda's process variables (act_ru_variable: name_, type_, text_, long_, double_)
and its key/value tables with a trailing underscore (act_id_info key_/value_,
act_hi_op_log property_/org_value_/new_value_) were judged column by column: `long_`
read as a longitude and got noise (booleans 0 became 1, birth dates kept in epoch
millis), `text_` became lorem for every variable (status codes and currencies too).
Now each value column is switched on the variable's name: names, e-mail addresses and
IBANs masked, codes kept, booleans untouched, a birth date and a salary moved."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, masked_cases, rule_of

SCHEMA = """
CREATE TABLE act_ru_variable (id_ varchar(64) PRIMARY KEY, type_ varchar(255) NOT NULL,
  name_ varchar(255) NOT NULL, proc_inst_id_ varchar(64), double_ double precision,
  long_ bigint, text_ varchar(4000), text2_ varchar(4000));
INSERT INTO act_ru_variable (id_, type_, name_, proc_inst_id_, double_, long_, text_)
SELECT 'v' || g || '-' || k, t, k, 'p' || g,
  CASE k WHEN 'salary' THEN 30000 + g * 97.5 END,
  CASE k WHEN 'approved' THEN g % 2 WHEN 'loanAmount' THEN 1000 * (10 + g % 90)
    WHEN 'dateOfBirth' THEN (-400000000000 + g * 7123456789::bigint) / 86400000 * 86400000 END,
  CASE k WHEN 'applicantName' THEN f || ' ' || l
    WHEN 'email' THEN lower(f) || '.' || lower(l) || g || '@example.com'
    WHEN 'loanStatus' THEN (ARRAY['SUBMITTED', 'IN_REVIEW', 'APPROVED'])[1 + g % 3]
    WHEN 'currency' THEN (ARRAY['EUR', 'USD'])[1 + g % 2]
    WHEN 'riskLevel' THEN (ARRAY['LOW', 'MEDIUM', 'HIGH'])[1 + g % 3]
    WHEN 'loanAmount' THEN (1000 * (10 + g % 90))::text END
  FROM generate_series(1, 150) g,
  LATERAL (SELECT (ARRAY['Anna', 'Jan', 'Maria', 'Pieter', 'Sofia', 'Lukas'])[1 + g % 6] f,
    (ARRAY['Jansen', 'de Vries', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Mulder'])[1 + g % 7] l) n,
  (VALUES ('applicantName', 'string'), ('email', 'string'), ('loanStatus', 'string'),
    ('currency', 'string'), ('riskLevel', 'string'), ('approved', 'boolean'),
    ('loanAmount', 'long'), ('dateOfBirth', 'date'), ('salary', 'double')) v(k, t);
CREATE TABLE act_id_info (id_ varchar(64) PRIMARY KEY, user_id_ varchar(64),
  type_ varchar(64), key_ varchar(255), value_ varchar(255));
INSERT INTO act_id_info SELECT 'i' || g || k, 'user' || g, 'userinfo', k,
  CASE k WHEN 'phone' THEN '+31 6 ' || (10000000 + g * 7919) ELSE 'nl' END
  FROM generate_series(1, 80) g, unnest(ARRAY['phone', 'locale']) k;
"""


def test_camunda_variables_are_switched_on_their_name(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, SCHEMA)
    texts = rule_of(text, "public.act_ru_variable", "text_")
    assert texts["strategy"] == "switch" and texts["by"] == "name_", text
    assert set(masked_cases(texts)) == {"applicantName", "email"}
    longs = rule_of(text, "public.act_ru_variable", "long_")
    assert longs["strategy"] == "switch" and set(longs["cases"]) == {"dateOfBirth"}, text
    assert longs["cases"]["dateOfBirth"]["strategy"] == "noise"
    doubles = rule_of(text, "public.act_ru_variable", "double_")
    assert set(doubles["cases"]) == {"salary"}
    info = rule_of(text, "public.act_id_info", "value_")
    assert info["by"] == "key_" and set(masked_cases(info)) == {"phone"}
    with psycopg.connect(dsn) as conn:
        rows = dict(
            conn.execute(
                "SELECT name_, array_agg(DISTINCT coalesce(text_, long_::text, double_::text))"
                " FILTER (WHERE name_ IN ('loanStatus', 'currency', 'riskLevel', 'approved'))"
                " FROM act_ru_variable GROUP BY name_"
            ).fetchall()
        )
        names, births, pay, amounts = conn.execute(
            "SELECT count(*) FILTER (WHERE name_ = 'applicantName' AND text_ LIKE"
            " (ARRAY['Anna', 'Jan', 'Maria', 'Pieter', 'Sofia', 'Lukas'])[1 + g % 6] || ' %'),"
            " count(*) FILTER (WHERE name_ = 'dateOfBirth' AND (long_ + 400000000000) %"
            " 7123456789 = 0),"
            " count(*) FILTER (WHERE name_ = 'salary' AND (double_ - 30000) / 97.5"
            " = round((double_ - 30000) / 97.5)),"
            " count(*) FILTER (WHERE name_ = 'loanAmount' AND text_ = long_::text)"
            " FROM act_ru_variable, LATERAL (SELECT substring(id_ FROM 'v(\\d+)-')::int g) i"
        ).fetchone()
    assert rows["loanStatus"] == ["APPROVED", "IN_REVIEW", "SUBMITTED"]
    assert rows["currency"] == ["EUR", "USD"] and rows["riskLevel"] == ["HIGH", "LOW", "MEDIUM"]
    assert rows["approved"] == ["0", "1"]
    assert (names, amounts) == (0, 150)
    assert births < 10 and pay < 10  # moved (a few may land on the original by chance)


OP_LOG = """
CREATE TABLE act_hi_op_log (id_ varchar(64) PRIMARY KEY, property_ varchar(64),
  org_value_ varchar(4000), new_value_ varchar(4000));
INSERT INTO act_hi_op_log SELECT 'o' || g || p, p,
  CASE p WHEN 'priority' THEN '50' END,
  CASE p WHEN 'businessKey' THEN lower(f) || '.' || g || '@example.com' ELSE '60' END
  FROM generate_series(1, 120) g, unnest(ARRAY['businessKey', 'priority']) p,
  LATERAL (SELECT (ARRAY['Anna', 'Jan', 'Maria', 'Pieter'])[1 + g % 4] f) n;
"""


def test_camunda_operation_log_values_are_switched_on_their_property(
    make_db, tmp_path: Path
) -> None:
    """act_hi_op_log's new_value_ and org_value_ (the value before) by property_."""
    dsn, text = generate_then_mask(make_db, tmp_path, OP_LOG)
    new = rule_of(text, "public.act_hi_op_log", "new_value_")
    assert new["strategy"] == "switch" and new["by"] == "property_", text
    assert set(masked_cases(new)) == {"businessKey"}
    assert rule_of(text, "public.act_hi_op_log", "org_value_") == new
    with psycopg.connect(dsn) as conn:
        kept = conn.execute(
            "SELECT count(*) FILTER (WHERE new_value_ = '60' AND org_value_ = '50'),"
            " count(*) FILTER (WHERE new_value_ ~ '^(anna|jan|maria|pieter)\\.\\d+@')"
            " FROM act_hi_op_log"
        ).fetchone()
    assert kept == (120, 0)

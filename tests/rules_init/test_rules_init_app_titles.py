"""Opaque columns of NocoDB, Baserow and LimeSurvey are judged by the titles their
metadata tables give them ('Date of birth' for Baserow's field_1008)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from tests.rules_init.helpers import comment_of, generate_and_compile, strategy_of

# too few rows for the values to tell: only the titles do
SCHEMA = """
CREATE TABLE database_table (id int PRIMARY KEY, name text);
INSERT INTO database_table VALUES (123, 'Members');
CREATE TABLE database_field (id serial PRIMARY KEY, name varchar(255) NOT NULL,
  "order" int NOT NULL DEFAULT 0, table_id int NOT NULL REFERENCES database_table(id));
INSERT INTO database_field (id, name, table_id) VALUES (1008, 'Date of birth', 123), (1010,
  'Shipped on', 123);
CREATE TABLE database_table_123 (id serial PRIMARY KEY, field_1008 date, field_1010 date);
INSERT INTO database_table_123 (field_1008, field_1010) VALUES ('1980-04-02', '2024-01-02'),
  ('1975-11-30', '2024-02-03'), ('1991-07-15', '2024-03-04');
CREATE TABLE nc_models_v2 (id varchar(20) PRIMARY KEY, base_id varchar(128),
  table_name varchar(255), title varchar(255));
INSERT INTO nc_models_v2 VALUES ('md1', 'p1', 'nc_p1x2___Contacts', 'Contacts');
CREATE TABLE nc_columns_v2 (id varchar(20) PRIMARY KEY,
  fk_model_id varchar(20) REFERENCES nc_models_v2(id), title varchar(255),
  column_name varchar(255), uidt varchar(255));
INSERT INTO nc_columns_v2 VALUES ('cl1', 'md1', 'Birthday', 'c_o5p6', 'Date'), ('cl2', 'md1',
  'Last name', 'c_a1b2', 'SingleLineText'), ('cl3', 'md1', 'Quantity', 'c_q7r8', 'Number');
CREATE TABLE "nc_p1x2___Contacts" (id serial PRIMARY KEY, c_o5p6 date, c_a1b2 text,
  c_q7r8 text);
INSERT INTO "nc_p1x2___Contacts" (c_o5p6, c_a1b2, c_q7r8) VALUES ('1962-05-05', 'Oyelaran',
  '3'), ('1990-01-21', 'Brandvold', '7');
CREATE TABLE lime_questions (qid serial PRIMARY KEY, parent_qid int NOT NULL DEFAULT 0,
  sid int NOT NULL DEFAULT 0, gid int NOT NULL DEFAULT 0,
  type varchar(30) NOT NULL DEFAULT 'T', title varchar(20) NOT NULL DEFAULT '',
  question_order int NOT NULL DEFAULT 0);
INSERT INTO lime_questions (qid, sid, gid, type, title) VALUES (36, 123456, 12, 'D', 'Q3'),
  (37, 123456, 12, 'T', 'Q4');
CREATE TABLE lime_question_l10ns (id serial PRIMARY KEY, qid int NOT NULL,
  question text NOT NULL, help text, language varchar(20) NOT NULL);
INSERT INTO lime_question_l10ns (qid, question, language) VALUES (36,
  '<p>Your date of birth</p>', 'en'), (36, 'Ihr Geburtsdatum', 'de'), (37,
  'How did you hear of us?', 'en');
CREATE TABLE lime_survey_123456 (id serial PRIMARY KEY, submitdate timestamp,
  "123456X12X36" timestamp, "123456X12X37" text);
INSERT INTO lime_survey_123456 (submitdate, "123456X12X36",
  "123456X12X37") VALUES ('2024-05-01 10:11', '1970-02-03 00:00', 'a friend'),
  ('2024-05-02 11:12', '1988-12-24 00:00', 'radio');
"""


def test_opaque_columns_are_judged_by_their_application_titles(
    make_db: Any, tmp_path: Path
) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
    text, _ = generate_and_compile(dsn, tmp_path)
    for table, column, strategy, source in [
        (
            "public.database_table_123",
            "field_1008",
            "date_shift",
            "'Date of birth' in database_field",
        ),
        ("public.nc_p1x2___Contacts", "c_o5p6", "date_shift", "'Birthday' in nc_columns_v2"),
        ("public.nc_p1x2___Contacts", "c_a1b2", "last_name", "'Last name' in nc_columns_v2"),
        (
            "public.lime_survey_123456",
            "123456X12X36",
            "date_shift",
            "'Your date of birth' in lime_question_l10ns",
        ),
    ]:
        assert strategy_of(text, table, column) == strategy, (table, column)
        assert f"judged by its title {source}" in comment_of(text, table, column)
    for table, column in [
        ("public.database_table_123", "field_1010"),  # 'Shipped on'
        ("public.nc_p1x2___Contacts", "c_q7r8"),  # 'Quantity'
        ("public.lime_survey_123456", "123456X12X37"),  # 'How did you hear of us?'
    ]:
        assert strategy_of(text, table, column) == "keep", (table, column)

"""`derived`: a column the application computes from other columns (a search vector a
trigger fills, a slug) recomputed from the row's masked values, as the trigger would
have, since masking runs with triggers off."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.catalog import read_catalog
from dbrefresh.errors import RulesError
from dbrefresh.rules.compiler import compile_plan
from dbrefresh.rules.load import load_rules
from tests.anonymize.helpers import db_with_rules, mask_and_verify, refused_findings

# A pg_search-like contacts table: the trigger fills search_vector; 12,000 rows of 40
# first names, so first_name is masked once per distinct value (a memoized LATERAL),
# and some rows the trigger never saw (NULL vector).
SCHEMA = """
CREATE TABLE contacts (
    id int PRIMARY KEY, first_name text, last_name text, email text, city text,
    kind text, slug text, search_vector tsvector,
    name_tsv tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) STORED
);
CREATE FUNCTION contacts_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := setweight(to_tsvector('simple', coalesce(NEW.first_name, '') || ' '
                       || coalesce(NEW.last_name, '')), 'A')
                    || setweight(to_tsvector('simple', coalesce(NEW.city, '')), 'B');
  RETURN NEW;
END $$;
CREATE TRIGGER contacts_tsv BEFORE INSERT OR UPDATE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_tsv();
CREATE INDEX contacts_search ON contacts USING gin (search_vector);
INSERT INTO contacts (id, first_name, last_name, email, city, kind, slug)
SELECT g, 'Originalfirst' || (g % 40), 'Originallast' || g, format('p%s@corp.example', g),
       'Origcity' || (g % 7), 'a', format('originalfirst%s-originallast%s', g % 40, g)
  FROM generate_series(1, 12000) g;
ALTER TABLE contacts DISABLE TRIGGER contacts_tsv;
INSERT INTO contacts (id, first_name, last_name, kind) VALUES (12001, 'Untouched', 'Row', 'a');
ALTER TABLE contacts ENABLE TRIGGER contacts_tsv;
ANALYZE contacts;
"""
VECTOR = (
    "setweight(to_tsvector('simple', coalesce(first_name, '') || ' ' || "
    "coalesce(last_name, '')), 'A') || setweight(to_tsvector('simple', coalesce(city, '')), 'B')"
)
HEAD = """version: 1
tables:
  public.contacts:
    columns:
      id: keep
      first_name: first_name
      last_name: last_name
      email: {strategy: email, unique: true}
      kind: keep
      name_tsv: keep
"""


def test_a_search_vector_indexes_the_masked_names(make_db, tmp_path: Path) -> None:
    rules = HEAD + (
        "      city: shuffle\n"  # a row permutation: the vector reads the value it was given
        "      slug: {strategy: derived, expression: \"lower(first_name || '-' || last_name)\"}\n"
        f'      search_vector: {{strategy: derived, expression: "{VECTOR}"}}\n'
    )
    dsn, path = db_with_rules(make_db, tmp_path, SCHEMA, rules, "contacts.yaml")
    report = mask_and_verify(dsn, path)
    assert report.findings == []
    with psycopg.connect(dsn) as conn:
        stale = conn.execute(
            f"SELECT count(*) FROM contacts WHERE id <= 12000 AND search_vector <> {VECTOR}"
        ).fetchone()
        found = conn.execute(
            "SELECT count(*) FROM contacts "
            "WHERE search_vector @@ plainto_tsquery('simple', first_name) "
            "AND search_vector @@ plainto_tsquery('simple', last_name)"
        ).fetchone()
        originals = conn.execute(
            "SELECT count(*) FROM contacts WHERE search_vector @@ to_tsquery('simple', "
            "'originalfirst7 | originallast7')"
        ).fetchone()
        untouched = conn.execute(
            "SELECT search_vector IS NULL, first_name <> 'Untouched' FROM contacts WHERE id = 12001"
        ).fetchone()
        slugs = conn.execute(
            "SELECT count(*) FILTER (WHERE slug = lower(first_name || '-' || last_name)), "
            "count(*) FILTER (WHERE slug LIKE 'original%') FROM contacts"
        ).fetchone()
        generated = conn.execute(
            "SELECT count(*) FROM contacts WHERE name_tsv @@ to_tsquery('simple', 'originalfirst7')"
        ).fetchone()
    assert stale == (0,)  # every vector is the trigger's expression over the masked row
    assert found == (12000,)  # a search by the masked name finds its row
    assert originals == (0,)  # and one by an original name, nothing
    assert untouched == (True, True)  # a row the trigger never saw stays without a vector
    assert slugs == (12000, 0)  # (the untouched row had none)
    assert generated == (0,)  # PostgreSQL recomputed the generated vector itself


def test_each_masked_value_is_computed_once(make_db, tmp_path: Path) -> None:
    """The derived columns read the masked row through a fence: pulled up, each of
    their references to last_name copied its masking (three keyed digests a row)."""
    rules = HEAD + (
        "      city: keep\n"
        "      slug: {strategy: derived, expression: \"lower(first_name || '-' || last_name)\"}\n"
        f'      search_vector: {{strategy: derived, expression: "{VECTOR}"}}\n'
    )
    dsn, path = db_with_rules(make_db, tmp_path, SCHEMA, rules, "contacts.yaml")
    mask_and_verify(dsn, path)  # (installs the schema the plan's functions live in)
    with psycopg.connect(dsn) as conn:
        [step] = compile_plan(load_rules([path]), read_catalog(conn)).steps
        assert step.copy_masked is not None
        select = step.copy_masked.partition(" ON COMMIT DROP AS ")[2]
        conn.execute("SELECT set_config('dbrefresh.key', 'k', false)")
        plan = "\n".join(r[0] for r in conn.execute(f"EXPLAIN VERBOSE {select}"))
    assert plan.count("'last_name'::text") == 1


@pytest.mark.parametrize(
    ("rules", "key", "line", "message"),
    [
        (  # both computed beside each other from one masked row
            "      city: keep\n"
            '      slug: {strategy: derived, expression: "lower(first_name)"}\n'
            "      search_vector: {strategy: derived, expression: "
            "\"to_tsvector('simple', slug)\"}\n",
            "public.contacts.search_vector",
            13,
            "derived reads slug, which is derived too",
        ),
        (  # recomputed only when the masked row is written
            "      city: keep\n      slug: keep\n"
            '      search_vector: {strategy: derived, expression: "name_tsv"}\n',
            "public.contacts.search_vector",
            13,
            "derived reads generated column name_tsv",
        ),
    ],
)
def test_a_derived_rule_reading_what_the_masked_row_lacks_is_refused(
    make_db, tmp_path: Path, rules: str, key: str, line: int, message: str
) -> None:
    dsn, path = db_with_rules(make_db, tmp_path, SCHEMA, HEAD + rules, "contacts.yaml")
    [finding] = refused_findings(dsn, path)
    assert (finding.code, finding.location.key) == ("derived-read", key)
    assert (finding.location.file, finding.location.line) == (str(path), line)
    assert message in finding.message


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('{strategy: derived, expression: "lower(first_name) || now()"}', "now() is not allowed"),
        (
            '{strategy: derived, expression: "(SELECT max(city) FROM contacts)"}',
            "subqueries are not allowed",
        ),
        (  # nested, it would be compiled over the original row
            "{strategy: switch, by: kind, cases: "
            '{a: {strategy: derived, expression: "lower(first_name)"}}}',
            "derived cannot be a case of switch",
        ),
    ],
)
def test_a_derived_expression_outside_the_allow_list_is_refused(
    tmp_path: Path, rule: str, message: str
) -> None:
    path = tmp_path / "contacts.yaml"
    path.write_text(HEAD + f"      city: keep\n      search_vector: keep\n      slug: {rule}\n")
    with pytest.raises(RulesError) as refused:
        load_rules([path])
    [finding] = refused.value.findings
    assert message in finding.message
    assert finding.location.line == 13


def test_a_derived_column_reading_itself_is_refused(make_db, tmp_path: Path) -> None:
    rules = HEAD + (
        "      city: keep\n      search_vector: keep\n"
        '      slug: {strategy: derived, expression: "lower(slug)"}\n'
    )
    dsn, path = db_with_rules(make_db, tmp_path, SCHEMA, rules, "contacts.yaml")
    [finding] = refused_findings(dsn, path)
    assert finding.code == "strategy-misfit"
    assert "derived reads slug itself" in finding.message

-- The dbrefresh schema installed into a clone. Idempotent.
-- clone_marker: anonymization refuses a database without a row here (it may be production).
-- leak_hashes: keyed hashes of original values of masked columns, taken before writing,
--   so verify can count survivors without keeping any original value in clear.
-- refresh_info: what staging was refreshed from, and when.
-- masking_key: a fingerprint of the masking key (anonymize.keycheck), so verify and a
--   re-run refuse another seed instead of comparing hashes under the wrong key.
CREATE SCHEMA IF NOT EXISTS dbrefresh;

CREATE TABLE IF NOT EXISTS dbrefresh.clone_marker (
    marked_at  timestamptz NOT NULL DEFAULT now(),
    run_id     text,
    source     text
);

-- row_key: the row's primary key as text when the table has an unmasked one (the check
-- is then per row: did THIS row keep its value?); NULL means a set check (does the value
-- appear anywhere in the column?), used for high-entropy values only.
CREATE TABLE IF NOT EXISTS dbrefresh.leak_hashes (
    table_name  text  NOT NULL,
    column_name text  NOT NULL,
    row_key     text,
    hash        bytea NOT NULL
);
-- With hash in the key: verify's statistics check probes it for each value in pg_stats
-- (15,000 probes of 10,000 rows each took 20-47 s through (table_name, column_name)).
-- It replaces that index, whose every use it serves; an older clone gets it here.
DROP INDEX IF EXISTS dbrefresh.leak_hashes_column;
CREATE INDEX IF NOT EXISTS leak_hashes_hash ON dbrefresh.leak_hashes (table_name, column_name, hash);
-- folded: for a text column, the keyed hash of the original's lower-case form, which verify
-- looks for in the columns the rules keep (a kept lower(username) copy); NULL otherwise.
ALTER TABLE dbrefresh.leak_hashes ADD COLUMN IF NOT EXISTS folded bytea;

-- The same for each path a jsonb rule lists: the path's value (element NULL) or, for an
-- array there, each element (element: its ordinal from 1), so a path whose value
-- survives is found even when other paths of the document changed.
CREATE TABLE IF NOT EXISTS dbrefresh.leak_path_hashes (
    table_name  text  NOT NULL,
    column_name text  NOT NULL,
    path        text  NOT NULL,
    element     int,
    row_key     text,
    hash        bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS leak_path_hashes_column
    ON dbrefresh.leak_path_hashes (table_name, column_name);
-- folded: the keyed hash of the value's lower-case form, as for leak_hashes: verify
-- looks for it in the columns the rules keep (a kept copy of profile.email).
ALTER TABLE dbrefresh.leak_path_hashes ADD COLUMN IF NOT EXISTS folded bytea;

-- One row, written when the first anonymize starts: HMAC-SHA256 of a constant under the
-- key derived from the seed (never the seed, never the key itself).
CREATE TABLE IF NOT EXISTS dbrefresh.masking_key (
    fingerprint text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- One row per relation rewritten, written in the rewrite's own transaction: a re-run
-- skips what is done (masking twice would break joins) and verify compares row counts.
CREATE TABLE IF NOT EXISTS dbrefresh.masked_relations (
    relation     text        PRIMARY KEY,
    rule_table   text        NOT NULL,
    rows_before  bigint      NOT NULL,
    rows_after   bigint,
    deletes_rows boolean     NOT NULL,
    rules_digest text        NOT NULL,
    masked_at    timestamptz NOT NULL DEFAULT now()
);
-- masked_columns: the columns the rules changed (masked or shuffled), so `dbrefresh gate`
-- can tell a statement failing on staging because of masked values (a many-to-one
-- strategy makes duplicates) from one that would fail on production; NULL before.
ALTER TABLE dbrefresh.masked_relations ADD COLUMN IF NOT EXISTS masked_columns text[];

-- Keyed hash of an original value for the leak check (domain-separated from strategies).
CREATE OR REPLACE FUNCTION dbrefresh.leak_hash(v text) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT sha256(convert_to('leak' || chr(31) || current_setting('dbrefresh.key') || chr(31) || v, 'UTF8')) $$;

-- A document column's value as jsonb for the per-path leak check: a json or jsonb
-- document, or JSON kept in text or as UTF-8 in bytea (NULL when it is no JSON: a
-- cast failed the whole sample). The text is parsed by the jsonb strategy's own dbrefresh.jsonb_or_null
-- (sql/functions.sql, installed before any masking, so before any leak check): one
-- parse for both. PL/pgSQL, whose body is resolved when called, not when created.
CREATE OR REPLACE FUNCTION dbrefresh.json_document(doc jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT doc $$;
CREATE OR REPLACE FUNCTION dbrefresh.json_document(doc json) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT doc::jsonb $$;
CREATE OR REPLACE FUNCTION dbrefresh.json_document(doc text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE STRICT
    AS $$ BEGIN RETURN dbrefresh.jsonb_or_null(doc); END $$;
CREATE OR REPLACE FUNCTION dbrefresh.json_document(doc bytea) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE STRICT
    AS $$ BEGIN RETURN dbrefresh.jsonb_of_utf8(doc); END $$;
-- A value of a composite type (an address's street, city, zip) as the object of its
-- fields: a `composite` rule's fields are sampled and checked as a document's paths.
CREATE OR REPLACE FUNCTION dbrefresh.json_document(doc record) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE STRICT
    AS $$ BEGIN RETURN to_jsonb(doc); END $$;

-- What a `*` of a path walks: an array as it is, an object as the array of its members'
-- values in the object's own order (the masked object keeps its keys, so the same
-- order); NULL for anything else. Arrays pass through the CASE alone.
CREATE OR REPLACE FUNCTION dbrefresh.json_members(node jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
SELECT CASE jsonb_typeof(node)
       WHEN 'array' THEN node
       WHEN 'object' THEN (SELECT coalesce(jsonb_agg(m.v ORDER BY m.o), '[]')
                             FROM jsonb_each(node) WITH ORDINALITY AS m(k, v, o))
       END
$$;

-- The place of a path's first segment that walks elements (NULL: none): a `*`, a
-- field's `[name]` (the values of the [name, value, ...] lists named so: jsonb_fields.py)
-- or an object selector `[key=value]`.
CREATE OR REPLACE FUNCTION dbrefresh.json_wild_at(path text[]) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
SELECT min(p.o)::int FROM unnest(path) WITH ORDINALITY AS p(s, o)
 WHERE p.s = '*' OR p.s ~ '^\[.+\]$'
$$;

-- How many segments of a path walk elements.
CREATE OR REPLACE FUNCTION dbrefresh.json_wild_count(path text[]) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
SELECT count(*)::int FROM unnest(path) AS p(s) WHERE p.s = '*' OR p.s ~ '^\[.+\]$'
$$;

-- Any number of `*` (or `[name]`, `[key=value]`): the array (or object's members) at
-- each one walked recursively; at a `[name]`, each value after the name of the arrays
-- whose first element is the string name; at a `[key=value]`, the objects whose key
-- holds the string value (the rest of the path read from each: jsonb_fields.py).
CREATE OR REPLACE FUNCTION dbrefresh.json_wildcards_walked(doc jsonb, path text[])
    RETURNS TABLE (element int, value text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
WITH RECURSIVE walk(node, rest, ord) AS (
    SELECT doc, path, ARRAY[]::bigint[]
  UNION ALL
    SELECT s.v, w.rest[x.at + 1:], w.ord || e.o || s.o
      FROM walk w
     CROSS JOIN LATERAL (SELECT dbrefresh.json_wild_at(w.rest) AS at) AS x
     CROSS JOIN LATERAL jsonb_array_elements(
             dbrefresh.json_members(w.node #> w.rest[:x.at - 1]))
             WITH ORDINALITY AS e(v, o)
     CROSS JOIN LATERAL (
             SELECT e.v, 0::bigint WHERE w.rest[x.at] = '*'
           UNION ALL
             SELECT e.v, 0::bigint
              WHERE strpos(w.rest[x.at], '=') > 0 AND jsonb_typeof(e.v) = 'object'
                AND e.v -> split_part(substr(w.rest[x.at], 2), '=', 1)
                    = to_jsonb(substr(w.rest[x.at], strpos(w.rest[x.at], '=') + 1,
                                      length(w.rest[x.at]) - strpos(w.rest[x.at], '=') - 1))
           UNION ALL
             SELECT f.v, f.o
               FROM jsonb_array_elements(
                        CASE WHEN w.rest[x.at] <> '*' AND strpos(w.rest[x.at], '=') = 0
                                  AND jsonb_typeof(e.v) = 'array'
                                  AND jsonb_typeof(e.v -> 0) = 'string'
                                  AND e.v ->> 0 = substr(w.rest[x.at], 2,
                                                         length(w.rest[x.at]) - 2)
                             THEN e.v END) WITH ORDINALITY AS f(v, o)
              WHERE f.o > 1) AS s(v, o)
     WHERE x.at IS NOT NULL
), found AS (
    SELECT w.ord, w.node #> w.rest AS v
      FROM walk w
     WHERE cardinality(w.ord) > 0 AND dbrefresh.json_wild_at(w.rest) IS NULL
), places AS (
    SELECT f.ord, 0::bigint AS o, f.v FROM found f WHERE jsonb_typeof(f.v) <> 'array'
  UNION ALL
    SELECT f.ord, e.o, e.v
      FROM found f
     CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(f.v) = 'array'
                                                  THEN f.v END) WITH ORDINALITY AS e(v, o)
)
SELECT n.element::int, n.v #>> '{}'
  FROM (SELECT row_number() OVER (ORDER BY p.ord, p.o) AS element, p.v FROM places p) AS n
 WHERE jsonb_typeof(n.v) <> 'null'
$$;

-- The values of a path through arrays (`contacts.*.email`, `*`, `orders.*.items.*.name`)
-- or objects' members (`tokens.*.token`): each element of the array (each member's value
-- of the object) at a `*` walked with the rest of the path, an array at the
-- end element by element. Every place found is numbered in document order (element,
-- from 1), JSON null ones too, so the numbers stay those of the masked document (the
-- strategy keeps every array's length); the non-null ones are returned. A path with one
-- `*` (the usual `signers.*.email`) is walked without the recursive query, the same
-- places in the same order: a third less CPU per value of a leak sample.
CREATE OR REPLACE FUNCTION dbrefresh.json_wildcard_values(doc jsonb, path text[])
    RETURNS TABLE (element int, value text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
SELECT n.element::int, n.v #>> '{}'
  FROM (SELECT row_number() OVER (ORDER BY e.o, a.o) AS element,
               coalesce(a.v, e.v #> path[array_position(path, '*') + 1:]) AS v
          FROM jsonb_array_elements(
                   CASE jsonb_typeof(doc #> path[:array_position(path, '*') - 1])
                   WHEN 'array' THEN doc #> path[:array_position(path, '*') - 1]
                   WHEN 'object' THEN dbrefresh.json_members(
                                          doc #> path[:array_position(path, '*') - 1]) END)
                   WITH ORDINALITY AS e(v, o)
          LEFT JOIN LATERAL jsonb_array_elements(
                   CASE WHEN jsonb_typeof(e.v #> path[array_position(path, '*') + 1:]) = 'array'
                        THEN e.v #> path[array_position(path, '*') + 1:] END)
                   WITH ORDINALITY AS a(v, o) ON true
         WHERE jsonb_typeof(e.v #> path[array_position(path, '*') + 1:]) <> 'array'
            OR a.o IS NOT NULL) AS n
 WHERE jsonb_typeof(n.v) <> 'null'
   AND cardinality(array_positions(path, '*')) = 1 AND dbrefresh.json_wild_count(path) = 1
UNION ALL
SELECT w.element, w.value FROM dbrefresh.json_wildcards_walked(doc, path) AS w
 WHERE dbrefresh.json_wild_count(path) > 1 OR NOT '*' = ANY(path)
$$;

-- The element-th of a wildcard path's values now (apart: a sub-select would keep
-- json_path_value below from being inlined for every other path).
CREATE OR REPLACE FUNCTION dbrefresh.json_wildcard_value(doc jsonb, path text[], element int)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
SELECT w.value FROM dbrefresh.json_wildcard_values(doc, path) AS w WHERE w.element = $3
$$;

-- The values a jsonb rule's path addresses in a document, as the jsonb strategy masks
-- them: the path's value as text (element NULL) unless it is an array, then each
-- non-null element as text with its ordinal; nothing when the path is missing or JSON
-- null, or the document is a scalar (#> finds no path in one: it is kept as it is).
-- A path with a `*` (every element of the array there) or a field's `[name]` is
-- json_wildcard_values'.
-- The strings of a document that hold an email address, wherever they are (element:
-- their order): the leak check samples them beside the rules' paths, so addresses under
-- a path no rule lists (PostHog's activity log, ten levels down) are not called masked.
CREATE OR REPLACE FUNCTION dbrefresh.json_addresses(doc jsonb)
    RETURNS TABLE (element int, value text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
SELECT a.o::int, a.v #>> '{}'
  FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "string" && '
                             '@ like_regex "[^@[:space:]]@[A-Za-z0-9-]+\\.[A-Za-z]")')
       WITH ORDINALITY AS a(v, o)
 WHERE jsonb_typeof(doc) IN ('object', 'array')
$$;

CREATE OR REPLACE FUNCTION dbrefresh.json_path_values(doc jsonb, path text[])
    RETURNS TABLE (element int, value text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
SELECT NULL::int, doc #>> path
 WHERE jsonb_typeof(doc #> path) NOT IN ('array', 'null') AND dbrefresh.json_wild_at(path) IS NULL
UNION ALL
SELECT e.o::int, e.v
  FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(doc #> path) = 'array'
                                       AND dbrefresh.json_wild_at(path) IS NULL
                                      THEN doc #> path END) WITH ORDINALITY AS e(v, o)
 WHERE e.v IS NOT NULL
UNION ALL
SELECT w.element, w.value FROM dbrefresh.json_wildcard_values(doc, path) AS w
 WHERE dbrefresh.json_wild_at(path) IS NOT NULL
$$;

-- One of those values now: the path's own (element NULL) or its array's element-th
-- (NULL when the document no longer has it there). One expression: inlined.
CREATE OR REPLACE FUNCTION dbrefresh.json_path_value(doc jsonb, path text[], element int)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
SELECT CASE WHEN dbrefresh.json_wild_at(path) IS NOT NULL
            THEN dbrefresh.json_wildcard_value(doc, path, element)
            WHEN element IS NULL THEN doc #>> path
            ELSE (doc #> path) ->> (element - 1) END
$$;

CREATE TABLE IF NOT EXISTS dbrefresh.refresh_info (
    refreshed_at timestamptz NOT NULL DEFAULT now(),
    run_id       text,
    snapshot_id  text,
    rules_digest text,
    source       text
);

-- One row per materialized view refreshed (or emptied, populated = false) after masking,
-- in the refresh's own transaction: verify finds one still holding data from before.
CREATE TABLE IF NOT EXISTS dbrefresh.refreshed_views (
    relation     text        PRIMARY KEY,
    populated    boolean     NOT NULL,
    rules_digest text        NOT NULL,
    refreshed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

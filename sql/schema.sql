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
CREATE INDEX IF NOT EXISTS leak_hashes_column ON dbrefresh.leak_hashes (table_name, column_name);

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

-- Keyed hash of an original value for the leak check (domain-separated from strategies).
CREATE OR REPLACE FUNCTION dbrefresh.leak_hash(v text) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT sha256(convert_to('leak' || chr(31) || current_setting('dbrefresh.key') || chr(31) || v, 'UTF8')) $$;

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

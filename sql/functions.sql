-- Masking support installed into a clone: keyed digests and small helpers that
-- PostgreSQL inlines (single-SELECT SQL functions, no STRICT, no SET, parameters used
-- once or only with cheap arguments), so a masked column costs one sha256 per row.
-- Idempotent: everything is CREATE OR REPLACE. Dictionaries live in dictionaries/*.sql.
CREATE SCHEMA IF NOT EXISTS dbrefresh;

-- Keyed digest of one value: sha256(key 0x1f tag 0x1f value). The tag separates the
-- strategies, so first_name and last_name of one value are unrelated. NULL in, NULL out.
-- STABLE (not IMMUTABLE) because convert_to() is STABLE; inlining needs the truth here.
CREATE OR REPLACE FUNCTION dbrefresh.digest(key text, tag text, val text) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT sha256(convert_to(key || E'\x1f' || tag || E'\x1f' || val, 'UTF8')) $$;

-- Unsigned 31-bit integer read from 4 bytes of a digest at byte offset off.
CREATE OR REPLACE FUNCTION dbrefresh.u31(h bytea, off integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ((get_byte(h, off) & 127) << 24) | (get_byte(h, off + 1) << 16)
             | (get_byte(h, off + 2) << 8) | get_byte(h, off + 3) $$;

-- Dictionary pick different from the original: the entry chosen by 4 digest bytes at
-- offset off, or the next one when that entry equals orig. h must be a plain column
-- (bind the digest once with a subquery): inlining repeats it.
CREATE OR REPLACE FUNCTION dbrefresh.pick(dict name[], h bytea, off integer, orig text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN dict[1 + dbrefresh.u31(h, off) % cardinality(dict)]::text
                       IS DISTINCT FROM orig
                  THEN dict[1 + dbrefresh.u31(h, off) % cardinality(dict)]::text
                  ELSE dict[1 + (dbrefresh.u31(h, off) + 1) % cardinality(dict)]::text END $$;

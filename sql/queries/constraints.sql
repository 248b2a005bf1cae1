-- Unique indexes (PK, UNIQUE constraints and plain unique indexes), the indexes of
-- exclusion constraints (kind 'unique', not indisunique), and foreign keys.
SELECT 'unique' AS kind,
       i.indrelid AS table_oid,
       ic.relname AS name,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              ORDER BY k.ord) AS columns,
       NULL::oid AS ref_oid,
       NULL::text[] AS ref_columns,
       i.indisprimary AS is_primary,
       NULL::text AS definition,
       NULL::text AS comment,
       -- key expressions (unique (lower(email))): the columns they read are unique too
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k.ord::int, true)
               FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
              WHERE k.attnum = 0 ORDER BY k.ord) AS expressions,
       NOT i.indisunique AS exclusion,
       NULL::text AS on_delete,
       NULL::text[] AS set_null
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
 WHERE (i.indisunique OR EXISTS (SELECT 1 FROM pg_constraint x
                                WHERE x.conindid = i.indexrelid AND x.contype = 'x'))
   AND i.indrelid = ANY(%(oids)s)
UNION ALL
SELECT 'fk',
       c.conrelid,
       c.conname,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
              ORDER BY k.ord),
       c.confrelid,
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
              ORDER BY k.ord),
       false,
       pg_get_constraintdef(c.oid),
       obj_description(c.oid, 'pg_constraint'),
       NULL::text[],
       false,
       c.confdeltype::text,
       -- the columns ON DELETE SET NULL sets: its column list (confdelsetcols, 15+: read
       -- through to_jsonb so that older catalogs without it still answer), else the key
       CASE WHEN c.confdeltype = 'n' THEN
         ARRAY(SELECT a.attname::text
                 FROM unnest(coalesce(
                        (SELECT array_agg(x::int2)
                           FROM jsonb_array_elements_text(
                                  CASE jsonb_typeof(to_jsonb(c) -> 'confdelsetcols')
                                  WHEN 'array' THEN to_jsonb(c) -> 'confdelsetcols' END) x),
                        c.conkey)) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                ORDER BY k.ord)
       END
  FROM pg_constraint c
 WHERE c.contype = 'f' AND (c.conrelid = ANY(%(oids)s) OR c.confrelid = ANY(%(oids)s))
   AND c.conparentid = 0
 ORDER BY 1, 2, 3;

-- Indexes of the given tables, with what it takes to re-create each exactly: the index
-- definition, or the constraint it backs (PK, UNIQUE, EXCLUDE), its comment, and flags.
SELECT i.indrelid AS table_oid,
       ic.relname AS name,
       pg_get_indexdef(i.indexrelid) AS index_def,
       con.conname AS constraint_name,
       con.contype::text AS constraint_type,
       pg_get_constraintdef(con.oid) AS constraint_def,
       obj_description(i.indexrelid, 'pg_class') AS comment,
       obj_description(con.oid, 'pg_constraint') AS constraint_comment,
       i.indisreplident AS replica_identity,
       i.indisclustered AS clustered,
       (ic.relispartition OR EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhparent = ic.oid))
           AS partition_linked,
       ts.spcname AS tablespace,
       -- expression columns' own statistics targets (0 too: statistics turned off; the
       -- default is -1 up to 16, NULL from 17)
       ARRAY(SELECT ARRAY[a.attnum::int, a.attstattarget::int] FROM pg_attribute a
              WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0
              ORDER BY a.attnum) AS statistics_targets
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                              AND con.contype IN ('p', 'u', 'x')
  LEFT JOIN pg_tablespace ts ON ts.oid = ic.reltablespace
 WHERE i.indrelid = ANY(%(oids)s)
 ORDER BY i.indrelid, ic.relname;

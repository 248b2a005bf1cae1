-- Ordinary and partitioned tables outside the system schemas and dbrefresh's own.
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind::text AS kind,
       c.relispartition AS is_partition,
       (SELECT pn.nspname || '.' || p.relname
          FROM pg_inherits i
          JOIN pg_class p ON p.oid = i.inhparent
          JOIN pg_namespace pn ON pn.oid = p.relnamespace
         WHERE i.inhrelid = c.oid AND c.relispartition) AS parent,
       greatest(c.reltuples, 0)::bigint AS estimated_rows,
       pg_total_relation_size(c.oid) AS total_bytes,
       ARRAY(SELECT conname::text FROM pg_constraint
              WHERE conrelid = c.oid AND contype = 'c' ORDER BY 1) AS checks,
       -- a partitioned table's key columns, those its key expressions read included
       -- (PostgreSQL records each as internally depending on the table)
       ARRAY(SELECT a.attname::text FROM pg_depend d
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
              WHERE c.relkind = 'p' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
                AND d.objsubid > 0 AND d.refclassid = 'pg_class'::regclass
                AND d.refobjid = c.oid AND d.refobjsubid = 0 AND d.deptype = 'i'
              ORDER BY a.attnum) AS partition_key,
       -- user triggers that fire although masking writes as a replica: [[name, 'A'|'R']]
       (SELECT coalesce(jsonb_agg(jsonb_build_array(t.tgname, t.tgenabled) ORDER BY t.tgname),
                        '[]')
          FROM pg_trigger t
         WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND t.tgenabled IN ('A', 'R'))
         AS replica_triggers,
       -- rewrite rules (CREATE RULE) that fire the same way: [[name, 'A'|'R']]
       (SELECT coalesce(jsonb_agg(jsonb_build_array(r.rulename, r.ev_enabled)
                                  ORDER BY r.rulename), '[]')
          FROM pg_rewrite r
         WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN' AND r.ev_enabled IN ('A', 'R'))
         AS replica_rules
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'dbrefresh', 'pg_toast')
   AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
 ORDER BY n.nspname, c.relname;

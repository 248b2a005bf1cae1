-- Views and materialized views outside the system schemas and dbrefresh's own, with what
-- their query reads (from the dependencies of their _RETURN rule): the relations, and
-- whether anything is opaque to dbrefresh (a function that is not built in, which may
-- read any table; a foreign table, whose rows come from elsewhere).
SELECT n.nspname AS schema,
       c.relname AS name,
       c.relkind::text AS kind,
       c.relispopulated AS populated,
       coalesce(array_agg(DISTINCT rn.nspname || '.' || rc.relname)
                FILTER (WHERE rc.oid IS NOT NULL AND rc.oid <> c.oid), '{}') AS reads,
       coalesce(bool_or(d.refclassid = 'pg_proc'::regclass OR rc.relkind = 'f'), false) AS opaque
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_rewrite r ON r.ev_class = c.oid
  LEFT JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
  LEFT JOIN pg_class rc ON d.refclassid = 'pg_class'::regclass AND rc.oid = d.refobjid
  LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
 WHERE c.relkind IN ('v', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'dbrefresh', 'pg_toast')
   AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
 GROUP BY c.oid, n.nspname, c.relname, c.relkind, c.relispopulated
 ORDER BY n.nspname, c.relname;

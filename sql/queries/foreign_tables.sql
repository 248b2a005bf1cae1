-- Foreign tables, with their server and the partitioned table they are a partition of
-- (if any): their rows live on another server, where masking must never write.
SELECT n.nspname AS schema,
       c.relname AS name,
       s.srvname AS server,
       (SELECT pn.nspname || '.' || pc.relname
          FROM pg_inherits i
          JOIN pg_class pc ON pc.oid = i.inhparent
          JOIN pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE i.inhrelid = c.oid) AS parent
  FROM pg_foreign_table ft
  JOIN pg_class c ON c.oid = ft.ftrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_foreign_server s ON s.oid = ft.ftserver
 ORDER BY n.nspname, c.relname;

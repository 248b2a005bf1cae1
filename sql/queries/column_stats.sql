-- Distinct-value estimates of the columns planner statistics describe, read apart from
-- columns.sql in one pass: a lookup per column (pg_stats has no OIDs, only names)
-- planned through the attname index scans every table's column of that name, which on
-- 2,000 tables took 36 s.
SELECT schemaname AS schema_name, tablename AS table_name, attname AS column_name, n_distinct
  FROM pg_stats
 WHERE NOT inherited
   AND schemaname NOT IN ('pg_catalog', 'information_schema', 'dbrefresh');

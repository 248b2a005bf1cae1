-- Columns with their type resolved through one level of domain and array.
SELECT a.attrelid AS table_oid,
       a.attname AS name,
       a.attnum AS num,
       format_type(a.atttypid, a.atttypmod) AS type_sql,
       (a.attnotnull OR coalesce(t.typnotnull, false)) AS not_null,
       a.attgenerated::text AS generated,
       a.attidentity::text AS identity,
       -- a generated column's expression: the other columns it reads (its pg_attrdef
       -- entry depends on them)
       ARRAY(SELECT ra.attname::text FROM pg_attrdef ad
               JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
               JOIN pg_attribute ra ON ra.attrelid = d.refobjid AND ra.attnum = d.refobjsubid
              WHERE a.attgenerated <> '' AND ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                AND d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid
                AND d.refobjsubid > 0 AND d.refobjsubid <> a.attnum
              ORDER BY ra.attnum) AS generated_reads,
       CASE WHEN t.typtype = 'd' THEN format_type(t.oid, NULL) END AS domain,
       -- the column's domain, or its elements' (an array of a domain): their checks and
       -- base type (for an array of a domain, the array of the domain's base type)
       CASE WHEN t.typtype = 'd' OR et.typtype = 'd' THEN
            ARRAY(SELECT pg_get_constraintdef(dc.oid) FROM pg_constraint dc
                   WHERE dc.contypid = CASE WHEN t.typtype = 'd' THEN t.oid ELSE et.oid END
                     AND dc.contype = 'c' ORDER BY dc.conname)
       END AS domain_checks,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod)
            WHEN et.typtype = 'd' THEN format_type(et.typbasetype, et.typtypmod) || '[]' END
         AS domain_base_sql,
       (bt.typcategory = 'A') AS is_array,
       CASE WHEN bt.typcategory = 'A' THEN format_type(bt.typelem, NULL) END AS element_sql,
       et.typname AS base,
       et.typcategory::text AS category,
       et.typtype::text AS base_typtype,
       -- a composite type's own relation: its fields are its pg_attribute rows
       CASE WHEN et.typtype = 'c' THEN et.typrelid END AS type_relid,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
       CASE WHEN et.typtype = 'e' THEN
            ARRAY(SELECT e.enumlabel::text FROM pg_enum e
                   WHERE e.enumtypid = et.oid ORDER BY e.enumsortorder)
       END AS enum_labels,
       -- a nondeterministic ICU collation that ignores case (strength secondary or
       -- primary): equal values may differ in case; at strength primary in accents too
       -- (folded with normalize(), which needs a UTF8 database)
       coalesce(nd.locale ~* '(ks-level[12]|colstrength=(primary|secondary))', false)
         AS ignores_case,
       coalesce(current_setting('server_encoding') = 'UTF8'
                AND nd.locale ~* '(ks-level1|colstrength=primary)'
                AND nd.locale !~* '(kc-true|colcaselevel=yes)', false) AS ignores_accents,
       CASE WHEN NOT coll.collisdeterministic
            THEN format('%%I.%%I', cn.nspname, coll.collname) END AS nondeterministic,
       CASE WHEN a.attcollation <> 0
            THEN format('%%I.%%I', cn.nspname, coll.collname) END AS collation
  FROM pg_attribute a
  LEFT JOIN pg_collation coll ON coll.oid = a.attcollation
  LEFT JOIN pg_namespace cn ON cn.oid = coll.collnamespace
  -- a nondeterministic collation's locale, read through to_jsonb (colliculocale in 15
  -- and 16, colllocale from 17)
  LEFT JOIN LATERAL (SELECT coalesce(to_jsonb(coll) ->> 'colliculocale',
                                     to_jsonb(coll) ->> 'colllocale', coll.collcollate) AS locale
                      WHERE NOT coll.collisdeterministic) nd ON true
  JOIN pg_type t  ON t.oid = a.atttypid
  JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
  JOIN pg_type et ON et.oid = CASE WHEN bt.typcategory = 'A' AND bt.typelem <> 0
                                   THEN bt.typelem ELSE bt.oid END
 WHERE a.attrelid = ANY(%(oids)s) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum;

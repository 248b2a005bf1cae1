-- The table every strategy test masks: one column per supported type, NULLs,
-- empty strings, zero and integer limits. :rows is replaced by the fixture.
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN short_name AS varchar(30) CHECK (VALUE <> '');
CREATE TABLE people (
    id int PRIMARY KEY,
    vc varchar(40),
    ch char(12),
    tx text,
    email varchar(80),
    phone text,
    num numeric(8,2),
    i4 int,
    i8 bigint NOT NULL,
    d date,
    ts timestamptz,
    u uuid,
    ip inet,
    net cidr,
    doc jsonb,
    m mood,
    dom short_name,
    tags text[],
    code varchar(12) NOT NULL
);
INSERT INTO people
SELECT g,
       CASE WHEN g % 10 = 0 THEN NULL ELSE 'Person ' || g END,
       CASE WHEN g % 11 = 0 THEN NULL ELSE 'C' || g END,
       CASE WHEN g % 12 = 0 THEN NULL WHEN g % 13 = 0 THEN '' 
            ELSE 'Some free text number ' || g END,
       CASE WHEN g % 10 = 1 THEN NULL ELSE 'first' || g || '.last@mail.test' END,
       CASE WHEN g % 10 = 2 THEN NULL ELSE '+1 (555) 01' || lpad(g::text, 4, '0') END,
       CASE WHEN g % 10 = 3 THEN NULL WHEN g % 7 = 0 THEN 0 ELSE (g * 3.37 - 500)::numeric(8,2) END,
       CASE WHEN g % 10 = 4 THEN NULL WHEN g = 5 THEN 2147483647 WHEN g = 6 THEN -2147483648
            ELSE g * 1000 - 100000 END,
       g::bigint * 100000007,
       CASE WHEN g % 10 = 5 THEN NULL ELSE date '1980-01-01' + g * 37 END,
       CASE WHEN g % 10 = 6 THEN NULL 
            ELSE timestamptz '2020-03-01 12:34:56+00' + g * interval '7 hours' END,
       CASE WHEN g % 10 = 7 THEN NULL ELSE md5(g::text)::uuid END,
       CASE WHEN g % 10 = 8 THEN NULL WHEN g % 3 = 0 THEN ('2001:db8::' || g)::inet
            ELSE ('192.168.' || g % 256 || '.' || g % 200 || '/24')::inet END,
       CASE WHEN g % 10 = 9 THEN NULL ELSE ('172.16.' || g % 256 || '.0/24')::cidr END,
       CASE WHEN g % 9 = 0 THEN NULL
            WHEN g % 9 = 1 THEN '"just a string"'::jsonb
            WHEN g % 9 = 2 THEN jsonb_build_object('other', g)
            WHEN g % 9 = 3 THEN jsonb_build_object('customer', jsonb_build_object('email', NULL))
            ELSE jsonb_build_object('customer', jsonb_build_object('email', 'c' || g || '@x.test',
                 'name', 'Name ' || g, 'age', g % 90), 'keep', 'kept ' || g) END,
       CASE WHEN g % 8 = 0 THEN NULL ELSE (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood END,
       CASE WHEN g % 6 = 0 THEN NULL ELSE 'Dom ' || g END,
       CASE WHEN g % 5 = 0 THEN NULL WHEN g % 5 = 1 THEN '{}'::text[]
            ELSE ARRAY['tag' || g, NULL, 'x' || g] END,
       'K' || g
FROM generate_series(1, :rows) g;

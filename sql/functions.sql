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

-- The same digest with its constant part computed once per statement: strategies call
-- dbrefresh.keyed((SELECT dbrefresh.key_prefix(current_setting(..), tag)), value); the
-- uncorrelated scalar subquery becomes an InitPlan, so a row pays one concatenation and
-- one sha256 (keyed(...) = digest(key, tag, value), byte for byte).
CREATE OR REPLACE FUNCTION dbrefresh.key_prefix(key text, tag text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT key || E'\x1f' || tag || E'\x1f' $$;

CREATE OR REPLACE FUNCTION dbrefresh.keyed(prefix text, val text) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT sha256(convert_to(prefix || val, 'UTF8')) $$;

-- 63 bits of a digest as a non-negative bigint, from ONE reference to the digest (two
-- calls; get_byte() would need four references, and each reference is another sha256).
-- hashtextextended() only compresses the keyed digest here: its input is secret and
-- uniform, so it need not be a PRF. Portable across PostgreSQL versions (hash
-- partitioning relies on it), not across byte orders (like hash partitioning).
CREATE OR REPLACE FUNCTION dbrefresh.u63(h bytea) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT hashtextextended(encode(h, 'hex') COLLATE "C", 0) & 9223372036854775807 $$;

-- Unsigned 31-bit integer read from 4 bytes of a digest at byte offset off (for a digest
-- bound once with a subquery: h is then a plain column and may be read many times).
CREATE OR REPLACE FUNCTION dbrefresh.u31(h bytea, off integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ((get_byte(h, off) & 127) << 24) | (get_byte(h, off + 1) << 16)
             | (get_byte(h, off + 2) << 8) | get_byte(h, off + 3) $$;

-- Unsigned 24-bit integer read from 3 bytes of a bound digest at byte offset off: enough
-- for a dictionary index (bias below 0.03% for 4,000 entries), one get_byte fewer.
CREATE OR REPLACE FUNCTION dbrefresh.u24(h bytea, off integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (get_byte(h, off) << 16) | (get_byte(h, off + 1) << 8) | get_byte(h, off + 2) $$;

-- Dictionary pick different from the original: the entry chosen by 3 digest bytes at
-- offset off, or the next one when that entry equals orig. h must be a plain column
-- (bind the digest once with a subquery): inlining repeats it. NULLIF evaluates the
-- entry once; COALESCE computes the next entry only when it is needed.
CREATE OR REPLACE FUNCTION dbrefresh.pick(dict name[], h bytea, off integer, orig text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT COALESCE(NULLIF(dict[1 + dbrefresh.u24(h, off) % cardinality(dict)], orig)::text,
                      dict[1 + (dbrefresh.u24(h, off) + 1) % cardinality(dict)]::text) $$;

-- Dictionary pick from x (digest bits, referenced ONCE, so x may be the digest itself),
-- never equal to orig. In the rare case the keyed entry is the original, one of two
-- neighbouring entries chosen by orig alone: they differ, so one differs from orig.
CREATE OR REPLACE FUNCTION dbrefresh.pick_x(dict anyarray, x bigint, orig text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT COALESCE(
         NULLIF(dict[1 + x % cardinality(dict)]::text, orig),
         NULLIF(dict[1 + (hashtext(orig COLLATE "C") & 2147483647) % cardinality(dict)]::text, orig),
         dict[1 + ((hashtext(orig COLLATE "C") & 2147483647) + 1) % cardinality(dict)]::text) $$;

-- Two dictionaries as one, each entry once, in a fixed order (`locale: [de_DE, fr_FR]`).
-- Constant arguments: folded once per statement, like dict_fit.
CREATE OR REPLACE FUNCTION dbrefresh.dict_merge(a name[], b name[]) RETURNS name[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ARRAY(SELECT DISTINCT d FROM unnest(a || b) AS d ORDER BY d) $$;

-- The entries of a dictionary no longer than n characters, for a varchar(n) or char(n)
-- column: a whole postcode or first name rather than one cut short ('E0A 3' of a
-- Canadian 'E0A 3XS'). Constant arguments: the planner folds it once per statement.
-- The whole dictionary (then cut) when fewer than two fit: pick_x needs two.
CREATE OR REPLACE FUNCTION dbrefresh.dict_fit(dict name[], n integer) RETURNS name[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN cardinality(fit) >= 2 THEN fit ELSE dict END
        FROM (SELECT ARRAY(SELECT d FROM unnest(dict) AS d WHERE char_length(d) <= n) AS fit) AS f $$;

-- A number of days in [-m, -1] or [1, m] from x (referenced once), uniform: x % 2m - m
-- lies in [-m, m - 1]; its 0 becomes m.
CREATE OR REPLACE FUNCTION dbrefresh.shift_days(x bigint, m integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT COALESCE(NULLIF((x % (2 * m))::integer - m, 0), m) $$;

-- digits: a to_char() template of t where every digit is a digit slot ("0") and every
-- other character is quoted literal text, e.g. '(030) 12-34' -> '"(""0""0""0"") ""0"...'.
CREATE OR REPLACE FUNCTION dbrefresh.digit_slots(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '"' || replace(replace(replace(replace(replace(replace(replace(replace(replace(
               replace(replace(replace(t, '\', '\\'), '"', '\"'), '0', '"0"'), '1', '"0"'),
               '2', '"0"'), '3', '"0"'), '4', '"0"'), '5', '"0"'), '6', '"0"'), '7', '"0"'),
               '8', '"0"'), '9', '"0"') || '"' $$;

-- digits: the digits of t replaced by the last digits of k, everything else kept, in
-- one to_char() call (STABLE like to_char; no locale-dependent pattern is used).
-- to_char fills digit slots from the right; k < 10^(octet_length(t) + 19) (k < 10^19
-- up to 18 bytes), so that many leading slots absorb k's upper digits and are cut off.
-- k is read once: it holds the digest (a parameter read twice would not be inlined).
CREATE OR REPLACE FUNCTION dbrefresh.fill_digits(k numeric, t text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT substr(to_char(k, CASE WHEN octet_length(t) <= 18 THEN 'FM0000000000000000000'
                                    ELSE 'FM' || repeat('0', octet_length(t) + 19) END
                               || dbrefresh.digit_slots(t)),
                    CASE WHEN octet_length(t) <= 18 THEN 20 ELSE octet_length(t) + 20 END) $$;

-- digits, for t of at most 18 bytes (so at most 18 digits): the same from the low 18
-- digits of x (a 63-bit bigint, read once) with bigint arithmetic and to_char(bigint),
-- 0.35 us a value cheaper than the numeric path. Callers pick it by octet_length(t).
CREATE OR REPLACE FUNCTION dbrefresh.fill_digits18(x bigint, t text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT substr(to_char(x % 1000000000000000000,
                            'FM000000000000000000' || dbrefresh.digit_slots(t)), 19) $$;

-- digits: a number with at least octet_length(t) pseudo-random digits from x (< 2^63,
-- read once): x itself up to 18 bytes, x times a long constant ending in 1 beyond (the
-- low digits of x * c are a bijection of x's, the higher ones mix all of x).
CREATE OR REPLACE FUNCTION dbrefresh.digit_pool(x bigint, t text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT x * CASE WHEN octet_length(t) <= 18 THEN 1::numeric
                      ELSE (left(repeat('31415926535897932384626433832795028841971693993751'
                                        '05820974944592307816406286208998628034825342117067',
                                        1 + octet_length(t) / 100), octet_length(t))
                            || '1')::numeric END $$;

-- The keyed cycle permute_digits and permute_letters share: x (< pu * pv) is split into
-- halves a = x / pv < pu and b = x % pv < pv, P is a Feistel network of 8 rounds, each
-- round function a keyed sha256 of the tweak, the round and the other half; the result
-- is P^-1(P(x) + 1 mod pu * pv): x's successor in a secret cyclic order, never x itself.
-- The callers read their strings as x in their radix (10, 26) and write the result back.
CREATE OR REPLACE FUNCTION dbrefresh.feistel_next(tweak text, x bigint, pu bigint, pv bigint)
RETURNS bigint
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  a bigint := x / pv;
  b bigint := x % pv;
  p bigint;
  c bigint;
  n bigint;
BEGIN
  FOR i IN 0 .. 7 LOOP
    p := CASE WHEN i % 2 = 0 THEN pu ELSE pv END;
    c := (a + dbrefresh.u63(sha256(convert_to(tweak || i || '.' || b, 'UTF8'))) % p) % p;
    a := b;
    b := c;
  END LOOP;
  n := (a * pv + b + 1) % (pu * pv);
  a := n / pv;
  b := n % pv;
  FOR i IN REVERSE 7 .. 0 LOOP
    p := CASE WHEN i % 2 = 0 THEN pu ELSE pv END;
    c := (b - dbrefresh.u63(sha256(convert_to(tweak || i || '.' || a, 'UTF8'))) % p + p) % p;
    b := a;
    a := c;
  END LOOP;
  RETURN a * pv + b;
END $$;

-- digits with unique: true: a keyed permutation of the digit strings of each length
-- with no fixed point, so distinct values stay distinct and none is left as it was:
-- feistel_next in radix 10 (FF1's shape: halves of floor(d/2) and ceil(d/2) digits, the
-- length in the tweak). Up to 18 digits in bigint arithmetic (~16 us a value: 16
-- sha256); longer strings are permuted by 18-digit pieces, each with its own tweak.
CREATE OR REPLACE FUNCTION dbrefresh.permute_digits(prefix text, s text) RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  d integer := length(s);
  u integer := d / 2;
  v integer := d - u;
  out text := '';
BEGIN
  IF d > 18 THEN
    FOR piece IN 0 .. (d - 1) / 18 LOOP
      out := out || dbrefresh.permute_digits(prefix || piece || ':', substr(s, 1 + 18 * piece, 18));
    END LOOP;
    RETURN out;
  END IF;
  IF d = 0 THEN RETURN s; END IF;
  RETURN lpad(dbrefresh.feistel_next(prefix || d || '.', s::bigint, (10::bigint ^ u)::bigint,
                                     (10::bigint ^ v)::bigint)::text, d, '0');
END $$;

-- digits with letters: true: a code's letters permuted like its digits (permute_digits)
-- in radix 26: s is upper-case A-Z, read as a number in base 26 (A = 0) with halves of
-- floor(d/2) and ceil(d/2) letters, its feistel_next written back as d letters: a
-- bijection of the d-letter strings with no fixed point. Pieces of 12 letters.
CREATE OR REPLACE FUNCTION dbrefresh.permute_letters(prefix text, s text) RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  d integer := length(s);
  u integer := d / 2;
  v integer := d - u;
  x bigint := 0;
  out text := '';
BEGIN
  IF d > 12 THEN
    FOR piece IN 0 .. (d - 1) / 12 LOOP
      out := out || dbrefresh.permute_letters(prefix || piece || ':', substr(s, 1 + 12 * piece, 12));
    END LOOP;
    RETURN out;
  END IF;
  IF d = 0 THEN RETURN s; END IF;
  FOR i IN 1 .. d LOOP x := x * 26 + ascii(substr(s, i, 1)) - 65; END LOOP;
  x := dbrefresh.feistel_next(prefix || d || '.', x, (26::numeric ^ u)::bigint,
                              (26::numeric ^ v)::bigint);
  FOR i IN 1 .. d LOOP out := chr(65 + (x % 26)::integer) || out; x := x / 26; END LOOP;
  RETURN out;
END $$;

-- digits with letters and unique: true: the digits of s permuted as one string (all
-- but the last with hold_last, which luhn_fix then sets), under a tweak naming the
-- letters, then the letters (case folded) permuted under a tweak naming the permuted
-- digits, and both laid back into their slots, each letter in its own case. A
-- two-round Feistel over the two classes: the digits follow from the output's digits
-- and the letters, the letters from the output's letters and digits, so distinct codes
-- of one shape stay distinct (codes of different shapes differ in shape). No letter
-- (or letters: false): exactly permute_digits, as digits with unique: true.
CREATE OR REPLACE FUNCTION dbrefresh.permute_code(prefix text, s text, letters boolean,
                                                  hold_last boolean) RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  d text := regexp_replace(s COLLATE "C", '[^0-9]+', '', 'g');
  l text := CASE WHEN letters THEN upper(regexp_replace(s COLLATE "C", '[^A-Za-z]+', '', 'g'))
                 ELSE '' END;
  held text := '';
  out text := '';
  a integer;
  di integer := 0;
  li integer := 0;
BEGIN
  IF hold_last AND length(d) >= 2 THEN
    held := right(d, 1);
    d := left(d, -1);
  END IF;
  IF d <> '' THEN
    d := dbrefresh.permute_digits(prefix || CASE WHEN l = '' THEN '' ELSE 'l' || l || ':' END, d);
  END IF;
  IF l <> '' THEN
    l := dbrefresh.permute_letters(prefix || 'L' || d || ':', l);
  END IF;
  d := d || held;
  FOR i IN 1 .. length(s) LOOP
    a := ascii(substr(s, i, 1));
    IF a BETWEEN 48 AND 57 THEN
      di := di + 1;
      out := out || substr(d, di, 1);
    ELSIF letters AND a BETWEEN 65 AND 90 THEN
      li := li + 1;
      out := out || substr(l, li, 1);
    ELSIF letters AND a BETWEEN 97 AND 122 THEN
      li := li + 1;
      out := out || lower(substr(l, li, 1));
    ELSE
      out := out || substr(s, i, 1);
    END IF;
  END LOOP;
  RETURN out;
END $$;

-- digits with letters: true (not unique): every ASCII letter of t replaced by a keyed
-- letter of its case, two bytes of h a letter (the digest extended by sha256(h, block)
-- past 16 letters); digits and every other character kept (fill_digits laid them).
CREATE OR REPLACE FUNCTION dbrefresh.fill_letters(h bytea, t text) RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  pool bytea := h;
  out text := '';
  a integer;
  j integer := 0;
BEGIN
  FOR i IN 1 .. length(t) LOOP
    a := ascii(substr(t, i, 1));
    IF a BETWEEN 65 AND 90 OR a BETWEEN 97 AND 122 THEN
      IF j + 2 > length(pool) THEN
        pool := pool || sha256(h || int4send(length(pool) / 32));
      END IF;
      out := out || chr(CASE WHEN a <= 90 THEN 65 ELSE 97 END
                        + (get_byte(pool, j) * 256 + get_byte(pool, j + 1)) % 26);
      j := j + 2;
    ELSE
      out := out || substr(t, i, 1);
    END IF;
  END LOOP;
  RETURN out;
END $$;

-- The Luhn check digit of a string of digits (ISO/IEC 7812: from the right, every
-- other digit doubled, starting with the last).
CREATE OR REPLACE FUNCTION dbrefresh.luhn_digit(b text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  n integer := length(b);
  total integer := 0;
  x integer;
BEGIN
  FOR i IN 1 .. n LOOP
    x := ascii(substr(b, n + 1 - i, 1)) - 48;
    IF i % 2 = 1 THEN
      x := 2 * x;
      IF x > 9 THEN x := x - 9; END IF;
    END IF;
    total := total + x;
  END LOOP;
  RETURN (10 - total % 10) % 10;
END $$;

-- digits with luhn: true: the last digit of the masked value m set to the Luhn check
-- digit over m's other digits (non-digits ignored: '100-8', '4111 1111 1111 1111'),
-- plus how far the original o's last digit was from its own: a valid number stays
-- valid, an invalid one stays invalid by as much (so the map stays injective with
-- unique: true, and the application sees what it saw). A value with fewer than two
-- digits after the k kept characters is returned as it is (its one digit is all the
-- masking there is).
CREATE OR REPLACE FUNCTION dbrefresh.luhn_fix(m text, o text, k integer) RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  dm text := regexp_replace(m COLLATE "C", '[^0-9]+', '', 'g');
  dor text := regexp_replace(o COLLATE "C", '[^0-9]+', '', 'g');
  off integer;
BEGIN
  IF length(regexp_replace(substr(o, k + 1) COLLATE "C", '[^0-9]+', '', 'g')) < 2
     OR length(dm) <> length(dor) THEN
    RETURN m;
  END IF;
  off := (ascii(right(dor, 1)) - 48 - dbrefresh.luhn_digit(left(dor, -1)) + 10) % 10;
  RETURN regexp_replace(m COLLATE "C", '[0-9]([^0-9]*)$',
                        ((dbrefresh.luhn_digit(left(dm, -1)) + off) % 10)::text || '\1');
END $$;

-- ip with unique: true: a keyed permutation of the 2^32 IPv4 addresses with no fixed
-- point, as permute_digits does for digit strings: a Feistel network of two 16-bit
-- halves, 8 rounds, each round XORing the other half's entry in that round's keyed
-- table; the result is P^-1(P(x) + 1 mod 2^32), x's successor in a secret cyclic order.
-- Every IPv4 address may come out: 2^32 cannot map one to one into 10.0.0.0/8.
-- The 8 tables (65,536 16-bit entries each, 1 MiB) are 32,768 keyed sha256 computed
-- once per statement: callers pass (SELECT dbrefresh.ipv4_rounds(key_prefix)), an
-- InitPlan, with a tag of their own (a value digested under the same prefix would
-- disclose table entries). Round i's entry for h is bytes 2(65536 i + h) and the next.
CREATE OR REPLACE FUNCTION dbrefresh.ipv4_rounds(prefix text) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT string_agg(sha256(convert_to(prefix || j, 'UTF8')), ''::bytea ORDER BY j)
      FROM generate_series(0, 32767) AS j $$;

-- The rounds unrolled, without swaps (a and b take turns): a plpgsql statement costs
-- more than the table reads (~2 us a value in all, against ~13 us with a sha256 a round).
DROP FUNCTION IF EXISTS dbrefresh.permute_ipv4(text, bigint);
CREATE OR REPLACE FUNCTION dbrefresh.permute_ipv4(t bytea, x bigint) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  a integer := (x >> 16) & 65535;
  b integer := x & 65535;
  n bigint;
BEGIN
  a := a # ((get_byte(t, b << 1) << 8) | get_byte(t, (b << 1) | 1));
  b := b # ((get_byte(t, 131072 | (a << 1)) << 8) | get_byte(t, 131073 | (a << 1)));
  a := a # ((get_byte(t, 262144 | (b << 1)) << 8) | get_byte(t, 262145 | (b << 1)));
  b := b # ((get_byte(t, 393216 | (a << 1)) << 8) | get_byte(t, 393217 | (a << 1)));
  a := a # ((get_byte(t, 524288 | (b << 1)) << 8) | get_byte(t, 524289 | (b << 1)));
  b := b # ((get_byte(t, 655360 | (a << 1)) << 8) | get_byte(t, 655361 | (a << 1)));
  a := a # ((get_byte(t, 786432 | (b << 1)) << 8) | get_byte(t, 786433 | (b << 1)));
  b := b # ((get_byte(t, 917504 | (a << 1)) << 8) | get_byte(t, 917505 | (a << 1)));
  n := (((a::bigint << 16) | b) + 1) & 4294967295;
  a := n >> 16;
  b := n & 65535;
  b := b # ((get_byte(t, 917504 | (a << 1)) << 8) | get_byte(t, 917505 | (a << 1)));
  a := a # ((get_byte(t, 786432 | (b << 1)) << 8) | get_byte(t, 786433 | (b << 1)));
  b := b # ((get_byte(t, 655360 | (a << 1)) << 8) | get_byte(t, 655361 | (a << 1)));
  a := a # ((get_byte(t, 524288 | (b << 1)) << 8) | get_byte(t, 524289 | (b << 1)));
  b := b # ((get_byte(t, 393216 | (a << 1)) << 8) | get_byte(t, 393217 | (a << 1)));
  a := a # ((get_byte(t, 262144 | (b << 1)) << 8) | get_byte(t, 262145 | (b << 1)));
  b := b # ((get_byte(t, 131072 | (a << 1)) << 8) | get_byte(t, 131073 | (a << 1)));
  a := a # ((get_byte(t, b << 1) << 8) | get_byte(t, (b << 1) | 1));
  RETURN (a::bigint << 16) | b;
END $$;

-- lorem: a fixed text of 10,000 dictionary words in a scrambled order (ASCII, as bytea
-- so substring() is O(1)), and the byte offsets of its first 9,000 words. Both take the
-- dictionary as an argument: with constant arguments PostgreSQL computes them once, at
-- planning, into constants. Word i is drawn by md5(i) (public, portable, planning only).
CREATE OR REPLACE FUNCTION dbrefresh.lorem_word(words name[], i integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT words[1 + ('x' || left(md5(i::text), 7))::bit(28)::integer % cardinality(words)]::text $$;

CREATE OR REPLACE FUNCTION dbrefresh.lorem_text(words name[]) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT convert_to(string_agg(dbrefresh.lorem_word(words, i), ' ' ORDER BY i), 'UTF8')
      FROM generate_series(0, 9999) AS i $$;

CREATE OR REPLACE FUNCTION dbrefresh.lorem_starts(words name[]) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT array_agg(s::integer ORDER BY i)
      FROM (SELECT i, sum(length(w) + 1) OVER (ORDER BY i) - length(w) AS s
            FROM (SELECT i, dbrefresh.lorem_word(words, i) AS w
                  FROM generate_series(0, 8999) AS i) AS t) AS w $$;

-- lorem: len characters of that text from the x-chosen word on (x referenced once);
-- past 4,000 characters the text goes on with a fixed sentence (62 characters) repeated.
-- Both are ASCII, so bytes are characters: joined as bytea, as rpad() joined them, which
-- counted the characters one by one (a quarter of a 10 kB body's masking).
CREATE OR REPLACE FUNCTION dbrefresh.lorem(x bigint, len integer, corpus bytea, starts integer[])
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT convert_from(substring(corpus FROM starts[1 + x % cardinality(starts)]
                                    FOR least(len, 4000))
                          || substring(convert_to(repeat(' lorem ipsum dolor sit amet'
                                                         ' consectetur adipiscing elit sed do',
                                                         greatest(len - 4000, 0) / 62 + 1),
                                                  'UTF8')
                                       FOR greatest(len - 4000, 0)), 'UTF8') $$;

-- Arrays are masked element by element through unnest(), which reads any array as one
-- list: an array of several dimensions, or one not starting at 1, gets its shape back
-- from this text form ('[0:1][1:2]={{a,b},{c,d}}'), which the caller casts to the
-- column's type. Element k (from 0) opens one brace for each level whose block size
-- divides k and closes one for each that divides k + 1. Plain SQL (no PL/pgSQL, which
-- a production database may lack); only such arrays come here, never the usual [1:n].
CREATE OR REPLACE FUNCTION dbrefresh.reshape_text(flat anyarray, shape anyarray)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
WITH RECURSIVE block(level, size) AS (  -- elements under one entry of each level
    SELECT array_ndims(shape), 1::bigint
    UNION ALL
    SELECT level - 1, size * array_length(shape, level) FROM block WHERE level > 0
), item AS (  -- each element as written inside an array literal (quoted if it must be)
    SELECT i - 1 AS k, substr(q, 2, length(q) - 2) AS text
      FROM unnest(flat) WITH ORDINALITY AS u(v, i),
           LATERAL (SELECT ARRAY[u.v]::text AS q) AS e
)
SELECT (SELECT string_agg('[' || array_lower(shape, d) || ':' || array_upper(shape, d) || ']',
                          '' ORDER BY d)
          FROM generate_series(1, array_ndims(shape)) AS d)
       || '='
       || string_agg(repeat('{', (SELECT count(*)::int FROM block b
                                   WHERE b.level < array_ndims(shape) AND k % b.size = 0))
                     || text
                     || repeat('}', (SELECT count(*)::int FROM block b
                                      WHERE b.level < array_ndims(shape)
                                        AND (k + 1) % b.size = 0)),
                     ',' ORDER BY k)
  FROM item
$$;

-- ip on cidr: the drawn network (read once) unless it is the original network o (a /24
-- drawn in 10.0.0.0/8: one in 65,536); then the next network of the pool, or the one
-- before when the next would leave the pool. A network as large as the pool has
-- nowhere to move and is the drawn one (the pool's network of that size).
CREATE OR REPLACE FUNCTION dbrefresh.other_network(drawn cidr, o cidr, pool cidr) RETURNS cidr
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE
    WHEN drawn <> o OR masklen(o) <= masklen(pool) THEN drawn
    WHEN network(set_masklen(broadcast(o) + 1, masklen(pool))) = pool
        THEN network(set_masklen(broadcast(o) + 1, masklen(o)))
    ELSE network(set_masklen(network(o) - 1, masklen(o))) END $$;

-- A refusal the rules can raise from SQL (switch's `default: fail` meeting a key no case
-- lists): SQLSTATE 22023, which anonymize reports as the rules' doing (exit 2).
CREATE OR REPLACE FUNCTION dbrefresh.refuse(message text) RETURNS boolean
LANGUAGE plpgsql
AS $$ BEGIN RAISE EXCEPTION USING MESSAGE = message, ERRCODE = 'invalid_parameter_value'; END $$;

-- A text value as jsonb, or NULL when it is no JSON document: the jsonb strategy masks
-- JSON kept in a text column, and one malformed row (the rules' sample never met it)
-- must neither fail the table every night nor be kept. PostgreSQL 15 has no
-- pg_input_is_valid(): the exception block catches the parse error (bad syntax or
-- escapes, nesting past the stack limit). PARALLEL UNSAFE: an exception block starts a
-- subtransaction, which no parallel query may.
CREATE OR REPLACE FUNCTION dbrefresh.jsonb_or_null(t text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL UNSAFE
AS $$ BEGIN RETURN t::jsonb;
EXCEPTION WHEN data_exception OR program_limit_exceeded THEN RETURN NULL; END $$;

-- A bytea value holding UTF-8 JSON as jsonb, or NULL when it is no UTF-8 or no JSON
-- document (Camunda's act_ge_bytearray.bytes_ holds JSON variables beside serialized
-- Java objects, Axon's payload JSON beside XML): convert_from raises on bytes that are
-- no UTF-8 (or hold NUL), and one such row must neither fail the table nor be kept. The
-- same exception block as jsonb_or_null: one subtransaction a row for both checks.
CREATE OR REPLACE FUNCTION dbrefresh.jsonb_of_utf8(b bytea) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL UNSAFE
AS $$ BEGIN RETURN convert_from(b, 'UTF8')::jsonb;
EXCEPTION WHEN data_exception OR program_limit_exceeded THEN RETURN NULL; END $$;

-- One string of PHP's serialize() output (or an integer's digits) masked keeping its
-- shape and byte length (s:N: counts bytes): PHP code that validates or casts it after
-- unserialize() still sees a number, an email, a date. Each ASCII letter becomes a letter
-- of its case, each digit a digit, each byte of a multi-byte character a lowercase ASCII
-- letter (still UTF-8, same byte count); punctuation, spaces and controls stay. A run of
-- digits keeps whether it starts with 0 ('0171' stays '0...', '12345' a 5-digit number
-- from 10000 up). A value starting 'YYYY-MM-DD' (optionally ' HH:MM' or 'THH:MM:SS')
-- stays a valid date: its year moved by up to 5, month 01-12, day 01-28, time drawn;
-- '0000-00-00' (PHP's zero date) stays. The letters come from h, the keyed digest of the
-- whole string (deterministic by value), chained by sha256 past 32 bytes.
-- A loop over the bytes: translate() with 62-letter alphabets and varbit arithmetic
-- both measured slower on 100k settings (translate scans its alphabet per character).
CREATE OR REPLACE FUNCTION dbrefresh.php_shape(body bytea, h bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    n int := length(body);
    i int; x int;
    stamp text;  -- the original 'YYYY-MM-DD[ HH:MM[:SS]]' the value starts with
BEGIN
    WHILE length(h) < n LOOP
        h := h || sha256(substring(h FROM length(h) - 31));
    END LOOP;
    IF n >= 10 AND get_byte(body, 4) = 45 AND get_byte(body, 7) = 45 THEN
        stamp := substring(encode(substring(body FOR 19), 'escape')
            FROM '^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?');
    END IF;
    FOR i IN 0 .. n - 1 LOOP  -- one statement a byte: each costs more than its work
        x := get_byte(body, i);
        body := set_byte(body, i, CASE
            WHEN x >= 128 THEN 97 + get_byte(h, i) % 26
            WHEN (x | 32) BETWEEN 97 AND 122 THEN (x & 32) + 65 + get_byte(h, i) % 26
            WHEN x NOT BETWEEN 48 AND 57 THEN x
            WHEN i > 0 AND get_byte(body, i - 1) BETWEEN 48 AND 57 THEN 48 + get_byte(h, i) % 10
            WHEN x > 48 THEN 49 + get_byte(h, i) % 9  -- a run's first digit: 0 stays
            ELSE x END);
    END LOOP;
    IF stamp IS NOT NULL AND left(stamp, 4) <> '0000' THEN
        stamp := left(lpad(least(greatest(left(stamp, 4)::int + get_byte(h, 0) % 11 - 5, 1),
                                 9999)::text, 4, '0')
            || '-' || lpad((1 + get_byte(h, 1) % 12)::text, 2, '0')
            || '-' || lpad((1 + get_byte(h, 2) % 28)::text, 2, '0')
            || substr(stamp || ' ', 11, 1)
            || lpad((get_byte(h, 3) % 24)::text, 2, '0')
            || ':' || lpad((get_byte(h, 4) % 60)::text, 2, '0')
            || ':' || lpad((get_byte(h, 5) % 60)::text, 2, '0'), length(stamp));
    END IF;
    IF stamp IS NOT NULL THEN  -- '0000-00-00', PHP's zero date, stays
        body := overlay(body PLACING convert_to(stamp, 'UTF8') FROM 1 FOR length(stamp));
    END IF;
    RETURN body;
END $$;

-- PHP's serialize() output ('a:1:{s:5:"email";s:16:"ann@mail.example";}', WordPress's
-- and Mautic's settings) with its string values masked in place by php_shape: each
-- keeps its byte length and shape, so every s:N: length still matches and PHP still
-- unserializes it (a string cannot be replaced otherwise without rewriting its length).
-- Only values under one of `keys` (at any depth; every string value when keys is NULL)
-- are masked, and an integer (i:) right under one of `keys` gets other digits, as many,
-- its sign kept (19 digits start with 1: no overflow); keys, other numbers, booleans,
-- enums, class names and custom (C:) payloads are kept.
-- A value that does not parse becomes 'N;', PHP's null: nothing of it is kept.
-- PARALLEL UNSAFE: the exception block starts a subtransaction.
CREATE OR REPLACE FUNCTION dbrefresh.php_mask(t text, prefix text, keys text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL UNSAFE
AS $$
DECLARE
    b bytea := convert_to(t, 'UTF8');
    n int := length(b);
    pos int := 0;            -- 0-based offset of the next token
    res bytea := '';
    counts int[] := '{}';    -- items read in each open array or object
    path text[] := '{}';     -- the key of each open container's current value
    depth int := 0;
    c int; e int; len int; body bytea;
    is_key boolean; hide boolean;
BEGIN
    IF t IS NULL THEN RETURN NULL; END IF;
    WHILE pos < n LOOP
        c := get_byte(b, pos);
        IF c = 125 THEN  -- '}' closes a container: one item of its parent
            IF depth = 0 THEN RETURN 'N;'; END IF;
            res := res || '\x7d'::bytea; pos := pos + 1; depth := depth - 1;
            counts := counts[1:depth]; path := path[1:depth];
            IF depth > 0 THEN counts[depth] := counts[depth] + 1; END IF;
            CONTINUE;
        END IF;
        IF depth = 0 AND pos > 0 THEN RETURN 'N;'; END IF;  -- trailing bytes
        is_key := depth > 0 AND counts[depth] % 2 = 0;
        IF get_byte(b, pos + 1) <> 58 AND c <> 78 THEN RETURN 'N;'; END IF;  -- 'x:'
        IF c IN (115, 69) THEN  -- s:N:"...";  E:N:"Enum:Case";
            e := position('\x3a'::bytea IN substring(b FROM pos + 3));
            len := convert_from(substring(b FROM pos + 3 FOR e - 1), 'UTF8')::int;
            body := substring(b FROM pos + e + 4 FOR len);
            IF length(body) <> len OR get_byte(b, pos + e + 2) <> 34
               OR substring(b FROM pos + e + 4 + len FOR 2) <> '\x223b'::bytea THEN
                RETURN 'N;';
            END IF;
            IF is_key THEN
                path[depth] := lower(convert_from(body, 'UTF8'));
            ELSIF c = 115 THEN
                hide := keys IS NULL OR path && keys;
                IF hide THEN
                    body := dbrefresh.php_shape(body,
                        dbrefresh.keyed(prefix, convert_from(body, 'UTF8')));
                END IF;
            END IF;
            res := res || substring(b FROM pos + 1 FOR e + 3) || body || '\x223b'::bytea;
            pos := pos + e + 3 + len + 2;
        ELSIF c IN (97, 79, 67) THEN  -- a:N:{  O:N:"Class":N:{  C:N:"Class":N:{payload}
            IF is_key THEN RETURN 'N;'; END IF;
            e := position('\x7b'::bytea IN substring(b FROM pos + 1));
            IF e = 0 THEN RETURN 'N;'; END IF;
            res := res || substring(b FROM pos + 1 FOR e);
            pos := pos + e;
            IF c = 67 THEN  -- a custom payload, read by the class itself: kept
                len := split_part(convert_from(substring(b FROM pos - e + 1 FOR e - 2),
                    'UTF8'), ':', 4)::int;
                res := res || substring(b FROM pos + 1 FOR len + 1);
                pos := pos + len + 1;
                IF get_byte(b, pos - 1) <> 125 THEN RETURN 'N;'; END IF;
                IF depth > 0 THEN counts[depth] := counts[depth] + 1; END IF;
            ELSE
                depth := depth + 1; counts[depth] := 0; path[depth] := NULL;
            END IF;
            CONTINUE;
        ELSE  -- N;  b:1;  i:5;  d:0.5;  r:1;  R:1;
            IF c NOT IN (78, 98, 105, 100, 114, 82) THEN RETURN 'N;'; END IF;
            e := position('\x3b'::bytea IN substring(b FROM pos + 1));
            IF e = 0 THEN RETURN 'N;'; END IF;
            body := substring(b FROM pos + 1 FOR e);
            IF is_key THEN
                path[depth] := convert_from(substring(body FROM 3 FOR e - 3), 'UTF8');
            ELSIF c = 105 AND depth > 0 AND path[depth] = ANY(keys) THEN  -- i:N; under a key
                body := substring(body FROM 3 FOR e - 3);
                body := dbrefresh.php_shape(body,
                    dbrefresh.keyed(prefix, convert_from(body, 'UTF8')));
                IF e >= 22 THEN  -- 19 digits: 1 first, never past PHP_INT_MAX
                    body := set_byte(body, e - 22, 49);
                END IF;
                body := '\x693a'::bytea || body || '\x3b'::bytea;
            END IF;
            res := res || body;
            pos := pos + e;
        END IF;
        IF depth > 0 THEN counts[depth] := counts[depth] + 1; END IF;
    END LOOP;
    IF depth > 0 OR n = 0 THEN RETURN 'N;'; END IF;
    RETURN convert_from(res, 'UTF8');
EXCEPTION WHEN data_exception OR program_limit_exceeded OR invalid_parameter_value THEN
    RETURN 'N;';
END $$;

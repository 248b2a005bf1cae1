"""Identity providers' account ids and columns mixing addresses with other values.

Supabase's auth.identities kept every Google `sub` and GitHub id (in provider_id and in
identity_data, and in users.raw_user_meta_data), Kratos's credential config kept
`providers[].subject`: each leads to the person's account. Kratos's courier recipient
(addresses and SMS numbers) and credential identifiers (addresses and 'google:<sub>')
got `email` on every value: an SMS number became an address, an OIDC identifier too.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import generate_then_mask, rule_of, strategy_of

IDENTITIES = """
CREATE TABLE users (id uuid PRIMARY KEY, email text UNIQUE, raw_user_meta_data jsonb);
CREATE TABLE identities (id uuid PRIMARY KEY, user_id uuid REFERENCES users,
  provider text NOT NULL, provider_id text NOT NULL, identity_data jsonb,
  UNIQUE (provider_id, provider));
CREATE TABLE identity_credentials (id bigserial PRIMARY KEY, config jsonb);
CREATE TABLE identity_credential_identifiers (id bigserial PRIMARY KEY,
  identifier varchar(255) UNIQUE NOT NULL);
CREATE TABLE courier_messages (id bigserial PRIMARY KEY, channel text, recipient text);
INSERT INTO users SELECT ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid,
  'user' || g || '.' || (ARRAY['anna','paul','marie','jonas'])[1 + g % 4] || '@gmail.com',
  CASE WHEN g % 3 = 0 THEN jsonb_build_object('sub', md5(g::text)::uuid::text)
    ELSE jsonb_build_object('iss', 'https://accounts.google.com',
      'sub', (100000000000000000000::numeric + g * 7919)::text,
      'provider_id', (100000000000000000000::numeric + g * 7919)::text) END
  FROM generate_series(1, 300) g;
INSERT INTO identities SELECT gen_random_uuid(), id,
  CASE WHEN raw_user_meta_data ? 'iss' THEN 'google' ELSE 'email' END,
  CASE WHEN raw_user_meta_data ? 'iss' THEN raw_user_meta_data->>'sub' ELSE id::text END,
  raw_user_meta_data || jsonb_build_object('email', email) FROM users;
INSERT INTO identity_credentials (config) SELECT jsonb_build_object('providers',
  jsonb_build_array(jsonb_build_object('subject', provider_id, 'provider', 'google')))
  FROM identities WHERE provider = 'google';
INSERT INTO identity_credential_identifiers (identifier) SELECT email FROM users
  UNION ALL SELECT 'google:' || provider_id FROM identities WHERE provider = 'google';
INSERT INTO courier_messages (channel, recipient) SELECT 'email', email FROM users
  UNION ALL SELECT 'sms', '+33 6 ' || lpad((g * 7919)::text, 8, '0')
  FROM generate_series(1, 90) g;
CREATE TABLE accounts (id bigserial PRIMARY KEY, provider text, "providerAccountId" text);
INSERT INTO accounts (provider, "providerAccountId") SELECT 'github', (1000 + g * 7919)::text
  FROM generate_series(1, 300) g;
CREATE TABLE subscriptions (id bigserial PRIMARY KEY, sub text, provider text,
  meta jsonb);
INSERT INTO subscriptions (sub, provider, meta) SELECT (100000 + g * 37)::text, 'stripe',
  jsonb_build_object('sub', (200000 + g)::text, 'provider', 'stripe')
  FROM generate_series(1, 300) g;
ANALYZE;
"""


def test_provider_ids_masked_alike_and_mixed_columns_by_form(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, IDENTITIES)
    assert strategy_of(text, "public.identities", "provider_id") == "forms", text
    assert strategy_of(text, "public.courier_messages", "recipient") == "forms", text
    assert strategy_of(text, "public.identity_credential_identifiers", "identifier") == "forms"
    assert strategy_of(text, "public.accounts", "providerAccountId") == "forms", text
    # a subscription's number, beside a payment provider, is no account id
    assert strategy_of(text, "public.subscriptions", "sub") == "keep", text
    assert strategy_of(text, "public.subscriptions", "meta") == "keep", text
    assert "sub" in rule_of(text, "public.users", "raw_user_meta_data")["paths"], text
    with psycopg.connect(dsn) as conn:
        ids = conn.execute(
            """SELECT count(*) FILTER (WHERE i.provider_id = (100000000000000000000::numeric
                  + right(i.user_id::text, 12)::int * 7919)::text),
                count(*) FILTER (WHERE i.provider ~ 'google' AND i.provider_id !~ '^[0-9]{21}$'),
                count(*) FILTER (WHERE i.provider = 'email' AND i.provider_id <> i.user_id::text),
                count(*) FILTER (WHERE i.identity_data->>'sub' IS DISTINCT FROM
                  CASE WHEN i.provider = 'google' THEN i.provider_id
                    ELSE md5(right(i.user_id::text, 12)::int::text)::uuid::text END),
                count(*) FILTER (WHERE i.provider = 'google' AND
                  u.raw_user_meta_data->>'provider_id' IS DISTINCT FROM i.provider_id)
            FROM identities i JOIN users u ON u.id = i.user_id"""
        ).fetchone()
        # every Google id masked, still 21 digits, alike in the column and both documents;
        # an email identity's provider_id, the user's own id, kept
        assert ids == (0, 0, 0, 0, 0)
        joined = conn.execute(
            """SELECT count(*) FROM identities i
              JOIN identity_credentials c
                ON c.config->'providers'->0->>'subject' = i.provider_id
              JOIN identity_credential_identifiers n ON n.identifier = 'google:' || i.provider_id"""
        ).fetchone()
        assert joined == (200,)  # Kratos's subject and its 'google:<sub>' identifier agree
        mixed = conn.execute(
            """SELECT count(*) FILTER (WHERE recipient LIKE '%@%'),
                count(*) FILTER (WHERE recipient ~ '^\\+33 [0-9] [0-9]{8}$'),
                count(*) FILTER (WHERE recipient ~ '^user[0-9]+\\.[a-z]+@gmail\\.com$'
                  OR recipient IN (SELECT '+33 6 ' || lpad((g * 7919)::text, 8, '0')
                    FROM generate_series(1, 90) g))
            FROM courier_messages"""
        ).fetchone()
        assert mixed == (300, 90, 0)  # addresses still addresses, SMS numbers still numbers
        kept = conn.execute(
            "SELECT count(*) FROM subscriptions WHERE sub = (100000 + id * 37)::text"
        ).fetchone()
        assert kept == (300,)
        github = conn.execute(
            """SELECT count(*) FILTER (WHERE "providerAccountId" = (1000 + id * 7919)::text),
                count(*) FILTER (WHERE length("providerAccountId")
                  = length((1000 + id * 7919)::text) AND "providerAccountId" ~ '^[0-9]+$')
            FROM accounts"""
        ).fetchone()
        assert github == (0, 300)  # Auth.js's GitHub ids: masked, digits of the same length
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


KRATOS = """
CREATE TABLE identities (id uuid PRIMARY KEY, traits jsonb NOT NULL);
INSERT INTO identities SELECT md5('i' || g)::uuid, jsonb_build_object('email',
  (ARRAY['Anna', 'BEN', 'carl'])[1 + g % 3] || '.User' || g || '@Mail.Example')
  FROM generate_series(1, 600) g;
CREATE TABLE identity_credential_identifiers (id uuid PRIMARY KEY,
  identifier varchar(255) NOT NULL UNIQUE, identity_id uuid REFERENCES identities);
INSERT INTO identity_credential_identifiers
  SELECT md5('c' || id::text)::uuid, lower(traits->>'email'), id FROM identities;
INSERT INTO identity_credential_identifiers
  SELECT md5('o' || id::text)::uuid, 'google:' || (100000000000000000000::numeric
    + row_number() OVER (ORDER BY id) * 7919), id FROM identities LIMIT 200;
"""


def test_a_mixed_identifier_still_folds_case_for_its_join(make_db, tmp_path: Path) -> None:
    """Kratos' identifier, lower(traits->>'email') for a password login and
    'google:<sub>' for an OIDC one, gets `forms` whose email case folds case like the
    traits' path: the join `identifier = lower(traits->>'email')` still holds."""
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, KRATOS)
    identifier = rule_of(text, "public.identity_credential_identifiers", "identifier")
    assert identifier["strategy"] == "forms", text
    assert identifier["cases"]["email"]["fold_case"] is True, identifier
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE c.identifier = lower(i.traits->>'email')),
                count(*) FILTER (WHERE c.identifier ~ '^google:[0-9]{21}$'
                  AND c.identifier !~ '^google:1000000000000')
            FROM identities i JOIN identity_credential_identifiers c ON c.identity_id = i.id"""
        ).fetchone()
    assert row == (600, 200)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


POSTS = """
CREATE TABLE social_posts (id serial PRIMARY KEY, provider text, provider_id text, url text,
  body text);
INSERT INTO social_posts (provider, provider_id, url, body)
  SELECT p, id, 'https://' || p || '.com/acme/status/' || id, 'Our spring sale ' || g
  FROM generate_series(1, 300) g,
    LATERAL (SELECT (ARRAY['twitter', 'facebook'])[1 + g % 2] AS p,
      (100000000000000000::numeric + g * 7919)::text AS id) v;
CREATE TABLE social_accounts (id serial PRIMARY KEY, provider text, provider_id text);
INSERT INTO social_accounts (provider, provider_id)
  SELECT 'github', (1000 + g * 7919)::text FROM generate_series(1, 300) g;
ANALYZE;
"""


def test_a_brands_own_posts_ids_are_kept(make_db, tmp_path: Path) -> None:
    """A brand's social_posts.provider_id is its own post's id at the network, which the
    kept url holds: 'social' says no login, and masked, verify failed (kept-copy). An
    account id of a social_accounts table is still masked."""
    from dbrefresh.anonymize.api import verify

    dsn, text = generate_then_mask(make_db, tmp_path, POSTS)
    assert strategy_of(text, "public.social_posts", "provider_id") == "keep", text
    assert strategy_of(text, "public.social_posts", "url") == "keep", text
    assert strategy_of(text, "public.social_accounts", "provider_id") == "forms", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM social_posts WHERE url LIKE '%/status/' || provider_id"
        ).fetchone()
    assert row == (300,)
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []

"""Personal data `rules init` kept or broke on schemas modelled on Zammad, Chatwoot,
Gitea and Metabase: contacts in a few journal rows, names hidden by a possessive,
addresses in display-name form, SSH public keys, and names of other things."""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg
import pytest

from dbrefresh.rules import name_values, people_lines, pii_values, ssh_keys

from .helpers import comment_of, generate_and_compile, generate_then_mask, rule_of, strategy_of

JOURNAL = (
    "CREATE TABLE journals (id int PRIMARY KEY, details text);"
    "INSERT INTO journals SELECT g, CASE"
    " WHEN g % {every} = 0 THEN 'Customer asked to be called back on +49 171 555'"
    "  || lpad(g::text, 4, '0') || ' after 5pm'"
    " WHEN g % {every} = 1 THEN 'Forwarded to anna.schmidt' || g || '@kunde.example'"
    " WHEN g % 7 = 0 THEN NULL ELSE 'Status changed, deployed build ' || g END"
    " FROM generate_series(1, 3000) g"
)


def test_contacts_in_a_few_journal_rows_are_masked(make_db, tmp_path: Path) -> None:
    """4 % of 3000 journal rows held a customer's phone number or address, under the 5 %
    that masks free text: kept silently, 120 contacts reached staging."""
    dsn, text = generate_then_mask(make_db, tmp_path, JOURNAL.format(every=50))
    assert strategy_of(text, "public.journals", "details") == "lorem"
    assert "different): under 5% of them, but too many" in comment_of(
        text, "public.journals", "details"
    )
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            "SELECT count(*) FROM journals"
            " WHERE details LIKE '%@kunde.example%' OR details LIKE '%+49 171%'"
        ).fetchone()
    assert left == (0,)


def test_contacts_in_very_few_rows_earn_a_review_note(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(JOURNAL.format(every=300))
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.journals", "details") == "keep"
    note = comment_of(text, "public.journals", "details")
    assert "REVIEW: " in note and "sampled values contain an email address or phone" in note


def test_one_desk_address_on_many_rows_is_one_contact(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE journals (id int PRIMARY KEY, details text);"
            "INSERT INTO journals SELECT g, CASE WHEN g % 50 = 0"
            " THEN 'Escalated to support@desk.example' ELSE 'Status changed ' || g END"
            " FROM generate_series(1, 3000) g"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.journals", "details") == "keep"
    assert "(1 different)" in comment_of(text, "public.journals", "details")


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_a_possessive_does_not_hide_a_name(make_db, tmp_path: Path, apostrophe: str) -> None:
    """'Fork of John Stephens's dotfiles' was kept, where 'Dotfiles by John Stephens'
    was masked."""
    first = "ARRAY['John', 'Mitchell', 'Laura', 'David', 'Sarah', 'Thomas', 'Anna']"
    last = "ARRAY['Stephens', 'Munoz', 'Miller', 'Fischer', 'Garcia', 'Martin']"
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        "CREATE TABLE repository (id int PRIMARY KEY, description text);"
        "INSERT INTO repository SELECT g, CASE WHEN g % 2 = 1"
        f" THEN 'Fork of ' || ({first})[1 + g % 7] || ' ' || ({last})[1 + g % 6]"
        f" || '{apostrophe.replace(chr(39), chr(39) * 2)}s dotfiles' ELSE '' END"
        " FROM generate_series(1, 60) g",
    )
    assert strategy_of(text, "public.repository", "description") == "lorem"
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            "SELECT count(*) FROM repository WHERE description LIKE 'Fork of %'"
        ).fetchone()
    assert left == (0,)


def test_possessive_surnames_with_particles() -> None:
    assert people_lines.people_in("Fork of John Stephens's dotfiles") == {"John Stephens"}
    assert people_lines.people_in("Fork of Nout van Grinsven\u2019s dotfiles") == {
        "Nout van Grinsven"
    }


def test_display_name_addresses_are_emails(make_db, tmp_path: Path) -> None:
    """Zammad's ticket_articles.from got lorem, its `to` full_name (the address lost)."""
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        'CREATE TABLE ticket_articles (id int PRIMARY KEY, "from" varchar(3000),'
        ' "to" varchar(3000));'
        "INSERT INTO ticket_articles SELECT g,"
        " '\"' || (ARRAY['Steven Brooks', 'Adam Shaw', 'Jade Hayes'])[1 + g % 3] || '\" <person'"
        " || g || '@mail.example>',"
        " (ARRAY['Dillon Delacruz', 'Rachel Miller', 'Blake Gray'])[1 + g % 3] || ' <other'"
        " || g || '@mail.example>'"
        " FROM generate_series(1, 60) g",
    )
    for column in ("from", "to"):
        assert strategy_of(text, "public.ticket_articles", column) == "email", column
        assert "60 of 60 sampled values look like email addresses" in comment_of(
            text, "public.ticket_articles", column
        )
    with psycopg.connect(dsn) as conn:
        rows = conn.execute('SELECT "from", "to" FROM ticket_articles').fetchall()
    for row in rows:
        for value in row:
            assert "@mail.example" not in value and pii_values.is_email(value), value
            assert value.endswith(">"), value  # still a display-name form


def test_display_name_forms() -> None:
    assert pii_values.is_email('"Steven Brooks" <steven.brooks0@mail.example>')
    assert pii_values.is_email("Dillon Delacruz <dillon.delacruz0@mail.example>")
    assert not pii_values.is_email("Ann <no address>")
    assert not pii_values.is_email("<0a1b2c3d-4e5f@mail.example.com>")  # a message id
    assert not pii_values.is_email("see <ann@corp.example> for details")


def test_ssh_public_keys_keep_their_key_and_lose_their_comment(make_db, tmp_path: Path) -> None:
    """Gitea's public_key.content got `lorem` whole, breaking authorized_keys; only the
    comment (user@host) is personal. A key saved without a comment changes too, so
    verify finds no survivor."""
    from dbrefresh.anonymize.api import verify

    key = "AAAAC3NzaC1lZDI1NTE5AAAAI' || md5(g::text) || 'Q+x/1"
    dsn, text = generate_then_mask(
        make_db,
        tmp_path,
        "CREATE TABLE public_key (id int PRIMARY KEY, owner_id bigint NOT NULL,"
        " content text NOT NULL);"
        "INSERT INTO public_key SELECT g, g, CASE g % 3"
        f" WHEN 0 THEN 'ssh-ed25519 {key} user' || g || '@mail.example'"
        f" WHEN 1 THEN 'ecdsa-sha2-nistp256 {key}= alice' || g || '@laptop'"
        f" ELSE 'ssh-rsa {key}==' END FROM generate_series(1, 40) g",
    )
    assert strategy_of(text, "public.public_key", "content") == "sql"
    assert "40 of 40 sampled values look like SSH public keys" in comment_of(
        text, "public.public_key", "content"
    )
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, content FROM public_key ORDER BY id").fetchall()
    for g, content in rows:
        kind = ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa")[g % 3]
        pad = ("", "=", "==")[g % 3]
        expected = f"AAAAC3NzaC1lZDI1NTE5AAAAI{md5_hex(g)}Q+x/1{pad}"
        assert content == f"{kind} {expected} masked-key", content
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []


def md5_hex(value: int) -> str:
    return hashlib.md5(str(value).encode()).hexdigest()


def test_ssh_key_shapes() -> None:
    assert ssh_keys.is_ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIhtL deploy")
    assert ssh_keys.is_ssh_key("sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5")
    assert not ssh_keys.is_ssh_key("ssh-ed25519 is the key type to use")
    assert not ssh_keys.is_ssh_key("Forwarded to anna@kunde.example")


def test_a_hash_algorithm_is_no_secret(make_db, tmp_path: Path) -> None:
    """Gitea's passwd_hash_algo ('pbkdf2$50000$50') was hashed for its name, and
    'argon2$2$65536$8$50' (parameters, no salt nor digest) passed for a password hash:
    logins broke on staging."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            'CREATE TABLE "user" (id int PRIMARY KEY, passwd varchar(255) NOT NULL,'
            " passwd_hash_algo varchar(255) NOT NULL, hash_settings text NOT NULL);"
            "INSERT INTO \"user\" SELECT g, md5(g::text) || md5('x' || g),"
            " (ARRAY['pbkdf2$50000$50', 'argon2'])[1 + g % 2],"
            " (ARRAY['argon2$2$65536$8$50', 'scrypt$65536$16$2$50'])[1 + g % 2]"
            " FROM generate_series(1, 40) g"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.user", "passwd") == "hash"
    for column in ("passwd_hash_algo", "hash_settings"):
        assert strategy_of(text, "public.user", column) == "keep", column
    assert pii_values.is_credential(
        "argon2$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"
    )


def test_company_names_in_a_name_column_are_companies(make_db, tmp_path: Path) -> None:
    """Chatwoot's accounts.name got `full_name`: 'Perry, Turner and Diaz' passed for a
    full name, six of forty."""
    companies = (
        "ARRAY['Perry, Turner and Diaz', 'Murillo Inc', 'Chung LLC', 'Ortiz-Hunter',"
        " 'Martin, Phillips and Hardy', 'Gibson and Sons', 'Rodriguez Ltd', 'Martin Group']"
    )
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE accounts (id int PRIMARY KEY, name varchar NOT NULL);"
            f"INSERT INTO accounts SELECT g, ({companies})[1 + g % 8]"
            " FROM generate_series(1, 40) g"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.accounts", "name") == "company"
    assert "35 of 40 sampled values are company names" in comment_of(
        text, "public.accounts", "name"
    )
    assert not pii_values.is_full_name("Lee, Smith and Martinez")
    assert pii_values.is_full_name("Ryan Gallagher")


def test_logins_in_a_name_column_are_user_names(make_db, tmp_path: Path) -> None:
    """Gitea's user.name holds logins ('CHarmon0'), said to be 'a person's full name'."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            'CREATE TABLE "user" (id int PRIMARY KEY, name varchar(255) NOT NULL UNIQUE,'
            " full_name varchar(255));"
            "INSERT INTO \"user\" SELECT g, (ARRAY['CHarmon', 'jdoe', 'anna.k', 'LDunlap'])"
            "[1 + g % 4] || g, (ARRAY['Cindy Harmon', 'John Doe', 'Anna Kowalski'])[1 + g % 3]"
            " FROM generate_series(1, 40) g"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.user", "name") == "hash"
    assert rule_of(text, "public.user", "name")["prefix"] == "u"
    note = comment_of(text, "public.user", "name")
    assert "40 of 40 sampled values are single words shaped like logins" in note, note
    assert strategy_of(text, "public.user", "full_name") == "full_name"


def test_whole_emails_and_phones_are_said_to_be_so(make_db, tmp_path: Path) -> None:
    """Chatwoot's contact_inboxes.source_id (an address, a phone number or a UUID) was
    said to hold 'text containing an email address or phone number'."""
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE contact_inboxes (id int PRIMARY KEY, source_id text NOT NULL);"
            "INSERT INTO contact_inboxes SELECT g, CASE g % 3"
            " WHEN 0 THEN 'person' || g || '@mail.example'"
            " WHEN 1 THEN '+49171555' || lpad(g::text, 4, '0')"
            " ELSE gen_random_uuid()::text END FROM generate_series(1, 300) g"
        )
    text, _ = generate_and_compile(dsn, tmp_path)
    assert strategy_of(text, "public.contact_inboxes", "source_id") == "lorem"
    note = comment_of(text, "public.contact_inboxes", "source_id")
    assert "200 of 300 sampled values look like email addresses or phone numbers (whole" in note


@pytest.mark.parametrize(
    ("value", "login"),
    [
        ("CHarmon0", True),
        ("jdoe", True),
        ("anna.k", True),
        ("Smith", False),
        ("Schrödinger", False),
        ("Jackson-Davis", False),
        ("anna", False),  # a known first name
        ("Acme", False),
    ],
)
def test_login_shapes(value: str, login: bool) -> None:
    assert name_values.is_login(value) is login

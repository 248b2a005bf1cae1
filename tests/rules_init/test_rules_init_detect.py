"""Detection by name and by value, without a database (pure functions)."""

from __future__ import annotations

import pytest

from dbrefresh.rules import pii, pii_values


@pytest.mark.parametrize(
    ("column", "table", "kind"),
    [
        ("email", "public.customer", "email"),
        ("contactEmail", "public.lead", "email"),
        ("email_address", "public.customer", "email"),
        ("courriel", "public.client", "email"),
        ("first_name", "public.customer", "first_name"),
        ("Vorname", "public.kunde", "first_name"),
        ("prenom", "public.client", "first_name"),
        ("nachname", "public.kunde", "last_name"),
        ("apellidos", "public.cliente", "last_name"),
        ("cognome", "public.cliente", "last_name"),
        ("full_name", "public.x", "full_name"),
        ("name", "public.customers", "full_name"),
        ("nom", "public.utilisateurs", "last_name"),
        ("phone", "public.customer", "phone"),
        ("mobile_number", "public.customer", "phone"),
        ("Telefonnummer", "public.kunde", "phone"),
        ("fax", "public.customer", "phone"),
        ("address", "public.customer", "street"),
        ("billing_address", "public.invoice", "street"),
        ("Straße", "public.kunde", "street"),
        ("address_line_2", "public.customer", "street"),
        ("city", "public.customer", "city"),
        ("billing_city", "public.invoice", "city"),
        ("wohnort", "public.kunde", "city"),
        ("postal_code", "public.customer", "postcode"),
        ("zip", "public.customer", "postcode"),
        ("PLZ", "public.kunde", "postcode"),
        ("cap", "public.cliente", "postcode"),
        ("birth_date", "public.employee", "birth_date"),
        ("dob", "public.patient", "birth_date"),
        ("geburtsdatum", "public.kunde", "birth_date"),
        ("fecha_nacimiento", "public.cliente", "birth_date"),
        ("iban", "public.customer", "iban"),
        ("credit_card_number", "public.payment", "card"),
        ("ssn", "public.employee", "national_id"),
        ("passport_no", "public.traveller", "national_id"),
        ("codice_fiscale", "public.cliente", "national_id"),
        ("ip_address", "public.session", "ip"),
        ("last_login_ip", "public.users", "ip"),
        ("notes", "public.customer", "free_text"),
        ("Bemerkung", "public.kunde", "free_text"),
        ("company", "public.customer", "company"),
        ("password_hash", "public.users", "secret"),
        ("birth_place", "public.person", "city"),
        # bearer credentials: a copy of production's still opens production
        ("confirmation_token", "public.users", "secret"),
        ("session_key", "public.django_session", "secret"),
        ("session_data", "public.django_session", "secret"),
        ("key", "public.authtoken_token", "secret"),
        ("session_id", "public.sessions", "secret"),
        ("data", "public.sessions", "secret"),
        ("payload", "public.sessions", "secret"),  # Laravel's database sessions
        ("digest", "public.api_keys", "secret"),
        ("line1", "public.addresses", "street"),
        ("line2", "public.shipping_addresses", "street"),
        ("user_pass", "public.wp_users", "secret"),
        ("pass", "public.users_field_data", "secret"),  # Drupal's
        # plural credentials (devise_token_auth's tokens, WordPress's session_tokens)
        ("tokens", "public.users", "secret"),
        ("session_tokens", "public.wp_usermeta", "secret"),
        ("api_keys", "public.accounts", "secret"),
        ("otp_backup_codes", "public.users", "secret"),
        ("recovery_codes", "public.users", "secret"),
    ],
)
def test_names_that_suggest_pii(column: str, table: str, kind: str) -> None:
    match = pii.match_name(column, table)
    assert match is not None, column
    assert match.kind == kind


@pytest.mark.parametrize(
    ("column", "table"),
    [
        ("id", "public.customer"),
        ("customer_id", "public.invoice"),
        ("email_verified", "public.users"),
        ("email_count", "public.stats"),
        ("phone_type", "public.contact"),
        ("name", "public.genre"),  # not a table about people
        ("name", "public.artist"),
        ("nom_produit", "public.produit"),
        ("capacity", "public.room"),
        ("country", "public.customer"),
        ("state", "public.customer"),
        ("created_at", "public.customer"),
        ("address_id", "public.customer"),
        ("mac_address", "public.device"),
        ("title", "public.employee"),
        ("description", "public.product"),
        ("sort_order", "public.x"),
        ("last_login", "public.auth_user"),  # a time, not a login
        ("login_time", "public.users"),
        ("login_date", "public.users"),
        ("failed_logins", "public.users"),
        ("key", "public.settings"),  # generic names count only in tables of credentials
        ("session_id", "public.page_views"),
        ("token_expires_at", "public.users"),
        ("tokens_count", "public.users"),
        ("bus_pass_id", "public.commuters"),
        ("passenger", "public.bookings"),
        ("token_type", "public.oauth_access_tokens"),
        ("line1", "public.invoice_items"),  # a line of something else
    ],
)
def test_names_that_do_not(column: str, table: str) -> None:
    assert pii.match_name(column, table) is None


@pytest.mark.parametrize(
    ("column", "is_file"),
    [("photo", True), ("profilePicture", True), ("passport_scan", True), ("cv_pdf", True),
     ("Unterschrift", True), ("avatar_2", True), ("checksum", False), ("photo_count", False),
     ("image_type", False), ("payload", False), ("pictured", False)],
)  # fmt: skip
def test_binary_columns_named_like_files_about_people(column: str, is_file: bool) -> None:
    assert (pii.match_file(column) is not None) is is_file


def test_normalize_splits_camel_case_and_strips_accents() -> None:
    assert pii.normalize("billingPostalCode") == "billing_postal_code"
    assert pii.normalize("Straße Nr.") == "strasse_nr"
    assert pii.normalize("Prénom") == "prenom"
    assert pii.normalize("address1") == "address_1"


def test_value_detectors() -> None:
    assert pii_values.is_email("Ana.Lopez+x@mail.example.org")
    assert not pii_values.is_email("not an email@")
    # internationalised addresses: 19 % of the demo shop's were missed
    assert pii_values.is_email("birgit.bähr2@gmx.net") and pii_values.is_email("jürgen@müller.de")
    assert not pii_values.is_email("user@host.123") and not pii_values.is_email("a@b")
    assert pii_values.has_contact("Rückruf an clara.dörr3@t-online.de")
    assert pii_values.is_phone("+55 (12) 3923-5555")
    assert pii_values.is_phone("030 1234567")
    assert not pii_values.is_phone("2024-01-15")
    assert not pii_values.is_phone("12227-000")  # a Brazilian postcode
    assert not pii_values.is_phone("12345678")  # a bare number is more often an id
    assert pii_values.is_iban("DE89 3704 0044 0532 0130 00")
    assert not pii_values.is_iban("DE89 3704 0044 0532 0130 01")  # checksum
    assert pii_values.is_card("4539 1488 0343 6467")
    assert not pii_values.is_card("4539 1488 0343 6468")  # Luhn
    assert pii_values.is_ip("192.168.10.4")
    assert pii_values.is_ip("2001:db8::1")
    assert not pii_values.is_ip("1.2.3")
    assert pii_values.has_contact("call me on +49 30 1234567 after 5")
    assert not pii_values.has_contact("order 12 of 2024-01-15 shipped")


@pytest.mark.parametrize(
    "value",
    [
        "pbkdf2_sha256$600000$9K4c1Xq$Xo2bL9zV1E0dQm6M0x1yYwq6x1S0ZK5n0w3Yk1s2wJc=",
        "$2b$12$KIXQJ1lC6hZ0aQ8p3iLk1uE1e4v3qvO8Jx5y0oWmW8z1yXk2mRc7a",
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$8a3i8v1lXj0x7bGJ2f3cZw",
        "$6$rounds=5000$saltsalt$Vb0s1A8x9Kq0c1d2e3f4g5h6",
        "pbkdf2:sha256:600000$Ab12Cd34$0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "sk_live_51HxYzABCDEFghijklmnop",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "xoxb-1234567890-abcdefghij",
        "AKIAIOSFODNN7EXAMPLE",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
        # phpass as WordPress (wp_users.user_pass) and Drupal 7 write it, WordPress
        # 6.8's bcrypt, LDAP's salted SHA
        "$P$BZ4kqBa5tVNJ3L7bH1oZ0y8vL6eVwE/",
        "$S$DxVn7wubSRzoK9X2pkGx4njeGRkUQgw5DIPTs2eDi9xK4xMdz7lO",
        "$wp$2y$10$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVW",
        "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
    ],
)
def test_credentials_are_known_by_their_form(value: str) -> None:
    assert pii_values.is_credential(value)
    assert pii_values.match_values([value, value]) is not None
    assert pii_values.match_values([value, value]).kind == "secret"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "value",
    ["$5 off your next order", "price: $6$ each", "d41d8cd98f00b204e9800998ecf8427e",
     "sk_live", "eyJ not a token", "2001:db8::1", "ship via DHL"],
)  # fmt: skip
def test_text_that_only_resembles_a_credential(value: str) -> None:
    assert not pii_values.is_credential(value)


@pytest.mark.parametrize(
    "value",
    ["742 Main St", "12 Oak Avenue", "1600 Pennsylvania Ave.", "5 Elm Rd, Apt 4",
     "Hauptstraße 12", "Lindenstr. 5a", "Am Ring 3", "12, rue de la Paix", "8 avenue Foch",
     "Calle Mayor 15", "Via Roma 21", "Rua Augusta 100", "ul. Długa 7"],
)  # fmt: skip
def test_street_addresses_are_known_by_their_form(value: str) -> None:
    assert pii_values.is_street(value)


@pytest.mark.parametrize(
    "value",
    ["Main St", "12 apples", "Order 12 shipped", "Straße", "Version 2 of the road map",
     "Paid 12 EUR", "Room 4", "The Street Fighter 2"],
)  # fmt: skip
def test_text_that_is_no_street_address(value: str) -> None:
    assert not pii_values.is_street(value)


def test_match_values_needs_half_of_the_sample() -> None:
    emails = [f"user{i}@example.com" for i in range(6)]
    found = pii_values.match_values([*emails, "x", "y", "z", "", ""])
    assert found is not None
    assert found.kind == "email"
    assert found.reason == "6 of 9 sampled values look like email addresses"
    mostly_codes = pii_values.match_values([*emails[:2], "a", "b", "c", "d", "e"])
    assert mostly_codes is None or mostly_codes.kind != "email"


def test_names_by_value_need_more_than_a_repeated_word() -> None:
    # a nationality, a colour, a month: known first names, repeated as categories are
    assert pii_values.is_first_name("German")
    assert pii_values.match_values(["German"] * 900 + ["French"] * 100) is None
    colours = ["Rose", "Violet", "Olive", "Amber", "Ruby"] * 40
    assert pii_values.match_values(colours) is None
    # people: many names, or a few people each named once
    people = ["Anna", "Ben", "Clara", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Lea"]
    found = pii_values.match_values(people * 20)
    assert found is not None
    assert found.kind == "first_name"
    few = pii_values.match_values(["Anna", "Ben", "Clara"])
    assert few is not None
    assert few.kind == "first_name"


def test_postcodes_of_one_digit_format_are_told_apart() -> None:
    zips = [f"{10000 + i}" for i in range(99)]
    assert pii_values.digit_postcodes([*zips, " ", "1234"]) == (
        "99 of 100 sampled values are 5 digits"
    )
    assert pii_values.digit_postcodes([*zips[:90], *["SW1A 1AA"] * 10]) is None
    assert pii_values.digit_postcodes(["70174", "12227-000", "H2G 1A7"]) is None
    assert pii_values.digit_postcodes([]) is None


def test_free_text_with_contacts_is_flagged_at_a_low_share() -> None:
    notes = ["called, no answer"] * 18 + ["new number +44 20 7946 0958", "mail bob@x.org"]
    found = pii_values.match_values(notes)
    assert found is not None
    assert found.kind == "free_text"


def test_text_search_vectors_are_read_word_by_word() -> None:
    assert pii_values.lexemes("'brien':3 'o''neil':1,2 'x@y.org':4") == [
        "brien",
        "o'neil",
        "x@y.org",
    ]
    people = ["'anna':1 'schmidt':2", "'blue':1 'widget':2"] + ["'steel':1 'bolt':2"] * 18
    found = pii_values.match_vectors(people)
    assert found is not None and (found.kind, found.matched) == ("text_search", 1)
    assert pii_values.match_vectors(["'blue':1 'widget':2"] * 20) is None


def _faker_names(locale: str, n: int) -> list[str]:
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(1)
    return [fake.name() for _ in range(n)]


def test_the_locale_of_the_sampled_names_is_guessed() -> None:
    from dbrefresh.rules.locale_guess import guess_locale
    from dbrefresh.strategies.locales import LOCALES

    assert set(LOCALES) <= set(pii_values.NAME_LOCALES)  # every dictionary locale votes
    german = guess_locale(_faker_names("de_DE", 200))
    assert german is not None
    assert german[0] == "de_DE"
    assert "sampled names that only one locale knows are de_DE's" in german[1]
    assert guess_locale(_faker_names("it_IT", 200)) is not None
    # Brazilian names: no dictionary of that locale, and no Spanish one instead
    assert guess_locale(_faker_names("pt_BR", 200)) is None
    # a shop selling abroad: no locale has nearly every vote
    mixed = [*_faker_names("de_DE", 60), *_faker_names("fr_FR", 60), *_faker_names("es_ES", 60)]
    assert guess_locale(mixed) is None
    # too few names only one locale knows ('Anna Schmidt' is everyone's)
    assert guess_locale(["Anna Schmidt"] * 500 + _faker_names("de_DE", 5)) is None


@pytest.mark.parametrize(
    "locale", ["en_US", "en_GB", "de_DE", "es_ES", "it_IT", "nl_NL", "pl_PL"]
)  # fmt: skip
def test_faker_street_addresses_and_names_of_each_locale_are_recognised(locale: str) -> None:
    """What the dictionaries' own locales write: 'Kerkstraat 7', 'al. Leśna 74/39',
    '0487 Hopkins Squares Suite 487', 'Mr Scott Hardy', 'Kate de Gruijl-Mercks' (the
    street detector knew ten English kinds, full names lost every title and particle)."""
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(7)
    streets = [fake.street_address() for _ in range(300)]
    names = [fake.name() for _ in range(300)]
    assert sum(map(pii_values.is_street, streets)) >= 0.95 * len(streets)
    assert sum(map(pii_values.is_full_name, names)) >= 0.7 * len(names)


@pytest.mark.parametrize(
    "value", ["797-386-9073x6625", "+1-303-228-9218x401", "(798)938-6756 ext. 508"]
)  # fmt: skip
def test_phone_numbers_with_an_extension(value: str) -> None:
    assert pii_values.is_phone(value)


@pytest.mark.parametrize(
    "value", ["Apple iPhone 12", "Blue Widget Large", "Paid in full", "Main Street Bakery",
              "Rose Garden", "Order 12 shipped", "Spring Sale 2024"],
)  # fmt: skip
def test_text_that_is_no_full_name(value: str) -> None:
    assert not pii_values.is_full_name(value)

"""Which kind of personal data a column likely holds, judged by its name.

`rules init` proposes masking from this; it is a reviewer's starting point, so a name
matches only on whole words (`cap` is a postcode in Italian, `capacity` is not), and
names of flags, counters and timestamps about PII (`email_verified`, `phone_count`)
never match. Value-based detection lives in `pii_values.py`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dbrefresh.rules import (
    client_tables,
    field_tables,
    http_headers,
    identity_documents,
    ledger_tables,
    name_compounds,
    personal_codes,
    redeemable,
)

LABELS = {
    "secret": "a secret (password, token, key)",
    "email": "an email address",
    "ip": "an IP address",
    "birth_date": "a birth date",
    "iban": "a bank account number",
    "card": "a payment card number",
    "national_id": "a national id / tax / passport number",
    "phone": "a phone number",
    "first_name": "a first name",
    "last_name": "a last name",
    "full_name": "a person's full name",
    "street": "a street address",
    "city": "a city",
    "postcode": "a postcode",
    "company": "a company name",
    "geo": "a geographic coordinate",
    "username": "a user name or login",
    "user_id": "a user id (@name:server)",
    "free_text": "free text",
    personal_codes.KIND: personal_codes.LABEL,
}

# Whole-word alternatives (normalized: lower snake case, no accents), in priority order:
# `email_address` is an email, not a street; `birth_place` a city, not a birth date.
_NAME_WORDS: tuple[tuple[str, str], ...] = (
    (
        "secret",
        "password|passwords|passwd|pwd|pw|pass|user_pass|password_hash|pin_hash|secret|secrets|"
        "client_secret|api_key|"
        "api_keys|apikey|access_key|secret_key|private_key|token|tokens|access_token|"
        "refresh_token|backup_codes|recovery_codes|otp_secret_key|mfa_secret|"
        "two_factor_secret|"
        # Vaultwarden's users.totp_recover, devices.twofactor_remember (NULL until set up)
        "totp_recover|twofactor_remember|two_factor_remember|remember_token|recovery_code|"
        "auth_token|otp_secret|totp_secret|session_key|session_token|session_data|"
        "session_secret|passwort|kennwort|mot_de_passe|contrasena|"
        # keys that encrypt or sign: Wiki.js's cookieEncryptionKeyString beside its
        # clientSecret, a JWT signing key, Rails' master_key
        "encryption_key|encryption_keys|encrypt_key|crypt_key|signing_key|signing_keys|"
        "sign_key|hmac_key|hmac_secret|jwt_key|master_key|aes_key|cookie_key|"
        # a paid licence unlocks the product wherever it is entered (Immich's
        # system_metadata 'license' {"licenseKey": "IMSV-...", "activationKey": ...})
        "license_key|licence_key|activation_key|product_key|"
        # a share or invitation link's secret: whoever holds it sees what was shared
        "share_key|share_token|share_secret|invite_key|invite_token|invitation_key|"
        "invitation_token|"
        # one-time codes a link or a message carries, as a reset token is (Canvas's
        # communication_channels.confirmation_code)
        "confirmation_code|verification_code|verify_code|otp_code|one_time_code|"
        "one_time_password|sms_code|reset_code|login_code|magic_code|"
        # the code a confirmation mail carries, no address (Misskey's emailVerifyCode)
        "(?:e_?mail|mail)_(?:verify|verification|confirm|confirmation|activation|validation|"
        "change|reset|login)_(?:code|codes|token|secret|otp|pin|nonce|key|hash)",
    ),
    (
        "email",
        "email|emails|e_mail|mail|email_address|email_addresses|mail_address|courriel|correo|"
        "correo_electronico|posta_elettronica|adresse_mail|adresse_email",
    ),
    (
        "ip",
        "ip|ips|ipv4|ipv6|ipaddr|ip_addr|ip_address|ip_addresses|remote_addr|remote_address|"
        "client_ip|remote_ip|ip_adresse",
    ),
    (
        "city",
        "birth_place|place_of_birth|birthplace|geburtsort|lieu_de_naissance|"
        "lieu_naissance|lugar_de_nacimiento|luogo_di_nascita",
    ),
    (
        "birth_date",
        "dob|birth_date|birthdate|birthday|date_of_birth|born_on|born_at|birth|"
        "geburtsdatum|geburtstag|date_naissance|date_de_naissance|naissance|"
        "fecha_nacimiento|fecha_de_nacimiento|data_nascita|data_di_nascita|"
        "data_nascimento|data_de_nascimento|geboortedatum|data_urodzenia",
    ),
    (
        "iban",
        "iban|account_number|account_no|acct_no|acct_number|bank_account|"
        "bank_account_number|kontonummer|rekeningnummer|numero_cuenta|numero_de_cuenta|"
        "numero_compte|conto_corrente|rib",
    ),
    (
        "card",
        "card_number|card_no|card_num|cc_number|cc_num|ccnum|credit_card|"
        "credit_card_number|creditcard|pan|kreditkarte|kartennummer|carte_bancaire|"
        "numero_carte|tarjeta|numero_tarjeta|carta_di_credito",
    ),
    (
        "national_id",
        "ssn|social_security|social_security_number|national_id|"
        "national_insurance|national_insurance_number|nino|passport|"
        "passport_number|passport_no|tax_id|taxid|tax_number|tax_no|"
        "driver_license|drivers_license|driving_licence|driving_license|"
        "licence_number|license_number|id_card|id_card_number|identity_number|"
        "personal_id|personnummer|steuernummer|steuer_id|steueridentifikationsnummer|"
        "sozialversicherungsnummer|svnr|ausweis|ausweisnummer|personalausweis|"
        "dni|nie|nif|cpf|codice_fiscale|bsn|burgerservicenummer|pesel|nir|"
        "numero_securite_sociale|insee|curp|rfc|numero_fiscal|ssnit|ssnid|sinid|"
        "identification_id|identification_number|identification_no|passport_id|"
        "vat_id|vatid|vat_number|vatnumber|vat_no|vat_nr|vat_reg_no|"
        "vat_registration_number|taxvat|tax_vat|permit_no|permit_number|visa_no|"
        "visa_number",
    ),
    (
        "phone",
        "phone|phones|telephone|tel|telefon|telefono|telefone|telefoon|telephone_number|"
        "phone_number|phone_numbers|phone_no|phone_num|mobile|mobile_phone|mobile_number|cell|"
        "cellphone|cell_phone|handy|mobil|mobilnummer|movil|celular|cellulare|"
        "portable|fax|telefax|msisdn|whatsapp|rufnummer|telefonnummer",
    ),
    (
        "first_name",
        "first_name|firstname|fname|given_name|givenname|forename|middle_name|middlename|"
        "middle_names|middlenames|given_names|forenames|"
        # a nick name beside the first name (Zitadel's nick_name 'Mic' for 'Michaela');
        # one-word `nickname` is a login handle (Pleroma's users.nickname): username
        "nick_name|nick_names|"
        "vorname|prenom|voornaam|imie|primeiro_nome",
    ),
    (
        "last_name",
        "last_name|lastname|lname|surname|family_name|familyname|maiden_name|"
        "nachname|familienname|nom_de_famille|apellido|apellidos|cognome|"
        "sobrenome|achternaam|nazwisko|ultimo_nome",
    ),
    (
        "full_name",
        "full_name|fullname|display_name|contact_name|contact_person|"
        "customer_name|client_name|person_name|account_holder|holder_name|"
        "account_holder_name|cardholder|card_holder|cardholder_name|"
        "recipient_name|sender_name|billing_name|shipping_name|patient_name|"
        "employee_name|member_name|spouse_name|emergency_contact|"
        "mother_name|mothers_name|father_name|fathers_name|guardian_name|"
        "next_of_kin|next_of_kin_name|caregiver_name|husband_name|wife_name|"
        "emergency_contact_name|nombre_completo|nom_complet|nome_completo|"
        "ansprechpartner|kontaktperson|volledige_naam",
    ),
    (
        "street",
        "address|addresses|address_line|addr|street|street_address|street_name|address1|"
        "house_number|strasse|hausnummer|anschrift|adresse|rue|direccion|domicilio|"
        "calle|indirizzo|endereco|logradouro|straat|huisnummer|ulica|adres",
    ),
    (
        "city",
        "city|town|ort|wohnort|stadt|ville|ciudad|locality|localidad|citta|cidade|plaats|"
        "woonplaats|miasto|municipality",
    ),
    (
        "postcode",
        "postcode|post_code|postal_code|postalcode|zip|zipcode|zip_code|plz|"
        "postleitzahl|code_postal|codigo_postal|cod_postal|cep|kod_pocztowy|"
        "postnummer|postcode_nl",
    ),
    (
        "company",
        "company|company_name|employer|organisation|organization|org_name|firma|"
        "firmenname|unternehmen|arbeitgeber|societe|entreprise|raison_sociale|"
        "empresa|azienda|ditta|bedrijf|bedrijfsnaam",
    ),
    ("geo", "latitude|longitude|lat|lng|lon|geo_lat|geo_lng|geo_lon|geo_long"),
    (
        "username",
        "username|user_name|login|login_name|nickname|screen_name|handle|nick_name|"
        # pretalx's person_user.nick ('mbutte2'), an IRC `irc_nick`: a handle as the last
        # word only, where a `nick_color` or `nick_prefix` is a setting about one, and a
        # `bot_nick` ('jenkins', 'opsbot') names a bot
        r"(?<!bot_)nicks?(?=(?:_\d+)?$)|"
        # plurals: LimeSurvey's lime_users.users_name
        "usernames|user_names|users_name|users_names|login_names|nicknames|nick_names|screen_names|"
        # a slug of the username (NodeBB's userslug 'anna-schmidt'), in its URLs
        "userslug|user_slug|userslugs|user_slugs|"
        "benutzername|nom_utilisateur|nombre_usuario",
    ),
    (
        "free_text",
        "notes|note|comment|comments|remark|remarks|memo|bio|about_me|"
        "bemerkung|bemerkungen|kommentar|notiz|notizen|anmerkung|anmerkungen|"
        "commentaire|commentaires|remarque|remarques|observacion|observaciones|"
        "comentario|comentarios|nota|notas|osservazioni|opmerking|opmerkingen|uwagi|"
        "free_text|freetext|internal_notes|private_notes",
    ),
)

# Whole names only: too short or too common to match as one word among others.
# `long` (a longitude, {"lat": .., "long": ..}) never as a word: long_description, long_term.
_WHOLE_ONLY = {"cap": "postcode", "cp": "postcode", "via": "street", "long": "geo"}
# Words for "name" in general: personal only in a table about people.
# A relative's name only in a table about people (students.parent_name): alone it is a
# tree's parent (categories.parent_name 'Outdoor' got full_name, its children lorem)
_RELATIVE_IN_PEOPLE = frozenset({"parent_name", "parents_name"})

_GENERIC_NAME = {
    "name": "full_name",
    "naam": "full_name",
    "navn": "full_name",
    "namn": "full_name",
    "nom": "last_name",
    "nome": "first_name",
    "nombre": "first_name",
}

# A name with one of these words is about the PII, not the PII itself.
_NOT_THE_VALUE = frozenset(
    re.split(
        r"\s+",
        """id ids uuid count cnt at on flag verified confirmed confirmation enabled disabled
        sent type status kind format template valid validated optin opt consent bounced
        bounce is has can allow allowed preference preferences visibility visible public
        changed updated created domain provider length len method mode source required
        country state region province expires expiry expiration policy attempts attempt
        salt version scheme url hash mac host server web wallet algo algorithm algorithms
        alg cipher""",
    )
)
# Words above that name the value when written before the kind's word: LimeSurvey's
# `bounce_email` is the address bounces go to, `email_bounce` a bounce.
_QUALIFIERS = frozenset({"bounce"})
# Exception: words above that still name the value for some kinds (`password_hash`,
# `confirmation_token`: the token a confirmation link carries).
_KEEP_WORDS = {
    # pretix's orderposition.web_secret: the ticket download link's token, as `secret`
    # is; `web` is about the value for the other kinds (a `web_address` is a URL)
    "secret": frozenset({"hash", "confirmation", "web"}),
    "birth_date": frozenset({"on", "at"}),
    "national_id": frozenset({"id"}),  # tax_id, national_id
}

# Words that make a name about the PII for one kind only (`last_login` is a time,
# `last_name` is a name).
_NOT_THE_VALUE_FOR = {
    # a country's dialling code (Odoo's res_country.phone_code: 32, 49)
    "phone": frozenset({"code", "prefix", "dial", "dialing", "dialling", "calling"}),
    # how long a token lives (Keycloak's actionTokenGeneratedByAdminLifespan: 43200)
    "secret": frozenset(
        {"lifespan", "lifetime", "ttl", "timeout", "duration", "seconds", "size", "used", "theme"}
        # a key's digest, where it lies or what names it (signing_key_fingerprint,
        # encryption_key_path, a KMS key's encryption_key_alias 'alias/app-prod'); not
        # `file`: api_key_file held the key itself, 40 random hex
        | {"fingerprint", "thumbprint", "path", "alias", "arn"}
    ),
    # a look, not a person's login (Keycloak's realm.login_theme: 'keycloak'), or the
    # attribute that holds it (Canvas's login_attribute: 'NameID', 'uid')
    "username": frozenset(
        {"last", "first", "failed", "successful", "time", "date", "ts", "theme", "page"}
        | {"attribute", "attr", "claim"}
    ),
}

# A death date dates a person as their birth date does (OpenMRS's person.death_date,
# OpenEMR's patient_data.deceased_date): shifted alike.
_DEATH_DATE = re.compile(
    r"(?:^|_)(?:death_date|deathdate|date_of_death|death_datetime|deceased_date|"
    r"date_deceased|deceased_on|deceased_at|died_on|died_at|dod|sterbedatum|"
    r"date_deces|date_de_deces|fecha_defuncion|fecha_de_defuncion|data_morte)(?:_\d+)?(?:_|$)"
)

_PATTERNS = tuple(
    (kind, re.compile(rf"(?:^|_)(?:{words})(?:_\d+)?(?:_|$)")) for kind, words in _NAME_WORDS
)
_PERSON_TABLES = re.compile(
    r"(?:^|_)(?:customers?|clients?|users?|members?|employees?|persons?|people|contacts?|"
    r"patients?|students?|staff|subscribers?|accounts?|profiles?|kunden?|mitarbeiter|"
    r"personen|clientes?|utilisateurs?|usuarios?|utenti|klanten|gebruikers|"
    # a CRM's people (Mautic's leads, a mailing list's recipients)
    r"leads?|prospects?|recipients?|applicants?|attendees?|donors?|guests?)(?:_|$)"
)
# Things a person owns or sorts people into, named after a people word: Zammad's
# user_devices.name ('Mac, Chrome') got `full_name`, Mautic's lead_lists.name would too.
_OWNED_WORDS = (
    "device devices session sessions setting settings preference preferences prefs option "
    "options role roles permission permissions group groups list lists tag tags field fields "
    "category categories segment segments stage stages type types status statuses source "
    "sources notification notifications overview overviews sorting sortings template "
    "templates agent agents event events log logs action actions activity activities "
    "frequencyrules utmtags ips points companies"
)
_OWNED_THINGS = frozenset(_OWNED_WORDS.split())


def _names_a_thing(table_name: str) -> bool:
    """A thing word after the last people word: `user_devices`, not `customer_entity`."""
    words = table_name.split("_")
    last = max((i for i, w in enumerate(words) if _PERSON_TABLES.fullmatch(w)), default=-1)
    return last >= 0 and any(w in _OWNED_THINGS for w in words[last + 1 :])


def about_people(table_name: str) -> bool:
    """A table about people (normalized name); clients that are software by their
    table's name (api_client, oauth_clients) are not (client_tables.py), nor are
    things named after their people (user_devices, lead_lists)."""
    if field_tables.defines_fields(table_name):  # mdl_user_info_field: fields about people
        return False
    people = frozenset(w for w in table_name.split("_") if _PERSON_TABLES.fullmatch(w))
    return (
        bool(_PERSON_TABLES.search(table_name))
        and not _names_a_thing(table_name)
        and not ledger_tables.ledger(table_name, people)  # account_account: a chart
        and not (client_tables.software_table(table_name) and clients_only(table_name))
    )


def clients_only(table_name: str) -> bool:
    """About people only through a client word (zerver_client, not client_users)."""
    return bool(_PERSON_TABLES.search(table_name)) and not _PERSON_TABLES.search(
        client_tables.without_clients(table_name)
    )


# Tables of bearer credentials: their generic columns are the credential itself
# (Django's authtoken_token.key, a session store's session_id and data, Laravel's
# sessions.payload), and so are second factors' (django-otp's otp_totp_totpdevice.key
# is the TOTP seed, Authentik's authentik_stages_authenticator_*, WebAuthn devices).
_SECRET_TABLES = re.compile(
    r"(?:^|_)(?:tokens?|sessions?|api_?keys?|credentials?|secrets?|authtoken|"
    r"otp|totp|hotp|mfa|2fa|two_factor|twofactor|webauthn|u_2f|fido|fido_2|passkeys?|"
    r"authenticators?|yubikeys?|[a-z]*(?:otp|yubikey|webauthn|u_2f)devices?)(?:_|$)"
)
_SECRET_GENERIC = frozenset(
    {"key", "value", "data", "payload", "digest", "session_id", "sid", "seed", "private_id"}
    # a WebAuthn credential: kept, a production user's authenticator logs into staging
    | {"credential_id", "public_key", "key_handle"}
)
# Immich's shared_links.key (bytea): the secret of a share link's address, kept while
# api_keys.key was hashed; a table of links or invitations names its key for what it is
_LINK_TABLES = re.compile(
    r"(?:^|_)(?:shared?_?links?|share_?urls?|shares|invites?|invitations?|magic_links?)$"
)
_LINK_SECRETS = frozenset({"key", "secret", "token"})
# Tables of postal addresses: their `line1`, `line2` are the street lines (Stripe's and
# Rails' address models).
_ADDRESS_TABLES = re.compile(
    r"(?:^|_)(?:addresses|address|adressen|adresse|anschriften|direcciones|indirizzi|"
    r"enderecos|adresses)(?:_|$)"
)
_ADDRESS_LINES = frozenset({"line", "line_1", "line_2", "line_3", "line_4"})


@dataclass(frozen=True)
class NameMatch:
    kind: str
    reason: str
    text_only: bool = False  # a short name that means the kind only in a text column


def normalize(name: str) -> str:
    """`billingPostalCode`, `Straße_Nr` -> `billing_postal_code`, `strasse_nr`."""
    text = unicodedata.normalize("NFKD", name.replace("ß", "ss"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    # 'HTTPServer' -> 'HTTP_Server' by a lookahead: '([A-Z]+)([A-Z][a-z])' retried each
    # start of a long capital run (a JSON key) to its end, quadratic
    text = re.sub(r"([A-Z])(?=[A-Z][a-z])", r"\1_", text)
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    return re.sub(r"(?<=[a-z])(?=\d)", "_", text)


def is_generic_name(column: str) -> bool:
    """A word for "name" in general (`name`, `naam`): personal only by its table's name."""
    return normalize(column) in _GENERIC_NAME


def match_name(column: str, table: str) -> NameMatch | None:
    """The kind of PII a column name suggests (None: nothing personal in the name)."""
    norm = normalize(column)
    words = set(norm.split("_"))
    if norm in _WHOLE_ONLY:
        return NameMatch(_WHOLE_ONLY[norm], f"name suggests {LABELS[_WHOLE_ONLY[norm]]}")
    if _DEATH_DATE.search(norm) and not words & (_NOT_THE_VALUE - {"on", "at"}):
        return NameMatch("birth_date", "name suggests a death date, dated like a birth date")
    if http_headers.credential(column, norm):  # Authorization, Set-Cookie, *-Signature
        return NameMatch("secret", f"an HTTP header carrying {LABELS['secret']}")
    for kind, pattern in _PATTERNS:
        if not (found := pattern.search(norm)):
            continue
        kind = _address_part(norm, found.end()) if kind == "street" else kind
        not_the_value = _NOT_THE_VALUE - _KEEP_WORDS.get(kind, frozenset())
        qualifying = set(norm[: found.start()].split("_")) & _QUALIFIERS
        if (words - qualifying) & (not_the_value | _NOT_THE_VALUE_FOR.get(kind, frozenset())):
            return None
        return NameMatch(kind, f"name suggests {LABELS[kind]}")
    if (compound := _compound(norm, words)) is not None:
        return compound
    table_name = normalize(table.rsplit(".", 1)[-1])
    if (document := identity_documents.match(norm, table_name, about_people)) is not None:
        return NameMatch("national_id", document, text_only=True)  # m_client_identifier
    code = personal_codes.match(norm, table_name, about_people(table_name))
    if code is not None and not personal_codes.leading_words(norm) & (_NOT_THE_VALUE - {"id"}):
        return NameMatch(personal_codes.KIND, code, text_only=True)
    if norm in _GENERIC_NAME and about_people(table_name):
        kind = _GENERIC_NAME[norm]
        return NameMatch(kind, f"`{norm}` in a table about people: {LABELS[kind]}")
    if norm in _RELATIVE_IN_PEOPLE and about_people(table_name):
        return NameMatch("full_name", f"`{norm}` in a table about people: {LABELS['full_name']}")
    if norm in _ADDRESS_LINES and _ADDRESS_TABLES.search(table_name):
        return NameMatch("street", f"`{norm}` in a table of addresses: {LABELS['street']}")
    if redeemable.redeemable(norm, table_name):  # giftcard_giftcard.code, voucher_code
        return NameMatch("secret", redeemable.REASON)
    if norm in _SECRET_GENERIC and _SECRET_TABLES.search(table_name):
        why = f"`{norm}` in a table of tokens, sessions or second factors: {LABELS['secret']}"
        return NameMatch("secret", why)
    if norm in _LINK_SECRETS and _LINK_TABLES.search(table_name):
        why = f"`{norm}` in a table of share or invitation links: {LABELS['secret']}"
        return NameMatch("secret", why)
    return None


# Parts of an address named after it: `address_city`, `billing_address_postcode`,
# Twenty's composite `address_addressCity` are the part, not a street (a city became
# '727, rue Laporte').
_ADDRESS_PARTS = ("city", "postcode", "geo")


def _address_part(norm: str, street_end: int) -> str:
    """The kind of an address's part named after the address word, else `street`."""
    rest = norm[max(street_end - 1, 0) :]
    for kind, pattern in _PATTERNS:
        if kind in _ADDRESS_PARTS and pattern.search(rest):
            return kind
    return "street"


def _compound(norm: str, words: set[str]) -> NameMatch | None:
    """A credential word inside a compound name (`mfasecret`), or a tax or id number's
    short name at its end (`vat`): `name_compounds.py`."""
    if (word := name_compounds.credential_word(norm)) is not None:
        not_the_value = (_NOT_THE_VALUE - _KEEP_WORDS["secret"]) | _NOT_THE_VALUE_FOR["secret"]
        if words & not_the_value:
            return None
        return NameMatch("secret", f"`{word}` in the name suggests {LABELS['secret']}")
    if name_compounds.id_ending(norm) and not words & _NOT_THE_VALUE - {"id"}:
        return NameMatch("national_id", f"name suggests {LABELS['national_id']}", text_only=True)
    return None


# Binary columns named for a file about a person: a photo is biometric data, a scan of
# an id or a signed contract as personal as it gets, and no strategy reads inside them.
# A column of stored files (attachments, uploads) holds such files among others.
_FILE_WORDS = re.compile(
    r"(?:^|_)(?:photos?|avatars?|pictures?|pics?|images?|portraits?|selfies?|headshots?|"
    r"scans?|scanned|signatures?|fingerprints?|attachments?|documents?|docs?|pdfs?|cvs?|"
    r"resumes?|voice|recordings?|audio|videos?|fotos?|bilder?|unterschrift|lebenslauf|"
    # a stored file's bytes, whatever it is (Odoo's ir_attachment.db_datas, `file_data`)
    r"datas|files?|file_data|filedata|file_contents?|contents?|blobs?|binary)"
    r"(?:_\d+)?(?:_|$)"
)


# A digest of a file or key is no file (keys.fingerprint_sha256 is a key's SHA-256).
_DIGEST_WORDS = frozenset({"digest", "sha", "md", "checksum", "crc", "hashed"})


def match_file(column: str) -> NameMatch | None:
    """A binary column named like a file about a person (photo, scan, signed document)."""
    norm = normalize(column)
    words = set(norm.split("_"))
    if not _FILE_WORDS.search(norm) or words & (_NOT_THE_VALUE | _DIGEST_WORDS):
        return None
    return NameMatch(
        "document", "name suggests a file (photo, scan, document, attachment) about a person"
    )

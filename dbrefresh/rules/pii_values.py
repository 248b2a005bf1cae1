"""Which kind of personal data a column holds, judged by a sample of its values.

Catches what names hide (`col7` full of email addresses). Each detector is strict
(checksums for IBANs and cards, real address parsing for IPs) because a false alarm
costs a reviewer's time; a column is flagged when at least half of its non-NULL sampled
values match. No sampled value ever leaves this module: reasons carry counts only.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from dbrefresh.rules import (
    company_names,
    faker_providers,
    lookalikes,
    mail_forms,
    mail_lists,
    name_forms,
    phones,
    postal_addresses,
    streets,
    url_tokens,
    user_ids,
)
from dbrefresh.rules.phones import is_phone, padded_numbers
from dbrefresh.rules.streets import is_street

THRESHOLD = 0.5
MIN_DISTINCT_NAMES = 10  # distinct names a sample of names shows, unless it is tiny
EMBEDDED_THRESHOLD = 0.05  # free text: a few notes with an email or phone in them suffice
NAMED_THRESHOLD = 0.1  # free text naming people ('Spoke with John Smith'): more, names vary
MIN_OTHER_WORDS = 3  # lower-case words beside the names that make a sentence of them
# values a one-word name kind needs in a sample: one title 'Sales' (a lone dashboard's,
# its slug 'sales') is no surname, 'Berlin' no first name
MIN_WORD_NAMES = 3
MIN_REVIEW_PEOPLE = 3  # different people named, too rarely to mask, that earn a REVIEW note
NAME_LOCALES = streets.LOCALES  # the faker providers names and streets are read from

# Letters of any script, as internationalised addresses have them (jürgen@müller.de);
# a local part of at most 64 characters (RFC 5321): unbounded, a search tried every
# start of a long run of word characters to its end, quadratic in a long JSON leaf
EMAIL = re.compile(r"[\w.%+'-]{1,64}@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
_SSN = re.compile(r"\d{3}-\d{2}-\d{4}")
# Credentials whose form says what they are: password hashes (modular crypt, phpass
# as WordPress and Drupal 7 write it, WordPress 6.8's $wp$ bcrypt, LDAP's {SSHA},
# Django, Werkzeug), API tokens with their issuer's prefix, JSON web tokens, and
# an Authorization header's bearer or basic credentials.
_CREDENTIAL = re.compile(
    r"\$(?:1|2[abxy]?|5|6|7|y|apr1|argon2(?:id|i|d)|scrypt|pbkdf2(?:-sha\d+)?)\$\S{8,}"
    r"|\$(?:P|H|S)\$\S{8,}|\$wp\$2[aby]\$\S{8,}"
    r"|\{(?:S?SHA(?:256|512)?|S?MD5|BCRYPT|CRYPT|PBKDF2(?:-SHA\d+)?)\}\S{8,}"
    r"|(?:pbkdf2_sha(?:1|256)|argon2|bcrypt(?:_sha256)?|scrypt)\$\S{8,}"
    r"|(?:pbkdf2|scrypt):[\w:]+\$\S{8,}"
    r"|(?:sk|rk)_(?:live|test)_\w{8,}|whsec_\w{8,}|gh[pousr]_\w{20,}|github_pat_\w{20,}"
    r"|glpat-[\w-]{20}|xox[abpors]-[\w-]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[\w-]{35}"
    r"|SG\.[\w-]{16,}\.[\w-]{16,}|shp(?:at|ss)_[0-9a-f]{32}|npm_\w{36}|pypi-[\w-]{50,}"
    r"|eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*"
    # an Authorization header's value: 'Bearer <token>', 'Basic <base64 user:password>'
    r"|(?:Bearer|Basic|Token|Bot)\s+[\w.~+/=-]{12,}"
)


# A salt or digest: Gitea's passwd_hash_algo 'argon2$2$65536$8$50' is parameters
_SALTED = re.compile(r"[\w+/.=-]{12,}")


def is_credential(value: str) -> bool:
    """A password hash, an API token or a JSON web token, known by its form."""
    text = value.strip()
    return _CREDENTIAL.fullmatch(text) is not None and _SALTED.search(text) is not None


def is_email(value: str) -> bool:
    """An email address, bare or in a display-name form (`mail_forms.py`), or a list
    of them separated by ',' or ';' (`mail_lists.py`)."""
    found = mail_lists.items(value) if "," in value or ";" in value else [value]
    return bool(found) and all(
        EMAIL.fullmatch(mail_forms.address(item)) is not None for item in found
    )


def is_iban(value: str) -> bool:
    """ISO 13616: country, check digits, and the mod-97 checksum."""
    text = value.replace(" ", "").upper()
    if not _IBAN.fullmatch(text):
        return False
    moved = text[4:] + text[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_card(value: str) -> bool:
    """13-19 digits (spaces or dashes allowed) with a valid Luhn check digit."""
    text = re.sub(r"[ -]", "", value.strip())
    return text.isdigit() and 13 <= len(text) <= 19 and len(set(text)) > 2 and luhn_ok(text)


def is_ip(value: str) -> bool:
    try:
        ipaddress.ip_interface(value.strip())
    except ValueError:
        return False
    return True


def is_ssn(value: str) -> bool:
    return _SSN.fullmatch(value.strip()) is not None


_CAPITALISED = re.compile(r"\b[^\W\d_][^\W\d_'\u2019-]+\b")


@lru_cache(maxsize=4096)  # a column's sample is judged twice: masked, or a note
def named_people(value: str) -> frozenset[str]:
    """The people free text names: a capitalised first name followed by a capitalised
    surname ('Spoke with John Smith about the refund'); 'May Day' passes too, which is
    why the detector asks for many different names."""
    first, last = _all_names()
    words = [m.group() for m in _CAPITALISED.finditer(value)]
    named = frozenset(
        f"{a} {b}"
        for a, b in itertools.pairwise(words)
        if a[0].isupper() and b[0].isupper() and a.lower() in first and b.lower() in last
    )
    # sentences around the names, not a list of them ('Tony Iommi, Bill Ward, Geezer
    # Butler': a track's composers are catalogue data; name columns have their own
    # detector): a sentence has lower-case words
    lower = sum(1 for w in words if w[0].islower())
    return named if lower >= MIN_OTHER_WORDS else frozenset()


def people_named_note(values: Sequence[str]) -> str | None:
    """A REVIEW note for free text naming several different people in too few rows (or
    too few people) to be masked on its own ('Spoke with John Smith' in 3 % of the
    tickets was kept without a word); lists of names and one name repeated (a brand,
    an author) earn none. Counts only, never a value."""
    sample = [v for v in values if v.strip()]
    found = [named_people(v) for v in sample]
    people = set().union(*found) if found else set()
    if len(people) < MIN_REVIEW_PEOPLE:
        return None
    rows = sum(1 for f in found if f)
    return (
        f"REVIEW: {rows} of {len(sample)} sampled values name people ({len(people)} "
        "different, a first name and a surname in a sentence), too few to mask it "
        "on their own: kept; `lorem` hides them"
    )


def is_contact(value: str) -> bool:
    return is_email(value) or is_phone(value)


def has_contact(value: str) -> bool:
    """Free text mentioning an email address or a phone number (timestamps, IP lists,
    versions, message ids and barcodes aside: `lookalikes.py`)."""
    text = lookalikes.without_machine_data(value)
    return ("@" in text and EMAIL.search(text) is not None) or phones.mentions_phone(text)


@cache
def locale_names(locale: str) -> tuple[frozenset[str], frozenset[str]]:
    """First and last names (lower case) of one faker person provider; none if absent."""
    if (provider := faker_providers.provider(f"faker.providers.person.{locale}")) is None:
        return frozenset(), frozenset()
    lasts = {
        n.lower()
        for attribute in ("last_names", "male_last_names", "unisex_last_names")
        for n in getattr(provider, attribute, ())
    }
    # pl_PL keeps its surnames apart by gender (and last_names is a placeholder 'Doe'):
    # the feminine forms of Kowalski, Nowicki are Kowalska, Nowicka
    lasts |= {n[:-1] + "a" for n in lasts if n.endswith(("ski", "cki", "dzki"))}
    if len(lasts) > 1:
        lasts.discard("doe")
    return frozenset(n.lower() for n in getattr(provider, "first_names", ())), frozenset(lasts)


@cache
def _known_names() -> tuple[frozenset[str], frozenset[str]]:
    """Names that are only first names, and names that are only last names (a value
    alone is judged by them: 'Ryan' or 'Cole' could be either)."""
    first, last = _all_names()
    return first - last, last - first


def _all_names_in(sample: Sequence[str]) -> bool:
    """Every value a first or last name, two different ones at least."""
    first, last = _all_names()
    names = {v.strip().lower() for v in sample}
    return len(names) > 1 and all(n in first or n in last for n in names)


def is_first_name(value: str) -> bool:
    return value.strip().lower() in _known_names()[0]


def is_last_name(value: str) -> bool:
    return value.strip().lower() in _known_names()[1]


# What surrounds a name without being one: 'Dr Damian Riley', 'Isabella Siering MBA.',
# 'Dipl.-Ing. Walter Oderwald B.A.', 'Charlotte van Vliet', 'Robert Perry Jr.'
_TITLES = frozenset(
    re.split(
        r"\s+",
        "mr mrs ms miss mx dr prof sir dame herr frau pan pani sr sra srta m mme mlle sig "
        "sig.ra dott dhr mevr",
    )
)
_SUFFIXES = frozenset(["jr", "sr", "ii", "iii", "iv", "md", "phd", "dds", "dvm", "mba", "esq"])
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "de",
        "der",
        "den",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "das",
        "du",
        "le",
        "la",
        "ten",
        "ter",
    ]
)


def _bare(word: str) -> str:
    return word.lower().strip(".,")


@cache
def _all_names() -> tuple[frozenset[str], frozenset[str]]:
    """Every first and every last name of the name locales (a name may be both)."""
    first: set[str] = set()
    last: set[str] = set()
    for locale in NAME_LOCALES:
        firsts, lasts = locale_names(locale)
        first |= firsts
        last |= lasts
    return frozenset(first), frozenset(last)


def all_names() -> tuple[frozenset[str], frozenset[str]]:
    """Every first and every last name of the name locales, lower case."""
    return _all_names()


def is_full_name(value: str) -> bool:
    """A known first name, then one to three more words of which the last name part
    holds a known name (a part of a double name will do), titles, degrees and
    particles aside ('Mr Scott Hardy', 'Kate de Gruijl-Mercks', 'Ryan Gallagher'; a
    compound first name by its first part: 'Claire-Françoise Alves')."""
    if company_names.is_company(value):
        return False  # 'Miller LLC', 'Perry, Turner and Diaz'
    if name_forms.is_name_form(value, _all_names()):
        return True  # 'Schuster, Robert', 'SCHUSTER Robert', 'R. Schuster'
    words = value.strip().split()
    start, end = 0, len(words)  # trimmed by index: slicing each time was quadratic
    while start < end and (_bare(words[start]) in _TITLES or words[start].endswith(".")):
        start += 1
    while start < end and (_bare(words[end - 1]) in _SUFFIXES or "." in words[end - 1]):
        end -= 1
    words = words[start:end]
    rest = [w for w in words[1:] if _bare(w) not in _PARTICLES]
    if not 1 <= len(rest) <= 4:
        return False
    first, last = _all_names()
    parts = {part for w in rest for part in _bare(w).split("-") if part}
    given = _bare(words[0])
    return (given in first or given.split("-")[0] in first) and bool(parts & (last | first))


_DIGITS = re.compile(r"[0-9]+")


def digit_postcodes(values: Sequence[str]) -> str | None:
    """'N of M sampled values are K digits' when nearly all (95 %) are digits of one length
    (a US ZIP, a German PLZ), else None."""
    sample = [v.strip() for v in values if v.strip()]
    lengths = [len(v) for v in sample if _DIGITS.fullmatch(v)]
    if not lengths:
        return None
    common = max(set(lengths), key=lengths.count)
    matched = lengths.count(common)
    if matched < 0.95 * len(sample):
        return None
    return f"{matched} of {len(sample)} sampled values are {common} digits"


@dataclass(frozen=True)
class Detector:
    kind: str
    looks_like: str
    test: Callable[[str], bool]
    threshold: float = THRESHOLD
    diverse: bool = False  # people's names vary; one repeated word is a category
    least: int = 1  # values that must pass (MIN_WORD_NAMES for one-word names)

    def matches(self, sample: Sequence[str], few: bool = False) -> int:
        """How many values pass; none when a diverse kind's matches repeat a few words,
        or fewer than `least` pass, unless every value passes and two differ ('Jennifer',
        'Michael', either a surname too: a tiny table of names) or `few` (a column named
        for a relative)."""
        passed = [v for v in sample if self.test(v)]
        if len(passed) < self.least and not (passed and (few or _all_names_in(sample))):
            return 0
        if self.diverse and len({v.strip().lower() for v in passed}) < min(
            MIN_DISTINCT_NAMES, len(passed) / 2
        ):
            return 0  # 'German' a thousand times is a nationality, 'Rose' a colour
        return len(passed)


class _PeopleNamed(Detector):
    """Free text naming people: enough rows name someone, and they name several
    different people (one name on every row is a brand or an author, not a customer)."""

    def matches(self, sample: Sequence[str], few: bool = False) -> int:
        found = [named_people(v) for v in sample]
        people = set().union(*found) if found else set()
        return sum(1 for f in found if f) if len(people) >= MIN_DISTINCT_NAMES else 0


# Most specific first: a card number is also a run of digits a phone test might accept.
DETECTORS: tuple[Detector, ...] = (
    Detector("secret", "credentials (password hashes, API or web tokens)", is_credential),
    # a webhook's ?api_key=..., a receipt's or an invitation's link (url_tokens.py)
    Detector("secret", "URLs carrying a token", url_tokens.is_capability_url),
    Detector("email", "email addresses", is_email),
    Detector("user_id", "user ids (@name:server)", user_ids.is_server_id),
    Detector("iban", "IBANs", is_iban),
    Detector("card", "payment card numbers (Luhn)", is_card),
    Detector("national_id", "US social security numbers", is_ssn),
    # an X-Forwarded-For list ('203.0.1.2, 10.0.0.5') is the customer's addresses too
    Detector("ip", "IP addresses", lambda v: all(is_ip(p) for p in v.split(","))),
    Detector("phone", "phone numbers", is_phone),
    # Chatwoot's contact_inboxes.source_id: an address, a phone number or a UUID
    Detector("free_text", "email addresses or phone numbers (whole values)", is_contact),
    Detector("street", "street addresses", is_street),
    Detector("street", postal_addresses.LOOKS_LIKE, postal_addresses.is_address),
    Detector("full_name", "full names", is_full_name, diverse=True),
    Detector("first_name", "first names", is_first_name, diverse=True, least=MIN_WORD_NAMES),
    Detector("last_name", "last names", is_last_name, diverse=True, least=MIN_WORD_NAMES),
    Detector(
        "username",
        "logins made of names",
        lambda v: user_ids.is_name_login(v, _all_names()),
        diverse=True,
    ),
    Detector(
        "free_text",
        "text containing an email address or phone number",
        has_contact,
        EMBEDDED_THRESHOLD,
    ),
    _PeopleNamed(
        "free_text",
        "text naming people (a first name and a surname)",
        lambda v: bool(named_people(v)),
        NAMED_THRESHOLD,
    ),
)


@dataclass(frozen=True)
class ValueMatch:
    kind: str
    matched: int
    sampled: int
    looks_like: str

    @property
    def reason(self) -> str:
        return f"{self.matched} of {self.sampled} sampled values look like {self.looks_like}"


def match_values(values: Sequence[str], few_names: bool = False) -> ValueMatch | None:
    """The first detector that at least its threshold of the (non-NULL) values pass
    (`few_names`: a column named for a relative, kin_columns.py, one name suffices)."""
    sample = [v for v in values if v.strip()]
    if not sample or padded_numbers(sample):
        return None  # zero-padded order numbers, no phone numbers (`phones.py`)
    for detector in DETECTORS:
        matched = detector.matches(sample, few_names)
        if matched and matched >= detector.threshold * len(sample):
            return ValueMatch(detector.kind, matched, len(sample), detector.looks_like)
    return None


def count_kind(values: Sequence[str], kind: str) -> ValueMatch | None:
    """How many values fit one kind (to back a name match with evidence)."""
    sample = [v for v in values if v.strip()]
    for detector in DETECTORS:
        if detector.kind == kind and sample:
            matched = sum(1 for v in sample if detector.test(v))
            if matched:
                return ValueMatch(kind, matched, len(sample), detector.looks_like)
    return None


_LEXEME = re.compile(r"'((?:[^']|'')*)'")


def lexemes(vector: str) -> list[str]:
    """The words of a tsvector's text form ('alice':1 'smith':2 -> alice, smith)."""
    return [m.replace("''", "'") for m in _LEXEME.findall(vector)]


def has_personal_words(vector: str) -> bool:
    """A text-search vector holding an email address, a phone number or a known name."""
    words = lexemes(vector)
    first, last = _known_names()
    return has_contact(" ".join(words)) or any(w in first or w in last for w in words)


def _embedded(
    values: Sequence[str], test: Callable[[str], bool], kind: str, looks_like: str
) -> ValueMatch | None:
    """Values carrying personal data inside a larger whole: a few are enough."""
    sample = [v for v in values if v.strip()]
    matched = sum(1 for v in sample if test(v))
    if not matched or matched < EMBEDDED_THRESHOLD * len(sample):
        return None
    return ValueMatch(kind, matched, len(sample), looks_like)


def match_vectors(values: Sequence[str]) -> ValueMatch | None:
    """Text-search vectors index the words of other columns (names, contacts): a few
    holding personal words are enough to mask them all."""
    return _embedded(
        values, has_personal_words, "text_search", "text-search vectors of names or contact details"
    )


def match_documents(values: Sequence[str]) -> ValueMatch | None:
    """XML, hstore or composite values mentioning emails or phone numbers (as text):
    like free text, a few are enough (no strategy masks inside them)."""
    return _embedded(
        values, has_contact, "document", "text containing an email address or phone number"
    )

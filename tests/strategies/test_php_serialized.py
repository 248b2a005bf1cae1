"""php_serialized: string values of PHP's serialize() output masked in place, each
s:N: length still right (PHP unserializes the result); keys, numbers and booleans kept;
`keys` limits it; what does not parse becomes 'N;'."""

from __future__ import annotations

import re
from datetime import datetime

from dbrefresh.rules import php_parse

from .conftest import KEY_B, Masking

SETTINGS = (
    'a:3:{s:5:"email";s:16:"ann@mail.example";s:4:"name";s:12:"Ann Schmüdt";'
    's:5:"prefs";a:2:{s:6:"locale";s:5:"en_US";s:5:"admin";b:1;}}'
)
VALUES = [
    SETTINGS,
    'O:8:"stdClass":1:{s:4:"name";s:3:"Bob";}',
    'a:2:{i:0;s:3:"Bob";i:1;i:7;}',
    'a:1:{s:5:"email";s:99:"short";}',  # a wrong length: not PHP's own output
    "Ann Schmidt",
    "",
]


def _table(masking: Masking) -> None:
    conn = masking.conn
    conn.execute("DROP TABLE IF EXISTS settings")
    conn.execute("CREATE TABLE settings (id int PRIMARY KEY, v text)")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO settings VALUES (%s, %s)", list(enumerate(VALUES)))


def _lengths_hold(value: str) -> bool:
    """Every s:N: is followed by a string of N bytes (what unserialize() checks)."""
    raw = value.encode()
    for m in re.finditer(rb's:(\d+):"', raw):
        end = m.end() + int(m.group(1))
        if raw[end : end + 2] != b'";':
            return False
    return True


def test_string_values_are_masked_and_lengths_kept(masking: Masking) -> None:
    _table(masking)
    masked = dict(masking.run("php_serialized", {}, "v", table="settings"))
    settings = masked[SETTINGS]
    assert "ann" not in settings and "Schm" not in settings and "en_US" not in settings
    assert settings.startswith('a:3:{s:5:"email";s:16:"') and "@" in settings
    assert 's:5:"admin";b:1;' in settings and _lengths_hold(settings), settings
    assert "Bob" not in masked['O:8:"stdClass":1:{s:4:"name";s:3:"Bob";}']
    assert masked['a:2:{i:0;s:3:"Bob";i:1;i:7;}'].endswith('";i:1;i:7;}')
    assert masked['a:1:{s:5:"email";s:99:"short";}'] == "N;"
    assert masked["Ann Schmidt"] == "N;"
    assert masked[""] == ""


def test_keys_limit_it_to_their_values(masking: Masking) -> None:
    _table(masking)
    masked = dict(masking.run("php_serialized", {"keys": ["Email", "name"]}, "v", table="settings"))
    settings = masked[SETTINGS]
    assert "ann@" not in settings and "Schm" not in settings
    assert 's:6:"locale";s:5:"en_US";' in settings and _lengths_hold(settings), settings
    assert "Bob" in masked['a:2:{i:0;s:3:"Bob";i:1;i:7;}']


# Strings keep their shape: PHP code validating or casting them after unserialize()
# (is_numeric, filter_var(FILTER_VALIDATE_EMAIL), new DateTime) still accepts them.


def _php(value: object) -> str:
    """PHP's serialize() of str, int and dict values (lengths in bytes)."""
    if isinstance(value, dict):
        items = "".join(_php(k) + _php(v) for k, v in value.items())
        return f"a:{len(value)}:{{{items}}}"
    if isinstance(value, int):
        return f"i:{value};"
    return f's:{len(str(value).encode())}:"{value}";'


PROFILE = _php(
    {
        "email": "jürgen.m@mail.example",
        "name": "Jürgen Müller",
        "zip": "01067",
        "age": "42",
        "phone": 4915112345,
        "born": "1980-05-17",
        "seen": "2024-02-29 13:45:10",
        "city": "東京",
        "logs": {0: 7},
    }
)
SHAPES = [PROFILE, PROFILE, _php({"zip": 9223372036854775807})]


def _shapes_table(masking: Masking) -> None:
    conn = masking.conn
    conn.execute("DROP TABLE IF EXISTS shapes")
    conn.execute("CREATE TABLE shapes (id int PRIMARY KEY, v text)")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO shapes VALUES (%s, %s)", list(enumerate(SHAPES)))


def _digits_for_digits(original: str, masked: str) -> None:
    assert len(masked) == len(original) and masked.isdigit(), (original, masked)
    assert masked[0] == "0" if original[0] == "0" else masked[0] != "0", (original, masked)


def test_masked_strings_keep_their_shape(masking: Masking) -> None:
    _shapes_table(masking)
    rows = masking.run("php_serialized", {}, "v", table="shapes")
    masked = rows[0][1]
    doc, orig = php_parse.parse(masked), php_parse.parse(PROFILE)  # lengths hold
    assert len(masked.encode()) == len(PROFILE.encode()) and masked != PROFILE
    assert doc.keys() == orig.keys() and doc["logs"] == [7] and doc["phone"] == 4915112345
    for key in ("zip", "age"):
        _digits_for_digits(orig[key], doc[key])
    email = doc["email"]
    assert re.fullmatch(r"[a-z]{7}\.[a-z]@[a-z]{4}\.[a-z]{7}", email), email
    assert "jürgen" not in email and "mail" not in email
    assert re.fullmatch(r"[A-Z][a-z]{6} [A-Z][a-z]{6}", doc["name"]), doc["name"]
    assert len(doc["city"].encode()) == 6 and re.fullmatch("[a-z]{6}", doc["city"])
    born = datetime.strptime(doc["born"], "%Y-%m-%d")
    assert abs(born.year - 1980) <= 5 and doc["born"] != "1980-05-17"
    seen = datetime.strptime(doc["seen"], "%Y-%m-%d %H:%M:%S")
    assert abs(seen.year - 2024) <= 5 and doc["seen"] != "2024-02-29 13:45:10"
    assert rows[1][1] == masked  # deterministic by value
    other = masking.run("php_serialized", {}, "v", table="shapes", key=KEY_B)
    assert other[0][1] != masked and php_parse.parse(other[0][1]).keys() == orig.keys()


def test_integers_right_under_keys_get_other_digits(masking: Masking) -> None:
    _shapes_table(masking)
    rows = masking.run("php_serialized", {"keys": ["phone", "zip", "email"]}, "v", table="shapes")
    doc = php_parse.parse(rows[0][1])
    assert doc["name"] == "Jürgen Müller" and doc["logs"] == [7] and doc["born"] == "1980-05-17"
    assert doc["email"] != "jürgen.m@mail.example" and "@" in doc["email"]
    _digits_for_digits("4915112345", str(doc["phone"]))
    _digits_for_digits("01067", doc["zip"])
    big = php_parse.parse(rows[2][1])["zip"]
    assert big != 9223372036854775807 and 10**18 <= big < 2**63, big

"""php_serialized: string values of PHP's serialize() output masked in place, each
s:N: length still right (PHP unserializes the result); keys, numbers and booleans kept;
`keys` limits it; what does not parse becomes 'N;'."""

from __future__ import annotations

import re

from .conftest import Masking

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

"""hash with alphabet: password_hash: a password hash stays a hash of its scheme, cost
and shape (the application parses it and refuses the password instead of raising);
other values are hashed to hex as before; UTF-8 text in bytea stays UTF-8 text."""

from __future__ import annotations

import base64
import re
import secrets
import string
import warnings

import pytest
from pydantic import ValidationError

from dbrefresh.strategies.registry import get

from .conftest import Masking

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # libxcrypt: bcrypt and sha-crypt, the verifiers this venv has

ALNUM = string.ascii_letters + string.digits
DOT64 = "./" + ALNUM


def _b64(n: int) -> str:
    return base64.b64encode(secrets.token_bytes(n)).decode().rstrip("=")


def _ab64(n: int) -> str:
    return _b64(n).replace("+", ".")


def _alnum(n: int) -> str:
    return "".join(secrets.choice(ALNUM) for _ in range(n))


# scheme -> (original, the format regex its masked value must still match)
SAMPLES: dict[str, tuple[str, str]] = {
    "bcrypt": (
        crypt.crypt("s3cret", "$2b$05$" + "".join(secrets.choice(DOT64) for _ in range(22))),
        r"\$2b\$05\$[./A-Za-z0-9]{53}",
    ),
    "bcrypt_2a": ("$2a$12$" + _ab64(40)[:53], r"\$2a\$12\$[./A-Za-z0-9]{53}"),
    "argon2id": (
        f"$argon2id$v=19$m=65536,t=3,p=4${_b64(16)}${_b64(32)}",
        r"\$argon2id\$v=19\$m=65536,t=3,p=4\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}",
    ),
    "argon2i": (
        f"$argon2i$v=19$m=102400,t=2,p=8${_b64(16)}${_b64(32)}",
        r"\$argon2i\$v=19\$m=102400,t=2,p=8\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}",
    ),
    "sha512_crypt": (
        crypt.crypt("s3cret", "$6$rounds=5000$" + _alnum(16)),
        r"\$6\$rounds=5000\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}",
    ),
    "yescrypt": (
        crypt.crypt("s3cret", "$y$j9T$" + "".join(secrets.choice(DOT64) for _ in range(21)) + "."),
        r"\$y\$j9T\$[./A-Za-z0-9]{22}\$[./A-Za-z0-9]{43}",
    ),
    "passlib_pbkdf2": (
        f"$pbkdf2-sha512$25000${_ab64(16)}${_ab64(64)}",
        r"\$pbkdf2-sha512\$25000\$[./A-Za-z0-9]{22}\$[./A-Za-z0-9]{86}",
    ),
    "phpass": (
        "$P$B" + "".join(secrets.choice(DOT64) for _ in range(30)),
        r"\$P\$B[./0-9A-Za-z]{30}",
    ),
    "django": (
        f"pbkdf2_sha256$600000${_alnum(22)}${base64.b64encode(secrets.token_bytes(32)).decode()}",
        r"pbkdf2_sha256\$600000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=",
    ),
    "werkzeug": (
        f"pbkdf2:sha256:600000${_alnum(16)}${secrets.token_hex(32)}",
        r"pbkdf2:sha256:600000\$[A-Za-z0-9]{16}\$[0-9a-f]{64}",
    ),
    "werkzeug_scrypt": (
        f"scrypt:32768:8:1${_alnum(16)}${secrets.token_hex(64)}",
        r"scrypt:32768:8:1\$[A-Za-z0-9]{16}\$[0-9a-f]{128}",
    ),
    "ssha": (
        "{SSHA}" + base64.b64encode(secrets.token_bytes(28)).decode(),
        r"\{SSHA\}[A-Za-z0-9+/]{38}==",
    ),
}
DECOYS = ["$12.50", "$name", "Hello $user, welcome", "$1$", ""]


def _canonical_b64(part: str) -> bool:
    """Decodes, and encodes back to itself: its padding bits are zero, as argon2's
    strict decoder and passlib require."""
    std = part.replace(".", "+")
    raw = base64.b64decode(std + "=" * (-len(std) % 4))
    return base64.b64encode(raw).decode().rstrip("=") == std.rstrip("=")


def _table(masking: Masking, name: str, type_sql: str, values: list[str]) -> None:
    conn = masking.conn
    conn.execute(f"DROP TABLE IF EXISTS {name}")
    conn.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, v {type_sql})")
    with conn.cursor() as cur:
        cur.executemany(f"INSERT INTO {name} VALUES (%s, %s)", list(enumerate(values)))


@pytest.mark.parametrize("type_sql", ["text", "varchar(200)"])
def test_a_password_hash_keeps_its_scheme_and_shape(masking: Masking, type_sql: str) -> None:
    values = [v for v, _ in SAMPLES.values()] + DECOYS
    _table(masking, "pw", type_sql, values)
    masked = dict(masking.run("hash", {"alphabet": "password_hash"}, "v", table="pw"))
    for scheme, (original, shape) in SAMPLES.items():
        out = masked[original]
        assert re.fullmatch(shape, out), (scheme, original, out)
        assert out != original and len(out) == len(original), (scheme, out)
        salt_and_digest = out.rsplit("$", 2)[-2:] if "$" in out[8:] else [out]
        assert all(p[:-1] not in original for p in salt_and_digest if len(p) > 8), scheme
    for scheme in ("argon2id", "argon2i", "passlib_pbkdf2"):
        *_, salt, digest = masked[SAMPLES[scheme][0]].split("$")
        assert _canonical_b64(salt) and _canonical_b64(digest), scheme
    for scheme, digest in (("bcrypt", 31), ("sha512_crypt", 86), ("yescrypt", 43)):
        out = masked[SAMPLES[scheme][0]]  # parsed as it is, and the password refused
        again = crypt.crypt("s3cret", out)
        assert again is not None and again != out and again[:-digest] == out[:-digest], scheme
    for decoy in DECOYS[:-2]:  # no known scheme: hex, as before
        assert re.fullmatch(r"[0-9a-f]{32}", masked[decoy]), decoy
    assert masked[""] == ""
    again = dict(masking.run("hash", {"alphabet": "password_hash"}, "v", table="pw"))
    assert again == masked  # deterministic per original value


def test_bcrypt_fits_its_varchar_60(masking: Masking) -> None:
    """NodeBB and Laravel keep bcrypt in varchar(60): the same length fits."""
    original, shape = SAMPLES["bcrypt_2a"]
    _table(masking, "pw60", "varchar(60)", [original, "$name"])
    masked = dict(masking.run("hash", {"alphabet": "password_hash"}, "v", table="pw60"))
    assert re.fullmatch(shape, masked[original]) and masked[original] != original
    assert re.fullmatch(r"[0-9a-f]{32}", masked["$name"])


def test_utf8_text_in_bytea_stays_utf8_text(masking: Masking) -> None:
    """Mailman's user._password: a passlib string kept as UTF-8 bytes."""
    original = SAMPLES["sha512_crypt"][0]
    conn = masking.conn
    conn.execute("DROP TABLE IF EXISTS pwb")
    conn.execute("CREATE TABLE pwb (id int PRIMARY KEY, v bytea)")
    rows = [original.encode(), b"token-abcdef0123456789", b"\x00\xff\x10binary", None]
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO pwb VALUES (%s, %s)", list(enumerate(rows)))
    for params in ({"alphabet": "password_hash"}, {}):
        masked = [
            bytes(m) if m is not None else None
            for _, m in masking.run("hash", params, "v", table="pwb")
        ]
        texts = [m.decode("utf-8") for m in masked[:2] if m is not None]
        if params:
            assert re.fullmatch(SAMPLES["sha512_crypt"][1], texts[0]) and texts[0] != original
        else:
            assert re.fullmatch(r"[0-9a-f]{32}", texts[0])
        assert re.fullmatch(r"[0-9a-f]{32}", texts[1])
        assert masked[2] is not None and len(masked[2]) == 16  # binary: the digest's bytes
        assert masked[3] is None
    token = masking.run("hash", {"length": 20}, "v", table="pwb")[1][1]
    assert re.fullmatch(r"[0-9a-f]{20}", bytes(token).decode("utf-8"))  # its length kept


def test_password_hash_takes_no_prefix() -> None:
    with pytest.raises(ValidationError):
        get("hash").parse_params({"alphabet": "password_hash", "prefix": "u"})

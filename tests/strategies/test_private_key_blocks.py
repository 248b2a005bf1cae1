"""private_key on values holding more than a key: a key+certificate bundle keeps its
certificates byte for byte (haproxy and nginx read the chain from the same PEM), and a
config file or note keeps all its text, each private key block replaced in place by a
throwaway key of its kind that still loads, YAML's indentation and a .env's escaped line
breaks kept."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from dbrefresh.strategies.throwaway_keys import KEYS
from tests.pem_samples import kind, make_pems
from tests.strategies.conftest import Masking

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def pems(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Real keys and certificates, made for this test."""
    return make_pems(tmp_path_factory.mktemp("pems"))


def _blocks(text: str, label: str) -> list[str]:
    return re.findall(rf"-----BEGIN {label}-----.*?-----END {label}-----\r?\n?", text, re.S)


def _mask(masking: Masking, values: list[str], params: dict[str, object]) -> list[str]:
    masking.conn.execute("DROP TABLE IF EXISTS pem_texts")
    masking.conn.execute("CREATE TEMP TABLE pem_texts (id int, t text)")
    for i, value in enumerate(values):
        masking.conn.execute("INSERT INTO pem_texts VALUES (%s, %s)", (i, value))
    return [m for _, m in masking.run("private_key", params, "t", table="pem_texts")]


def test_a_bundle_keeps_its_certificates(masking: Masking, pems: dict[str, str]) -> None:
    key_first = pems["pkcs8"] + pems["leaf"] + pems["ca"]
    cert_first = "# haproxy\n" + pems["leaf"] + pems["rsa"] + pems["ca"]
    windows = key_first.replace("\n", "\r\n")
    # `openssl ecparam -genkey` writes the curve's parameters before the key
    with_parameters = (
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
    )
    with_parameters += pems["ec"]
    masked = _mask(masking, [key_first, cert_first, windows, with_parameters], {})
    assert masked.pop() == with_parameters.replace(pems["ec"], KEYS["EC PRIVATE KEY"])
    pkcs8, pkcs1 = KEYS["PRIVATE KEY"].rstrip("\n"), KEYS["RSA PRIVATE KEY"].rstrip("\n")
    assert masked[0] == key_first.replace(pems["pkcs8"].rstrip("\n"), pkcs8)
    assert masked[1] == cert_first.replace(pems["rsa"].rstrip("\n"), pkcs1)
    assert masked[2] == windows.replace(
        pems["pkcs8"].rstrip("\n").replace("\n", "\r\n"), pkcs8.replace("\n", "\r\n")
    )
    for original, value in zip((key_first, cert_first, windows), masked, strict=True):
        assert _blocks(value, "CERTIFICATE") == _blocks(original, "CERTIFICATE")  # same bytes
        (key,) = _blocks(value.replace("\r\n", "\n"), "(?:RSA )?PRIVATE KEY")
        assert key not in original and kind(key) == kind(pems["pkcs8"]) == "RSA"


def test_keys_inside_config_text_are_replaced_in_place(
    masking: Masking, pems: dict[str, str]
) -> None:
    indent = "      "
    config = (
        "server:\n  port: 8443\n  tls:\n    ssl_key: |\n"
        + "".join(indent + line + "\n" for line in pems["ec"].splitlines())
        + "    ssl_cert: |\n"
        + "".join(indent + line + "\n" for line in pems["leaf"].splitlines())
        + "database:\n  url: postgres://db.internal/app\n"
    )
    env = 'PORT=8443\nTLS_KEY="' + pems["pkcs8"].replace("\n", "\\n") + '"\nDEBUG=0\n'
    note = "Key for the VPN box, as asked:\n" + pems["rsa"] + "Rotate it in May.\n"
    plain = "no key here: paste it as -----BEGIN PRIVATE KEY----- ... when asked"
    values = [config, env, note, "just a note", plain]
    masked = _mask(masking, values, {"within_text": True})

    before, after = yaml.safe_load(config), yaml.safe_load(masked[0])
    assert after["server"]["tls"]["ssl_key"] == KEYS["EC PRIVATE KEY"]
    assert kind(after["server"]["tls"]["ssl_key"]) == kind(pems["ec"]) == "EC P-256"
    del before["server"]["tls"]["ssl_key"], after["server"]["tls"]["ssl_key"]
    assert after == before  # the certificate and every other key unchanged

    pkcs8 = KEYS["PRIVATE KEY"].rstrip("\n")
    assert masked[1] == env.replace(
        pems["pkcs8"].rstrip("\n").replace("\n", "\\n"), pkcs8.replace("\n", "\\n")
    )
    assert masked[1].count("\n") == env.count("\n")  # the .env line is still one line
    assert masked[2] == note.replace(pems["rsa"].rstrip("\n"), KEYS["RSA PRIVATE KEY"].rstrip("\n"))
    assert masked[3:] == values[3:]  # no key, or only the armour named: kept

    digested = _mask(masking, ["just a note"], {})
    assert len(digested[0]) == 32  # without within_text, a value holding no key: its digest


def test_a_key_cut_short_or_of_no_known_kind_replaces_the_value(masking: Masking) -> None:
    """No complete block to replace in place: nothing of the value may survive."""
    cut = "tls:\n  key: |\n    -----BEGIN PRIVATE KEY-----\n    MIIEvQIBADANBgkqhkiG9w0B"
    label = "PGP PRIVATE KEY BLOCK-----"
    pgp = f"-----BEGIN {label}\n\nlQOYBGVhZGVyAQgAyXhLm5kc2Zk\n-----END {label}\n"
    mixed = (
        "key:\n"
        + KEYS["EC PRIVATE KEY"].replace("MHcCAQ", "MHcCAX")
        + "say -----BEGIN PRIVATE KEY----- here"
    )
    masked = _mask(masking, [cut, pgp, mixed], {"within_text": True})
    assert masked[0] == KEYS["PRIVATE KEY"]
    assert len(masked[1]) == 32 and "lQOYBG" not in masked[1]
    # a complete key beside a mere mention of an armour: the key replaced, the mention kept
    assert masked[2] == "key:\n" + KEYS["EC PRIVATE KEY"] + "say -----BEGIN PRIVATE KEY----- here"


def test_a_value_the_longer_key_would_not_fit_is_digested(
    masking: Masking, pems: dict[str, str]
) -> None:
    """The throwaway RSA key (2048 bits) is longer than a 1024-bit one: a bundle that
    outgrew its varchar(n) failed the UPDATE; it is hidden whole instead."""
    bundle = pems["pkcs8"] + pems["leaf"]
    expected = bundle.replace(pems["pkcs8"], KEYS["PRIVATE KEY"])
    size = len(expected) - 1  # the bundle fits, the key written into it not
    assert len(bundle) < size
    masking.conn.execute("DROP TABLE IF EXISTS pem_sized")
    masking.conn.execute(
        f"CREATE TEMP TABLE pem_sized (id int, r varchar({size + 1000}), t varchar({size}))"
    )
    masking.conn.execute("INSERT INTO pem_sized VALUES (1, %s, %s)", (bundle, bundle))
    row = masking.conn.execute("SELECT md5(%s)", (bundle,)).fetchone()
    assert row is not None
    for column, params in (("r", {}), ("t", {}), ("t", {"within_text": True})):
        ((_, masked),) = masking.run("private_key", params, column, table="pem_sized")
        assert masked == (expected if column == "r" else row[0])

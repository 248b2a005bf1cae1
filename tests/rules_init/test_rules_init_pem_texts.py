"""Private keys inside more than a key, end to end on PostgreSQL: a key+certificate
bundle (haproxy's PEM) lost its certificates to one throwaway key, and a config file
holding a key (YAML's `ssl_key: |`) was kept, the key with it. Now the bundle keeps its
certificates byte for byte and the config its every other setting, each key replaced
by a throwaway key of its kind that still loads; certificates alone, and text merely
naming an armour, stay kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import psycopg
import pytest
import yaml

from dbrefresh.strategies.throwaway_keys import KEYS
from tests.pem_samples import kind, make_pems

from .helpers import comment_of, generate_then_mask, rule_of, strategy_of

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def _config(i: int, key: str | None) -> str:
    """A service's YAML config; the key, when given, as an indented literal block."""
    text = f"service: billing-{i}\nserver:\n  port: {8000 + i}\n  tls:\n"
    if key is not None:
        text += "    ssl_key: |\n" + "".join(f"      {line}\n" for line in key.splitlines())
    return text + f"    enabled: {str(key is not None).lower()}\nlog_level: info\n"


def _rows(pems: dict[str, str]) -> dict[str, list[str]]:
    return {
        "bundle": [
            pems["pkcs8"] + pems["leaf"] + pems["ca"]
            if i % 2
            else pems["leaf"] + pems["rsa"] + pems["ca"]
            for i in range(40)
        ],
        "config": [_config(i, pems["ec"] if i % 3 else None) for i in range(40)],
        "profile": [_config(100 + i, pems["rsa"]) for i in range(40)],
        "chain": [pems["leaf"] + pems["ca"]] * 40,
        "help": [
            f"Step {i}: paste your key, '-----BEGIN PRIVATE KEY-----' first" for i in range(40)
        ],
        # an ingress's settings document: a bundle at one path, a config file at another
        "ingress": [
            json.dumps(
                {"host": f"s{i}.example", "tls": pems["pkcs8"] + pems["leaf"], "config": config}
            )
            for i, config in enumerate(_config(i, pems["ec"]) for i in range(40))
        ],
    }


def _schema(rows: dict[str, list[str]]) -> str:
    def values(name: str) -> str:
        return ", ".join(f"({i}, $pem${v}$pem$)" for i, v in enumerate(rows[name]))

    return f"""
CREATE TABLE tls_bundles (id int PRIMARY KEY, pem text NOT NULL);
INSERT INTO tls_bundles VALUES {values("bundle")};
CREATE TABLE service_configs (id int PRIMARY KEY, body text NOT NULL);
INSERT INTO service_configs VALUES {values("config")};
CREATE TABLE trust_chains (id int PRIMARY KEY, certificates text NOT NULL);
INSERT INTO trust_chains VALUES {values("chain")};
CREATE TABLE setup_steps (id int PRIMARY KEY, hint text NOT NULL);
INSERT INTO setup_steps VALUES {values("help")};
CREATE TABLE vpn_profiles (id int PRIMARY KEY, profile text NOT NULL UNIQUE);
INSERT INTO vpn_profiles VALUES {values("profile")};
CREATE TABLE ingresses (id int PRIMARY KEY, spec jsonb NOT NULL);
INSERT INTO ingresses VALUES {values("ingress")};
"""


def test_bundles_and_configs_keep_all_but_their_keys(make_db, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import verify

    pems = make_pems(tmp_path)
    rows = _rows(pems)
    dsn, text = generate_then_mask(make_db, tmp_path, _schema(rows))
    assert strategy_of(text, "public.tls_bundles", "pem") == "private_key"
    assert "40 in bundles: their certificates and other blocks kept" in comment_of(
        text, "public.tls_bundles", "pem"
    )
    assert rule_of(text, "public.service_configs", "body") == {
        "strategy": "private_key",
        "within_text": True,
    }
    # one throwaway key for all could make two unique values equal: hashed whole
    assert strategy_of(text, "public.vpn_profiles", "profile") == "hash"
    # certificates alone are no secret, nor is a sentence naming an armour: kept
    assert strategy_of(text, "public.trust_chains", "certificates") == "keep"
    assert strategy_of(text, "public.setup_steps", "hint") == "keep"
    assert verify(dsn, [tmp_path / "rules.yaml"], seed="rules-init") == []
    with psycopg.connect(dsn) as conn:
        bundles = [r[0] for r in conn.execute("SELECT pem FROM tls_bundles ORDER BY id")]
        configs = [r[0] for r in conn.execute("SELECT body FROM service_configs ORDER BY id")]
        chains = [r[0] for r in conn.execute("SELECT certificates FROM trust_chains ORDER BY id")]
        hints = [r[0] for r in conn.execute("SELECT hint FROM setup_steps ORDER BY id")]
        specs = [r[0] for r in conn.execute("SELECT spec FROM ingresses ORDER BY id")]
    assert chains == rows["chain"] and hints == rows["help"]

    for i, (before, after) in enumerate(zip(rows["bundle"], bundles, strict=True)):
        label, key = ("PRIVATE KEY", "pkcs8") if i % 2 else ("RSA PRIVATE KEY", "rsa")
        written = KEYS[label]
        assert after == before.replace(pems[key], written)  # the certificates byte for byte
        assert pems["leaf"] in after and pems["ca"] in after and pems[key] not in after
        assert kind(written) == kind(pems[key]) == "RSA"

    for i, (before, after) in enumerate(zip(rows["config"], configs, strict=True)):
        original, masked = yaml.safe_load(before), yaml.safe_load(after)
        if not i % 3:
            assert after == before  # no key: not a byte changed
            continue
        assert pems["ec"].splitlines()[1] not in after
        key = masked["server"]["tls"].pop("ssl_key")
        assert key == KEYS["EC PRIVATE KEY"] and kind(key) == kind(pems["ec"]) == "EC P-256"
        del original["server"]["tls"]["ssl_key"]
        assert masked == original  # every other setting unchanged

    # in a JSON document too: the bundle's path a key, the config's path keys in text
    assert rule_of(text, "public.ingresses", "spec")["paths"] == {
        "tls": "private_key",
        "config": {"strategy": "private_key", "within_text": True},
    }
    for before, after in zip(rows["ingress"], specs, strict=True):
        original = json.loads(before)
        assert after["host"] == original["host"]
        assert after["tls"] == original["tls"].replace(pems["pkcs8"], KEYS["PRIVATE KEY"])
        config = yaml.safe_load(after["config"])
        assert config["server"]["tls"].pop("ssl_key") == KEYS["EC PRIVATE KEY"]
        expected = yaml.safe_load(original["config"])
        del expected["server"]["tls"]["ssl_key"]
        assert config == expected

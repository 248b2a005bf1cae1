"""Real keys and certificates made with openssl for the PEM tests, and what kind of key
a PEM text loads as (by `cryptography` when installed, else by openssl)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def openssl(*args: str, data: str = "") -> str:
    done = subprocess.run(["openssl", *args], input=data, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def make_pems(where: Path) -> dict[str, str]:
    """An RSA key (PKCS#8 'pkcs8' and PKCS#1 'rsa'), an EC P-256 key ('ec') and two
    self-signed certificates ('leaf', 'ca'), made for the test."""
    rsa, ec = where / "rsa.pem", where / "ec.pem"
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", str(rsa))
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", str(ec))
    made = {"pkcs8": rsa.read_text(), "ec": ec.read_text()}
    made["rsa"] = openssl("pkey", "-in", str(rsa), "-traditional")
    for name in ("leaf", "ca"):
        made[name] = openssl(
            "req", "-x509", "-key", str(rsa), "-subj", f"/CN={name}.example", "-days", "2"
        )
    assert made["rsa"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    return made


def kind(pem: str) -> str:
    """The loaded private key's kind: 'RSA', 'EC P-256' (or another name)."""
    try:
        from cryptography.hazmat.primitives.asymmetric import ec, rsa
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
    except ImportError:
        text = openssl("pkey", "-noout", "-text", data=pem)
        if "ASN1 OID: prime256v1" in text:
            return "EC P-256"
        return "RSA" if "publicExponent" in text else text.splitlines()[0]
    key = load_pem_private_key(pem.encode(), password=None)
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
        return "EC P-256"
    return "RSA" if isinstance(key, rsa.RSAPrivateKey) else type(key).__name__

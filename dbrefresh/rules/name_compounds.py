"""Credential and id words inside compound names, which `pii.py`'s whole words miss.

Mattermost's `users.mfasecret` (TOTP seeds), Redmine's `twofa_totp_key`, Keycloak's
LDAP `bindCredential` and a `deviceToken` were kept: no whole word of theirs is a
credential. A credential word counts at the end of a compound word (`mfasecret`,
`devicetoken`, `userpwd`, `adminpw`) or followed by words that still name the credential
(`totp_key`, `passwordhash`); `secretary` and `tokenizer` end in something else, and
`credential_data` and `credential_type` are about a credential, not one. Tax and
identity numbers named by a last word too short to match anywhere in a name (`vat`:
`vat_rate` is an amount) are matched at the end of the name only.
"""

from __future__ import annotations

import re

# Word endings naming a credential, and what may follow them in the same word or as the
# next words of the name (`totp_key`, `apikey_hash`, `mfa_secret_enc`).
_CREDENTIAL_STEMS = (
    "secret|secrets|credential|credentials|password|passwords|passwd|passwort|pwd|"
    "totp|hotp|otp|apikey|apikeys|privatekey|token|tokens|encryptionkey|signingkey|hmackey"
)
_STILL_THE_CREDENTIAL = "key|keys|hash|hashed|seed|enc|encrypted|cipher|ciphertext|digest"
_COMPOUND = re.compile(rf"[a-z]*?({_CREDENTIAL_STEMS})(?:{_STILL_THE_CREDENTIAL})?")
_FOLLOWING = frozenset(_STILL_THE_CREDENTIAL.split("|"))
# `pw` glued to what it opens (`userpw`, `dbpw`, `smtppw`, LDAP's `rootpw` and
# `bindpw`): no English word ends in "pw", but one letter before it is an abbreviation
# as often as not (`hpw` horsepower, `mpw` miles per week, `dpw` public works), so two
# letters at least.
_GLUED_PW = re.compile(rf"[a-z]{{2,}}(pw)(?:{_STILL_THE_CREDENTIAL})?")

# A tax or identity number's name ending: Odoo's res_partner.vat, a `partner_vat`, an
# `id_number`; never in the middle (`vat_rate`, `vat_amount`), and in text only (a
# `vat numeric` is an amount, an `id_no integer` a record number).
_ID_ENDINGS = re.compile(r"(?:^|_)(?:vat|tin|nin|id_number|id_no|id_nr|idnumber)$")


def credential_word(norm: str) -> str | None:
    """The credential word of a normalized name (`mfa_secret` -> `secret`, `mfasecret`
    -> `secret`, `twofa_totp_key` -> `totp`), or None."""
    words = norm.split("_")
    for at, word in enumerate(words):
        found = _COMPOUND.fullmatch(word) or _GLUED_PW.fullmatch(word)
        if found is not None and all(w in _FOLLOWING or w.isdigit() for w in words[at + 1 :]):
            return found.group(1)
    return None


def id_ending(norm: str) -> bool:
    """Whether a normalized name ends in a tax or id number's short name (`vat`, `tin`)."""
    return _ID_ENDINGS.search(norm) is not None

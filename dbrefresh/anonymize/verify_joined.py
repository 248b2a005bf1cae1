"""Logins made of a masked name, for verify's kept-copy check (verify_kept.py).

A kept 'dennis.boone' (Synapse's profiles.user_id) or '@dennis.boone:example.org' beside
a masked display name 'Dennis Boone' passed verify: the kept value was hashed whole and
word by word ('dennis', 'boone'), never as the name it spells. So each run of letters,
digits and the separators '.', '_', '-' of a kept value is also compared with those
separators read as one space ('dennis boone'), as the case-folded original is hashed.
"""

from __future__ import annotations

SEPARATORS = "[._-]+"
TOKENS = "[^[:alnum:]._-]+"  # what splits a value into login-like tokens ('@', ':', '/')


def joined_words(value: str, head: int) -> str:
    """SQL (a set-returning SELECT) of the login-like tokens of `value`'s first `head`
    characters that hold a separator, each with its separators read as one space."""
    return (
        f"SELECT regexp_replace(j.t, '{SEPARATORS}', ' ', 'g') "
        f"FROM regexp_split_to_table(left({value}, {head}), '{TOKENS}') j(t) "
        f"WHERE j.t ~ '[[:alnum:]]{SEPARATORS}[[:alnum:]]'"
    )

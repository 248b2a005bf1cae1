"""Company names, which look like people's to the name dictionaries.

Chatwoot's accounts.name ('Perry, Turner and Diaz', 'Miller LLC', 'Gibson and Sons')
got `full_name`, six of forty values passing for full names: a first name and a known
surname. A legal form (LLC, GmbH, S.A.) or partners joined by 'and' make a company; no
person's name has either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_FORMS = """llc inc incorporated ltd limited plc corp corporation company gmbh mbh ag kg kgaa
ohg gbr ug ev sa sas sarl srl spa bv nv oy aps asa lp llp pty group holding holdings
partners associates sons"""
_LEGAL_FORMS = frozenset(_FORMS.split())
_PARTNERS = frozenset({"and", "&", "und", "et"})
_WORD = re.compile(r"[^\s,]+")


def is_company(value: str) -> bool:
    """A legal form among the words ('Murillo Inc', 'Acme GmbH & Co. KG'), or names
    joined by 'and' ('Perry, Turner and Diaz', 'Gibson and Sons')."""
    words = {w.lower().replace(".", "") for w in _WORD.findall(value)}
    return bool(words & (_LEGAL_FORMS | _PARTNERS))


def company_share(values: Sequence[str]) -> tuple[int, int]:
    """How many of the (non-blank) values are company names, of how many."""
    sample = [v for v in values if v.strip()]
    return sum(map(is_company, sample)), len(sample)

"""Company names, which look like people's to the name dictionaries.

Chatwoot's accounts.name ('Perry, Turner and Diaz', 'Miller LLC', 'Gibson and Sons')
got `full_name`, six of forty values passing for full names: a first name and a known
surname. A legal form (LLC, GmbH, S.A.) or partners joined by 'and' make a company; no
person's name has either.

Canvas's accounts.name holds an institution and its units ('Springfield University',
'College of Engineering', 'School of Nursing') and got `full_name` too: a word naming
an institution or a unit of one makes an organisation (name_values.py keeps them, with
a note, when no value is a person's name).
"""

from __future__ import annotations

import re
import unicodedata
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


# Institutions and their units (none a first or last name of the dictionaries)
_INSTITUTION_WORDS = """university universities universitat universidad universite
universita universiteit college colleges school schools schule ecole escuela scuola
department departments dept faculty fakultat facultad institute institut instituto
istituto academy akademie academia hospital klinik clinic clinique ministry agency
council committee foundation stiftung association verein society library museum
education studies courses campus division laboratory"""
_INSTITUTIONS = frozenset(_INSTITUTION_WORDS.split())


def is_organisation(value: str) -> bool:
    """A company, or an institution or a unit of one ('Springfield University',
    'Department of History', 'Medical School')."""
    if is_company(value):
        return True
    words = {_plain(w) for w in _WORD.findall(value)}
    return bool(words & _INSTITUTIONS)


def _plain(word: str) -> str:
    """A word in lower case without accents or dots ('Université' -> 'universite')."""
    text = unicodedata.normalize("NFKD", word.lower().replace(".", ""))
    return "".join(c for c in text if not unicodedata.combining(c))

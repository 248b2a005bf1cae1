"""Client IP addresses inside host names, in `rules init`.

Mautic's page_hits.remote_host holds the reverse-DNS name of the visitor's address
('49.151.205.48.dsl.telekom.example', '49-151-205-48.dip0.t-ipconnect.example'): kept,
it told what the masked ip column hides. In free text a dotted quad is machine data
(lookalikes.py); in a column of host names it is the client's address. An `sql` rule
replaces each such address by 192.0.2.1 (a documentation address), its separators and
the rest of the name kept, and tells verify which rows it changes.

A host name or a domain is no file name: Airflow's connection.host
('db-71.anderson-rodriguez.com', faker's company domains named after people) read as
file names ending in '.com' got `file_name`, and every host became 32 bare hex. A value
without '/' whose labels end in a top-level domain that is no file extension is a host.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.catalog import Column
from dbrefresh.rules.pii_values import EMBEDDED_THRESHOLD
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.relsteps import quote_ident
from dbrefresh.strategies.file_name import EXTENSIONS

_HOST = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)+\.?", re.IGNORECASE)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# An address as a host name's labels: four octets joined by dots or dashes, at the
# name's start or after a dot or dash, and followed by a further label
_EMBEDDED = re.compile(rf"(?:^|(?<=[.-])){_OCTET}([.-]){_OCTET}\1{_OCTET}\1{_OCTET}(?=\.)")
# The same, looser, in PostgreSQL's regular expressions (no lookbehind): the separator
# before the address is captured and written back
PATTERN = r"(^|[.-])[0-9]{1,3}([.-])[0-9]{1,3}\2[0-9]{1,3}\2[0-9]{1,3}(?=\.)"
WRITTEN = r"\1192\20\22\21"  # 192.0.2.1, or 192-0-2-1 where dashes separate
GROWTH = 2  # characters 192.0.2.1 may add: it replaces at least 7 (1.2.3.4)

# Generic top-level domains and intranet suffixes; any two letters are a country's,
# unless they are a file's extension ('.md', '.ai': read as files, as before)
_GENERIC = """com net org info biz edu gov mil int io co me tv cc app dev cloud online site tech
xyz pro mobi aero asia eu shop store blog club live news media agency digital solutions
local internal lan localdomain localhost corp home intra arpa test example invalid"""
TLDS = frozenset(_GENERIC.split())
_FILE_EXTENSIONS = frozenset(EXTENSIONS.split("|"))
_DOMAIN = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?\.)+(?P<tld>[a-z]{2,63})\.?(?::\d{1,5})?", re.I
)


def is_domain(value: str) -> bool:
    """A host name or a domain ('db-71.anderson-rodriguez.com', 'smtp.gmail.com',
    'db.internal:5432'), not a file ('anna-schmidt.pdf', 'vincent.schwital', 'a/b.de')."""
    found = _DOMAIN.fullmatch(value.strip())
    if found is None:
        return False
    tld = found["tld"].lower()
    return tld in TLDS or (len(tld) == 2 and tld not in _FILE_EXTENSIONS)


def proposal(
    column: Column, values: Sequence[str] | None, *, unique: bool
) -> ColumnProposal | None:
    """An `sql` rule replacing the IP addresses inside a column of host names, or None
    (no host names, too few addresses in them, or a unique column)."""
    sample = [v.strip() for v in values or () if v.strip()]
    if not sample or unique or column.type.is_array or not column.type.is_text:
        return None
    hosts = [v for v in sample if _HOST.fullmatch(v)]
    carrying = [v for v in hosts if _EMBEDDED.search(v)]
    if 2 * len(hosts) < len(sample) or len(carrying) < max(1, EMBEDDED_THRESHOLD * len(sample)):
        return None
    if column.type.length is not None and max(map(len, carrying)) + GROWTH > column.type.length:
        return None
    own = quote_ident(column.name)
    return ColumnProposal(
        column.name,
        "sql",
        {
            "expression": f"regexp_replace({own}, '{PATTERN}', '{WRITTEN}')",
            "changes_when": f"regexp_replace({own}, '{PATTERN}', '') <> {own}",
        },
        kind="ip",
        why=[
            f"{len(carrying)} of {len(sample)} sampled values are host names with an IP "
            "address in them (a client's reverse-DNS name): the address replaced by "
            "192.0.2.1, the rest of the name kept"
        ],
    )

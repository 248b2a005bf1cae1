"""Values that are network settings, not a person's street or IP address.

A key/value settings table (`opt_name`/`opt_value`, `cfg_key`/`cfg_value`:
eav_prefixed.py) names its endpoints `*_address`: 'ldaps://ldap.corp.example.com:636',
'cn=admin,dc=corp,dc=example,dc=com', '0.0.0.0:389', '[::]:8080' became street lines by
the key's name, and `ip_address` '0.0.0.0' or `remote_address` 'tcp://10.0.0.5:5432'
random IPs: the application lost its directory server and its listeners. A URI of any
scheme, a host with a port, an LDAP distinguished name, an unspecified or loopback
address is a setting: no street (name_evidence.denial), and an IP-named key of a
key/value table whose values are all such is kept (setting_case). A street line has
spaces and no `=`; a client's IP has neither a scheme nor a port, nor is it 0.0.0.0 or
127.x. Pure logic.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from dbrefresh.rules import pii
from dbrefresh.rules.proposal import ColumnProposal

_URI = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
# host:port: a host name, an IPv4 address or a bracketed IPv6 one, then a port; or the
# port alone (':8080', every address)
_HOST_PORT = re.compile(
    r"(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\*)?:\d{1,5}", re.IGNORECASE
)
# cn=admin,dc=corp,dc=example,dc=com: two or more attribute=value parts
_RDN = r"(?:cn|dc|ou|o|uid|c|l|st|street|sn|mail|email|objectclass)=[^,=+]+"
_LDAP_DN = re.compile(rf"{_RDN}(?:\s*[,+]\s*{_RDN})+", re.IGNORECASE)
_LOCAL_NAMES = frozenset({"localhost", "*", "[::]", "[::1]"})


def _local_address(text: str) -> bool:
    """An unspecified or loopback address (0.0.0.0, ::, 127.0.0.1, ::1, localhost)."""
    if text.lower() in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return address.is_unspecified or address.is_loopback


def is_setting(value: str) -> bool:
    """A URI of any scheme, a host:port, an LDAP DN, or an unspecified/loopback address."""
    text = value.strip()
    return bool(
        _URI.fullmatch(text)
        or _HOST_PORT.fullmatch(text)
        or _LDAP_DN.fullmatch(text)
        or _local_address(text)
    )


def all_settings(values: Sequence[str]) -> int | None:
    """How many non-blank values there are, when every one is a setting, else None."""
    sample = [v for v in values if v.strip()]
    return len(sample) if sample and all(map(is_setting, sample)) else None


def setting_case(proposal: ColumnProposal, values: Sequence[str]) -> ColumnProposal:
    """A key/value table's key judged an IP address, kept when its sampled values are all
    settings (a bind address 0.0.0.0, a peer 'tcp://10.0.0.5:5432'); else the proposal."""
    if proposal.kind != "ip" or (count := all_settings(values)) is None:
        return proposal
    why = (
        f"all {count} sampled values are network settings (a scheme, a port, an "
        "unspecified or loopback address), not a person's IP address: kept"
    )
    return ColumnProposal(proposal.column, "keep", {}, why=[*proposal.why, why])


def version_case(name: str, proposal: ColumnProposal) -> ColumnProposal:
    """A key named for a version judged an IP address ('6.8.0.0' under Flowable's
    act_ge_property 'common.schema.version', which the engine checks at start): a
    version number, kept."""
    if proposal.kind != "ip" or "version" not in pii.normalize(name).split("_"):
        return proposal
    why = f"`{name}` names a version: its dotted numbers are no IP address, kept"
    return ColumnProposal(proposal.column, "keep", {}, why=[*proposal.why, why])

"""Values that are whole serialised documents: PHP's serialize() output, YAML.

Mautic's ip_addresses.ip_details holds PHP-serialised geo records; named for an IP
address, it got `ip` and every record became '10.17.54.152'. A document is never one
value of a kind a name suggests (an address, a number, a name): callers refuse the name
when every sampled value is one (name_evidence.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from dbrefresh.rules.php_serialized import is_serialized

YAML_MARKER = "---"


def is_yaml_document(value: str) -> bool:
    """A YAML document as Rails writes one: '---' first, then a space or a line end."""
    text = value.lstrip()
    after = text[len(YAML_MARKER) : len(YAML_MARKER) + 1]
    return text.startswith(YAML_MARKER) and after in {"", " ", "\n", "\r"}


def documents_of(sample: Sequence[str]) -> str | None:
    """What every value of a non-empty sample is ('PHP-serialised values', 'YAML
    documents'), or None."""
    if sample and all(map(is_serialized, sample)):
        return "PHP-serialised values"
    if sample and all(map(is_yaml_document, sample)):
        return "YAML documents"
    return None

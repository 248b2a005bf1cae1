"""Tables defining fields or attributes (Moodle's mdl_user_info_field, Magento's
eav_attribute): their rows name a field ('Mobile phone', 'Date of birth'), never a
person, whatever people the fields are about (pii.about_people), and their ids key
the values of key/value tables (eav_refs.py)."""

from __future__ import annotations

import re

FIELD_TABLES = re.compile(r"(?:^|_)(?:fields?|attributes?)$")


def defines_fields(table_name: str) -> bool:
    """A table whose rows define fields or attributes (normalized name)."""
    return bool(FIELD_TABLES.search(table_name))

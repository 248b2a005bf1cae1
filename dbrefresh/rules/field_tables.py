"""Tables defining fields or attributes (Moodle's mdl_user_info_field, Magento's
eav_attribute): their rows name a field ('Mobile phone', 'Date of birth'), never a
person, whatever people the fields are about (pii.about_people), and their ids key
the values of key/value tables (eav_refs.py).

Tables of a field's choices (Baserow's database_selectoption, NocoDB's
nc_col_select_options_v2, Magento's eav_attribute_option_value, Jira's
customfieldoption) are configuration too: the options a single-select field offers
('Berlin', 'Paris' for a 'City' field; 'Home', 'Work' for an 'Address' one), set up
once, not the rows' data. Read as a key/value table keyed by field_id, the options of
a field titled 'City' became random cities and the rows' selections lost their labels:
no `switch` is proposed for them (eav.py)."""

from __future__ import annotations

import re

FIELD_TABLES = re.compile(r"(?:^|_)(?:fields?|attributes?)$")
# (normalized names) select options, a field's or an attribute's options, their values
CHOICE_TABLES = re.compile(
    r"(?:^|_)[a-z]*(?:select|field|column|attribute)_?options?(?:_values?)?(?:_v_\d+)?$"
)


def defines_fields(table_name: str) -> bool:
    """A table whose rows define fields or attributes (normalized name)."""
    return bool(FIELD_TABLES.search(table_name))


def lists_choices(table_name: str) -> bool:
    """A table whose rows are the options of select fields (normalized name)."""
    return bool(CHOICE_TABLES.search(table_name))

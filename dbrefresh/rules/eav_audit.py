"""The audit table of a key/value table gets the value column's `switch`, in `rules init`.

DHIS2's trackedentityattributevalueaudit(trackedentityattributeid, value, modifiedby)
holds every earlier value of trackedentityattributevalue, keyed by the same attribute
id, but without the foreign key the switch needs to be found: judged as one column, its
first names, last names and phone numbers together got `forms` (names became 'u339a...'
hashes), and the history no longer matched the current values. A table named as the
key/value table followed by an audit word (`audit`, `_history`, `_log`, `_versions`)
with the switch's key and value columns is the same data at another time: its value
column gets the same switch (equal values masked alike), whatever it got as a whole.
"""

from __future__ import annotations

import copy
import re

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.proposal import ColumnProposal

Proposals = dict[str, dict[str, ColumnProposal]]
_AUDIT_WORDS = re.compile(
    r"_?(?:audit|audits|aud|audit_log|history|histories|hist|log|logs|versions?|changes|trail)"
)


def audits_of(catalog: Catalog, table: Table) -> list[Table]:
    """Tables of the same schema named as `table` followed by an audit word."""
    base = table.name.lower()
    return [
        other
        for other in catalog.tables.values()
        if other.schema == table.schema
        and other.parent is None
        and other.name.lower().startswith(base)
        and _AUDIT_WORDS.fullmatch(other.name.lower()[len(base) :])
    ]


def copy_switches_to_audits(catalog: Catalog, proposals: Proposals) -> None:
    """Give each audit table's value column its key/value table's switch."""
    for name, columns in list(proposals.items()):
        for column, switch in list(columns.items()):
            if switch.strategy != "switch" or switch.kind != "key_value":
                continue
            by = str(switch.params["by"])
            for audit in audits_of(catalog, catalog.tables[name]):
                value, key = audit.columns.get(column), audit.columns.get(by)
                own = proposals.get(audit.qualified)
                if own is None or value is None or key is None or value.generated:
                    continue
                if value.type.category != "S" or value.type.is_array:
                    continue
                if own[column].strategy == "switch":
                    continue  # judged as a key/value table of its own
                if own[by].masked:  # it names fields, as the switch's key does
                    own[by] = ColumnProposal(by, why=[f"the key of {column}'s switch: kept"])
                own[column] = ColumnProposal(
                    column,
                    "switch",
                    copy.deepcopy(switch.params),
                    kind="key_value",
                    why=[
                        f"the audit of {name}: its {column} keyed by {by} like {name}.{column}:"
                        " masked alike, so the history still matches the current values"
                    ],
                )

"""A key/value field named for a person's number: its codes get `digits`, format kept.

DHIS2's tracker attribute 'TB number' ('TB-2021-1001', the patient's number in the TB
register) was kept by trackedentityattributevalue.value's switch: `tb_number` names no
kind the column rules know, and the values pass no shape test. A field whose name ends
in a word for a number or an id (`TB number`, `Patient ID`, `ART register no`) and whose
sampled values are codes (letters, digits and separators, three digits at least),
nearly every one of them distinct (one per person), is such a number: `digits`, every
digit replaced and the letters and separators kept ('TB-2021-1001' -> 'TB-8350-4172'),
so the program's prefix and format still read. A field of few values repeated (a batch
or a version number) or of values without digits is not, nor a product's model or part
number (nor any field of a table of products, items or orders). Nor are UUIDs (Axon's
saga association `customerId`, the customer aggregate's id '2d0f1718-afe1-...'): a
system's generated identifier, which `digits` would have turned into another UUID that
joins nothing, not a number a register gave a person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules.mixed_forms import is_uuid
from dbrefresh.rules.pii import normalize

KIND = "personal_code"
MIN_VALUES = 5  # sampled values before a field's values say anything
DISTINCT_SHARE = 0.8  # of the sampled values, distinct
MIN_DIGITS = 3
_ENDINGS = frozenset(
    {"number", "no", "nr", "num", "id", "identifier", "register", "registration", "code"}
)
# words saying the field is about something else than the person's number
_OTHER = frozenset(
    {
        "phone",
        "mobile",
        "telephone",
        "fax",
        "batch",
        "lot",
        "version",
        "count",
        "serial",
        "invoice",
        "order",
        "receipt",
        "transaction",
        "reference",
        "house",
        "street",
        "room",
        "bed",
        "zip",
        "postal",
        "post",
        "area",
        "country",
        "facility",
        "org",
        "unit",
    }
)
_OTHER = _OTHER | {"product", "model", "part", "sku", "item", "article", "catalog", "isbn", "ean"}
# a build's, a job's or a machine's (CI variables: BUILD_NUMBER 1008)
_OTHER = _OTHER | {"build", "release", "revision", "job", "pipeline", "run", "port"}
# tables of things, whose fields' numbers are nobody's (Magento's product attributes)
_THING_TABLES = re.compile(r"product|catalog|item|inventory|stock|order|invoice|sales")
_CODE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ./_-]*[A-Za-z0-9])?")


def number_field(name: str, values: Sequence[str], table: str = "") -> str | None:
    """Why a field of this name and these sampled values (in a table of this name) is a
    person's number, or None."""
    if _THING_TABLES.search(table.lower()):
        return None
    words = normalize(name).split("_")
    if not words or words[-1] not in _ENDINGS or set(words) & _OTHER or len(words) > 4:
        return None
    sample = [v.strip() for v in values if v.strip()]
    if len(sample) < MIN_VALUES or len(set(sample)) < DISTINCT_SHARE * len(sample):
        return None
    if any(is_uuid(v) for v in sample):  # generated ids: the aggregate's, a session's
        return None
    if not all(_CODE.fullmatch(v) and sum(c.isdigit() for c in v) >= MIN_DIGITS for v in sample):
        return None
    return (
        f"`{name}` names a number and its sampled values are distinct codes: a person's "
        "register number; `digits` keeps its format (letters and separators kept)"
    )

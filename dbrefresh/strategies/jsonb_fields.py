"""Field segments of the jsonb strategy: `changed.[email_id]` masks the values of the
elements named email_id of a list of [name, value, ...] lists.

Frappe's change log (tabVersion.data) keeps each change as [field, old, new], the
fields in whatever order the document had them: paths by position (`changed.2.2`)
masked one document's email as lorem, kept the next one's, and made the customer
group of a third gibberish. A `[name]` segment selects, among the elements of the
array there, the arrays whose first element is the string `name`; their other
elements (the field's values) are masked by the path's rule (or the rest of the path
is read from each), the name and every element of another name kept, each array's
length and order too. One rebuild of the array masks every field named under it
(a CASE on the element's name); an element that is no array, or whose first element
is no string, is kept.

Lists of objects told apart by a key are the same problem: Typebot's
`Result.variables` ([{id, name, value}] in the order the session set them), FHIR's
`telecom` ([{system, value, use}], a Practitioner's email where a Patient's phone
sits), Misskey's and Akkoma's profile fields ([{name, value}]). Paths by position
kept an email met at another index. A `[key=value]` segment selects the elements
that are objects whose `key` is the JSON string `value` and reads the rest of the path
from each (`variables.[name=Email].value`); other elements, and every other key of
the selected ones, are kept. One rebuild of the array per discriminating key (a CASE
on its value). Pure SQL building; jsonb.py masks the values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from sqlglot import exp

from dbrefresh.strategies import sqlbuild

# A field's element with the values after its name masked by the callable (given each
# value as jsonb).
MaskValue = Callable[[exp.Expression], exp.Expression]


def masked_fields(
    named: Mapping[str, MaskValue], depth: int, element: exp.Expression
) -> exp.Expression:
    """The array `element` with each value after its name masked by its name's rule,
    when its name is one of `named`; as it is otherwise."""
    value = exp.column(f"_dbr_fe{depth}", table=f"_dbr_f{depth}")
    order = f"_dbr_f{depth}._dbr_fo{depth}"
    case = exp.Case(this=sqlbuild.fill(":e ->> 0", e=element.copy()), default=element.copy())
    for name, mask in named.items():
        rebuilt = sqlbuild.fill(
            f"(SELECT jsonb_agg(CASE WHEN {order} = 1 THEN :v ELSE :m END ORDER BY {order})"
            f" FROM jsonb_array_elements(:e) WITH ORDINALITY AS _dbr_f{depth}"
            f"(_dbr_fe{depth}, _dbr_fo{depth}))",
            v=value.copy(),
            m=mask(value.copy()),
            e=element.copy(),
        )
        case = case.when(sqlbuild.literal(name), rebuilt)
    return sqlbuild.fill(
        "CASE WHEN jsonb_typeof(:e) = 'array' AND jsonb_typeof(:e -> 0) = 'string'"
        " THEN :c ELSE :e END",
        e=element,
        c=case,
    )


def masked_objects(
    key: str, selected: Mapping[str, MaskValue], element: exp.Expression
) -> exp.Expression:
    """The object `element` masked by the rule of the value its `key` holds, when that
    is a string among `selected`; as it is otherwise (no object, no such key, another
    value). `->` on an array or a scalar gives NULL, which no WHEN meets."""
    case = exp.Case(
        this=sqlbuild.fill(":e -> :k", e=element.copy(), k=sqlbuild.literal(key)),
        default=element.copy(),
    )
    for value, mask in selected.items():
        case = case.when(
            sqlbuild.fill("CAST(:j AS JSONB)", j=sqlbuild.literal(json.dumps(value))),
            mask(element.copy()),
        )
    return case

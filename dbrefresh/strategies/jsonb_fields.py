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
is no string, is kept. Pure SQL building; jsonb.py masks the values.
"""

from __future__ import annotations

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

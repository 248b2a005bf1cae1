"""shuffle: permute a column's values among the table's rows.

No scalar expression sees other rows, so compile() names a column the plan compiler
provides through a window-function subquery (row_permutation). Values are kept, only
moved: injective, and not leak-checked (every original survives, in another row).
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies.base import ColumnContext, Strategy, StrategyParams
from dbrefresh.strategies.registry import register

SHUFFLED_PREFIX = "_dbr_shuffle_"


class ShuffleParams(StrategyParams):
    """shuffle takes no parameters."""


@register
class Shuffle(Strategy[ShuffleParams]):
    name = "shuffle"
    column_local = False  # reads other columns of the row, or by name
    summary = "Permute the column's values among the rows of its table."
    params_model = ShuffleParams
    lossy = False
    leak_checked = False
    row_permutation = True

    def compile(self, params: ShuffleParams, ctx: ColumnContext) -> exp.Expression:
        return exp.column(f"{SHUFFLED_PREFIX}{ctx.column}", quoted=True)

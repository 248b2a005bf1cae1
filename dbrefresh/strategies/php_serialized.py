"""php_serialized: PHP's serialize() output with the string values masked in place.

WordPress's and Mautic's settings ('a:2:{s:5:"email";s:16:"ann@mail.example";...}')
are parsed by the application, which trusts every s:N: length: `lorem` over the whole
value made it unreadable, 'N;' (PHP's null) dropped the settings. Each masked string
keeps its byte length and its shape (letters stay letters of their case, digits digits,
punctuation in place, a multi-byte character ASCII letters, a 'YYYY-MM-DD' date a valid
date: `dbrefresh.php_shape`, keyed by the string), so the value still unserializes with
the same keys, numbers and booleans, and a number, email or date inside still validates
(hex digits made '12345' no number). `keys` limits it to the values under those keys, at
any depth, and masks an integer right under one of them too (`dbrefresh.php_mask` in
sql/functions.sql); a value that does not parse becomes 'N;'.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy


class PhpSerializedParams(StrategyParams):
    keys: list[str] | None = Field(default=None, min_length=1, max_length=200)
    """Mask only the string values under these keys (any depth, any case); default:
    every string value."""

    @field_validator("keys")
    @classmethod
    def _lower(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted({k.lower() for k in value})


@register
class PhpSerialized(ScalarStrategy[PhpSerializedParams]):
    name = "php_serialized"
    summary = "PHP-serialised values: string values masked in place, lengths kept."
    params_model = PhpSerializedParams

    def fits(self, params: PhpSerializedParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text or ctx.type.length is not None:
            return [
                f"php_serialized needs an unbounded text column; {ctx.column} is {ctx.type.sql}"
            ]
        return []

    def leak_sample_when(self, params: PhpSerializedParams, ctx: ColumnContext) -> exp.Expression:
        """The values it changes: a setting without any of `keys` ('a:1:{s:6:"locale";
        s:5:"de_DE";}') names no one and is kept, and sampling it reported a leak."""
        return sqlbuild.fill(
            "CAST(:r AS TEXT) IS DISTINCT FROM :m", r=ctx.ref, m=self._mask(params, ctx)
        )

    def masked(self, params: PhpSerializedParams, ctx: ColumnContext) -> exp.Expression:
        return sqlbuild.fit_text(ctx, self._mask(params, ctx), truncate=False)

    def _mask(self, params: PhpSerializedParams, ctx: ColumnContext) -> exp.Expression:
        keys: exp.Expression = sqlbuild.fill("CAST(NULL AS TEXT[])")
        if params.keys is not None:
            keys = exp.Array(expressions=[sqlbuild.literal(k) for k in params.keys])
        return sqlbuild.fill(
            "dbrefresh.php_mask(CAST(:r AS TEXT), :p, :k)",
            r=ctx.ref.copy(),
            p=sqlbuild.key_prefix(ctx, self.name),
            k=keys,
        )

"""digits and phone: every digit replaced, everything else kept ('+1 (555) 010-2030').

Each digit position gets a keyed digit (the low digits of a number drawn from the
digest); the value is rebuilt by ONE to_char() call whose template has a digit slot
where the original has a digit and quoted literal text elsewhere. No per-character
loop, no format()/string_to_array() (about 2 µs per row for a phone number, 0.5 µs
of it the template's replace() calls). Up to 18 digits come straight from 63 digest
bits; longer values use those bits times a long constant ending in 1 (pseudo-random
digits, 63 bits of entropy).

With `unique: true` the digits are permuted instead (dbrefresh.permute_digits: a keyed
Feistel permutation of the digit strings of each length, without fixed points), so the
strategy is injective and fits unique columns (a phone number users log in with) while
keeping the format; about 16 us a value, eight times the plain strategy.

`digits` alone has two options for codes (dbrefresh/strategies/code_shape.py): `letters`
replaces ASCII letters by keyed letters of the same case (a gift card's 'C4CA-4238-A0B9'
stays a code of its shape), `luhn` keeps the last digit a Luhn check digit over the
others (OpenMRS's '100-8', card-like numbers).

`phone` with `e164: true` reads a value of bare digits ('49151...', as Supabase's
GoTrue stores numbers) as the E.164 number it is without its '+': masked as '+49151...'
would be (the calling code kept, never a 0 after it) and the '+' taken off again, so it
masks exactly as the '+'-prefixed number does elsewhere.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from pydantic import Field, model_validator
from sqlglot import exp

from dbrefresh.strategies import code_shape, sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy


class DigitsParams(StrategyParams):
    keep_prefix: int = Field(default=0, ge=0, le=64)
    """Characters at the start kept as they are (country or area code)."""
    unique: bool = False
    """Permute the digits with a keyed bijection: injective (unique columns), slower."""


class CodeParams(DigitsParams):
    letters: bool = False
    """Replace ASCII letters too, each by a keyed letter of its case (codes such as
    'C4CA-4238-A0B9'); with unique: true, permuted like the digits."""
    luhn: bool = False
    """Make the last digit a Luhn check digit over the other digits (non-digits ignored);
    a value whose check digit was wrong stays wrong by as much."""


class PhoneParams(DigitsParams):
    e164: bool = False
    """Values of bare digits starting 1-9 are E.164 numbers without their '+'
    ('4915112345678'): their calling code is kept, as with a '+', and never a leading 0."""

    @model_validator(mode="after")
    def _e164_keeps_its_code(self) -> PhoneParams:
        if self.e164 and self.keep_prefix:
            raise ValueError("e164 keeps the calling code itself: leave keep_prefix at 0")
        return self


# A value an `e164: true` phone rule reads as a number without its '+'.
_BARE_E164 = "left(:o, 1) IN ('1', '2', '3', '4', '5', '6', '7', '8', '9')"


def _e164(params: DigitsParams) -> bool:
    return isinstance(params, PhoneParams) and params.e164


D = TypeVar("D", bound=DigitsParams)


class _DigitStrategy(ScalarStrategy[D]):
    keeps_lead: ClassVar[bool] = False  # phone: a '+'/'0' lead and the digit after it
    keeps_blank = False  # keeps text without a digit, blank included, itself
    params_model: ClassVar[type[DigitsParams]] = DigitsParams

    def is_lossy(self, params: D) -> bool:
        return not params.unique

    def fits(self, params: D, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"{self.name} rewrites digits in text; {ctx.column} is {ctx.type.sql}"]
        if ctx.unique and not params.unique:
            return [f"{ctx.column} is unique: set unique: true on the {self.name} strategy"]
        return []

    def leak_sample_when(self, params: D, ctx: ColumnContext) -> exp.Expression:
        """Only a digit after the kept prefix is replaced ('n/a' and '+49' stay). A unique
        phone number keeps its lead and the digit after it: a placeholder that is no more
        than that ('0', '+1') names no one and stays as it is (permuting it would leave
        the numbers no longer unique). With letters, a letter is replaced too."""
        orig = sqlbuild.as_text(ctx.ref)
        if code_shape.letters(params):
            return sqlbuild.fill("substr(:o, :k) ~ '[0-9A-Za-z]'", o=orig, k=params.keep_prefix + 1)
        if params.unique and self.keeps_lead and params.keep_prefix == 0:
            if _e164(params):  # a bare number keeps what it would keep with its '+'
                orig = sqlbuild.fill(
                    f"CASE WHEN {_BARE_E164} THEN '+' || :o2 ELSE :o3 END",
                    o=orig,
                    o2=orig.copy(),
                    o3=orig.copy(),
                )
            kept = sqlbuild.fill("(:lead + 1)", lead=_kept_lead(orig, after=1))
            return sqlbuild.fill("substr(:o, :k) ~ '[0-9]'", o=orig.copy(), k=kept)
        return sqlbuild.fill("substr(:o, :k) ~ '[0-9]'", o=orig, k=params.keep_prefix + 1)

    def masked(self, params: D, ctx: ColumnContext) -> exp.Expression:
        orig = sqlbuild.as_text(ctx.ref)
        if _e164(params):
            # Only the bare numbers pay for it: the '+'-prefixed form is masked (its
            # digest too, so '49…' here masks as '+49…' elsewhere) and the '+' dropped.
            plus = sqlbuild.fill("('+' || :o)", o=orig.copy())
            digest = sqlbuild.fill(
                "dbrefresh.keyed(:p, :v)",
                p=sqlbuild.key_prefix(ctx, self.name),
                v=plus.copy(),
            )
            value = sqlbuild.fill(
                f"CASE WHEN {_BARE_E164} THEN substr(:b, 2) ELSE :m END",
                o=orig.copy(),
                b=self._text(params, ctx, plus, digest),
                m=self._text(params, ctx, orig, sqlbuild.digest(ctx, self.name)),
            )
            return sqlbuild.fit_text(ctx, value, truncate=False)
        value = self._text(params, ctx, orig, sqlbuild.digest(ctx, self.name))
        return sqlbuild.fit_text(ctx, value, truncate=False)

    def _text(
        self, params: DigitsParams, ctx: ColumnContext, orig: exp.Expression, h: exp.Expression
    ) -> exp.Expression:
        """The masked text of `orig` (the value as text), `h` its keyed digest."""
        n = params.keep_prefix
        rest = sqlbuild.fill("substr(:o, :k)", o=orig, k=n + 1) if n else orig
        if params.unique and code_shape.shaped(params):
            return code_shape.permuted(params, ctx, orig, rest)
        if params.unique:
            if n == 0 and self.keeps_lead:
                return _permuted_after_lead(ctx, orig)
            return _permuted(ctx, orig, rest, n)
        # One to_char() lays keyed digits into the digit positions of `rest` (see
        # dbrefresh.fill_digits). Up to 18 bytes in bigint arithmetic, beyond in numeric;
        # each branch reads the digest once and CASE evaluates one branch.
        bits = sqlbuild.bits(h)
        masked = sqlbuild.fill(
            "CASE WHEN octet_length(:r) <= 18 THEN dbrefresh.fill_digits18(:x, :r) "
            "ELSE dbrefresh.fill_digits(dbrefresh.digit_pool(:x2, :r), :r) END",
            r=rest,
            x=bits,
            x2=bits.copy(),
        )
        if code_shape.letters(params):
            masked = sqlbuild.fill(
                "dbrefresh.fill_letters(:h, :m)", h=sqlbuild.digest(ctx, "digits_letters"), m=masked
            )
        if n:
            masked = sqlbuild.fill("(left(:o, :k) || :m)", o=orig, k=n, m=masked)
        masked = self._shaped(orig, masked, n)
        # Equal to the original only when every new digit happens to match: then shift
        # every digit by one (evaluated in that rare case only); letters too with letters.
        shift_from, shift_to = code_shape.shift(params)
        shifted = sqlbuild.fill(
            f"(:k_part || translate(substr(:o, :k1), '{shift_from}', '{shift_to}'))",
            k_part=sqlbuild.fill("left(:o, :k)", o=orig.copy(), k=n),
            o=orig.copy(),
            k1=n + 1,
        )
        value = sqlbuild.fill(
            "COALESCE(NULLIF(:m, :o), :shifted)",
            m=code_shape.luhn_fixed(params, masked, orig),
            o=orig,
            shifted=code_shape.luhn_fixed(params, shifted, orig),
        )
        return value

    def _shaped(self, orig: exp.Expression, masked: exp.Expression, n: int) -> exp.Expression:
        """What the strategy's format asks of the masked digits (digits: nothing; its
        letters and luhn are applied around it)."""
        return masked


def _lead_length(orig: exp.Expression) -> exp.Expression:
    """How many leading '+'/'0' characters a phone number has, at most three ('+', '0',
    '00', '+00'): the lead both phone paths keep."""
    return sqlbuild.fill(
        "least(3, length(:o) - length(ltrim(:o2, '+0')))", o=orig.copy(), o2=orig.copy()
    )


# Calling codes (ITU E.164) of two digits; the others are 1 and 7 (one digit) or three
# digits long. A prefix code: a number's code length follows from its first digits.
TWO_DIGIT_CODES = (
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 "
    "60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98"
)


def _code_length(orig: exp.Expression) -> exp.Expression:
    """How many characters after a '+' are the calling code (1, 2 or 3: by the table)."""
    two = ", ".join(f"'{c}'" for c in TWO_DIGIT_CODES.split())
    return sqlbuild.fill(
        f"CASE WHEN substr(:o, 2, 1) IN ('1', '7') THEN 1 WHEN substr(:o2, 2, 2) IN ({two})"
        " THEN 2 ELSE 3 END",
        o=orig.copy(),
        o2=orig.copy(),
    )


def _kept_lead(orig: exp.Expression, after: int = 0) -> exp.Expression:
    """The characters a phone number keeps as they are: a '+' and its calling code
    ('+1', '+44', '+353': Saleor checks the code against the address's country), else
    the '0'/'00' lead and `after` characters more."""
    return sqlbuild.fill(
        f"CASE WHEN left(:o, 1) = '+' THEN 1 + :c ELSE :lead + {after} END",
        o=orig.copy(),
        c=_code_length(orig),
        lead=_lead_length(orig),
    )


def _permuted_after_lead(ctx: ColumnContext, orig: exp.Expression) -> exp.Expression:
    """A unique phone number permuted after its lead ('+', '0', '00': up to three such
    characters) and the character after it, both kept: a permutation leaves no lead
    alone, and one E.164 number in ten came out '+0...'. Still injective: two numbers
    kept to different lengths differ where the shorter one's kept part ends (a digit
    other than 0 there, a '+' or '0' in the longer lead)."""
    kept = _kept_lead(orig, after=1)
    rest = sqlbuild.fill("substr(:o, :k + 1)", o=orig.copy(), k=kept)
    return sqlbuild.fill(
        "(left(:o, :k) || :m)", o=orig.copy(), k=kept.copy(), m=_permuted(ctx, orig, rest, 0)
    )


def _permuted(
    ctx: ColumnContext, orig: exp.Expression, rest: exp.Expression, n: int
) -> exp.Expression:
    """The digits of `rest` permuted as one string and laid back into its slots."""
    digits = sqlbuild.fill("regexp_replace(:r, '[^0-9]+', '', 'g')", r=rest)
    permuted = sqlbuild.fill(
        "dbrefresh.fill_digits(CAST(NULLIF(dbrefresh.permute_digits(:p, :d), '') AS numeric), :r)",
        p=sqlbuild.key_prefix(ctx, "digits_unique"),
        d=digits,
        r=rest.copy(),
    )
    # no digit: nothing to permute (NULLIF keeps fill_digits from a cast of '')
    masked = sqlbuild.fill("COALESCE(:m, :r)", m=permuted, r=rest.copy())
    return sqlbuild.fill("(left(:o, :k) || :m)", o=orig, k=n, m=masked) if n else masked


@register
class Digits(_DigitStrategy[CodeParams]):
    name = "digits"
    summary = (
        "Replace every digit (after keep_prefix characters), keep everything else; "
        "letters and a Luhn check digit optional."
    )
    params_model = CodeParams


@register
class Phone(_DigitStrategy[PhoneParams]):
    keeps_lead = True
    name = "phone"
    summary = "Phone numbers: every digit replaced, format and keep_prefix kept."
    params_model = PhoneParams

    def _shaped(self, orig: exp.Expression, masked: exp.Expression, n: int) -> exp.Expression:
        """A number that starts with '+' keeps its calling code ('+1', '+44'), one with
        a trunk/international '0'/'00' that lead, and the digit after it is never 0:
        '020 ...' must not become a national number without its trunk 0. The masked
        number and the lead's length are bound once (a scalar subquery), and only such
        numbers pay for it."""
        fixed = sqlbuild.fill(
            "(SELECT left(:o, _dbr_lead_p) || CASE WHEN substr(_dbr_lead_m, _dbr_lead_p + 1, 1)"
            " = '0' THEN chr(49 + ascii(right(_dbr_lead_m, 1)) % 9)"
            " ELSE substr(_dbr_lead_m, _dbr_lead_p + 1, 1) END"
            " || substr(_dbr_lead_m, _dbr_lead_p + 2)"
            " FROM (SELECT :m AS _dbr_lead_m,"
            " greatest(:n, :lead) AS _dbr_lead_p OFFSET 0) AS _dbr_lead)",
            o=orig.copy(),
            m=masked,
            n=n,
            lead=_kept_lead(orig),
        )
        return sqlbuild.fill(
            "CASE WHEN left(:o, 1) IN ('+', '0') THEN :f ELSE :m END",
            o=orig.copy(),
            f=fixed,
            m=masked.copy(),
        )

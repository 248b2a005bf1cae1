"""email: realistic first.last addresses, or unique ones carrying 64 bits of the digest.

Unique columns need `unique: true`: the address then ends in 16 hex characters of the
keyed digest, so distinct inputs give distinct outputs in practice. Without it the
address is first.last<NN>@domain, realistic but lossy (refused on unique columns).
Blank values ('' for "no address", as Django and Rails store it) stay blank: they name
no one, a user without an address must not get one, and every '' masked alike would
break a unique index `WHERE email <> ''`.
An address with a display name ('"Ann Lee" <ann.lee@corp.example>', as mail headers and
Odoo's email_from write it) masks its address exactly as the bare address would, so it
still matches a column of bare addresses (Odoo's email_normalized); the display name,
personal data too, becomes the masked address's own first and last name (with
`unique: true`, followed by 16 hex characters of the whole value's digest, so two names
for one address stay distinct).
With `lists: true`, a list of addresses ('"Ann Lee" <ann@x.org>, bo@y.org', 'a@x.org;b@y.org')
masks each address in place, as it would alone (`email_lists.py`).
With `fold_case: true`, case variants of an address ('Ann@X.org', 'ann@x.org') mask
alike and the output is lower case: the digest reads the lower-cased value, as for a
citext column. A column holding lower(address) beside the address (Gitea's lower_email)
then masks to lower(masked address) when both use it, and case-insensitive joins still
match. On a column unique case-sensitively, two values differing only in case would
collide: anonymize refuses the table before changing anything.
With `keep`, an address whose local part is listed (in any case: 'postmaster', 'abuse',
'noreply'; '' for a domain's catch-all '@example.org') is kept as it is, alone or in a
list: a mail server's role addresses (RFC 2142) name no one, Postfix requires
postmaster@, and PostfixAdmin's catch-all has no local part to mask. Masked addresses
never take a listed local part, so `unique` still holds.
With `keep_domains`, an address at one of the listed domains (exact, any case: an
organisation's, 'acme.com') keeps its domain as it was written, its local part masked as
always: a row-level policy or a generated `email_domain` reading the domain, and a join
of users to their organisation's domain, still hold. Subdomains are not implied (an
app compares the whole domain); list them. Every other address gets `domain`.
An address pattern whose local part names no mailbox (Mailman's ban list
'^.*@spam\\.example$', a glob '*@spam.example') is kept: masked into an address, a
domain ban banned no one; '^anna.*@gmail\\.com$' names a mailbox and is masked.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator
from sqlglot import exp

from dbrefresh.strategies import casefold, email_lists, email_within, sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.locales import Locales
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

DOMAIN_PATTERN = r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
MAX_DOMAIN = 100
UNIQUE_HEX = 16
MIN_NAMES = 3  # at least "a.b" before the suffix
LOCAL_PART = re.compile(r"[A-Za-z0-9._+-]{0,64}")


class EmailParams(StrategyParams):
    domain: str = Field(default="example.com", pattern=DOMAIN_PATTERN, max_length=MAX_DOMAIN)
    """Domain of every address; keep it one you own or a reserved one (example.com)."""
    unique: bool = False
    """Add 16 hex characters of the digest so the strategy is injective (unique columns)."""
    locale: Locales = None
    """Names from these locales (de_DE, or a list); default: the rules file's."""
    fold_case: bool = False
    """Mask case variants of an address alike, in lower case (lower_email = lower(email))."""
    lists: bool = False
    """Mask each address of a ','/';' list in place ('a@x.org, "Bo" <b@y.org>'); off, a list
    becomes one address (rules init sets it where it sampled lists)."""
    keep: list[str] = []
    """Local parts of addresses kept as they are, in any case (role addresses:
    'postmaster', 'abuse'; '' keeps a catch-all '@domain')."""
    keep_domains: list[str] = []
    """Domains (exact, any case) whose addresses keep their domain, the local part masked:
    organisation domains an app's policy or join reads; never a person's own domain."""
    within: bool = False
    """Mask each address inside the text in place, the rest kept (a PromQL label value
    'user="ann@x.org"'); text without one is kept (`email_within.py`)."""

    @field_validator("keep")
    @classmethod
    def _local_parts(cls, value: list[str]) -> list[str]:
        for part in value:
            if not LOCAL_PART.fullmatch(part):
                raise ValueError(f"keep: {part!r} is no local part (letters, digits, . _ + -)")
        return value

    @field_validator("keep_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        for domain in value:
            if not re.fullmatch(DOMAIN_PATTERN, domain) or len(domain) > MAX_DOMAIN:
                raise ValueError(f"keep_domains: {domain!r} is no domain (acme.com)")
        return value


# a service's own senders (a settings table's noreply@, bytea_values.py's rows): the
# RFC 2142 roles, and generic boxes; no person's
SERVICE_LOCAL_PARTS = (
    r"no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?|notifications?|alerts?|"
    r"support|info|admin|root|webmaster|hostmaster|system|security|abuse|noc"
)
# An address a service writes ('noreply@', 'Support+orders@'), read alike by Python's re
# (IGNORECASE) and PostgreSQL's ~*
SERVICE_SENDER = rf"^\s*(?:{SERVICE_LOCAL_PARTS})(?:[+._-][^@]*)?@"


@register
class Email(ScalarStrategy[EmailParams]):
    blank_spaces = True  # '  ' is no address either (ScalarStrategy keeps it)
    name = "email"
    summary = "first.last@domain addresses; with unique: true, injective in practice."
    params_model = EmailParams

    def is_lossy(self, params: EmailParams) -> bool:
        return not params.unique

    def fits(self, params: EmailParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"email produces text; {ctx.column} is {ctx.type.sql}"]
        if params.within and params.lists:
            return ["within masks every address of the text already: drop lists"]
        if ctx.unique and not params.unique:
            return [f"{ctx.column} is unique: set unique: true on the email strategy"]
        return sqlbuild.text_limit(ctx, MIN_NAMES + len(_suffix(params)), "email")

    def leak_sample_when(self, params: EmailParams, ctx: ColumnContext) -> exp.Expression | None:
        """With `within`, text holding no address is kept by design: not sampled; nor is
        an address `keep` keeps, nor an address pattern."""
        held = email_within.holds_address(ctx) if params.within else None
        # (`within` finds no pattern: the addresses it matches have a local part)
        kept: list[exp.Expression] = [] if held is not None else [_pattern(ctx)]
        if params.keep:
            kept.append(_kept(ctx, params))
        if not kept:
            return held
        masked = exp.Not(this=exp.Paren(this=exp.or_(*kept)))
        return masked if held is None else exp.Paren(this=exp.and_(held, masked))

    def table_refusal(self, params: EmailParams, ctx: ColumnContext) -> exp.Expression | None:
        """fold_case on a column unique case-sensitively: the table must hold no two
        values differing only in case (one scan of the rule table, partitions and all)."""
        if not (params.fold_case and ctx.unique) or sqlbuild.ignores_case(ctx.type):
            return None
        return casefold.case_variants_refusal(ctx, _folded_text(ctx))

    def masked(self, params: EmailParams, ctx: ColumnContext) -> exp.Expression:
        """One address, or with `lists` each address of a list in place (`email_lists.py`:
        its branch doubles the expression, ~10 ms of planning a table, so opt-in)."""
        whole = self._address_masked(params, ctx)
        if params.within:
            return email_within.within(
                ctx, lambda item: self._address_masked(params, item), truncate=not params.unique
            )
        if not params.lists:
            return whole
        return email_lists.listed(
            ctx, whole, lambda item: self._address_masked(params, item), truncate=not params.unique
        )

    def _address_masked(self, params: EmailParams, ctx: ColumnContext) -> exp.Expression:
        """One address, bare or in a display-name form, masked."""
        locales = ctx.locales(params.locale)
        fold = params.fold_case

        def body(h: exp.Column) -> exp.Expression:
            # Realistic addresses avoid the original's first name; unique ones differ
            # from the original by their 64 digest bits already (like hash and uuid).
            def first() -> exp.Expression:
                if params.unique:
                    return _entry("email_first", h, 0, locales)
                return sqlbuild.pick("email_first", h, 0, _local_head(ctx, fold), locales)

            names = sqlbuild.fill(
                "(:first || '.' || :last)", first=first(), last=_entry("email_last", h, 3, locales)
            )
            if ctx.type.length is not None:
                names = sqlbuild.fill(
                    "left(:n, :k)", n=names, k=ctx.type.length - len(_suffix(params))
                )
            if params.unique:
                tail = sqlbuild.fill(
                    "('.' || encode(substr(:h, 9, :k), 'hex'))", h=h, k=UNIQUE_HEX // 2
                )
            else:
                tail = sqlbuild.fill("CAST(dbrefresh.u24(:h, 8) % 100 AS TEXT)", h=h)
            bare = sqlbuild.fill("(:n || :t || '@' || :d)", n=names, t=tail, d=_domain(ctx, params))
            shown = sqlbuild.fill(
                "initcap(:first || ' ' || :last)",
                first=first(),
                last=_entry("email_last", h, 3, locales),
            )
            mark = None
            if params.unique:
                mark = sqlbuild.fill(
                    "(' ' || encode(substr(:w, 1, :k), 'hex'))",
                    w=sqlbuild.fill(
                        "dbrefresh.keyed(:p, :v)",
                        p=sqlbuild.key_prefix(ctx, f"{self.name}_display"),
                        v=_folded_text(ctx) if fold else sqlbuild.stable_text(ctx),
                    ),
                    k=UNIQUE_HEX // 2,
                )
            return _displayed(ctx, bare, shown, mark)

        value = sqlbuild.let("h", _address_digest(ctx, self.name, fold), body)
        if fold:  # (dictionary names, initcap display names: all of it lower case)
            value = sqlbuild.fill("lower(:v)", v=value)
        fitted = sqlbuild.fit_text(ctx, value, truncate=not params.unique)
        kept = [_pattern(ctx)] + ([_kept(ctx, params)] if params.keep else [])
        return exp.Case(
            ifs=[exp.If(this=k, true=sqlbuild.as_text(ctx.ref)) for k in kept], default=fitted
        )


def _domain(ctx: ColumnContext, params: EmailParams) -> exp.Expression:
    """The masked address's domain: the original's where `keep_domains` lists it (as it
    was written: the app's own comparisons behave as before), else `domain`."""
    domain = params.domain.lower() if params.fold_case else params.domain
    if not params.keep_domains:
        return exp.Literal.string(domain)
    address = _address(ctx, params.fold_case)
    listed = sorted({d.lower() for d in params.keep_domains})
    return sqlbuild.fill(
        "CASE WHEN lower(split_part(:a, '@', 2)) = ANY(CAST(:arr AS TEXT[]))"
        " THEN split_part(:b, '@', 2) ELSE :d END",
        a=address,
        arr="{" + ",".join(f'"{d}"' for d in listed) + "}",
        b=address.copy(),
        d=domain,
    )


# A pattern of addresses whose local part names no mailbox: Mailman's ban list
# '^.*@spam\.example$', a glob '*@spam.example' (no letter or digit before the '@', and
# a regular expression's or a glob's character somewhere)
PATTERN = r"^[^A-Za-z0-9@]+@.*[][*^$\\]|^[^A-Za-z0-9@]*[][*^$\\][^A-Za-z0-9@]*@"


def _pattern(ctx: ColumnContext) -> exp.Expression:
    """Whether the value is an address pattern naming no one (kept as it is)."""
    return sqlbuild.fill('(:t COLLATE "C") ~ :p', t=sqlbuild.stable_text(ctx), p=PATTERN)


def _kept(ctx: ColumnContext, params: EmailParams) -> exp.Expression:
    """Whether the value's address has a local part `keep` lists (any case)."""
    address = _address(ctx, False)
    return sqlbuild.fill(
        "(strpos(:a, '@') > 0 AND lower(split_part(:b, '@', 1)) = ANY(:k))",
        a=address,
        b=address.copy(),
        k=sqlbuild.fill(
            "CAST(:arr AS TEXT[])", arr="{" + ",".join(f'"{k.lower()}"' for k in params.keep) + "}"
        ),
    )


# The address of a display-name form ('"Ann Lee" <ann@corp.example>'): NULL otherwise.
_DISPLAY_ADDRESS = r"<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$"


def _address(ctx: ColumnContext, fold: bool) -> exp.Expression:
    """The address a value holds: the bracketed one of a display-name form, else the
    value itself (as the digest reads it: folded where the type ignores case, or with
    fold_case). strpos() first, so a bare address pays no regular expression; both in
    the C collation, as PostgreSQL refuses substring searches in a nondeterministic one."""

    def text() -> exp.Expression:
        return _folded_text(ctx) if fold else sqlbuild.stable_text(ctx)

    return sqlbuild.fill(
        "CASE WHEN strpos((:t COLLATE \"C\"), '<') > 0"
        ' THEN COALESCE(substring((:t2 COLLATE "C") FROM :p), (:t3 COLLATE "C"))'
        ' ELSE (:t4 COLLATE "C") END',
        t=text(),
        t2=text(),
        p=_DISPLAY_ADDRESS,
        t3=text(),
        t4=text(),
    )


def _folded_text(ctx: ColumnContext) -> exp.Expression:
    """The value lower-cased (a case-insensitive type's text is folded already)."""
    if sqlbuild.ignores_case(ctx.type):
        return sqlbuild.stable_text(ctx)
    return sqlbuild.fill("lower(:v)", v=sqlbuild.stable_text(ctx))


def _address_digest(ctx: ColumnContext, tag: str, fold: bool) -> exp.Expression:
    """The keyed digest of the value's address: equal to the bare address's."""
    return sqlbuild.fill(
        "dbrefresh.keyed(:p, :a)", p=sqlbuild.key_prefix(ctx, tag), a=_address(ctx, fold)
    )


def _displayed(
    ctx: ColumnContext, bare: exp.Expression, shown: exp.Expression, mark: exp.Expression | None
) -> exp.Expression:
    """A display-name form masked as '"<shown><mark>" <bare>'; a bare address as `bare`.
    Too long for the column, the display name is left out (a cut would lose the '>');
    the length is told without the mark, so its digest is computed once."""
    text = sqlbuild.as_text(ctx.ref)
    name = sqlbuild.fill("(:s || :m)", s=shown.copy(), m=mark) if mark is not None else shown
    displayed = sqlbuild.fill("('\"' || :s || '\" <' || :b || '>')", s=name, b=bare.copy())
    if ctx.type.length is not None:
        marked = 1 + UNIQUE_HEX if mark is not None else 0
        displayed = sqlbuild.fill(
            "CASE WHEN length(:s) + length(:b) + :extra <= :n THEN :d ELSE :b2 END",
            s=shown,
            b=bare.copy(),
            extra=len('"" <>') + marked,
            n=ctx.type.length,
            d=displayed,
            b2=bare.copy(),
        )
    return sqlbuild.fill(
        "CASE WHEN strpos((:t COLLATE \"C\"), '<') > 0"
        ' AND substring((:t2 COLLATE "C") FROM :p) IS NOT NULL THEN :d ELSE :b END',
        t=text,
        t2=text.copy(),
        p=_DISPLAY_ADDRESS,
        d=displayed,
        b=bare,
    )


def _entry(name: str, h: exp.Expression, offset: int, locales: tuple[str, ...]) -> exp.Expression:
    """The dictionary entry chosen by 3 bytes of the bound digest (no equality check)."""
    return sqlbuild.fill(
        "CAST((:d)[1 + dbrefresh.u24(:h, :o) % cardinality(:d)] AS TEXT)",
        d=sqlbuild.dictionary(name, locales=locales),
        h=h,
        o=offset,
    )


def _suffix(params: EmailParams) -> str:
    """The longest text after the names: '.<hex>' or '<NN>', then '@domain' (the longest
    of `domain` and `keep_domains`)."""
    tail = "." + "0" * UNIQUE_HEX if params.unique else "00"
    return tail + "@" + max([params.domain, *params.keep_domains], key=len)


def _local_head(ctx: ColumnContext, fold: bool) -> exp.Expression:
    """The original address's text before the first dot: the first name must differ."""
    return sqlbuild.fill("split_part(:a, '.', 1)", a=_address(ctx, fold))

"""hash: the hex of the keyed digest, injective in practice (tokens, usernames, codes).

With `keep_leading` and `keep_from`, only the middle of the value is hashed and the rest
kept: a Matrix-style id '@alice:example.org' becomes '@u<hex>:example.org' (the
application still parses it), and its hex is the hex of a bare 'alice' (the part before
the separator is what is hashed), so the id and its local part alone, kept in other
tables and JSON documents that join them by value, mask alike everywhere.

On a json or jsonb column the whole document becomes a JSON string of the hex: a
settings table's secret is a document that is one string (Listmonk's settings.value
'"wJalrXUtnFEMI/K7MDENG..."'), which no jsonb path names. JSON null and a blank string
are kept, as blank text is, and so is a mask placeholder of asterisks only ('**********':
Directus' revisions store the password so, and hashing it to hex made a placeholder look
like a secret). On a bytea column (Vaultwarden's users.password_hash) it
writes the digest's bytes (half as many as hex characters): no strategy fitted bytea.

With `alphabet: base32` a value that is base32 (A-Z and 2-7, '=' padding: a TOTP seed
such as Supabase's auth.mfa_factors.secret '4OOTDWIKUSYP...') becomes base32 of the
same length, its padding kept: hex has 0, 1, 8 and 9, which base32 lacks, and the
masked seed no longer decoded. Each hex digit of the digest becomes one base32
character (4 of its 5 bits: plenty for a seed); other values are hashed to hex.

With `keep_unsplit` a value without `keep_from` is kept: Immich's sessions."deviceType"
holds "Robert's iPhone" in one row of five and 'Chrome', 'Mobile Safari' in the
others; hashed whole, every browser name became hex for the sake of a few owners.

With `alphabet: password_hash` a password hash of a known scheme ('$2b$12$...',
'$argon2id$...', 'pbkdf2_sha256$...', '$6$rounds=...') becomes a hash of the same scheme,
cost and shape that matches no password (password_hashes.py): hex made the application
fail to parse it, and login crashed instead of refusing the password.

A bytea value that is printable ASCII text (a token or a password hash kept as UTF-8
bytes, as Mailman's user._password) is masked as text and written back as UTF-8: its
digest's raw bytes were no text, and the application failed to decode them.
"""

from __future__ import annotations

import string
from typing import Literal, Self

from pydantic import Field, model_validator
from sqlglot import exp

from dbrefresh.strategies import password_hashes, sqlbuild
from dbrefresh.strategies.base import JSON_TYPES, ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

INJECTIVE_HEX = 16  # 64 bits: collisions improbable below ~10^8 distinct values
DEFAULT_HEX = 32
# each hex digit as a base32 character (RFC 4648's alphabet holds them all)
HEX_DIGITS = "0123456789abcdef"
BASE32_OF_HEX = "ABCDEFGH234567XY"
BASE32 = "^[A-Z2-7]+=*$"
ASCII_TEXT = "^[ -~]+$"  # printable ASCII; no backslash: escape encoding writes bytes so
STAR = "*"  # a value of these only is a mask placeholder ('********'), kept as it is


class HashParams(StrategyParams):
    length: int | None = Field(default=None, ge=1, le=64)
    """Hex characters kept; default 32, or what the column's length allows."""
    prefix: str = Field(default="", max_length=32)
    """Text put before the hex (e.g. 'user_')."""
    keep_leading: str = Field(default="", max_length=8)
    """Characters kept at the start of a value (e.g. '@', the sigil of '@alice:example.org');
    the prefix and hex follow them."""
    keep_from: str = Field(default="", max_length=8)
    """Keep the value from the first occurrence of this text on (e.g. ':' keeps the server
    of '@alice:example.org'); only the part before it is hashed, so 'alice' alone hashes
    alike. A value without it is hashed whole."""
    keep_unsplit: bool = False
    """With keep_from: a value without it is kept as it is (a product name beside the
    devices named after their owner)."""
    alphabet: Literal["hex", "base32", "password_hash"] = "hex"
    """base32: a value of base32 characters (A-Z, 2-7, '=' padding: a TOTP seed) becomes
    base32 of its own length, padding kept; others are hashed to hex. password_hash: a
    password hash of a known scheme (bcrypt, argon2, sha512-crypt, phpass, passlib's,
    Django's and Werkzeug's pbkdf2, LDAP's {SSHA}) keeps its scheme and cost, its salt and
    digest replaced by keyed characters of their alphabet and length; others as hex."""

    @model_validator(mode="after")
    def _parts_recoverable(self) -> Self:
        """The kept lead must stay apart from the hashed part, or two values could mask
        alike: no hex digit among the kept characters, no prefix starting with one."""
        if set(self.keep_leading) & set(string.hexdigits):
            raise ValueError("keep_leading cannot hold hex digits (0-9, a-f)")
        if self.keep_leading and self.prefix[:1] and self.prefix[0] in self.keep_leading:
            raise ValueError("the prefix cannot start with a character of keep_leading")
        if self.keep_unsplit and not self.keep_from:
            raise ValueError("keep_unsplit keeps values without keep_from: set keep_from")
        if self.alphabet != "hex" and (self.splits or self.prefix or self.length):
            raise ValueError(
                f"alphabet: {self.alphabet} keeps each value's length: no prefix, length,"
                " keep_leading or keep_from"
            )
        return self

    @property
    def splits(self) -> bool:
        return bool(self.keep_leading or self.keep_from)


@register
class Hash(ScalarStrategy[HashParams]):
    name = "hash"
    summary = (
        "Hex of the keyed sha256 of the value (a prefix, a kept lead and tail optional);"
        " base32 seeds and password hashes keep their shape."
    )
    params_model = HashParams
    lossy = False

    def is_lossy(self, params: HashParams) -> bool:
        return params.length is not None and params.length < INJECTIVE_HEX

    def fits(self, params: HashParams, ctx: ColumnContext) -> list[str]:
        if _is_json(ctx):
            if params.splits:
                return [f"keep_leading and keep_from split text; {ctx.column} is {ctx.type.sql}"]
            return []
        if ctx.type.base == "bytea":
            if params.prefix or params.splits:
                return [
                    "on bytea hash writes the digest's bytes: no prefix, keep_leading, keep_from"
                ]
            return []
        if not ctx.type.is_text:
            return [f"hash produces text; {ctx.column} is {ctx.type.sql}"]
        needed = len(params.prefix) + (params.length or INJECTIVE_HEX)
        return sqlbuild.text_limit(ctx, needed, "hash")

    def masked(self, params: HashParams, ctx: ColumnContext) -> exp.Expression:
        length = params.length or DEFAULT_HEX
        if params.length is None and ctx.type.length is not None:
            length = max(INJECTIVE_HEX, min(DEFAULT_HEX, ctx.type.length - len(params.prefix)))
        if ctx.type.base == "bytea":  # a password hash or token kept as bytes
            return self._bytes(params, ctx, length)
        whole = self._hexed(params, length, sqlbuild.digest(ctx, self.name))
        if _is_json(ctx):
            return sqlbuild.fill(
                "CASE WHEN :kept THEN :v ELSE :j END",
                kept=_kept_json(ctx),
                v=ctx.ref,
                j=sqlbuild.cast(sqlbuild.fill("to_jsonb(:x)", x=whole), ctx.type.sql),
            )
        if params.alphabet == "base32":
            hashed = _base32(ctx, self.name, length)
        elif params.alphabet == "password_hash":
            text = sqlbuild.fill('(:t COLLATE "C")', t=sqlbuild.stable_text(ctx))
            other = self._hexed(params, length, sqlbuild.digest(ctx, self.name))
            hashed = password_hashes.masked(text, sqlbuild.digest(ctx, self.name), other)
        else:
            hashed = self._split(params, ctx, length, whole) if params.splits else whole
        return sqlbuild.fill(
            "CASE WHEN :placeholder THEN :v ELSE :m END",
            placeholder=_kept_text(params, ctx),
            v=ctx.ref.copy(),
            m=sqlbuild.fit_text(ctx, hashed, truncate=False),
        )

    def _bytes(self, params: HashParams, ctx: ColumnContext, length: int) -> exp.Expression:
        """Text kept as bytes (printable ASCII) masked as text and written back as
        UTF-8; binary values become the digest's bytes (half as many as hex digits)."""
        text = sqlbuild.fill("encode(:v, 'escape')", v=ctx.ref.copy())
        hexed = self._hexed(params, length, sqlbuild.digest(ctx, self.name))
        if params.alphabet == "password_hash":
            hexed = password_hashes.masked(text, sqlbuild.digest(ctx, self.name), hexed)
        raw = sqlbuild.fill(
            "substr(:h, 1, :b)", h=sqlbuild.digest(ctx, self.name), b=(length + 1) // 2
        )
        return sqlbuild.cast(
            sqlbuild.fill(
                "CASE WHEN :t ~ :ascii AND strpos(:t2, chr(92)) = 0"
                " THEN convert_to(:m, 'UTF8') ELSE :raw END",
                t=text.copy(),
                t2=text.copy(),
                ascii=ASCII_TEXT,
                m=hexed,
                raw=raw,
            ),
            ctx.type.sql,
        )

    def _hexed(self, params: HashParams, length: int, digest: exp.Expression) -> exp.Expression:
        # Only the bytes needed are hex-encoded (bytea substr is O(1); left() on text
        # walks characters); an odd length cuts the last hex digit.
        hexed = sqlbuild.fill("encode(substr(:h, 1, :b), 'hex')", h=digest, b=(length + 1) // 2)
        if length % 2:
            hexed = sqlbuild.fill("left(:x, :n)", x=hexed, n=length)
        if params.prefix:
            hexed = sqlbuild.fill("(:p || :x)", p=params.prefix, x=hexed)
        return hexed

    def _split(
        self, params: HashParams, ctx: ColumnContext, length: int, whole: exp.Expression
    ) -> exp.Expression:
        """lead || prefix || hex(digest(middle)) || tail; in a varchar(n), a value whose
        kept parts leave too little room is hashed whole (it still differs from the rest).
        In the C collation: PostgreSQL refuses split_part in a nondeterministic one."""

        def text() -> exp.Expression:
            return sqlbuild.fill('(:t COLLATE "C")', t=sqlbuild.stable_text(ctx))

        def rest() -> exp.Expression:  # the value without its kept lead
            if not params.keep_leading:
                return text()
            return sqlbuild.fill("ltrim(:t, :c)", t=text(), c=params.keep_leading)

        def middle() -> exp.Expression:
            if not params.keep_from:
                return rest()
            return sqlbuild.fill("split_part(:r, :s, 1)", r=rest(), s=params.keep_from)

        lead = sqlbuild.fill("left(:t, length(:t2) - length(:r))", t=text(), t2=text(), r=rest())
        tail = sqlbuild.fill("substr(:r, length(:m) + 1)", r=rest(), m=middle())
        digest = sqlbuild.fill(
            "dbrefresh.keyed(:p, :v)", p=sqlbuild.key_prefix(ctx, self.name), v=middle()
        )
        split = sqlbuild.fill(
            "(:lead || :hex || :tail)",
            lead=lead,
            hex=self._hexed(params, length, digest),
            tail=tail,
        )
        if ctx.type.length is None:
            return split
        return sqlbuild.fill(
            "CASE WHEN length(:t) - length(:m) + :k <= :n THEN :split ELSE :whole END",
            t=text(),
            m=middle(),
            k=len(params.prefix) + length,
            n=ctx.type.length,
            split=split,
            whole=whole,
        )

    def leak_sample_when(self, params: HashParams, ctx: ColumnContext) -> exp.Expression | None:
        """A JSON null or blank string document is kept (it names no one)."""
        if _is_json(ctx) and not ctx.type.is_array:
            return sqlbuild.fill("NOT (:kept)", kept=_kept_json(ctx))
        if ctx.type.is_text and not ctx.type.is_array:
            return sqlbuild.fill("NOT (:kept)", kept=_kept_text(params, ctx))
        return None


def _kept_text(params: HashParams, ctx: ColumnContext) -> exp.Expression:
    """The text values kept as they are: placeholders, and with `keep_unsplit` the
    values without `keep_from`."""
    kept = _placeholder(ctx.ref)
    if not params.keep_unsplit:
        return kept
    text = sqlbuild.fill('(CAST(:r AS TEXT) COLLATE "C")', r=ctx.ref.copy())
    unsplit = sqlbuild.fill("(strpos(:t, :s) = 0)", t=text, s=params.keep_from)
    return exp.Paren(this=exp.or_(kept, unsplit))


def _base32(ctx: ColumnContext, tag: str, length: int) -> exp.Expression:
    """A base32 value as base32 of its length (its '=' padding kept), others as hex;
    the digest's hex repeated for a value longer than its 64 digits."""
    text = sqlbuild.fill('(:t COLLATE "C")', t=sqlbuild.stable_text(ctx))
    bare = sqlbuild.fill("rtrim(:t, '=')", t=text.copy())
    hexed = sqlbuild.fill("encode(:h, 'hex')", h=sqlbuild.digest(ctx, tag))
    return sqlbuild.let(
        "_dbr_b32",
        hexed,
        lambda h: sqlbuild.fill(
            "CASE WHEN :t ~ :re THEN translate(left(repeat(:h, 1 + length(:b) / 64),"
            " length(:b2)), :hex, :b32) || substr(:t2, length(:b3) + 1) ELSE left(:h2, :n) END",
            t=text.copy(),
            re=BASE32,
            h=h,
            b=bare,
            b2=bare.copy(),
            hex=HEX_DIGITS,
            b32=BASE32_OF_HEX,
            t2=text.copy(),
            b3=bare.copy(),
            h2=h.copy(),
            n=length,
        ),
    )


def _is_json(ctx: ColumnContext) -> bool:
    return ctx.type.base in JSON_TYPES


def _placeholder(value: exp.Expression) -> exp.Expression:
    """Text of asterisks only (or blank, kept anyway): a mask placeholder, no secret;
    ltrim, not a pattern: cheaper, and a nondeterministic collation refuses patterns."""
    return sqlbuild.fill(
        "COALESCE(ltrim(CAST(:v AS TEXT), :star) = '', FALSE)", v=value.copy(), star=STAR
    )


def _kept_json(ctx: ColumnContext) -> exp.Expression:
    """A JSON document that names no one: null, a blank string or a placeholder."""
    doc = sqlbuild.cast(ctx.ref, "jsonb")
    return sqlbuild.fill(
        "COALESCE(jsonb_typeof(:d) = 'null' OR (jsonb_typeof(:d) = 'string' AND"
        " (btrim(:d #>> CAST('{}' AS TEXT[])) = '' OR"
        " ltrim(:d #>> CAST('{}' AS TEXT[]), :star) = '')), FALSE)",
        d=doc,
        star=STAR,
    )

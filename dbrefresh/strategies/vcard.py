"""vcard: vCards and iCalendar objects masked property by property, their structure kept.

Roundcube's contacts.vcard, SOGo's and Nextcloud's address books and calendars
(c_content, oc_cards.carddata, oc_calendarobjects.calendardata) got `lorem` whole: no
value started with BEGIN:VCARD or BEGIN:VCALENDAR any more and the applications could
not parse them. Both formats share one line syntax (vcard_lines.py); each line is masked
by its property name, with the strategies the columns beside it get, so equal values
still agree: N's family and given names as `last_name` and `first_name`, FN as the
masked N's 'Given Family' when it was the original's (else `full_name`, as a CN=
parameter), EMAIL and the mailto: address of ORGANIZER and ATTENDEE
as `email` (the same keyed digest as an email column: an attendee still matches SOGo's
c_partmails), TEL as `phone`, ADR's street, city and postcode as `street`, `city` and
`digits`; BDAY a keyed date in the original's form; NOTE, TITLE, SUMMARY, DESCRIPTION,
LOCATION and the like `lorem`; URL, IMPP and social profiles a keyed handle; PHOTO,
LOGO, SOUND, KEY, GEO and ATTACH dropped. BEGIN/END, VERSION, UID, PRODID, dates and
recurrences, CATEGORIES and other parameters are kept. Any other property keeps a value
of upper-case tokens, digits and dates ('BUSY', '1', '20240115T090000Z'), and gets
`lorem` otherwise. Lines come back unfolded (see vcard_lines.py). bytea columns
(Nextcloud) are read and written as UTF-8; a value that is no UTF-8 is read as Latin-1
(vcard_bytes.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import field_validator
from sqlglot import exp

from dbrefresh.strategies import sqlbuild, vcard_bytes, vcard_lines
from dbrefresh.strategies.base import ColumnContext, ColumnType, StrategyParams
from dbrefresh.strategies.email import EmailParams
from dbrefresh.strategies.registry import get, register
from dbrefresh.strategies.scalar import ScalarStrategy
from dbrefresh.strategies.vcard_lines import PART, PART_INDEX, line_column, param_column

REST = "_dbr_vcard_rest"  # the column a nested strategy is compiled over, then replaced
_TEXT = ColumnType("text", "text", "S")

# Property names by how their values are masked
# fmt: off
KEPT = ("BEGIN", "END", "VERSION", "PRODID", "UID", "DTSTART", "DTEND", "DUE", "DTSTAMP",
    "CREATED", "LAST-MODIFIED", "RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID", "DURATION",
    "TZID", "TZNAME", "TZOFFSETFROM", "TZOFFSETTO", "TZURL", "CATEGORIES", "CLASS", "STATUS",
    "TRANSP", "SEQUENCE", "PRIORITY", "CALSCALE", "METHOD", "ACTION", "TRIGGER", "REPEAT", "KIND",
    "GENDER", "REV", "LANG", "TZ", "PERCENT-COMPLETE", "COMPLETED", "FREEBUSY", "PROFILE",
    "CLIENTPIDMAP", "RELATED-TO", "X-LIC-LOCATION", "X-WR-TIMEZONE", "X-ADDRESSBOOKSERVER-KIND",
    "X-ADDRESSBOOKSERVER-MEMBER")
TEXTS = ("NOTE", "TITLE", "ROLE", "LABEL", "SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT",
    "CONTACT", "RESOURCES", "NAME", "X-ALT-DESC", "X-WR-CALNAME", "X-WR-CALDESC", "X-ASSISTANT",
    "X-MANAGER", "X-SPOUSE")
HANDLES = ("IMPP", "X-SOCIALPROFILE", "X-AIM", "X-ICQ", "X-JABBER", "X-MSN", "X-YAHOO", "X-SKYPE",
    "X-SKYPE-USERNAME", "X-TWITTER", "X-GOOGLE-TALK", "X-GADUGADU", "X-QQ", "X-FACEBOOK",
    "X-LINKEDIN")
URLS = ("URL", "SOURCE", "FBURL", "CALURI", "CALADRURI")
DROPPED = ("PHOTO", "LOGO", "SOUND", "KEY", "GEO", "ATTACH")
DATES = ("BDAY", "ANNIVERSARY", "DEATHDATE", "X-ANNIVERSARY")
ADDRESSED = ("ORGANIZER", "ATTENDEE", "MEMBER")  # a mailto: address as the value
# fmt: on
# Parameters holding addresses: each masked in place as `email` masks it
ADDRESS_PARAMS = ("SENT-BY", "DELEGATED-TO", "DELEGATED-FROM", "MEMBER")
# Parameters holding an address or a place's name: an ADR's LABEL, Apple's
# X-APPLE-STRUCTURED-LOCATION X-ADDRESS and X-TITLE
TEXT_PARAMS = ("LABEL", "X-ADDRESS", "X-TITLE")
# Any other property's value kept when made of these (no one's name is), or one of
# Apple's built-in labels ('_$!<HomePage>!$_')
UPPER_TOKENS = r"^([-+0-9A-Z_.:]*|_\$!<[A-Za-z]+>!\$_)$"
# Birth dates drawn from 1940-01-01 on, over about 63 years
DATE_FROM, DATE_DAYS = "1940-01-01", 23000


class VcardParams(StrategyParams):
    email: EmailParams = EmailParams()
    """The `email` strategy's parameters for EMAIL and mailto: addresses: those of the
    email columns beside (unique, fold_case, domain), so equal addresses still agree."""

    @field_validator("email")
    @classmethod
    def _one_address(cls, value: EmailParams) -> EmailParams:
        if value.lists or value.within:
            raise ValueError("each address is masked alone: drop lists and within")
        return value


def _rest_context(ctx: ColumnContext) -> ColumnContext:
    """What a nested strategy sees: one non-NULL text value named REST."""
    return replace(ctx, column=REST, type=_TEXT, nullable=False, unique=False)


def _over(value: exp.Expression) -> Any:
    """A function compiling a strategy over REST, then reading `value` in its place."""

    def replaced(compiled: exp.Expression) -> exp.Expression:
        return compiled.transform(
            lambda node: (
                value.copy()
                if isinstance(node, exp.Column) and node.name == REST and not node.table
                else node
            )
        )

    return replaced


class _Nested:
    """The nested strategies, compiled over one column's REST context."""

    def __init__(self, params: VcardParams, ctx: ColumnContext) -> None:
        self.ctx = _rest_context(ctx)
        self.email_params = params.email.model_dump()

    def mask(self, name: str, value: exp.Expression, **raw: Any) -> exp.Expression:
        strategy = get(name)
        compiled = strategy.compile(strategy.parse_params(raw), self.ctx)
        return sqlbuild.as_text(_over(value)(compiled))

    def text(self, name: str, value: exp.Expression) -> exp.Expression:
        """mask(), its ',', ';' and '\\' escaped as a TEXT value writes them ('328,
        boulevard de Boulay' is no list of two streets)."""
        return sqlbuild.fill(
            "regexp_replace(:m, :special, :escaped, 'g')",
            m=self.mask(name, value),
            special=r"([,;\\])",
            escaped=r"\\\1",
        )

    def email(self, value: exp.Expression, *, within: bool = False) -> exp.Expression:
        raw = dict(self.email_params, within=True) if within else self.email_params
        return self.mask("email", value, **raw)

    def digest_hex(self, value: exp.Expression, tag: str, n: int) -> exp.Expression:
        """n hex characters of the value's keyed digest."""
        return sqlbuild.fill(
            "left(encode(dbrefresh.keyed(:p, :v), 'hex'), :n)",
            p=sqlbuild.key_prefix(self.ctx, tag),
            v=value,
            n=n,
        )


def _is(prop: exp.Expression, names: tuple[str, ...]) -> exp.Expression:
    return exp.In(this=prop.copy(), expressions=[sqlbuild.literal(n) for n in names])


def _address(nested: _Nested, value: exp.Expression) -> exp.Expression:
    """ORGANIZER's and ATTENDEE's value: 'mailto:' kept as written, the address masked
    by `email`; a urn:uuid: kept; anything else a keyed handle."""
    return sqlbuild.fill(
        "CASE WHEN :v ~* '^mailto:' THEN left(:v, 7) || :e"
        " WHEN :v ~* '^urn:uuid:' THEN :v ELSE :h END",
        v=value,
        e=nested.email(sqlbuild.fill("substr(:v, 8)", v=value)),
        h=_handle(nested, value),
    )


def _handle(nested: _Nested, value: exp.Expression) -> exp.Expression:
    """A profile or chat address: its scheme (and a URL's site) kept, the rest 'u' and
    12 hex characters of its keyed digest ('xmpp:ann@x.org' -> 'xmpp:u3fa0...')."""
    return sqlbuild.fill(
        "COALESCE(substring(:v FROM '^([A-Za-z][A-Za-z0-9+.-]*://[^/]*/)'),"
        " substring(:v FROM '^([A-Za-z][A-Za-z0-9+.-]*:)'), '') || 'u' || :h",
        v=value,
        h=nested.digest_hex(value, "vcard_handle", 12),
    )


def _url(nested: _Nested, value: exp.Expression) -> exp.Expression:
    """A personal web address: an example.com one keyed by the original."""
    return sqlbuild.fill(
        "'https://example.com/' || :h", h=nested.digest_hex(value, "vcard_url", 12)
    )


def _date(nested: _Nested, value: exp.Expression) -> exp.Expression:
    """A birthday as a keyed date in the original's form ('1980-03-05', '19800305',
    vCard 4's yearless '--0305'), a time after it kept; any other text a 'YYYY-MM-DD'."""
    day = sqlbuild.fill(
        "(CAST(:start AS DATE) + CAST(dbrefresh.u63(dbrefresh.keyed(:p, :v)) % :days AS INT))",
        start=DATE_FROM,
        p=sqlbuild.key_prefix(nested.ctx, "vcard_date"),
        v=value,
        days=DATE_DAYS,
    )
    return sqlbuild.fill(
        "CASE WHEN :v ~ '^[0-9]{4}-?[0-9]{2}-?[0-9]{2}'"
        " THEN to_char(:d, CASE WHEN substr(:v, 5, 1) = '-' THEN 'YYYY-MM-DD' ELSE 'YYYYMMDD' END)"
        " || substring(:v FROM '^[0-9]{4}-?[0-9]{2}-?[0-9]{2}(.*)$')"
        " WHEN :v ~ '^--[0-9]{2}-?[0-9]{2}'"
        " THEN to_char(:d, CASE WHEN substr(:v, 5, 1) = '-' THEN '--MM-DD' ELSE '--MMDD' END)"
        " || substring(:v FROM '^--[0-9]{2}-?[0-9]{2}(.*)$')"
        " ELSE to_char(:d, 'YYYY-MM-DD') END",
        v=value,
        d=day,
    )


def _full_name(nested: _Nested, value: exp.Expression) -> exp.Expression:
    """FN: 'Given Family' of the card's own N as the masked N's, so it still agrees with
    it (and with a `name` column composed of the first and last name columns); any other
    as `full_name`."""
    names = line_column(vcard_lines.NAMES)
    given = sqlbuild.fill("split_part(:n, ';', 2)", n=names)
    family = sqlbuild.fill("split_part(:n, ';', 1)", n=names.copy())
    return sqlbuild.fill(
        "CASE WHEN :given <> '' AND :family <> '' AND :v = :given2 || ' ' || :family2"
        " THEN :first || ' ' || :last ELSE :full END",
        given=given,
        family=family,
        v=value,
        given2=given.copy(),
        family2=family.copy(),
        first=nested.text("first_name", given.copy()),
        last=nested.text("last_name", family.copy()),
        full=nested.text("full_name", value.copy()),
    )


def _name_parts(nested: _Nested, value: exp.Expression) -> exp.Expression:
    """N: 'Family;Given;Additional;Prefix;Suffix', the first three masked."""
    part = sqlbuild.fill(
        "CASE :k WHEN 1 THEN :last WHEN 2 THEN :first WHEN 3 THEN :middle ELSE :p END",
        k=PART_INDEX,
        last=nested.text("last_name", PART),
        first=nested.text("first_name", PART),
        middle=nested.text("first_name", PART),
        p=PART,
    )
    return vcard_lines.each_component(value, part)


def _address_parts(nested: _Nested, value: exp.Expression) -> exp.Expression:
    """ADR: 'PO box;extended;street;locality;region;postcode;country', region and
    country kept."""
    part = sqlbuild.fill(
        "CASE :k WHEN 1 THEN :box WHEN 2 THEN :ext WHEN 3 THEN :street WHEN 4 THEN :city"
        " WHEN 6 THEN :code ELSE :p END",
        k=PART_INDEX,
        box=nested.mask("digits", PART),
        ext=nested.text("lorem", PART),
        street=nested.text("street", PART),
        city=nested.text("city", PART),
        code=nested.mask("digits", PART),
        p=PART,
    )
    return vcard_lines.each_component(value, part)


def _organization(nested: _Nested, value: exp.Expression) -> exp.Expression:
    """ORG: 'Company;Unit;...', the company a company name, units lorem."""
    part = sqlbuild.fill(
        "CASE :k WHEN 1 THEN :company ELSE :unit END",
        k=PART_INDEX,
        company=nested.text("company", PART),
        unit=nested.text("lorem", PART),
    )
    return vcard_lines.each_component(value, part)


def _phone(nested: _Nested, value: exp.Expression) -> exp.Expression:
    """TEL: a number, or vCard 4's 'tel:' URI with its scheme kept."""
    return sqlbuild.fill(
        "CASE WHEN :v ~* '^tel:' THEN left(:v, 4) || :rest ELSE :whole END",
        v=value,
        rest=nested.mask("phone", sqlbuild.fill("substr(:v, 5)", v=value)),
        whole=nested.mask("phone", value),
    )


def _value(nested: _Nested) -> exp.Expression:
    """The masked value of the line, by its property name (NULL: the line is dropped)."""
    prop, value = line_column(vcard_lines.PROPERTY), line_column(vcard_lines.VALUE)
    branches: list[tuple[tuple[str, ...], exp.Expression]] = [
        (KEPT, value),
        (("FN",), _full_name(nested, value)),
        (("N",), _name_parts(nested, value)),
        (("NICKNAME",), nested.text("first_name", value)),
        (("EMAIL",), nested.email(value)),
        (("TEL",), _phone(nested, value)),
        (("ADR",), _address_parts(nested, value)),
        (("ORG",), _organization(nested, value)),
        (DATES, _date(nested, value)),
        (TEXTS, nested.text("lorem", value)),
        (HANDLES, _handle(nested, value)),
        (URLS, _url(nested, value)),
        (ADDRESSED, _address(nested, value)),
        (DROPPED, exp.null()),
    ]
    other = sqlbuild.fill(
        "CASE WHEN :v ~ :token THEN :v ELSE :lorem END",
        v=value,
        token=UPPER_TOKENS,
        lorem=nested.text("lorem", value),
    )
    return exp.Case(
        ifs=[exp.If(this=_is(prop, names), true=masked) for names, masked in branches],
        default=other,
    )


def _param(nested: _Nested) -> exp.Expression:
    """One parameter masked by its name: CN a name, EMAIL an address, SENT-BY and
    DELEGATED-TO/-FROM each address in place, LABEL, X-ADDRESS, X-TITLE lorem, X-USER
    (Apple's social profile user) a keyed handle; every
    other kept (TYPE=home, PARTSTAT=ACCEPTED), quotes as written."""
    name, text = param_column(vcard_lines.PNAME), param_column(vcard_lines.PTEXT)
    raw = param_column(vcard_lines.PVALUE)
    inner = sqlbuild.fill("btrim(:v, '\"')", v=raw)
    quote = sqlbuild.fill("CASE WHEN left(:v, 1) = '\"' THEN '\"' ELSE '' END", v=raw)

    def quoted(masked: exp.Expression) -> exp.Expression:
        return sqlbuild.fill(
            ":n || '=' || :q || :m || :q2", n=name, q=quote, m=masked, q2=quote.copy()
        )

    upper = sqlbuild.fill("upper(:n)", n=name)
    return exp.Case(
        ifs=[
            exp.If(this=sqlbuild.fill(":eq = 0", eq=param_column(vcard_lines.EQ)), true=text),
            exp.If(this=_is(upper, ("CN",)), true=quoted(nested.mask("full_name", inner))),
            exp.If(this=_is(upper, ("EMAIL",)), true=quoted(nested.email(inner))),
            exp.If(
                this=_is(upper, ADDRESS_PARAMS),
                true=sqlbuild.fill(":n || '=' || :m", n=name, m=nested.email(raw, within=True)),
            ),
            exp.If(this=_is(upper, TEXT_PARAMS), true=quoted(nested.mask("lorem", inner))),
            exp.If(this=_is(upper, ("X-USER",)), true=quoted(_handle(nested, inner))),
        ],
        default=text,
    )


def _soft_break(original: exp.Expression) -> exp.Expression:
    """'=' when the original ends in one: a vCard 2.1 quoted-printable soft break (the
    value goes on on the next line), kept or the next line became a line of its own."""
    return sqlbuild.fill("CASE WHEN right(:o, 1) = '=' THEN '=' ELSE '' END", o=original)


def _quoted_printable(masked: exp.Expression) -> exp.Expression:
    """The masked value with its soft break, when its parameters say
    ENCODING=QUOTED-PRINTABLE and the value was masked (a kept one has it still)."""
    return sqlbuild.fill(
        ":m || CASE WHEN strpos(upper(:p), 'QUOTED-PRINTABLE') > 0 AND NOT :kept"
        " THEN :soft ELSE '' END",
        m=masked,
        p=line_column(vcard_lines.PARAMS),
        kept=_is(line_column(vcard_lines.PROPERTY), KEPT),
        soft=_soft_break(line_column(vcard_lines.VALUE)),
    )


@register
class Vcard(ScalarStrategy[VcardParams]):
    name = "vcard"
    summary = "vCards and iCalendar objects: each property masked as its own kind, the rest kept."
    params_model = VcardParams

    def fits(self, params: VcardParams, ctx: ColumnContext) -> list[str]:
        if ctx.type.base == "bytea" or (ctx.type.is_text and ctx.type.length is None):
            return []
        return [f"vcard needs an unbounded text or bytea column; {ctx.column} is {ctx.type.sql}"]

    def leak_sample_when(self, params: VcardParams, ctx: ColumnContext) -> exp.Expression:
        """The values it changes: a calendar object holding nothing personal (a UID and
        dates alone) is kept, and sampling it reported a leak."""
        return sqlbuild.fill(
            "CAST(:r AS TEXT) IS DISTINCT FROM CAST(:m AS TEXT)",
            r=ctx.ref,
            m=self.masked(params, ctx),
        )

    def masked(self, params: VcardParams, ctx: ColumnContext) -> exp.Expression:
        nested = _Nested(params, ctx)
        raw = line_column(vcard_lines.RAW)
        cr = line_column(vcard_lines.CR)
        unparsed = sqlbuild.fill(
            "CASE WHEN btrim(:r) = '' THEN :r ELSE :lorem END || :cr",
            r=raw,
            lorem=sqlbuild.fill(
                ":l || :soft", l=nested.text("lorem", raw), soft=_soft_break(raw.copy())
            ),
            cr=cr,
        )
        line = sqlbuild.fill(
            "CASE WHEN :v IS NULL THEN :unparsed ELSE :rebuilt END",
            v=line_column(vcard_lines.VALUE),
            unparsed=unparsed,
            rebuilt=vcard_lines.rebuilt(
                vcard_lines.each_param(_param(nested)),
                _quoted_printable(_value(nested)),
            ),
        )
        if ctx.type.base == "bytea":
            whole = vcard_lines.each_line(vcard_bytes.as_text(ctx.ref), line)
            return sqlbuild.cast(
                sqlbuild.fill("convert_to(COALESCE(:w, ''), 'UTF8')", w=whole), ctx.type.sql
            )
        whole = vcard_lines.each_line(sqlbuild.as_text(ctx.ref), line)
        return sqlbuild.fit_text(ctx, sqlbuild.fill("COALESCE(:w, '')", w=whole), truncate=False)

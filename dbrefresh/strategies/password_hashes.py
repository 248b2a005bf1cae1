"""Password hashes masked into hashes of the same scheme and shape (`hash` with
`alphabet: password_hash`).

Hex in place of '$2a$12$...' made the application fail to parse the stored hash: login
raised 'hash could not be identified' instead of answering 'wrong password'. A value of
a known scheme keeps its scheme prefix and cost parameters ('$2b$12$',
'$argon2id$v=19$m=65536,t=3,p=4$', 'pbkdf2_sha256$600000$'); its salt and digest become
keyed characters of their own alphabet and length (hex stays hex, letters and digits
stay letters and digits, else the scheme's base64 variant), so it still parses and
matches no password. Each part's last character is kept: it carries the padding bits a
strict decoder (argon2's, bcrypt's 22nd salt character) checks, and says nothing of the
password. Values of no known scheme are hashed to hex, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp

from dbrefresh.strategies import sqlbuild

MAX_PART = 128  # characters of a salt or digest part (scrypt's digest in hex: 128)
_B64 = "[A-Za-z0-9+/]"
_DOT64 = "[./A-Za-z0-9]"


@dataclass(frozen=True)
class Scheme:
    """A password hash format: six groups, the kept head (scheme and cost), the first
    part, its '=' padding, the separator, the second part, its padding."""

    name: str
    pattern: str
    punctuation: str  # the two non-alphanumeric characters of its base64 variant
    # where its parts are: 'pair' (head, salt '$' digest: the last two '$' fields),
    # 'bcrypt' (22 salt and 31 digest characters at the end), else the head's length
    # as SQL over :t (the one part after it)
    layout: str = "pair"

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


def _two(head: str, first: str, second: str, pad: str = "()") -> str:
    return f"^({head})({first})()(\\$)({second}){pad}$"


SCHEMES: tuple[Scheme, ...] = (
    # bcrypt: 22 salt and 31 digest characters without separator; Django's
    # 'bcrypt_sha256$', WordPress 6.8's '$wp' before it
    Scheme(
        "bcrypt",
        r"^((?:bcrypt(?:_sha256)?\$|\$wp)?\$2[abxy]?\$[0-9]{2}\$)"
        r"([./A-Za-z0-9]{22})()()([./A-Za-z0-9]{31})()$",
        "./",
        "bcrypt",
    ),
    Scheme(
        "argon2",
        _two(
            r"(?:argon2)?\$argon2(?:id|i|d)\$(?:v=[0-9]+\$)?m=[0-9]+,t=[0-9]+,p=[0-9]+\$",
            f"{_B64}{{4,{MAX_PART}}}",
            f"{_B64}{{4,{MAX_PART}}}",
        ),
        "+/",
    ),
    Scheme(  # sha256-crypt, sha512-crypt (Mailman's passlib, /etc/shadow)
        "sha-crypt",
        _two(r"\$[56]\$(?:rounds=[0-9]+\$)?", f"{_DOT64}{{1,16}}", f"{_DOT64}{{43,86}}"),
        "./",
    ),
    Scheme(  # yescrypt, Debian's and Fedora's /etc/shadow default
        "yescrypt",
        _two(r"\$g?y\$[./A-Za-z0-9]+\$", f"{_DOT64}{{1,{MAX_PART}}}", f"{_DOT64}{{43}}"),
        "./",
    ),
    Scheme("md5-crypt", _two(r"\$(?:1|apr1)\$", f"{_DOT64}{{1,8}}", f"{_DOT64}{{22}}"), "./"),
    Scheme("phpass", r"^(\$[PH]\$[./A-Za-z0-9])([./A-Za-z0-9]{30})()()()()$", "./", "4"),
    Scheme(  # passlib's pbkdf2 in its ab64 alphabet (Tryton)
        "passlib-pbkdf2",
        _two(
            r"\$pbkdf2(?:-sha(?:256|512))?\$[0-9]+\$",
            f"{_DOT64}{{4,{MAX_PART}}}",
            f"{_DOT64}{{4,{MAX_PART}}}",
        ),
        "./",
    ),
    Scheme(  # Django: an alphanumeric salt, the digest in padded base64
        "django-pbkdf2",
        _two(
            r"pbkdf2_sha(?:1|256)\$[0-9]+\$",
            f"[A-Za-z0-9]{{1,{MAX_PART}}}",
            f"{_B64}{{4,{MAX_PART}}}",
            "(=*)",
        ),
        "+/",
    ),
    Scheme(  # Werkzeug: an alphanumeric salt, the digest in hex
        "werkzeug",
        _two(
            r"(?:pbkdf2:sha(?:1|256|512)(?::[0-9]+)?|scrypt:[0-9]+:[0-9]+:[0-9]+)\$",
            f"[A-Za-z0-9]{{1,{MAX_PART}}}",
            f"[0-9a-f]{{8,{MAX_PART}}}",
        ),
        "+/",
    ),
    Scheme(  # LDAP's userPassword: padded base64 after the scheme
        "ldap",
        rf"^(\{{(?:SSHA(?:256|512)?|SMD5|SHA(?:256|512)?|MD5)\}})({_B64}{{8,{MAX_PART}}})(=*)()()()$",
        "+/",
        "strpos(:t, '}')",
    ),
)


def scheme_of(value: str) -> str | None:
    """The name of the known scheme a value is a hash of, or None."""
    return next((s.name for s in SCHEMES if s.regex.fullmatch(value)), None)


def masked(text: exp.Expression, digest: exp.Expression, other: exp.Expression) -> exp.Expression:
    """`text` (a value read as text) as a hash of its scheme, keyed by `digest` (32
    bytes, bound once with 192 more derived from it); `other` for a value of no known
    scheme. One regular expression test per scheme finds it (no capture groups: their
    matching cost ~40 µs a value); its parts are cut by position and split_part."""
    whens = " ".join(f"WHEN :t{i} ~ :re{i} THEN {i}" for i in range(len(SCHEMES)))
    scheme = sqlbuild.fill(
        f"CASE {whens} ELSE -1 END",
        **{f"t{i}": text.copy() for i in range(len(SCHEMES))},
        **{f"re{i}": s.pattern for i, s in enumerate(SCHEMES)},
    )
    material = sqlbuild.fill(
        "(:h || sha512(:h2) || sha512(:h3 || decode('01', 'hex'))"
        " || sha512(:h4 || decode('02', 'hex')))",
        h=digest,
        h2=digest.copy(),
        h3=digest.copy(),
        h4=digest.copy(),
    )

    def body(refs: sqlbuild.Refs) -> exp.Expression:
        index, keyed = refs["s"], refs["k"]
        punct = sqlbuild.fill(
            f"(ARRAY[{', '.join(repr(s.punctuation) for s in SCHEMES)}])[:i + 1]", i=index.copy()
        )
        branches: list[str] = []
        values: dict[str, exp.Expression | str | float] = {}
        for layout in dict.fromkeys(s.layout for s in SCHEMES):
            members = ", ".join(str(i) for i, s in enumerate(SCHEMES) if s.layout == layout)
            n = len(branches)
            branches.append(f"WHEN :s{n} IN ({members}) THEN :m{n}")
            values[f"s{n}"] = index.copy()
            values[f"m{n}"] = _rebuilt(layout, text, keyed, punct)
        return sqlbuild.fill(f"CASE {' '.join(branches)} ELSE :other END", other=other, **values)

    return sqlbuild.bind([("s", lambda _: scheme), ("k", lambda _: material)], body)


def _rebuilt(
    layout: str, text: exp.Expression, keyed: exp.Expression, punct: exp.Expression
) -> exp.Expression:
    """The head kept, each part replaced, '=' padding kept."""

    def part(template: str, start: int) -> exp.Expression:
        cut = sqlbuild.fill(template, t=text.copy())
        return _part(cut, keyed, start, punct)

    def padding(template: str) -> exp.Expression:
        cut = sqlbuild.fill(template, t=text.copy(), t2=text.copy())
        return sqlbuild.fill("repeat('=', :n)", n=cut)

    if layout == "pair":
        salt = "split_part(:t, '$', -2)"
        digest = "rtrim(split_part(:t, '$', -1), '=')"
        head = sqlbuild.fill(
            "left(:t, length(:t2) - length(split_part(:t3, '$', -2))"
            " - length(split_part(:t4, '$', -1)) - 1)",
            t=text.copy(),
            t2=text.copy(),
            t3=text.copy(),
            t4=text.copy(),
        )
        return sqlbuild.fill(
            "(:head || :salt || '$' || :digest || :pad)",
            head=head,
            salt=part(salt, 1),
            digest=part(digest, 1 + MAX_PART),
            pad=padding(
                "length(split_part(:t, '$', -1)) - length(rtrim(split_part(:t2, '$', -1), '='))"
            ),
        )
    if layout == "bcrypt":
        return sqlbuild.fill(
            "(left(:t, length(:t2) - 53) || :salt || :digest)",
            t=text.copy(),
            t2=text.copy(),
            salt=part("substr(:t, length(:t) - 52, 22)", 1),
            digest=part("right(:t, 31)", 1 + MAX_PART),
        )
    head_length = sqlbuild.fill(layout, t=text.copy())
    rest = sqlbuild.fill("substr(:t, :h + 1)", t=text.copy(), h=head_length)
    return sqlbuild.fill(
        "(left(:t, :h) || :part || repeat('=', length(:r) - length(rtrim(:r2, '='))))",
        t=text.copy(),
        h=head_length.copy(),
        part=_part(sqlbuild.fill("rtrim(:r, '=')", r=rest.copy()), keyed, 1, punct),
        r=rest.copy(),
        r2=rest.copy(),
    )


def _part(
    part: exp.Expression, keyed: exp.Expression, start: int, punct: exp.Expression
) -> exp.Expression:
    """A salt or digest as keyed characters of its own alphabet, its length kept."""
    b64 = sqlbuild.fill("translate(encode(:k, 'base64'), chr(10), '')", k=keyed.copy())
    return sqlbuild.fill(
        "CASE WHEN :p = '' THEN ''"
        " WHEN :p ~ '^[0-9a-f]+$' THEN substr(encode(:k, 'hex'), :s, length(:p))"
        " WHEN :p ~ '^[0-9A-F]+$' THEN upper(substr(encode(:k, 'hex'), :s, length(:p)))"
        " WHEN :p ~ '^[A-Za-z0-9]+$'"
        " THEN substr(translate(:b, '+/', ''), :s, length(:p) - 1) || right(:p, 1)"
        " ELSE substr(translate(:b, '+/', :punct), :s, length(:p) - 1) || right(:p, 1) END",
        p=part,
        k=keyed,
        s=start,
        b=b64,
        punct=punct,
    )

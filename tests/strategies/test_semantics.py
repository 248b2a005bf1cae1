"""What each strategy promises beyond the common contract: bounds, formats, shapes."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from ipaddress import IPv4Interface, IPv6Interface, ip_interface, ip_network
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbrefresh.strategies.registry import get
from dbrefresh.strategies.shuffle import SHUFFLED_PREFIX
from tests.strategies.conftest import KEY_A, KEY_B, Masking

EMAIL = re.compile(r"^[a-z]+\.[a-z]+[0-9]{1,2}@example\.com$")
UNIQUE_EMAIL = re.compile(r"^[a-z]+\.[a-z]+\.[0-9a-f]{16}@staging\.test$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _nonnull(rows: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [(o, m) for o, m in rows if o is not None]


def test_email_shapes(masking: Masking) -> None:
    for _, m in _nonnull(masking.run("email", {}, "email")):
        assert EMAIL.match(m), m
    rows = _nonnull(masking.run("email", {"unique": True, "domain": "staging.test"}, "email"))
    for _, m in rows:
        assert UNIQUE_EMAIL.match(m), m


def test_date_shift_is_bounded_and_never_zero(masking: Masking) -> None:
    rows = _nonnull(masking.run("date_shift", {"max_days": 3}, "d"))
    shifts = {(m - o).days for o, m in rows}
    assert shifts <= {-3, -2, -1, 1, 2, 3} and len(shifts) > 3
    for o, m in _nonnull(masking.run("date_shift", {"max_days": 2}, "ts")):
        assert isinstance(m, datetime)
        assert (m - o).total_seconds() / 86400 in {-2, -1, 1, 2}


def test_noise_keeps_sign_scale_and_range(masking: Masking) -> None:
    for o, m in _nonnull(masking.run("noise", {"relative": 0.2}, "num")):
        assert isinstance(m, Decimal) and m.as_tuple().exponent == -2
        assert m != o
        if o != 0:
            assert (o > 0) == (m > 0) and (o < 0) == (m < 0)
            assert abs(m - o) <= abs(o) * Decimal("0.2") + Decimal("0.01")
    for o, m in _nonnull(masking.run("noise", {"absolute": 1000}, "i4")):
        assert -(2**31) <= m < 2**31
        assert 0 < abs(m - o) <= 1000
        if o != 0:
            assert (o > 0) == (m > 0) and (o < 0) == (m < 0)


def test_noise_keeps_nan_and_infinities(masking: Masking) -> None:
    """NaN and infinities name no one; noise turned Infinity into NaN (Inf - Inf)."""
    masking.conn.execute(
        "CREATE TEMP TABLE specials (id int, n numeric, f float8, r real, s numeric(8, 2));"
        "INSERT INTO specials VALUES (1, 'NaN', 'NaN', 'NaN', 'NaN'),"
        " (2, 'Infinity', 'Infinity', 'Infinity', 12.5),"
        " (3, '-Infinity', '-Infinity', '-Infinity', -7.25), (4, 3.5, 1e300, 2.5, 0.01)"
    )
    for column in ("n", "f", "r", "s"):
        rows = masking.run("noise", {"relative": 0.1}, column, table="specials")
        kept = [(o, m) for o, m in rows if str(o).lower().lstrip("-") in {"nan", "inf", "infinity"}]
        assert kept and all(str(m) == str(o) for o, m in kept), (column, kept)
        moved = [(o, m) for o, m in rows if (o, m) not in kept]
        assert moved and all(m != o and (m > 0) == (o > 0) for o, m in moved), (column, moved)


def test_generalize_buckets_and_months(masking: Masking) -> None:
    for o, m in _nonnull(masking.run("generalize", {"bucket": 10}, "num")):
        assert m % 10 == 0 and abs(m) <= abs(o) < abs(m) + 10
    for o, m in _nonnull(masking.run("generalize", {"truncate": "month"}, "d")):
        assert m == date(o.year, o.month, 1)


def test_partial_keeps_ends(masking: Masking) -> None:
    for o, m in _nonnull(masking.run("partial", {"keep_first": 2, "keep_last": 2}, "vc")):
        assert len(m) == len(o) and m[:2] == o[:2] and m[-2:] == o[-2:]
        assert set(m[2:-2]) == {"*"}


def test_phone_keeps_format_and_prefix(masking: Masking) -> None:
    for o, m in _nonnull(masking.run("phone", {"keep_prefix": 4}, "phone")):
        assert m[:4] == o[:4] and len(m) == len(o)
        assert [c.isdigit() for c in m] == [c.isdigit() for c in o]
        assert [c for c in m if not c.isdigit()] == [c for c in o if not c.isdigit()]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.text(alphabet="0123456789 +-()%#.x\u00e9", min_size=1, max_size=80),
        min_size=1,
        max_size=20,
    )
)
def test_digits_on_any_text(masking: Masking, values: list[str]) -> None:
    """Every digit is replaced by a digit; everything else stays where it was."""
    ctx = masking.context("tx")
    s = get("digits")
    expr = s.compile(s.parse_params({}), ctx).sql(dialect="postgres")
    masking.use_key(KEY_A)
    rows = masking.conn.execute(
        f'SELECT tx, {expr.replace("%", "%%")} FROM unnest(%s::text[]) AS u("tx")', (values,)
    ).fetchall()
    for o, m in rows:
        assert len(m) == len(o)
        assert [c.isdigit() for c in m] == [c.isdigit() for c in o]
        assert [c for c in m if not c.isdigit()] == [c for c in o if not c.isdigit()]
        if any(c.isdigit() for c in o):
            assert m != o


def _digits_unique(
    masking: Masking, values: list[str], params: dict[str, Any], key: str
) -> list[str]:
    ctx = masking.context("tx", unique=True)
    expr = masking.expression("digits", {"unique": True, **params}, ctx)
    masking.use_key(key)
    rows = masking.conn.execute(
        f'SELECT {expr.replace("%", "%%")} FROM unnest(%s::text[]) WITH ORDINALITY AS u("tx", n)'
        " ORDER BY n",
        (values,),
    ).fetchall()
    return [r[0] for r in rows]


def test_unique_digits_permute_a_dense_domain_without_fixed_points(masking: Masking) -> None:
    """Every 4-digit member number in use: the masked ones are the same set in another
    order (a bijection), none left as it was, the format kept."""
    numbers = [f"M-{i:02d}.{j:02d}" for i in range(100) for j in range(100)]
    masked = _digits_unique(masking, numbers, {}, KEY_A)
    assert sorted(masked) == sorted(numbers)
    assert all(m != o for o, m in zip(numbers, masked, strict=True))
    assert _digits_unique(masking, numbers[:50], {}, KEY_A) == masked[:50]  # deterministic
    other = _digits_unique(masking, numbers[:50], {}, KEY_B)
    assert sum(a != b for a, b in zip(other, masked[:50], strict=True)) > 45


def test_unique_digits_keep_the_prefix_and_long_numbers_stay_distinct(masking: Masking) -> None:
    phones = [f"+49 30 {i:07d}" for i in range(0, 2000, 7)]
    masked = _digits_unique(masking, phones, {"keep_prefix": 6}, KEY_A)
    assert all(m[:6] == "+49 30" and len(m) == len(o) for o, m in zip(phones, masked, strict=True))
    assert len(set(masked)) == len(phones)
    # 25 digits are permuted in 18-digit pieces: still one to one, still changed
    long = [f"{i:025d}" for i in range(500)] + [f"9{i:024d}" for i in range(500)]
    masked_long = _digits_unique(masking, long, {}, KEY_A)
    assert len(set(masked_long)) == len(long)
    assert all(
        m != o and m.isdigit() and len(m) == 25 for o, m in zip(long, masked_long, strict=True)
    )
    # nothing to permute: kept
    assert _digits_unique(masking, ["n/a", "", "+49"], {"keep_prefix": 3}, KEY_A) == [
        "n/a",
        "",
        "+49",
    ]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(alphabet="0123456789 +-()x\u00e9", min_size=1, max_size=40), max_size=20))
def test_unique_digits_on_any_text(masking: Masking, values: list[str]) -> None:
    masked = _digits_unique(masking, values, {}, KEY_A)
    for o, m in zip(values, masked, strict=True):
        assert len(m) == len(o)
        assert [c for c in m if not c.isdigit()] == [c for c in o if not c.isdigit()]
        assert m != o or not any(c.isdigit() for c in o)
    distinct = dict(zip(values, masked, strict=True))
    assert len(set(distinct.values())) == len(distinct)


def test_uuid_is_version_4(masking: Masking) -> None:
    for o, m in _nonnull(masking.run("uuid", {}, "tx")):
        assert UUID4.match(m) or m == o == "", m  # blank text stays blank


def test_ip_keeps_family_and_prefix(masking: Masking) -> None:
    for o, m in _nonnull(masking.run("ip", {}, "ip")):
        old, new = ip_interface(o), ip_interface(m)
        assert type(old) is type(new) and old.network.prefixlen == new.network.prefixlen
        net = "10.0.0.0/8" if isinstance(new, IPv4Interface) else "fd00::/8"
        assert new.ip in ip_network(net)
        assert isinstance(new, IPv4Interface | IPv6Interface)
    for o, m in _nonnull(masking.run("ip", {}, "net")):
        assert m.prefixlen == o.prefixlen


def test_a_cidr_network_never_masks_to_itself(masking: Masking) -> None:
    """A network is drawn in the pool at its own size, so a small pool makes the draw
    hit the original often: then the next network (or the one before) is taken. One as
    large as the pool has nowhere to move: it becomes the pool's network of its size
    (the pool itself stays), and is no leak sample."""
    masking.conn.execute(
        "CREATE TEMP TABLE nets AS SELECT row_number() OVER () AS id, n::cidr AS net"
        " FROM unnest(ARRAY['10.0.0.0/25', '10.0.0.128/25', '10.0.0.0/26', '10.0.0.64/26',"
        " '10.0.0.128/26', '10.0.0.192/26', '10.0.0.0/24', '192.168.7.0/24', '10.0.0.5/32',"
        " 'fd00::/64', 'fd00:0:0:1::/64']) AS n"
    )
    params = {"network_v4": "10.0.0.0/24", "network_v6": "fd00::/63"}
    for key in (KEY_A, KEY_B):
        for o, m in masking.run("ip", params, "net", table="nets", key=key):
            assert m.prefixlen == o.prefixlen
            pool = ip_network("10.0.0.0/24" if o.version == 4 else "fd00::/63")
            if o.prefixlen <= pool.prefixlen:
                assert m == pool.supernet(new_prefix=o.prefixlen), o
                continue
            assert m != o and m.subnet_of(pool), (o, m)
    s = get("ip")
    ctx = masking.context("net", table="nets")
    when = s.leak_sample_when(s.parse_params(params), ctx)
    assert when is not None
    sampled = masking.conn.execute(
        f"SELECT count(*) FROM nets WHERE {when.sql(dialect='postgres')}"
    ).fetchone()
    assert sampled == (9,)


def test_date_shift_by_a_column_moves_a_rows_dates_together(masking: Masking) -> None:
    """Keyed by the row's id, a date and a timestamp of one row move by the same days
    (a CHECK (ends >= starts) holds, durations stay true); rows without a key fall back
    to their own values, never to one constant shift anyone could undo."""
    params = {"max_days": 90, "by": "id"}
    dates = {o_id: (o, m) for o_id, (o, m) in enumerate(masking.run("date_shift", params, "d"))}
    stamps = masking.run("date_shift", params, "ts")
    moved = []
    for index, (o_ts, m_ts) in enumerate(stamps):
        o_d, m_d = dates[index]
        if o_d is None or o_ts is None:
            continue
        days = (m_d - o_d).days
        assert days != 0 and abs(days) <= 90
        assert m_ts - o_ts == timedelta(days=days)  # the same shift in the same row
        moved.append(days)
    assert len(set(moved)) > 10  # keyed per row, not one shift for all
    s = get("date_shift")
    missing = s.check(s.parse_params({"by": "nope"}), masking.context("d"))
    assert missing == ["by: public.people has no column 'nope'"]
    masking.conn.execute(
        "CREATE TEMP TABLE keyless AS SELECT g AS id, NULL::int AS k,"
        " date '2024-01-01' + g AS d FROM generate_series(1, 40) g"
    )
    shifts = {
        (m - o).days
        for o, m in masking.run("date_shift", {"max_days": 90, "by": "k"}, "d", table="keyless")
    }
    assert len(shifts) > 10  # each date by its own value


def test_date_shift_keeps_the_sentinels_it_is_told_to(masking: Masking) -> None:
    """'9999-12-31' means "valid forever" to the application: moved, it means a date.
    Kept values are not leak samples (they name no one); every other value moves."""
    masking.conn.execute(
        "CREATE TEMP TABLE spans AS SELECT g AS id,"
        " CASE WHEN g % 3 = 0 THEN date '9999-12-31' WHEN g % 3 = 1 THEN date '1900-01-01'"
        "  ELSE date '2020-01-01' + g END AS d,"
        " CASE WHEN g % 2 = 0 THEN timestamptz '9999-12-31 00:00:00+00'"
        "  ELSE timestamptz '2020-01-01 12:00:00+00' + g * interval '1 day' END AS ts"
        " FROM generate_series(1, 60) g"
    )
    params = {"keep": ["9999-12-31", "1900-01-01"]}
    for o, m in masking.run("date_shift", params, "d", table="spans"):
        assert (m == o) if o in (date(9999, 12, 31), date(1900, 1, 1)) else (m != o)
    kept = {"keep": ["9999-12-31 00:00:00"]}  # a timestamptz one without offset: UTC
    moved = [(o, m) for o, m in masking.run("date_shift", kept, "ts", table="spans") if o != m]
    assert len(moved) == 30 and all(o.year == 2020 for o, _ in moved)
    s = get("date_shift")
    when = s.leak_sample_when(s.parse_params(params), masking.context("d", table="spans"))
    assert when is not None
    sampled = masking.conn.execute(
        f"SELECT count(*) FROM spans WHERE {when.sql(dialect='postgres')}"
    ).fetchone()
    assert sampled == (20,)
    with pytest.raises(ValueError, match="'31/12/9999' is not an ISO date"):
        s.parse_params({"keep": ["31/12/9999"]})


def test_choice_on_enum_picks_labels(masking: Masking) -> None:
    rows = _nonnull(masking.run("choice", {}, "m"))
    assert {m for _, m in rows} <= {"sad", "ok", "happy"}


def test_lorem_has_the_length(masking: Masking) -> None:
    for o, m in _nonnull(masking.run("lorem", {}, "tx")):
        assert len(m) == len(o) and (m != o or o == "")


def test_jsonb_masks_only_listed_existing_paths(masking: Masking) -> None:
    params = {"paths": {"customer.email": "email", "customer.age": {"strategy": "noise",
              "relative": 0.5, "as": "numeric"}, "missing.path": "hash"}}  # fmt: skip
    for o, m in _nonnull(masking.run("jsonb", params, "doc")):
        if not isinstance(o, dict) or not isinstance(o.get("customer"), dict):
            assert m == o
            continue
        assert m.get("keep") == o.get("keep") and "missing" not in m
        cust, new = o["customer"], m["customer"]
        assert new.get("name") == cust.get("name")
        if cust.get("email") is None:
            assert new == cust
        else:
            assert EMAIL.match(new["email"]) and new["age"] != cust["age"]
            assert isinstance(new["age"], int | float | Decimal)


def test_jsonb_rule_masks_a_json_column_too(masking: Masking) -> None:
    """A json column (not jsonb) holding contact documents was left to a REVIEW note:
    the rule masks it through jsonb and casts back, kept keys and scalars intact."""
    masking.conn.execute(
        'CREATE TEMP TABLE docs AS SELECT 1 AS id, \'{"email": "ann@x.example",  '
        '"plan": "gold"}\'::json AS doc UNION ALL SELECT 2, \'"just text"\'::json '
        'UNION ALL SELECT 3, \'{"plan": "free"}\'::json UNION ALL SELECT 4, NULL'
    )
    ctx = masking.context("doc", table="docs")
    assert ctx.type.base == "json"
    rows = masking.run("jsonb", {"paths": {"email": "email"}}, "doc", table="docs")
    (o1, m1), (o2, m2), (o3, m3), (_, m4) = rows
    assert EMAIL.match(m1["email"]) and m1["email"] != o1["email"] and m1["plan"] == "gold"
    assert (m2, m3, m4) == (o2, o3, None)
    expr = masking.expression("jsonb", {"paths": {"email": "email"}}, ctx)
    kind = masking.conn.execute(f"SELECT pg_typeof({expr})::text FROM docs LIMIT 1").fetchone()
    assert kind == ("json",)


def test_jsonb_masks_an_array_at_a_path_element_by_element(masking: Masking) -> None:
    """Rails' audited: {"email": "x"} on create, {"email": ["old", "new"]} on update;
    the array keeps its shape, each address masked as the scalar one would be."""
    masking.conn.execute(
        "CREATE TEMP TABLE audits (id int, changes jsonb); INSERT INTO audits VALUES"
        """ (1, '{"email": "ann@x.example"}'),"""
        """ (2, '{"email": ["ann@x.example", "bo@y.example"]}'),"""
        """ (3, '{"email": []}'), (4, '{"email": ["ann@x.example", null, 7]}')"""
    )
    rows = dict(
        (i, m) for i, (_, m) in enumerate(masking.run("jsonb", {"paths": {"email": "email"}},
                                                      "changes", table="audits"), 1)
    )  # fmt: skip
    single = rows[1]["email"]
    assert EMAIL.match(single)
    old, new = rows[2]["email"]
    assert old == single and EMAIL.match(new) and new != "bo@y.example"
    assert rows[3] == {"email": []}
    first, missing, number = rows[4]["email"]
    assert first == single and missing is None and isinstance(number, str) and number != "7"


def test_template_matches_masked_columns(masking: Masking) -> None:
    first = dict(masking.run("first_name", {}, "vc"))
    rows = masking.run("template", {"template": "{first_name:vc|lower}@x.test"}, "email")
    vcs = [o for o, _ in masking.run("keep", {}, "vc")]
    for vc, (email, masked) in zip(vcs, rows, strict=True):
        if email is not None:
            assert masked.casefold() == f"{(first[vc] or '')}@x.test".casefold()


def test_template_literal_braces(masking: Masking) -> None:
    rows = _nonnull(masking.run("template", {"template": "{{{hash}}}"}, "tx"))
    assert all(m.startswith("{") and m.endswith("}") and len(m) == 34 for o, m in rows if o)
    assert all(m == "" for o, m in rows if o == "")  # blank text stays blank


def test_replacing_strategies_keep_blank_text(masking: Masking) -> None:
    """WordPress's post_password '' (no password) was hashed, and every post became
    password-protected; an empty address_2 got a street, an empty company a company."""
    masking.conn.execute(
        "CREATE TEMP TABLE posts (id int, pw text NOT NULL, line2 varchar(40));"
        "INSERT INTO posts VALUES (1, '', ''), (2, 'hunter2', 'Flat 3'), (3, '', NULL)"
    )
    for strategy in ("hash", "street", "company", "lorem", "first_name", "uuid", "partial"):
        params = {"keep_last": 2} if strategy == "partial" else {}
        rows = dict(masking.run(strategy, params, "pw", table="posts"))
        assert rows[""] == "" and rows["hunter2"] not in ("", "hunter2"), strategy
        line2 = masking.run(strategy, params, "line2", table="posts")
        assert [m for o, m in line2 if o == ""] == [""], strategy


def test_shuffle_names_the_permuted_column(masking: Masking) -> None:
    s = get("shuffle")
    assert s.row_permutation and not s.is_lossy(s.parse_params({})) and not s.leak_checked
    expr = s.compile(s.parse_params({}), masking.context("vc"))
    assert expr.sql(dialect="postgres") == f'"{SHUFFLED_PREFIX}vc"'


def test_keep_keeps(masking: Masking) -> None:
    s = get("keep")
    assert s.keeps_value and not s.leak_checked
    assert all(o == m for o, m in masking.run("keep", {}, "tags"))


def test_dictionary_entries_never_map_to_themselves(masking: Masking) -> None:
    """Run each dictionary strategy on its own dictionary: some entries pick themselves
    first (about one in the dictionary's size), and must then take the next entry."""
    for strategy, dictionary in [("first_name", "first_name"), ("city", "city"),
                                 ("company", "company"), ("lorem", "word")]:  # fmt: skip
        ctx = masking.context("tx")
        s = get(strategy)
        expr = s.compile(s.parse_params({}), ctx).sql(dialect="postgres")
        masking.use_key(KEY_A)
        same = masking.conn.execute(
            f"SELECT count(*) FROM unnest(CAST(dbrefresh.dict_{dictionary}() AS text[]))"
            f' AS u("tx") WHERE {expr} = "tx"'
        ).fetchone()
        assert same == (0,), strategy


def test_dictionary_picks_for_short_columns_are_whole_entries(masking: Masking) -> None:
    """A varchar(5) postcode got 'E0A 3' of a Canadian 'E0A 3XS', a varchar(6) first
    name 'Margue': the pick now draws from the entries that fit."""
    masking.conn.execute(
        "CREATE TEMP TABLE short (id int PRIMARY KEY, zip varchar(5), fn char(6), c varchar(1));"
        "INSERT INTO short SELECT g, lpad(g::text, 5, '0'), left('N' || g, 6), 'x'"
        " FROM generate_series(1, 300) g"
    )
    try:
        for strategy, column in [("postcode", "zip"), ("first_name", "fn")]:
            entries = _entries(masking, f"dict_{strategy}")
            masked = [m.rstrip() for _, m in masking.run(strategy, {}, column, table="short")]
            assert masked and all(m in entries for m in masked), (strategy, masked[:5])
            assert len(set(masked)) > 100  # still spread over many entries
        # fewer than two entries fit one character: cut, as before
        cut = masking.run("city", {}, "c", table="short")
        assert all(len(m) == 1 and m != "x" for _, m in cut)
    finally:
        masking.conn.execute("DROP TABLE short")


def _entries(masking: Masking, function: str) -> set[str]:
    rows = masking.conn.execute(f"SELECT unnest(dbrefresh.{function}())::text").fetchall()
    return {r[0] for r in rows}


def _masked_with(masking: Masking, strategy: str, params: dict[str, Any], ctx: Any) -> list[str]:
    expr = masking.expression(strategy, params, ctx)
    masking.use_key(KEY_A)
    rows = masking.conn.execute(f"SELECT {expr} FROM people WHERE tx IS NOT NULL").fetchall()
    return [r[0] for r in rows if r[0]]


def test_a_locale_draws_from_that_locales_dictionaries(masking: Masking) -> None:
    """A German shop's customers came out Polish, Spanish or American: `locale: de_DE`
    (on the strategy, or the rules file's default in the context) draws German ones."""
    german = _entries(masking, "dict_first_name_de_de")
    french = _entries(masking, "dict_first_name_fr_fr")
    ctx = masking.context("tx")
    mixed = _masked_with(masking, "first_name", {}, ctx)
    assert not set(mixed) <= german  # without a locale: all mixed
    own = _masked_with(masking, "first_name", {"locale": "de_DE"}, ctx)
    assert own and set(own) <= german
    defaulted = replace(ctx, locale=("de_DE",))
    assert _masked_with(masking, "first_name", {}, defaulted) == own
    # the strategy's own locale wins over the file's; a list draws from the union
    assert set(_masked_with(masking, "first_name", {"locale": "fr_FR"}, defaulted)) <= french
    both = _masked_with(masking, "first_name", {"locale": ["de_DE", "fr_FR"]}, ctx)
    assert set(both) <= german | french
    assert set(both) & german - french and set(both) & french - german
    # addresses and email names follow too
    streets = _masked_with(masking, "street", {}, defaulted)
    assert set(streets) <= _entries(masking, "dict_street_de_de")
    locals_ = {m.split("@")[0].rstrip("0123456789").split(".")[0]
               for m in _masked_with(masking, "email", {}, defaulted)}  # fmt: skip
    assert locals_ <= _entries(masking, "dict_email_first_de_de")


def test_pick_takes_the_next_entry_when_the_first_is_the_original(masking: Masking) -> None:
    row = masking.conn.execute(
        "SELECT dbrefresh.pick(d, h, 0, d[1 + dbrefresh.u24(h, 0) % cardinality(d)]::text),"
        " d[1 + dbrefresh.u24(h, 0) % cardinality(d)]::text,"
        " d[1 + (dbrefresh.u24(h, 0) + 1) % cardinality(d)]::text"
        " FROM (SELECT dbrefresh.dict_city() AS d, sha256('x') AS h) s"
    ).fetchone()
    assert row is not None
    picked, first, following = row
    assert picked == following != first


def test_arrays_keep_their_shape(masking: Masking) -> None:
    """Elements are masked through unnest(), which flattens: a 2x2 array came back as
    four in a row and '[0:1]={...}' started at 1, changing what the application reads."""
    masking.conn.execute(
        "CREATE TEMP TABLE shaped (id int PRIMARY KEY, tags varchar(40)[]);"
        "INSERT INTO shaped VALUES"
        " (1, '{{a@x.org,b@x.org},{c@x.org,NULL}}'), (2, '[0:1]={d@x.org,\"e,f@x.org\"}'),"
        " (3, '[2:3][1:1][0:1]={{{g@x.org,h@x.org}},{{i@x.org,j@x.org}}}'),"
        " (4, '{}'), (5, NULL), (6, '{k@x.org,l@x.org}')"
    )
    try:
        masking.use_key(KEY_A)
        expr = masking.expression("email", {}, masking.context("tags", table="shaped"))
        rows = masking.conn.execute(
            f"SELECT array_dims(tags), array_dims({expr}),"
            f" array_to_string({expr}, ',', '<null>') FROM shaped ORDER BY id"
        ).fetchall()
    finally:
        masking.conn.execute("DROP TABLE shaped")
    assert [(before, after) for before, after, _ in rows] == [
        ("[1:2][1:2]", "[1:2][1:2]"),
        ("[0:1]", "[0:1]"),
        ("[2:3][1:1][0:1]", "[2:3][1:1][0:1]"),
        (None, None),  # empty
        (None, None),  # NULL
        ("[1:2]", "[1:2]"),
    ]
    elements = [e for _, _, text in rows if text for e in text.split(",")]
    assert len(elements) == 12 and elements[3] == "<null>"  # a NULL element stays in place
    assert all(EMAIL.match(e) for e in elements if e != "<null>"), elements

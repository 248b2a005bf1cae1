"""Long values: `rules init` spent two minutes on a 30-row event table whose JSON held a
16 KB string leaf, one regular expression of the display-name test backtracking over
every split of it (quadratic); the email search, the phone extension, the postal
address split, the column-name splitter and the full-name test (titles and initials
trimmed one list copy at a time) were quadratic too. Every value detector
now reads a value in linear time.

The bound is CPU time of this process (a profiling timer, which interrupts a regular
expression too), not the wall clock: a loaded machine slows both sides alike, and the
quadratic tests took minutes where the linear ones take a fraction of a second."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import psycopg
import pytest

from dbrefresh.rules import (
    joined_names,
    lookalikes,
    mail_forms,
    people_lines,
    phones,
    pii,
    pii_values,
    postal_addresses,
    text_mentions,
)

from .helpers import generate_and_compile, rule_of, strategy_of

SIZE = 256 * 1024
CPU_SECONDS = 5  # per call, for 256 KB: the quadratic tests took minutes


class _OverBudget(Exception):
    pass


@contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Raise _OverBudget once this process has spent `seconds` of CPU time inside."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise _OverBudget

    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _repeat(unit: str) -> str:
    return unit * (SIZE // len(unit))


ADVERSARIAL = {
    "letters": _repeat("a"),
    "capitals": _repeat("A"),
    "at signs": _repeat("a@"),
    "dots": _repeat("a."),
    "words": _repeat("A a "),
    "initials": _repeat("A. "),
    "digits and spaces": _repeat("1 "),
    "one line without spaces": _repeat("ab-cd.ef/gh"),
    "inner spaces": "a" + " " * SIZE + "b",
    "json string": json.dumps({"data": _repeat("Ab0+/")}),
    "local part then no domain": _repeat("a") + "@!",
}

DETECTORS: dict[str, Callable[[str], object]] = {
    **{f"{d.kind}: {d.looks_like}": d.test for d in pii_values.DETECTORS},
    "display-name form": mail_forms.address,
    "email": pii_values.is_email,
    "phone": phones.is_phone,
    "postal address": postal_addresses.is_address,
    "contact in text": pii_values.has_contact,
    "contacts in text": text_mentions.contacts_in,
    "machine data": lookalikes.without_machine_data,
    "people in lines": people_lines.people_in,
    "joined names": joined_names.people_in,
    "column or key name": pii.normalize,
}


@pytest.mark.parametrize("value", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_value_detectors_read_a_long_value_in_linear_time(value: str) -> None:
    slow = []
    for name, detect in DETECTORS.items():
        started = time.process_time()
        try:
            with cpu_budget(CPU_SECONDS):
                detect(value)
        except _OverBudget:
            slow.append(name)
        assert time.process_time() - started < 2 * CPU_SECONDS, name
    assert not slow, slow


def test_display_name_forms_still_read() -> None:
    assert mail_forms.address('"Ann Lee" <ann@corp.example>') == "ann@corp.example"
    assert mail_forms.address("Lee, Ann < ann@corp.example >") == "ann@corp.example"
    assert mail_forms.address('"Lee <A>" <ann@corp.example>') == "ann@corp.example"
    assert mail_forms.address("<msg-1@mail.example>") == "<msg-1@mail.example>"  # no name
    assert mail_forms.address("123 <ann@corp.example>") == "123 <ann@corp.example>"
    assert pii_values.is_email("Ann Lee <ann@corp.example>")
    assert not pii_values.is_email("Ann Lee <ann@corp.example> and more")


# A Sentry-like event table: a request body of 40 KB in each event's JSON, beside the
# user's address; and a plain text column of long lines without spaces
LONG_VALUES = """
CREATE TABLE events (id int PRIMARY KEY, data jsonb NOT NULL, body text, email text);
INSERT INTO events
SELECT g,
  jsonb_build_object('user', jsonb_build_object('email', 'user' || g || '@example.com'),
    'request', jsonb_build_object('data', repeat('QWxhZGRpbjpvcGVu' || g, 2500))),
  repeat('Ab0+/' || g, 8000),
  'person' || g || '@example.org'
FROM generate_series(1, 40) g;
ANALYZE events;
"""


def test_rules_init_reads_long_values_and_still_finds_emails(make_db, tmp_path: Path) -> None:
    dsn = make_db(prefix="rinit")
    with psycopg.connect(dsn) as conn:
        conn.execute(LONG_VALUES)
    started = time.process_time()
    with cpu_budget(120):  # took over ten minutes of CPU
        text, _ = generate_and_compile(dsn, tmp_path)
    assert time.process_time() - started < 240
    assert strategy_of(text, "public.events", "email") == "email", text
    assert rule_of(text, "public.events", "data")["paths"] == {"user.email": "email"}, text

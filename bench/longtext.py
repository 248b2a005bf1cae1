"""Benchmark: dbrefresh on long text, jsonb documents and a partitioned table.

Three scenarios, each from its own source database copied twice with CREATE
DATABASE ... TEMPLATE (same data for both timings), VACUUM ANALYZEd and CHECKPOINTed:

  documents: long bodies (4-18 kB, TOASTed) and a title under `lorem`, a jsonb
             metadata document (author, signers[], history[]) masked by five
             wildcard paths, a file name; against CREATE TABLE AS SELECT * + PK and
             against a copy that recompresses every body (the floor for any masking
             that writes new text);
  events:    range-partitioned by month, email `{unique, fold_case}` and ip masked,
             payload kept; against a partitioned copy filled by INSERT ... SELECT + PK;
  events-nofold: the same without fold_case.

Without --dsn a throw-away PostgreSQL 15 is started (bench/anonymize.py's settings).

Run: .venv/bin/python bench/longtext.py [--dsn DSN] [--documents N] [--events N]
     [--partitions N] [--only documents,events,events-nofold]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
from anonymize import FIRST, LAST, heartbeat, say, settle, throwaway_server

from dbrefresh.anonymize.api import anonymize, mark_clone
from dbrefresh.db import with_database
from dbrefresh.workflow.sqlutil import create_database, drop_database

BODY_WORDS = (
    "the contract party agrees payment within days of invoice delivery services goods "
    "warranty liability clause termination notice written form court jurisdiction "
    "confidential information shall not disclose third parties except required by law "
    "schedule annex amendment signature effective date renewal period fees taxes "
    "der vertrag partei zahlung innerhalb tagen rechnung lieferung leistung haftung "
    "kündigung frist schriftform gericht vertraulich informationen dritte gesetz anlage"
)
WORDS = [*BODY_WORDS.split(), *FIRST, *LAST]

BUILD_DOCUMENTS = """
CREATE TABLE documents (
    id bigint PRIMARY KEY, title text NOT NULL, body text NOT NULL,
    metadata jsonb, file_name text, created_at timestamptz NOT NULL);
CREATE TEMP TABLE corpus AS
SELECT string_agg((%(words)s::text[])[1 + ('x' || left(md5(i::text), 7))::bit(28)::int
                                          %% %(nwords)s], ' ' ORDER BY i) AS t
  FROM generate_series(1, 40000) i;
CREATE TEMP TABLE people AS
SELECT p, f || ' ' || l AS name, lower(f || '.' || l || p) || '@mail.example.org' AS email,
       '+49 30 ' || lpad(((p * 7919) %% 10000000)::text, 7, '0') AS phone
  FROM generate_series(0, 999) p,
       LATERAL (SELECT (%(first)s::text[])[1 + p %% 15] f,
                       (%(last)s::text[])[1 + (p / 15) %% 10] l) n;
INSERT INTO documents
SELECT g,
       'Contract ' || g || ' with ' || a.name,
       substring(c.t FROM (1 + (g * 104729) %% 100000)::int FOR (4000 + (g * 7919) %% 14000)::int),
       jsonb_build_object(
           'author', jsonb_build_object('name', a.name, 'email', a.email),
           'signers', (SELECT jsonb_agg(jsonb_build_object(
                               'name', s.name, 'email', s.email, 'phone', s.phone))
                         FROM people s WHERE s.p BETWEEN g %% 990 AND g %% 990 + g %% 25),
           'history', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                               'by', h.name, 'email', h.email, 'at', '2025-01-01')), '[]')
                         FROM people h WHERE h.p BETWEEN g %% 950 AND g %% 950 + g %% 40 - 1),
           'pages', 1 + g %% 40),
       'contract_' || replace(a.name, ' ', '_') || '_' || g || '.pdf',
       timestamptz '2020-01-01' + make_interval(secs => (g * 97) %% 150000000)
  FROM generate_series(1::bigint, %(rows)s) g
  JOIN people a ON a.p = g %% 1000
  CROSS JOIN corpus c;
"""

BUILD_EVENTS = """
CREATE TABLE events (
    id bigint NOT NULL, created_at timestamptz NOT NULL, email text NOT NULL,
    ip inet, kind text NOT NULL, payload jsonb,
    PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)
"""

PARTITIONS = """
SELECT format('CREATE TABLE events_%%s PARTITION OF events FOR VALUES FROM (%%L) TO (%%L)',
              to_char(m, 'YYYY_MM'), m, m + interval '1 month')
  FROM generate_series(timestamptz '2024-01-01',
                       timestamptz '2024-01-01' + (%(parts)s - 1) * interval '1 month',
                       interval '1 month') m
"""

FILL_EVENTS = """
INSERT INTO events
SELECT g,
       timestamptz '2024-01-01' + ((g * 7919) %% %(parts)s) * interval '1 month'
           + make_interval(secs => (g * 97) %% 2400000),
       'user' || (g %% 40000) || '@mail.example.org',
       ('10.' || (g %% 256) || '.' || ((g / 256) %% 256) || '.' || (g * 7 %% 256))::inet,
       (ARRAY['click', 'view', 'login', 'logout'])[1 + g %% 4],
       jsonb_build_object('path', '/page/' || (g %% 500), 'ms', g %% 900)
  FROM generate_series(1::bigint, %(rows)s) g
"""

DOCUMENT_RULES = """\
version: 1
defaults: {unlisted_columns: fail, seed_env: DBREFRESH_SEED}
tables:
  public.documents:
    columns:
      id: keep
      title: lorem
      body: lorem
      metadata:
        strategy: jsonb
        paths:
          author.name: full_name
          author.email: email
          signers.*.name: full_name
          signers.*.email: email
          signers.*.phone: {strategy: digits, keep_prefix: 3}
          history.*.by: full_name
          history.*.email: email
      file_name: file_name
      created_at: keep
"""

EVENT_RULES = """\
version: 1
defaults: {{unlisted_columns: fail, seed_env: DBREFRESH_SEED}}
tables:
  public.events:
    columns:
      id: keep
      created_at: keep
      email: {{strategy: email, unique: true{fold}}}
      ip: ip
      kind: keep
      payload: keep
"""

DOCUMENT_BASELINES = {
    "plain copy": [
        "CREATE TABLE documents_copy AS SELECT * FROM documents",
        "ALTER TABLE documents_copy ADD PRIMARY KEY (id)",
    ],
    "copy recompressing text": [
        "CREATE TABLE documents_copy AS SELECT id, title || '' AS title, body || '' AS body,"
        " metadata, file_name || '' AS file_name, created_at FROM documents",
        "ALTER TABLE documents_copy ADD PRIMARY KEY (id)",
    ],
}

EVENT_BASELINES = {
    "plain copy": [
        "CREATE TABLE events_copy (LIKE events INCLUDING ALL) PARTITION BY RANGE (created_at)",
        "SELECT format('CREATE TABLE %I PARTITION OF events_copy %s', c.relname || '_copy',"
        " pg_get_expr(c.relpartbound, c.oid)) FROM pg_inherits i"
        " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass",
        "INSERT INTO events_copy SELECT * FROM events",
    ],
}


@dataclass(frozen=True)
class Scenario:
    name: str
    rules: str
    baselines: dict[str, list[str]]


def build(dsn: str, scenario: str, args: argparse.Namespace) -> None:
    with (
        psycopg.connect(dsn, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn,
        heartbeat(f"{scenario} build"),
    ):
        if scenario == "documents":
            conn.execute(
                BUILD_DOCUMENTS,
                {
                    "words": WORDS,
                    "nwords": len(WORDS),
                    "first": FIRST,
                    "last": LAST,
                    "rows": args.documents,
                },
            )
        else:
            conn.execute(BUILD_EVENTS)
            for (statement,) in conn.execute(PARTITIONS, {"parts": args.partitions}).fetchall():
                conn.execute(statement)
            conn.execute(FILL_EVENTS, {"parts": args.partitions, "rows": args.events})
        size = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()
    say(f"{scenario}: source built ({size[0] if size else '?'})")


def time_dbrefresh(dsn: str, rules: Path) -> float:
    settle(dsn)
    started = time.perf_counter()
    with heartbeat("dbrefresh anonymize"):
        mark_clone(dsn)
        anonymize(dsn, [rules], seed="bench", progress=False)
    return time.perf_counter() - started


def time_baseline(dsn: str, statements: list[str]) -> float:
    settle(dsn)
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        for statement in statements:
            cur = conn.execute(statement)
            if statement.startswith("SELECT format"):
                for (ddl,) in cur.fetchall():
                    conn.execute(ddl)
        conn.commit()
    return time.perf_counter() - started


def run_scenario(admin_dsn: str, scenario: Scenario, args: argparse.Namespace) -> list[str]:
    tag = uuid.uuid4().hex[:8]
    source = f"bench_src_{tag}"
    copies = [f"bench_{i}_{tag}" for i in range(1 + len(scenario.baselines))]
    lines = []
    try:
        create_database(admin_dsn, source)
        build(with_database(admin_dsn, source), scenario.name.split("-")[0], args)
        settle(with_database(admin_dsn, source))
        for copy in copies:
            create_database(admin_dsn, copy, template=source)
        with tempfile.TemporaryDirectory(prefix="dbrefresh-bench-rules-") as tmp:
            rules = Path(tmp) / "rules.yaml"
            rules.write_text(scenario.rules, encoding="utf-8")
            ours = time_dbrefresh(with_database(admin_dsn, copies[0]), rules)
        say(f"{scenario.name}: dbrefresh anonymize {ours:.2f}s")
        lines.append(f"{scenario.name:15} dbrefresh anonymize      {ours:7.2f}s")
        for copy, (label, statements) in zip(copies[1:], scenario.baselines.items(), strict=True):
            plain = time_baseline(with_database(admin_dsn, copy), statements)
            say(f"{scenario.name}: {label} {plain:.2f}s")
            lines.append(f"{scenario.name:15} {label:24} {plain:7.2f}s  ratio {ours / plain:.2f}")
    finally:
        for name in (*copies, source):
            drop_database(admin_dsn, name)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--dsn", help="admin DSN of a server to use (default: start one)")
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--only", default="documents,events,events-nofold")
    args = parser.parse_args()
    scenarios = {
        "documents": Scenario("documents", DOCUMENT_RULES, DOCUMENT_BASELINES),
        "events": Scenario("events", EVENT_RULES.format(fold=", fold_case: true"), EVENT_BASELINES),
        "events-nofold": Scenario("events-nofold", EVENT_RULES.format(fold=""), EVENT_BASELINES),
    }
    chosen = [scenarios[name] for name in args.only.split(",")]

    def run_all(dsn: str) -> None:
        lines = [line for scenario in chosen for line in run_scenario(dsn, scenario, args)]
        print(f"documents: {args.documents:,}  events: {args.events:,} in {args.partitions} parts")
        print("\n".join(lines))

    if args.dsn:
        run_all(args.dsn)
        return
    with throwaway_server() as dsn:
        run_all(dsn)


if __name__ == "__main__":
    main()

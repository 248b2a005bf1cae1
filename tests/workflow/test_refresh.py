"""A full refresh on the local backend, end to end, against real servers."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from wfsupport import Production, Setup, config_text, webhook_receiver

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend
from dbrefresh.backends.local import chown_for_server
from dbrefresh.backends.localfiles import log_dirs
from dbrefresh.backends.localpg import remove_tree
from dbrefresh.workflow.bytesearch import search_tree


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup]) -> Setup:
    return make_setup("e2e")


@pytest.fixture(scope="module")
def webhook() -> Iterator[tuple[str, list[dict[str, object]]]]:
    with webhook_receiver("/hooks/secret-token") as hook:
        yield hook


@pytest.fixture(scope="module")
def first_run(
    setup: Setup, production: Production, webhook: tuple[str, list[dict[str, object]]]
) -> dict[str, object]:
    setup.write_config(webhook=webhook[0])
    before = production.checksum()
    proc = setup.cli("run", "--json", check=True)
    return {
        "proc": proc,
        "before": before,
        "after": production.checksum(),
        "report": json.loads(proc.stdout),
    }


def test_run_refreshes_staging_with_masked_data(
    setup: Setup, production: Production, first_run: dict[str, object]
) -> None:
    report = first_run["report"]
    assert isinstance(report, dict) and report["state"] == "done"
    assert [s["state"] for s in report["steps"]] == ["done"] * 11
    with psycopg.connect(production.server.dsn("shop")) as conn:
        prod = dict(conn.execute("SELECT id, email FROM customers").fetchall())
    staged = dict(setup.query("SELECT id, email FROM customers"))
    assert staged.keys() == prod.keys()
    assert not set(staged.values()) & set(prod.values())
    assert setup.query("SELECT count(*) FROM sessions") == [(0,)]
    assert setup.refreshed_by() == report["run_id"]
    # keyed hashes and the masking key's fingerprint served verify, not staging's readers
    assert setup.query(
        "SELECT (SELECT count(*) FROM dbrefresh.leak_hashes), "
        "(SELECT count(*) FROM dbrefresh.masking_key)"
    ) == [(0, 0)]
    # production untouched, byte for byte of its rows
    assert first_run["before"] == first_run["after"]


def test_warnings_reach_the_journal_and_the_webhook(
    setup: Setup, first_run: dict[str, object], webhook: tuple[str, list[dict[str, object]]]
) -> None:
    """A materialized view the clone cannot refresh is emptied, not shipped with rows from
    before masking, and the nightly job's owners are told."""
    report = first_run["report"]
    assert isinstance(report, dict)
    [anonymize] = [s for s in report["steps"] if s["name"] == "anonymize"]
    expected = "shop: materialized view public.ledger_summary emptied (WITH NO DATA)"
    assert any(w.startswith(expected) for w in anonymize["data"]["warnings"])
    assert "the ledger link exists in production only" in anonymize["data"]["warnings"][0]
    sent = webhook[1][-1]
    assert any(str(w).startswith(expected) for w in sent["dbrefresh"]["warnings"])  # type: ignore[index,union-attr]
    assert expected in str(sent["text"])
    assert setup.query(
        "SELECT relispopulated FROM pg_class WHERE relname = 'ledger_summary'", "shop"
    ) == [(False,)]
    # the demo shop's own materialized view was refreshed from the masked customers
    assert setup.query(
        "SELECT count(*) FROM gold_customers g JOIN customers c USING (id, email, phone)", "shop"
    ) == setup.query("SELECT count(*) FROM customers WHERE loyalty_tier = 'gold'", "shop")


def test_isolation_and_finalize(
    setup: Setup, production: Production, first_run: dict[str, object]
) -> None:
    assert setup.query("SELECT count(*) FROM pg_subscription WHERE subenabled", "postgres") == [
        (0,)
    ]
    assert setup.query("SELECT subslotname FROM pg_subscription", "postgres") == [(None,)]
    assert setup.query("SELECT count(*) FROM pg_replication_slots", "postgres") == [(0,)]
    # the uncovered warehouse database was dropped (config: uncovered_databases: drop)
    assert setup.query(
        "SELECT count(*) FROM pg_database WHERE datname = 'warehouse'", "postgres"
    ) == [(0,)]
    tcp = setup.staging.tcp_dsn("shop", "app", setup.staging_password)
    with psycopg.connect(tcp) as conn:
        assert conn.execute("SELECT count(*) > 0 FROM customers").fetchone() == (True,)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(setup.staging.tcp_dsn("shop", "app", production.password))
    # VACUUM reached every table; the masked ones were analyzed from masked data, and
    # the untouched ones (orders: every column kept) kept production's statistics
    vacuumed = setup.query(
        "SELECT relname, last_vacuum IS NOT NULL, last_analyze IS NOT NULL "
        "FROM pg_stat_user_tables WHERE schemaname = 'public' ORDER BY relname",
        "shop",
    )
    assert all(v for _name, v, _a in vacuumed), vacuumed
    analyzed = {name for name, _v, a in vacuumed if a}
    assert {"customers", "addresses", "payment_methods", "reviews"} <= analyzed
    assert "orders" not in analyzed
    without_stats = setup.query(
        "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace "
        "AND c.relkind = 'r' AND c.reltuples > 0 "
        "AND NOT EXISTS (SELECT 1 FROM pg_statistic s WHERE s.starelid = c.oid)",
        "shop",
    )
    assert without_stats == []
    orders_stats = (
        "SELECT n_distinct FROM pg_stats WHERE tablename = 'orders' AND attname = 'status'"
    )
    with psycopg.connect(production.server.dsn("shop")) as conn:
        prod_orders = conn.execute(orders_stats).fetchall()
    assert setup.query(orders_stats, "shop") == prod_orders != []
    all_visible = (
        "SELECT relallvisible = relpages AND relpages > 0 FROM pg_class WHERE relname = 'customers'"
    )
    assert setup.query(all_visible, "shop") == [(True,)]
    # throw-away durability did not stick
    assert setup.query("SHOW fsync") == [("on",)]
    assert setup.query("SHOW wal_level")[0][0] != "minimal"


def test_no_original_value_in_any_staging_file(
    setup: Setup, production: Production, first_run: dict[str, object]
) -> None:
    needles = _originals(production, 1000)
    assert len(needles) == 1000
    hits = search_tree(setup.staging.data_dir, needles)
    assert hits == [], f"{len(hits)} original values on disk, e.g. in {hits[0].path}"


def _originals(production: Production, n: int) -> list[bytes]:
    with psycopg.connect(production.server.dsn("shop")) as conn:
        rows = conn.execute(
            "(SELECT email FROM customers ORDER BY id LIMIT %(q)s) UNION ALL "
            "(SELECT phone FROM customers ORDER BY id DESC LIMIT %(q)s) UNION ALL "
            "(SELECT iban FROM payment_methods ORDER BY id LIMIT %(q)s) UNION ALL "
            "(SELECT body FROM reviews ORDER BY id LIMIT %(r)s)",
            {"q": n // 4, "r": n - 3 * (n // 4)},
        ).fetchall()
    return [r[0].encode() for r in rows]


def test_no_password_in_output_or_logs(
    setup: Setup, production: Production, first_run: dict[str, object]
) -> None:
    proc = first_run["proc"]
    texts = [proc.stdout, proc.stderr]  # type: ignore[attr-defined]
    for path in [
        *setup.state_dir.rglob("*"),
        setup.staging.log,
        *production.server.data_dir.joinpath("log").glob("*"),
    ]:
        if path.is_file():
            texts.append(path.read_text(errors="replace"))
    for secret in (setup.staging_password, production.password, "secret-token"):
        assert not any(secret in t for t in texts), secret


def test_webhook_notified_on_success(
    first_run: dict[str, object], webhook: tuple[str, list[dict[str, object]]]
) -> None:
    payload = webhook[1][-1]
    extra = payload["dbrefresh"]
    assert isinstance(extra, dict)
    assert extra["ok"] is True and extra["run_id"] == first_run["report"]["run_id"]  # type: ignore[index]
    assert set(extra["step_seconds"]) >= {"snapshot_source", "swap", "health_check"}  # type: ignore[arg-type]
    assert "text" in payload


def test_status_shows_run_and_data_age(setup: Setup, first_run: dict[str, object]) -> None:
    proc = setup.cli("status", "--json", check=True)
    status = json.loads(proc.stdout)
    assert status["staging"]["run_id"] == first_run["report"]["run_id"]  # type: ignore[index]
    assert 0 <= status["staging"]["age_seconds"] < 600
    assert status["runs"][-1]["state"] == "done"


def test_failed_health_check_rolls_back(
    setup: Setup, first_run: dict[str, object], webhook: tuple[str, list[dict[str, object]]]
) -> None:
    previous = setup.refreshed_by()
    # passes on the current staging data, fails on any newer refresh
    setup.write_config(
        smoke=f"SELECT max(run_id) = '{previous}' FROM dbrefresh.refresh_info",
        webhook=webhook[0],
    )
    proc = setup.cli("run")
    setup.write_config(webhook=webhook[0])
    assert proc.returncode == 1, proc.stderr
    assert "rolled back" in proc.stderr
    # the summary lists what steps warned about, unwrapped
    assert "warning: shop: materialized view public.ledger_summary emptied" in proc.stdout
    assert setup.refreshed_by() == previous
    failure = webhook[1][-1]["dbrefresh"]
    assert failure["ok"] is False and failure["failed_step"] == "health_check"  # type: ignore[index]


def test_rollback_on_demand(setup: Setup, first_run: dict[str, object]) -> None:
    before = setup.refreshed_by()
    proc = setup.cli("run", "--json", check=True)
    new = json.loads(proc.stdout)["run_id"]
    assert setup.refreshed_by() == new
    setup.cli("rollback", check=True)
    assert setup.refreshed_by() == before
    assert setup.query("SELECT count(*) > 0 FROM customers") == [(True,)]


def test_second_concurrent_run_exits_2(setup: Setup) -> None:
    before = setup.refreshed_by()
    runs_before = sorted(p.name for p in (setup.state_dir / "runs").iterdir())
    first = setup.popen("run")
    try:
        _wait_for(lambda: len(list((setup.state_dir / "runs").iterdir())) > len(runs_before))
        second = setup.cli("run")
    finally:
        _out, err = first.communicate(timeout=300)
    assert second.returncode == 2, second.stderr
    assert "locked by run" in second.stderr and "Traceback" not in second.stderr
    assert "target 'e2e' is locked" in second.stderr  # the config's name, not a file's
    assert first.returncode == 0, err
    runs_after = sorted(p.name for p in (setup.state_dir / "runs").iterdir())
    assert len(runs_after) == len(runs_before) + 1  # the refused run left no trace
    assert setup.refreshed_by() != before


def test_uncovered_database_refused_before_staging_is_touched(
    setup: Setup, first_run: dict[str, object]
) -> None:
    before = setup.refreshed_by()
    setup.write_config(uncovered="refuse")
    try:
        proc = setup.cli("run")
    finally:
        setup.write_config()
    assert proc.returncode == 2
    assert "warehouse" in proc.stderr and "covered by no rule file" in proc.stderr
    assert setup.refreshed_by() == before
    backend = load_backend(config_mod.load(setup.config))
    assert backend.leftovers() == []


def test_strict_mode_passes_byte_search(setup: Setup, production: Production) -> None:
    setup.write_config(strict="true")
    try:
        proc = setup.cli("run", "--json", check=True)
    finally:
        setup.write_config()
    assert json.loads(proc.stdout)["steps"][6]["data"]["strict"] is True
    assert search_tree(setup.staging.data_dir, _originals(production, 1000)) == []


def _wait_for(cond: Callable[[], bool], timeout: float = 60) -> None:
    import time

    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError
        time.sleep(0.01)


def test_unused(tmp_path: Path) -> None:
    assert tmp_path.exists()


def test_lock_is_per_staging_not_per_config(setup: Setup, tmp_path: Path) -> None:
    """Two configs with other state directories and target names, one staging: one lock."""
    import time

    from dbrefresh.errors import LockHeldError
    from dbrefresh.workflow.lock import TargetLock, lock_location

    cfg = config_mod.load(setup.config)
    other = cfg.model_copy(
        update={
            "state_dir": tmp_path / "elsewhere",
            "target": cfg.target.model_copy(update={"name": "staging-alias"}),
        }
    )
    with (
        TargetLock(*lock_location(cfg), run_id="run-A", clock=time.time),
        pytest.raises(LockHeldError, match="run-A"),
    ):
        TargetLock(*lock_location(other), run_id="run-B", clock=time.time).acquire()
    assert lock_location(cfg) == lock_location(other)


def test_a_target_dsn_that_misses_the_running_staging_is_refused_first(
    setup: Setup, production: Production, first_run: dict[str, object]
) -> None:
    """It used to refresh all the way, swap, fail the health check on that DSN and roll
    staging back: minutes of work and two staging restarts for a typo."""
    before, prod_before = setup.refreshed_by(), production.checksum()
    runs_before = sorted(p.name for p in (setup.state_dir / "runs").iterdir())
    wrong = setup.staging.dsn().replace(f"port={setup.staging.port}", "port=1")
    assert wrong != setup.staging.dsn()
    setup.config.write_text(config_text(setup).replace(setup.staging.dsn(), wrong))
    try:
        proc = setup.cli("run")
    finally:
        setup.write_config()
    assert proc.returncode == 2, proc.stderr
    assert "target.dsn: cannot connect" in proc.stderr and "Traceback" not in proc.stderr
    assert setup.refreshed_by() == before and production.checksum() == prod_before
    assert sorted(p.name for p in (setup.state_dir / "runs").iterdir()) == runs_before


def test_a_refresh_that_would_fill_the_disk_is_refused_before_copying(
    setup: Setup, production: Production, first_run: dict[str, object]
) -> None:
    """The copy lands beside staging's data, often on production's own disk: asking for
    more free space than any disk has shows the refusal, with nothing copied."""
    before, prod_before = setup.refreshed_by(), production.checksum()
    text = config_text(setup)
    setup.config.write_text(
        text.replace("  target_log:", "  min_free_ratio: 1000000\n  target_log:")
    )
    try:
        proc = setup.cli("run")
    finally:
        setup.write_config()
    assert proc.returncode == 3, proc.stderr
    assert "not enough disk space to refresh" in proc.stderr
    assert "local.min_free_ratio = 1e+06" in proc.stderr
    assert setup.refreshed_by() == before and production.checksum() == prod_before
    assert load_backend(config_mod.load(setup.config)).leftovers() == []


# Runs another refresh: after the tests that look at the first run's results.
def test_tablespaces_are_copied_beside_staging_and_follow_their_data(
    setup: Setup, production: Production, first_run: dict[str, object]
) -> None:
    """Production keeps reviews in a tablespace. A plain pg_basebackup would write the
    copy into production's own tablespace directory; each copy maps it beside staging,
    and the mapped directory lives and dies with the data directory linking to it."""
    location = production.server.data_dir.parent.parent / "production_tablespace"
    before = sorted(p.name for p in location.iterdir())
    report = json.loads(setup.cli("run", "--json", check=True).stdout)
    # (a plain pg_basebackup refuses production's non-empty directory: the run failed)
    assert sorted(p.name for p in location.iterdir()) == before != []
    beside = setup.staging.data_dir.parent
    (where,) = setup.query(
        "SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = 'shop_fast'"
    )[0]
    assert Path(where).parent == beside / f".dbrefresh-{report['run_id']}.tblspc"
    with psycopg.connect(production.server.dsn("shop")) as conn:
        reviews = conn.execute("SELECT count(*), count(DISTINCT body) FROM reviews").fetchone()
    assert setup.query("SELECT count(*) FROM reviews")[0][0] == reviews[0]
    # exactly the tablespace directories the kept data directories (staging's and the
    # previous run's, strict mode's copy) link to, each link leading to one
    kept = [setup.staging.data_dir, *beside.glob(".dbrefresh-*.prev")]
    links = [link for data in kept for link in (data / "pg_tblspc").iterdir()]
    assert len(links) == len(kept) == 2 and all(link.resolve().is_dir() for link in links)
    holders = {p for p in beside.iterdir() if p.name.endswith("tblspc")}
    assert holders == {Path(os.readlink(link)).parent for link in links}
    backend = load_backend(config_mod.load(setup.config))
    assert backend.leftovers() == []
    assert search_tree(beside, _originals(production, 1000)) == []


def test_production_keys_stay_behind_and_staging_keeps_its_own_files(
    setup: Setup, production: Production, first_run: dict[str, object]
) -> None:
    """A data directory holds files PostgreSQL does not manage: production's TLS key and
    certificate (server.key is ssl_key_file's default) came along to staging, and
    staging's own key and included configuration were left behind in the old copy."""
    prod, staging = production.server.data_dir, setup.staging.data_dir
    marker = "PRODUCTION-TLS-KEY-" + os.urandom(8).hex()
    mine = [prod / "server.key", prod / "server.crt", prod / "dba-notes.txt", prod / "certs"]
    try:
        (prod / "certs").mkdir()
        for path in [*mine[:3], prod / "certs" / "root.crt"]:
            path.write_text(marker)
        (staging / "conf.d").mkdir(exist_ok=True)
        (staging / "conf.d" / "local.conf").write_text("work_mem = '7MB'\n")
        (staging / "server.key").write_text("STAGING-KEY\n")
        with (staging / "postgresql.conf").open("a") as conf:
            conf.write("include_dir = 'conf.d'\n")
        for path in [*mine, *(prod / "certs").iterdir(), *staging.iterdir()]:
            chown_for_server(path)
        for path in (staging / "conf.d").iterdir():
            chown_for_server(path)
        setup.cli("run", check=True)
    finally:
        for path in mine:
            remove_tree(path)
    assert search_tree(setup.staging.data_dir, [marker.encode()]) == []
    assert (staging / "server.key").read_text() == "STAGING-KEY\n"
    assert setup.query("SELECT current_setting('work_mem')") == [("7MB",)]


def test_log_directories_are_the_defaults_and_the_one_in_use(tmp_path: Path) -> None:
    (tmp_path / "current_logfiles").write_text(
        "stderr pglogs/postgresql-2026-11-27.log\ncsvlog pglogs/postgresql-2026-11-27.csv\n"
    )
    assert log_dirs(tmp_path) == {"log", "pg_log", "pglogs"}
    (tmp_path / "current_logfiles").write_text("stderr /var/log/postgresql/pg.log\n")
    assert log_dirs(tmp_path) == {"log", "pg_log"}


def test_production_password_hashes_do_not_reach_staging(
    setup: Setup, production: Production, first_run: dict[str, object]
) -> None:
    """Roles come with the copy, hashes and all: an md5 hash logs in to production as it
    is. Roles without a staging password under `roles:` are left with none; `app`
    gets staging's, and the role dbrefresh reaches staging as gets the password it logs
    in with (tests/workflow/test_target_login.py)."""
    md5_hash = "md5" + os.urandom(16).hex()
    with psycopg.connect(production.server.dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE reporting LOGIN PASSWORD '{md5_hash}'")
    try:
        report = json.loads(setup.cli("run", "--json", check=True).stdout)
    finally:
        with psycopg.connect(production.server.dsn(), autocommit=True) as conn:
            conn.execute("DROP ROLE reporting")
    finalize = next(s for s in report["steps"] if s["name"] == "finalize")
    assert "reporting" in finalize["data"]["passwords_cleared"]
    assert "app" not in finalize["data"]["passwords_cleared"]
    rows = dict(setup.query("SELECT rolname, rolpassword IS NOT NULL FROM pg_authid"))
    assert rows["reporting"] is False and rows["app"] is True
    assert search_tree(setup.staging.data_dir / "global", [md5_hash.encode()]) == []
    with psycopg.connect(setup.staging.tcp_dsn("shop", "app", setup.staging_password)):
        pass  # staging's own password logs in

"""`dbrefresh status`: runs from the journal, staging's data age from refresh_info."""

from __future__ import annotations

import time
from typing import Any

import psycopg

from dbrefresh.backends import require_known
from dbrefresh.config import Config
from dbrefresh.db import connection, redact_text, with_database
from dbrefresh.errors import DbrefreshError, first_line
from dbrefresh.workflow import masking, ownership
from dbrefresh.workflow.journal import Journal
from dbrefresh.workflow.lock import TargetLock, lock_location


def staging_info(config: Config, now: float) -> dict[str, Any]:
    try:
        databases = list(masking.rules_by_database(config.rules.files))
    except DbrefreshError as exc:
        return {"error": str(exc)}
    if not databases:
        return {"error": "no rule files"}
    dsn = with_database(config.target.dsn, databases[0])
    try:
        with connection(dsn, autocommit=True) as conn:
            row = conn.execute(
                "SELECT run_id, extract(epoch FROM refreshed_at), snapshot_id, rules_digest "
                "FROM dbrefresh.refresh_info ORDER BY refreshed_at DESC LIMIT 1"
            ).fetchone()
    except psycopg.errors.UndefinedTable:
        # the raw SQL error (`relation … does not exist LINE 1: …`) said nothing useful
        return {
            "database": databases[0],
            "error": f"never refreshed by dbrefresh (its database {databases[0]} has no "
            "dbrefresh.refresh_info)",
        }
    except Exception as exc:
        return {"database": databases[0], "error": redact_text(first_line(exc), config.target.dsn)}
    if not row:
        return {"database": databases[0], "error": "no refresh_info row"}
    return {
        "database": databases[0],
        "run_id": row[0],
        "refreshed_at": float(row[1]),
        "age_seconds": now - float(row[1]),
        "snapshot_id": row[2],
        "rules_digest": row[3],
    }


def status(config: Config, *, clock: Any = time.time, limit: int = 20) -> dict[str, Any]:
    require_known(config)  # a typo showed an empty table, exit 0
    journal = Journal(config.state_dir, clock)
    # a state_dir may be shared: another target's running run is not "interrupted" here
    records = ownership.split(journal, config)[0][-limit:]
    runs = [r.to_dict() for r in records]
    dead = _dead_runs(config, clock, [r["run_id"] for r in runs if r["state"] == "running"])
    cut_short = _cut_short_rollbacks(config, clock, [r.run_id for r in records if r.rolling_back])
    for run in runs:
        if run["run_id"] in cut_short:
            run["rollback"] = INTERRUPTED
            run["next"] = (
                "a rollback of this run was interrupted (no rollback or cleanup holds the "
                f"lock of target {config.target.name!r}): staging may be stopped, or serve "
                "either data; "
                "`dbrefresh cleanup` serves staging's whole data again and says where the "
                f"rollback stood, then `dbrefresh rollback --run {run['run_id']}` finishes it "
                "if it had not happened"
            )
            if run["run_id"] in dead:
                run["state"] = INTERRUPTED
            continue
        if run["run_id"] in dead:
            run["state"] = INTERRUPTED
            not_running = (
                f"not running (no process holds the lock of target {config.target.name!r})"
            )
            if (later := journal.superseded_by(run["run_id"])) is not None:
                run["next"] = (
                    f"{not_running}; run {later} has swapped newer data into staging since: "
                    "`dbrefresh cleanup` removes what it left (resuming it is refused)"
                )
                continue
            run["next"] = (
                f"{not_running}: `dbrefresh run --resume {run['run_id']}` continues it, "
                "`dbrefresh cleanup` undoes it"
            )
    out = {
        "target": config.target.name,
        "staging": staging_info(config, clock()),
        "runs": runs,
    }
    if not config.state_dir.exists():  # a typo in state_dir: say why there are no runs
        out["note"] = f"no run recorded: state_dir {config.state_dir} does not exist"
    return out


INTERRUPTED = "interrupted"


def _target_lock(config: Config, clock: Any) -> TargetLock:
    """The target's lock, only to read who holds it (never taken here)."""
    lock_dir, name = lock_location(config)
    return TargetLock(lock_dir, name, clock=clock, label=config.target.name)


def _cut_short_rollbacks(config: Config, clock: Any, begun: list[str]) -> set[str]:
    """Runs whose journal says a rollback of them began and never ended, while no
    rollback or cleanup holds the target's lock: a SIGKILL cut it short. Unknown: none."""
    if not begun:
        return set()
    lock = _target_lock(config, clock)
    held = lock.is_held()
    if held is None:
        return set()
    if held and lock.holder().get("command", "rollback") in ("rollback", "cleanup"):
        return set()  # under way (or its holder not written yet: cannot tell)
    return set(begun)


def _dead_runs(config: Config, clock: Any, running: list[str]) -> set[str]:
    """Runs whose journal says "running" but whose process is gone (a SIGKILL, a
    machine that went down): a run holds its target's lock for its whole life, so the
    lock free, or held by another command, means the run died. Unknown: none."""
    if not running:
        return set()
    lock = _target_lock(config, clock)
    held = lock.is_held()
    if held is None:
        return set()
    if not held:
        return set(running)
    holder = lock.holder()
    if "command" not in holder:  # held, holder not written yet: cannot tell
        return set()
    return {r for r in running if r != holder.get("run_id")}

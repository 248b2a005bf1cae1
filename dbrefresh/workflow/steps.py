"""The eleven steps of a refresh (DESIGN.md "The refresh, step by step") as objects.

Each step is idempotent and returns what it wants journaled (names and locations,
never data values or secrets). `restart_at` says where a resumed run starts when this
step was interrupted: most steps redo themselves; anonymize, verify and finalize start
over from a fresh snapshot, because the originals the byte search needs are gone once
masking began (and a throw-away clone is cheap to redo).
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from dbrefresh import interrupts
from dbrefresh.anonymize import api
from dbrefresh.backends.base import CloneRef, SnapshotRef, TempServerSpec
from dbrefresh.db import redact_dsn, with_database
from dbrefresh.errors import VerdictFailed, aborted_while_undoing, first_line
from dbrefresh.findings import Severity
from dbrefresh.rules.load import load_rules
from dbrefresh.workflow import (
    clusterdbs,
    credentials,
    finalize,
    health,
    isolate,
    leakscan,
    masking,
    ownschema,
    sqlutil,
    targetlogin,
)
from dbrefresh.workflow.context import RunContext

BYTE_SEARCH_SAMPLE = 1000


class Step(ABC):
    name: ClassVar[str]
    restart_at: ClassVar[str | None] = None  # None: the step itself
    title: ClassVar[str] = ""

    @abstractmethod
    def run(self, ctx: RunContext) -> dict[str, Any]: ...


class SnapshotSource(Step):
    name, title = "snapshot_source", "snapshot production"

    def run(self, ctx: RunContext) -> dict[str, Any]:
        ref = ctx.backend.source.snapshot(ctx.run_id)
        return {"snapshot_id": ref.id, "location": ref.location}


class Clone(Step):
    name, title = "clone", "clone the snapshot"

    def run(self, ctx: RunContext) -> dict[str, Any]:
        snap = ctx.data("snapshot_source")
        ref = ctx.backend.clones.create_clone(
            ctx.run_id, SnapshotRef(snap["snapshot_id"], snap["location"])
        )
        return {"clone_id": ref.id, "location": ref.location, "pg_version": ref.pg_version}


def _clone_ref(ctx: RunContext) -> CloneRef:
    data = ctx.data("clone")
    return CloneRef(data["clone_id"], data["location"], data.get("pg_version", ""))


class StartTemp(Step):
    name, title = "start_temp", "start the temporary server"

    def run(self, ctx: RunContext) -> dict[str, Any]:
        cfg = ctx.config.temp_server
        spec = TempServerSpec(
            settings=dict(cfg.settings), replication=cfg.strict, timeout=cfg.start_timeout
        )
        dsn = ctx.backend.temp.start(ctx.run_id, _clone_ref(ctx), spec)
        return {"dsn": redact_dsn(dsn)}


class Isolate(Step):
    name, title = "isolate", "isolate the clone from production"
    restart_at = "start_temp"

    def run(self, ctx: RunContext) -> dict[str, Any]:
        admin = ctx.clone_dsn()
        # databases production keeps closed hold data too: the clone is ours to open
        opened = clusterdbs.open_all(admin, ctx.journal, ctx.run_id)
        dbs = sqlutil.databases(admin)
        ownschema.refuse_foreign_tables(admin, dbs)  # before mark_clone installs the schema
        templates = sqlutil.templates(admin)
        policies = {db: load_rules(files).isolate for db, files in ctx.databases.items()}
        report = isolate.isolate_cluster(admin, dbs, policies)
        source = redact_dsn(ctx.config.source.dsn)
        for db in dbs:
            # a marked template would hand the marker to every database staging creates
            if db not in templates or db in ctx.databases:
                api.mark_clone(with_database(admin, db), run_id=ctx.run_id, source=source)
        out: dict[str, Any] = report.to_dict()
        if opened:
            out["opened_databases"] = opened
        if warnings := report.warnings():
            out["warnings"] = warnings
        return out


class Anonymize(Step):
    name, title = "anonymize", "anonymize"
    restart_at = "snapshot_source"

    def run(self, ctx: RunContext) -> dict[str, Any]:
        admin = ctx.clone_dsn()
        present = sqlutil.databases(admin)
        templates = sqlutil.templates(admin)
        keep, drop = masking.plan_databases(
            present,
            ctx.databases,
            ctx.config.rules.uncovered_databases,
            functools.partial(_holds_data, admin),
            templates,
        )
        for db in drop:
            if db in templates:  # template1 is rebuilt empty: CREATE DATABASE needs it
                clusterdbs.drop_template(admin, db)
            else:
                sqlutil.drop_database(admin, db)
        sample_local = ctx.backend.clones.data_path(ctx.run_id) is not None
        out: dict[str, Any] = {"dropped": drop, "databases": {}}
        kept: dict[str, list[str]] = {}
        for db in keep:
            dsn = with_database(admin, db)
            files = ctx.databases[db]
            if sample_local:
                per_db = BYTE_SEARCH_SAMPLE // max(1, len(keep))
                for key, values in masking.sample_originals(dsn, load_rules(files), per_db).items():
                    ctx.originals[f"{db}:{key}"] = values
            # scrub() below deletes every statistic but kept tables' and finalize
            # analyzes what has none: analyzing here too would do that work twice.
            report = api.anonymize(
                dsn,
                files,
                seed=ctx.seed,
                seed_flag="rules.seed_file",
                progress=ctx.show_progress,
                refresh_statistics=False,
                command="run",  # its advice: start a new run, not `anonymize` again
            )
            out["databases"][db] = {"tables": len(report.tables), "seconds": report.seconds}
            emptied = {t.table: t.detail for t in report.tables if t.action == "emptied"}
            if emptied:  # materialized views the clone could not refresh (docs/anonymize.md)
                out["databases"][db]["emptied_views"] = emptied
            if warnings := report.warnings():
                out.setdefault("warnings", []).extend(f"{db}: {w}" for w in warnings)
            kept[db] = [t.table for t in report.tables if t.action == "keep"]
        masking.scrub(admin, sqlutil.databases(admin), kept)
        return out


def _holds_data(admin: str, db: str) -> bool:
    return sqlutil.user_data_count(with_database(admin, db)) > 0


class Verify(Step):
    name, title = "verify", "verify"
    restart_at = "snapshot_source"

    def run(self, ctx: RunContext) -> dict[str, Any]:
        admin = ctx.clone_dsn()
        ctx.backend.temp.flush_ahead(ctx.run_id)  # masking is done: the data is final
        problems = [
            f"{db}: covered by no rule file, yet still in the clone"
            for db in clusterdbs.uncovered(admin, ctx.databases)
        ]
        # the byte search reads files while the server checks rows: run them side by side
        clock = ctx.env.monotonic
        began = clock()
        warnings: list[str] = []
        with ThreadPoolExecutor(max_workers=1) as pool:
            search = pool.submit(self._byte_search, ctx, admin)
            for db, files in ctx.databases.items():
                report = api.verify_report(
                    with_database(admin, db), files, seed=ctx.seed, seed_flag="rules.seed_file"
                )
                # warnings (a masked column of which nothing was sampled) pass, but the
                # run's output, journal and webhook name them, as `dbrefresh verify` does
                for f in [*report.findings, *report.warnings]:
                    if f.severity is Severity.ERROR:
                        problems.append(f"{db}: {f.render()}")
                    else:
                        warnings.append(f"{db}: {f.code}: {f.render()}")
            checks = clock() - began
            searched, hits, search_seconds = search.result()
        for column, where in hits.items():
            problems.append(f"original values of {column} found in {', '.join(sorted(where))}")
        if problems:
            raise VerdictFailed("verify failed, staging untouched:\n  " + "\n  ".join(problems))
        out: dict[str, Any] = {
            "byte_search_values": searched,
            "byte_search_seconds": round(search_seconds, 3),
            "checks_seconds": round(checks, 3),
        }
        if warnings:
            out["warnings"] = warnings
        return out

    def _byte_search(self, ctx: RunContext, admin: str) -> tuple[int, dict[str, set[str]], float]:
        path = ctx.backend.clones.data_path(ctx.run_id)
        if path is None or not ctx.originals:
            return 0, {}, 0.0
        began = ctx.env.monotonic()
        with_db = functools.partial(with_database, admin)
        searched, hits = leakscan.scan(path, ctx.originals, with_db)
        return searched, hits, ctx.env.monotonic() - began


class Finalize(Step):
    name, title = "finalize", "finalize"
    restart_at = "snapshot_source"

    def run(self, ctx: RunContext) -> dict[str, Any]:
        admin = ctx.clone_dsn()
        secrets = finalize.role_secrets(ctx.config.roles, ctx.env.environment())
        login = ctx.target_login or targetlogin.reach_target(ctx.config, ctx.backend)
        # target.dsn's role gets the password dbrefresh logs in with (none: cleared)
        passwords = targetlogin.passwords(login, secrets)
        roles = finalize.reset_passwords(admin, passwords)
        cleared = credentials.clear_other_passwords(admin, set(passwords))
        settings = credentials.reset_secret_settings(admin)
        dbs = list(ctx.databases)
        info = finalize.RefreshInfo(
            run_id=ctx.run_id,
            snapshot_id=ctx.data("snapshot_source").get("snapshot_id", ""),
            rules_digest=ctx.config.rules_digest(),
            source=redact_dsn(ctx.config.source.dsn),
        )
        finalize.write_refresh_info(admin, dbs, info)
        smoke = health.try_on_copy(ctx.config, admin)  # a typo: before the swap
        finalize.vacuum_analyze(admin, sqlutil.databases(admin))
        opened = clusterdbs.opened_in_run(ctx.journal, ctx.run_id)
        closed = clusterdbs.close_again(admin, opened)  # as production keeps them
        finalize.reset_throwaway_settings(admin)
        if ctx.config.temp_server.strict:
            ctx.backend.temp.recopy(ctx.run_id)
        ctx.backend.temp.stop(ctx.run_id)
        return {
            "roles": roles,
            "passwords_cleared": cleared,
            "secret_settings_reset": settings,
            "smoke_queries_tried": smoke,
            **({"closed_again": closed} if closed else {}),
            "strict": ctx.config.temp_server.strict,
        }


class BackupTarget(Step):
    name, title = "backup_target", "keep staging's current data"

    def run(self, ctx: RunContext) -> dict[str, Any]:
        return {"backup": ctx.backend.target.backup(ctx.run_id)}


class Swap(Step):
    name, title = "swap", "swap staging onto the new data"

    def run(self, ctx: RunContext) -> dict[str, Any]:
        warnings = ctx.backend.target.swap(ctx.run_id)
        return {"warnings": warnings} if warnings else {}


class HealthCheck(Step):
    name, title = "health_check", "health check"

    def run(self, ctx: RunContext) -> dict[str, Any]:
        closed = set(clusterdbs.opened_in_run(ctx.journal, ctx.run_id))
        result = health.check(
            ctx.backend.target.dsn(),
            ctx.run_id,
            [db for db in ctx.databases if db not in closed],  # closed as in production
            ctx.config.smoke_queries,
            sleep=ctx.env.sleep,
        )
        if not result.ok:
            with interrupts.held() as hold:  # an abort may not cut the rollback short
                ctx.backend.target.rollback(ctx.run_id)
                ctx.journal.append(ctx.run_id, "rolled_back", reason="health_check")
            failure = VerdictFailed(
                "health check failed; staging rolled back to its previous data:\n  "
                + "\n  ".join(result.problems)
            )
            if (abort := hold.abort()) is not None:
                raise aborted_while_undoing(abort, f"step {self.name} had failed: {failure}")
            raise failure
        return {"smoke_queries": len(ctx.config.smoke_queries)}


class Cleanup(Step):
    name, title = "cleanup", "clean up"

    def run(self, ctx: RunContext) -> dict[str, Any]:
        """Staging already serves this run's data, proven by the health check: a failure
        or an abort here is a warning on a refresh that succeeded, not a failed run (the
        next run's prune or `dbrefresh cleanup` finishes it). docs/refresh.md"""
        target = ctx.backend.target
        try:
            keep = target.previous_runs()[-ctx.config.retention.keep_previous :]
            removed = target.prune(keep)
            ctx.backend.discard(ctx.run_id)
        except (Exception, KeyboardInterrupt) as exc:
            return {"warnings": [f"{CLEANUP_INCOMPLETE} ({first_line(exc)})"]}
        return {"pruned": removed, "kept": keep}


CLEANUP_INCOMPLETE = (
    "clean-up incomplete, staging serves this run's data; the next run or "
    "`dbrefresh cleanup` removes what is left"
)


STEPS: tuple[Step, ...] = (
    SnapshotSource(),
    Clone(),
    StartTemp(),
    Isolate(),
    Anonymize(),
    Verify(),
    Finalize(),
    BackupTarget(),
    Swap(),
    HealthCheck(),
    Cleanup(),
)
STEP_NAMES = tuple(s.name for s in STEPS)
SWAPPED_FROM = STEP_NAMES.index("swap")

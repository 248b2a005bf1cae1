"""Staging on the local backend: swapped by stop, rename, start; rolled back the same way.

Staging is never left broken and nothing is lost on failure: a directory is served or
rolled back onto only if it is a whole cluster, kept copies are ordered by when they
were kept (never by mtime, which removing files changes), a copy goes by rename to
`.deleting` first, and a `.failed` directory (staging's data while a rollback runs) is
removed only once staging is proven to start on what replaced it.
"""

from __future__ import annotations

import time
from pathlib import Path

from dbrefresh.backends import localconf, localfiles, localkept, localstartfiles
from dbrefresh.backends.locallayout import Layout
from dbrefresh.backends.localpg import PgTools
from dbrefresh.errors import InfraError, UsageError


class LocalTarget:
    def __init__(self, tools: PgTools, layout: Layout, dsn: str) -> None:
        self.tools, self.layout, self._dsn = tools, layout, dsn

    def dsn(self) -> str:
        return self._dsn

    def _start(self) -> None:
        self.tools.wait_while_stopping(self.layout.target)  # an interrupted _stop
        if not self.tools.is_running(self.layout.target):
            (self.layout.target / "postmaster.pid").unlink(missing_ok=True)
            conf = self.layout.settings.target_config_file  # Debian's /etc layout
            self.tools.start(
                self.layout.target,
                log_file=self.layout.target_log(),
                options={"config_file": str(conf)} if conf is not None else None,
            )

    def _stop(self) -> None:
        if self.layout.target.exists():
            self.tools.stop(self.layout.target, mode="fast")

    def is_serving(self) -> bool:
        return self.layout.target.exists() and self.tools.is_running(self.layout.target)

    def backup(self, run_id: str) -> str:
        """The old directory itself is the backup: the swap renames it to .prev.

        A target that does not exist yet (first refresh) has nothing to keep: "".
        """
        prev = self.layout.sibling(run_id, "prev")
        if prev.exists() or (self.layout.target / "PG_VERSION").exists():
            return str(prev)
        return ""

    def swap(self, run_id: str) -> list[str]:
        """Warnings: what could not be checked before staging was stopped."""
        cur = self.layout.target
        warnings: list[str] = []
        new = self.layout.sibling(run_id, "clone")
        prev = self.layout.sibling(run_id, "prev")
        if new.exists():
            if not localkept.is_cluster(new):
                raise InfraError(f"cannot swap: {new} is not a whole data directory")
            if cur.exists():
                if prev.exists():
                    raise InfraError(f"cannot swap: both {cur} and {prev} exist")
                # copied while staging still runs (its configuration files, keys: nothing
                # a running server writes), so the result is checked before it is stopped
                staging_logs = localfiles.log_dirs(cur)  # (current_logfiles: while it runs)
                for path in localfiles.take_staging_files(cur, new, staging_logs):
                    if self.tools.as_root:
                        localfiles.give_tree(path, self.tools.server_user)
            what = "the new data, with staging's configuration copied in,"
            warnings = self._require_startable(new, what)
            self._stop()
            if cur.exists():
                localkept.mark_kept(cur.parent, run_id)
                cur.rename(prev)
            new.rename(cur)
        elif not (cur.exists() and prev.exists()):
            raise InfraError(f"nothing to swap for run {run_id}: {new} is missing")
        self._start()
        return warnings

    def check_startable(self) -> None:
        """Refuse (exit 2) a staging whose configuration would keep it from starting again:
        the swap restarts it on new data with these files, the rollback on its old data."""
        if localkept.is_cluster(self.layout.target):
            self._require_startable(self.layout.target, "staging")

    def _require_startable(self, data: Path, what: str) -> list[str]:
        """Refuse (exit 2) data staging could not start on with its configuration, hba,
        ident and TLS files; the warnings say what could not be checked."""
        conf = self.layout.settings.target_config_file
        found = localconf.problems(self.tools, data, conf)
        if not found:
            return self._require_start_files(data, what, conf)
        where = localconf.locations(self._dsn, found) if self.is_serving() else []
        raise UsageError(
            f"{what} would not start: its configuration has errors: "
            f"{localconf.describe(found, where)}. Staging was not stopped and nothing of "
            "it changed; fix the configuration (a running server reads it only when "
            "reloaded or restarted), then run again"
        )

    def _require_start_files(self, data: Path, what: str, conf: Path | None) -> list[str]:
        """pg_hba.conf and pg_ident.conf as running staging rereads them (the swap copied
        the same files into the new data), the TLS files where the configuration names
        them: `postgres -C` reads settings only, and a bad hba line kept both the swap's
        and the rollback's start from working."""
        found = localstartfiles.tls_problems(self.tools, data, conf)
        unchecked = ""
        if self.is_serving():
            auth, unchecked = localstartfiles.auth_problems(self._dsn)
            found = [*auth, *found]
        elif localkept.is_cluster(self.layout.target):
            unchecked = "pg_hba.conf and pg_ident.conf not checked: staging was not running"
        if found:
            raise UsageError(
                f"{what} would not start: {'; '.join(found)}. Staging was not stopped and "
                "nothing of it changed; fix the files (a running server rereads pg_hba.conf "
                "and pg_ident.conf only when reloaded), then run again"
            )
        return [unchecked] if unchecked else []

    def can_roll_back(self, run_id: str) -> bool:
        prev = self.layout.sibling(run_id, "prev")
        return localkept.is_cluster(prev) and self.layout.whose(run_id) == ""

    def rollback(self, run_id: str) -> None:
        if whose := self.layout.whose(run_id):
            # (its kept copy is another staging's data: a typo'd --run would serve it here)
            raise UsageError(f"run {run_id} is not this target's ({whose}): nothing rolled back")
        cur = self.layout.target
        prev = self.layout.sibling(run_id, "prev")
        failed = self.layout.sibling(run_id, "failed")
        if prev.exists():
            if not localkept.is_cluster(prev):
                raise InfraError(
                    f"staging data kept for run {run_id} is not whole ({prev} lacks "
                    "PG_VERSION or global/pg_control): staging left as it is"
                )
            # (its configuration files: edited since, or kept from a staging whose own
            # were broken, they would stop staging for a start that fails)
            self._require_startable(prev, f"the data kept for run {run_id}")
            self._stop()
            if cur.exists():
                self.layout.retire(failed, run_id)
                cur.rename(failed)
            prev.rename(cur)
            localkept.marker(cur.parent, run_id).unlink(missing_ok=True)
        elif not failed.exists():
            raise UsageError(f"no previous staging data kept for run {run_id}")
        self._start()
        self.layout.retire(failed, run_id)
        self.layout.owners.forget(run_id)

    def ensure_serving(self) -> str:
        """Serve whole data whatever a dead run left: staging's directory if whole, else a
        whole `.failed` one, else the newest whole kept copy. `.failed` directories go
        only once staging is proven to start. Says what replaced staging's directory."""
        cur = self.layout.target
        replaced = ""
        if not localkept.is_cluster(cur):
            # a .failed directory first (what staging served when a rollback began):
            # serving it loses nothing, the kept copies stay kept
            failed = sorted((r, p) for r, kind, p in self.layout.own_siblings() if kind == "failed")
            candidates = [
                *(path for _run, path in reversed(failed)),
                *(self.layout.sibling(run, "prev") for run in reversed(self.previous_runs())),
            ]
            whole = [p for p in candidates if localkept.is_cluster(p)]
            if not whole:
                state = "is not a whole data directory" if cur.exists() else "is missing"
                raise InfraError(f"staging data directory {cur} {state} and no whole copy is kept")
            state = "was missing"
            if cur.exists():  # a half-removed copy put in place: set aside, never served
                broken = f"broken-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"
                self.layout.owners.claim(broken, work=False)
                cur.rename(self.layout.sibling(broken, "failed"))
                state = "was not a whole data directory (removed)"
            replaced = f"staging data directory {cur} {state}: serving {whole[0].name} now"
            whole[0].rename(cur)
        self._start()
        for run, kind, path in self.layout.own_siblings():
            if kind == "failed":
                self.layout.retire(path, run)
                self.layout.owners.forget(run)
        return replaced

    def previous_runs(self) -> list[str]:
        """Runs whose whole previous data is kept, oldest first (by when they were kept)."""
        parent = self.layout.target.parent
        runs = [
            run
            for run, kind, path in self.layout.own_siblings()
            if kind == "prev" and localkept.is_cluster(path)
        ]
        return list(reversed(localkept.newest_first(parent, runs)))

    def prune(self, keep_run_ids: list[str]) -> list[str]:
        """Remove kept copies not in keep_run_ids (and any that is not whole), each by
        rename then delete, with their markers; finishes removals a kill interrupted."""
        removed = []
        for run, kind, path in self.layout.own_siblings():  # never another target's
            if kind == "prev" and run not in keep_run_ids:
                self.layout.retire(path, run)
                removed.append(run)
            elif kind == "deleting":
                self.layout.remove_data_dir(path)
        parent = self.layout.target.parent
        for run, path in localkept.markers(parent):
            if not self.layout.sibling(run, "prev").exists() and self.layout.whose(run) == "":
                path.unlink(missing_ok=True)
        for run in self.layout.owners.own_markers():
            self.layout.owners.forget(run)
        return removed

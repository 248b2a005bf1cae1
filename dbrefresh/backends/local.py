"""The local backend: production and staging are PostgreSQL servers on this machine.

- source: a running server, snapshotted with pg_basebackup (the only touch on it);
- clone: that backup directory, placed beside staging's data directory (same
  filesystem, so the swap is a rename) and named after the run;
- temp server: pg_ctl on the clone with a private unix socket, no TCP, throw-away
  durability, its own pg_hba.conf, logs outside the data directory;
- target: staging's data directory served by pg_ctl; swapped by stop, rename, start;
  the previous directory is kept (retention) for rollback.

Names (everything labelled with its run id): locallayout.py. Staging: localtarget.py.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from dbrefresh.backends import localcopy, localfiles, localkept, localpaths, localtblspc
from dbrefresh.backends.base import CloneRef, Leftover, SnapshotRef, TempServerSpec
from dbrefresh.backends.locallayout import Layout as Layout
from dbrefresh.backends.localpg import PgTools, find_bindir, free_port, remove_tree
from dbrefresh.backends.localtarget import LocalTarget as LocalTarget
from dbrefresh.config import Config
from dbrefresh.db import connection
from dbrefresh.errors import InfraError, UsageError, writing

_DISCARD_IN_CLONE = (
    "postmaster.pid",
    "postmaster.opts",
    "standby.signal",
    "recovery.signal",
    "current_logfiles",
)
CLONE_CONF = (
    "# Written by dbrefresh: the source keeps its postgresql.conf outside its data\n"
    "# directory. The temporary server takes its settings from its command line.\n"
)
_EMPTY_IN_CLONE = ("pg_replslot", "pg_stat", "pg_stat_tmp")
# work_dir/RUN: what runner.new_run_id draws; other entries of a shared scratch
# directory (lost+found, another tool's) are none of dbrefresh's business
_RUN_DIR = re.compile(r"^\d{8}-\d{6}-[0-9a-f]+$")
# Free space a run needs in local.work_dir (its files there are small: the temporary
# server's log is the largest), checked with the copy's before anything is copied.
WORK_DIR_FREE = 64 * 1024**2


class LocalSource:
    def __init__(self, tools: PgTools, layout: Layout, dsn: str, min_free_ratio: float) -> None:
        self.tools, self.layout, self._dsn = tools, layout, dsn
        self.min_free_ratio = min_free_ratio

    def snapshot(self, run_id: str) -> SnapshotRef:
        clone = self.layout.sibling(run_id, "clone")
        if not clone.exists():
            self._check_free_space()
            partial = self.layout.sibling(run_id, "partial")
            pid_file = self.layout.copy_pid_file(run_id, "partial")
            localcopy.reap(pid_file, partial)  # a killed run's copy may still write there
            self.layout.remove_data_dir(partial)
            self.tools.grant_traverse(partial)
            into = self.layout.tablespace_dir(run_id, localtblspc.SNAPSHOT)
            found = localtblspc.locations(self._dsn)
            spaces = localtblspc.mapping(found, into)
            self.tools.basebackup(self._dsn, partial, tablespaces=spaces, pid_file=pid_file)
            partial.rename(clone)
            # The copy goes to disk while masking computes (pg_basebackup ran with
            # --no-sync): finalize's flush then only waits for what masking rewrote.
            self.tools.sync_dir_in_background(clone)
        return SnapshotRef(id=run_id, location=str(clone))

    def _check_free_space(self) -> None:
        """Refuse to copy production onto a filesystem it would fill. The copy lands beside
        staging's data, often on production's own disk with the local backend; masking
        then needs room for rewritten tables too (peak 1.64x production's size on the
        2 GB bench). A full disk there could stop production itself. work_dir holds no
        copy, only the run's small files and the temporary server's log: a full one
        failed the run with a bare `OSError: No space left on device`, or with pg_ctl
        unable to start the server and its log empty."""
        size = self._production_bytes() if self.min_free_ratio else None
        where = self.layout.target.parent
        needed = int(size * self.min_free_ratio) if size is not None else 0
        work = _existing(self.layout.settings.work_dir)
        same_disk = os.stat(work).st_dev == os.stat(_existing(where)).st_dev
        if needed:  # (size None: the backup role may be allowed replication connections only)
            free = shutil.disk_usage(where).free
            if free < needed + (WORK_DIR_FREE if same_disk else 0):
                raise InfraError(
                    f"not enough disk space to refresh: {where} has {_gib(free)} free; copying "
                    f"and masking production ({_gib(size or 0)}) needs about {_gib(needed)} "
                    f"(local.min_free_ratio = {self.min_free_ratio:g})"
                    + (f", and local.work_dir {_gib(WORK_DIR_FREE)} more" if same_disk else "")
                )
        free = shutil.disk_usage(work).free
        if free < WORK_DIR_FREE:
            work_dir = self.layout.settings.work_dir
            raise InfraError(
                f"not enough disk space in local.work_dir {work_dir}: {_gib(free)} free"
                f"{'' if work == work_dir else f' (on {work})'}; a run needs about "
                f"{_gib(WORK_DIR_FREE)} there (the temporary server's log, its socket and "
                "the run's files)"
            )

    def _production_bytes(self) -> int | None:
        """Size of production's databases this role may see, or None if it cannot ask."""
        try:
            with connection(self._dsn) as conn:
                row = conn.execute(
                    "SELECT sum(pg_database_size(oid))::bigint FROM pg_database "
                    "WHERE has_database_privilege(oid, 'CONNECT')"
                ).fetchone()
        except (InfraError, psycopg.Error):
            return None
        return int(row[0] or 0) if row else None

    def delete_snapshot(self, run_id: str) -> None:
        self.layout.remove_data_dir(self.layout.sibling(run_id, "partial"))


class LocalClones:
    def __init__(self, tools: PgTools, layout: Layout) -> None:
        self.tools, self.layout = tools, layout

    def create_clone(self, run_id: str, snapshot: SnapshotRef) -> CloneRef:
        path = Path(snapshot.location)
        if not (path / "PG_VERSION").exists():
            raise InfraError(f"{path} is not a PostgreSQL data directory")
        version = (path / "PG_VERSION").read_text().strip()
        ours = self.tools.major_version()
        if version != ours:
            raise InfraError(f"clone is PostgreSQL {version}, local binaries are {ours}")
        if not self.tools.is_running(path):
            conf = path / "postgresql.conf"
            if not conf.exists():
                # A Debian-style source keeps it in /etc: the backup has none, and the
                # server will not start without one. Its settings come from the command
                # line; the swap brings staging's own configuration.
                with writing(conf):
                    conf.write_text(CLONE_CONF)
                conf.chmod(0o600)
                chown_for_server(conf)
            logs = localfiles.log_dirs(path)  # before current_logfiles, naming them, goes
            for name in _DISCARD_IN_CLONE:
                (path / name).unlink(missing_ok=True)
            localfiles.empty_dirs(path, [*_EMPTY_IN_CLONE, *logs])
        return CloneRef(id=run_id, location=str(path), pg_version=version)

    def delete_clone(self, run_id: str) -> None:
        for kind in ("clone", "strict", "partial"):
            self.layout.remove_data_dir(self.layout.sibling(run_id, kind))

    def data_path(self, run_id: str) -> Path | None:
        path = self.layout.sibling(run_id, "clone")
        return path if path.exists() else None


class LocalTempServer:
    def __init__(self, tools: PgTools, layout: Layout, superuser: str) -> None:
        self.tools, self.layout, self.superuser = tools, layout, superuser

    def _clone(self, run_id: str) -> Path:
        return self.layout.sibling(run_id, "clone")

    def _port(self, run_id: str) -> int:
        """The run's port, chosen once and kept in the run directory (a resumed run finds
        its server again). Written by rename, so a run killed while writing it leaves the
        old file or none, never an empty one; an unreadable file means none was used."""
        port_file = self.layout.run_dir(run_id) / "port"
        try:
            text = port_file.read_text().strip()
        except FileNotFoundError:
            text = ""
        if text.isdigit():
            return int(text)
        port = free_port()
        port_file.parent.mkdir(parents=True, exist_ok=True)
        partial = port_file.with_name("port.partial")
        with writing(partial):
            partial.write_text(f"{port}\n")
        partial.replace(port_file)
        return port

    def dsn(self, run_id: str) -> str:
        sock = self.layout.socket_dir(run_id)
        port = self._port(run_id)
        # quoted: a work_dir with a space or a quote is a valid path (conninfo.make_conninfo)
        return make_conninfo(host=str(sock), port=port, user=self.superuser, dbname="postgres")

    def start(self, run_id: str, clone: CloneRef, spec: TempServerSpec) -> str:
        data = Path(clone.location)
        run_dir = self.layout.run_dir(run_id)
        run_dir.mkdir(parents=True, exist_ok=True)
        run_dir.chmod(0o711)
        self.tools.grant_traverse(run_dir)
        sock = self.tools.own_dir(self.layout.socket_dir(run_id))
        hba = self.tools.own_file(run_dir / "pg_hba.conf")
        with writing(hba):
            hba.write_text("local all all trust\nlocal replication all trust\n")
        ident = self.tools.own_file(run_dir / "pg_ident.conf")
        if self.tools.is_running(data):
            return self.dsn(run_id)
        (data / "postmaster.pid").unlink(missing_ok=True)
        options = {
            "listen_addresses": "",
            "unix_socket_directories": str(sock),
            "unix_socket_permissions": "0700",
            "port": str(self._port(run_id)),
            "hba_file": str(hba),
            "ident_file": str(ident),
            "cluster_name": f"dbrefresh-{run_id}",
            "max_logical_replication_workers": "0",
            "archive_mode": "off",
            "fsync": "off",
            "full_page_writes": "off",
            "synchronous_commit": "off",
            "autovacuum": "off",
            "wal_recycle": "off",
            "wal_init_zero": "on",
            "wal_keep_size": "0",
            "logging_collector": "off",
            "log_statement": "none",
            "log_min_duration_statement": "-1",
            "log_min_error_statement": "panic",
            "ssl": "off",
            # The clone keeps production's shared_preload_libraries: pg_cron's scheduler
            # would run production's jobs on unmasked data (and through any foreign server
            # or dblink they use) before isolation deactivates them. pg_cron 1.5+ honours
            # this; without pg_cron it is an inert placeholder that dies with the server.
            "cron.launch_active_jobs": "off",
            # TimescaleDB's job scheduler likewise (compression, retention, continuous
            # aggregates refreshed from unmasked rows): no background worker for it.
            "timescaledb.max_background_workers": "0",
        }
        if spec.replication:
            options.update({"wal_level": "replica", "max_wal_senders": "4"})
        else:
            options.update({"wal_level": "minimal", "max_wal_senders": "0"})
        options.update(spec.settings)
        self.tools.start(
            data, log_file=run_dir / "server.log", options=options, timeout=spec.timeout
        )
        return self.dsn(run_id)

    def stop(self, run_id: str, *, immediate: bool = False) -> None:
        for kind in ("clone", "strict"):
            data = self.layout.sibling(run_id, kind)
            if data.exists():
                self.tools.stop(data, mode="immediate" if immediate else "fast")
                if not immediate:
                    self.tools.sync_dir(data)

    def flush_ahead(self, run_id: str) -> None:
        # The server runs with fsync=off: what masking rewrote is still in the page cache.
        # The flush is I/O, verify's checks are CPU: they overlap (stop() syncs again).
        self.tools.sync_dir_in_background(self.layout.sibling(run_id, "clone"))

    def is_running(self, run_id: str) -> bool:
        return any(
            self.tools.is_running(self.layout.sibling(run_id, kind)) for kind in ("clone", "strict")
        )

    def recopy(self, run_id: str) -> None:
        clone = self._clone(run_id)
        strict = self.layout.sibling(run_id, "strict")
        if strict.exists() and not clone.exists():
            strict.rename(clone)
            return
        pid_file = self.layout.copy_pid_file(run_id, "strict")
        localcopy.reap(pid_file, strict)
        self.layout.remove_data_dir(strict)
        self.tools.grant_traverse(strict)
        into = self.layout.tablespace_dir(run_id, localtblspc.STRICT)
        found = localtblspc.locations(self.dsn(run_id))
        spaces = localtblspc.mapping(found, into)
        self.tools.basebackup(self.dsn(run_id), strict, tablespaces=spaces, pid_file=pid_file)
        self.tools.stop(clone, mode="fast")
        self.tools.sync_dir(strict)
        self.layout.remove_data_dir(clone)
        strict.rename(clone)


class LocalBackend:
    name = "local"

    def __init__(self, config: Config) -> None:
        settings = config.local
        if settings is None:
            raise UsageError("backend 'local' needs a local: section in the config")
        localpaths.check(config)  # before anything is copied, stopped or started
        self.tools = PgTools(bindir=find_bindir(settings.bin_dir))
        self.layout = Layout(settings, config.target.name)
        self.source = LocalSource(
            self.tools, self.layout, config.source.dsn, settings.min_free_ratio
        )
        self.clones = LocalClones(self.tools, self.layout)
        self.temp = LocalTempServer(self.tools, self.layout, settings.superuser)
        self.target = LocalTarget(self.tools, self.layout, config.target.dsn)
        if settings.target_config_file is not None:
            localfiles.check_config_file(settings.target_config_file, settings.target_data_dir)

    def leftovers(self) -> list[Leftover]:
        """This target's leftovers (another target's are in left_alone)."""
        return [item for item in self._found() if not item.owner]

    def left_alone(self) -> list[Leftover]:
        """Leftovers of runs that are not this target's (or cannot be told apart from
        another target's), each with whose it is (localowner.py)."""
        return [item for item in self._found() if item.owner]

    def _found(self) -> list[Leftover]:
        out = [
            Leftover(run, kind, str(path))
            for run, kind, path in self.layout.siblings()
            if kind != "prev"
        ]
        work = self.layout.settings.work_dir
        if work.exists():
            for entry in work.iterdir():
                if entry.is_dir() and _RUN_DIR.match(entry.name):
                    out.append(Leftover(entry.name, "run_dir", str(entry)))
        for run, kind, path in self.layout.siblings():
            if kind in ("clone", "strict") and self.tools.is_running(path):
                out.append(Leftover(run, "temp_server", str(path)))
        for path in self.layout.unlinked_tablespaces():
            out.append(Leftover(localtblspc.run_of(path) or "", "tablespaces", str(path)))
        for run, path in self._orphan_markers():
            out.append(Leftover(run, "kept_marker", str(path)))
        whose = {run: self.layout.whose(run) for run in {item.run_id for item in out}}
        return [dataclasses.replace(item, owner=whose[item.run_id]) for item in out]

    def claim(self, run_id: str) -> None:
        self.layout.owners.claim(run_id)

    def adopt(self, run_id: str) -> None:
        self.layout.owners.adopt(run_id)

    def _orphan_markers(self) -> list[tuple[str, Path]]:
        """Markers of kept copies that are gone (rolled back, or a swap that failed)."""
        return [
            (run, path)
            for run, path in localkept.markers(self.layout.target.parent)
            if not self.layout.sibling(run, "prev").exists()
        ]

    def discard(self, run_id: str) -> None:
        if whose := self.layout.whose(run_id):
            raise InfraError(f"run {run_id} is not this target's ({whose}): nothing of it removed")
        for kind in ("partial", "strict"):  # a copy a SIGKILL of ours left writing
            pid_file = self.layout.copy_pid_file(run_id, kind)
            localcopy.reap(pid_file, self.layout.sibling(run_id, kind))
        self.temp.stop(run_id, immediate=True)
        self.clones.delete_clone(run_id)
        self.source.delete_snapshot(run_id)
        for path in self.layout.unlinked_tablespaces():
            if localtblspc.run_of(path) == run_id:
                remove_tree(path)
        self.layout.remove_data_dir(self.layout.sibling(run_id, "deleting"))
        for run, path in self._orphan_markers():
            if run == run_id:
                path.unlink(missing_ok=True)
        remove_tree(self.layout.run_dir(run_id))
        self.layout.owners.forget(run_id)


def create(config: Config) -> LocalBackend:
    return LocalBackend(config)


def chown_for_server(path: Path) -> None:
    """Give a path to the server user when running as root (demo and tests use it)."""
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def _existing(path: Path) -> Path:
    """path, or its nearest parent that exists (work_dir is created by the run)."""
    return next((p for p in (path, *path.parents) if p.exists()), Path("/"))


def _gib(size: int) -> str:
    """A size for a message: GiB with two decimals, MiB below 1 GiB ('0.1 GiB free;
    needs about 0.1 GiB' told the user nothing)."""
    if size < 1024**2:
        return f"{size / 1024:.0f} kiB"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} MiB"
    return f"{size / 1024**3:.2f} GiB"

"""Config errors, the byte search, the journal and the lock: no server needed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wfsupport import DBREFRESH, REPO

from dbrefresh import config as config_mod
from dbrefresh.backends import known_backends, load_backend
from dbrefresh.errors import ConfigError, InfraError, LockHeldError
from dbrefresh.workflow.bytesearch import compile_needles, search_file, search_tree
from dbrefresh.workflow.journal import Journal
from dbrefresh.workflow.lock import TargetLock

GOOD = """\
version: 1
backend: local
source: {dsn: "host=/tmp port=${PGPORT_TEST:-5432} user=postgres password=${PW}"}
target: {dsn: "host=/tmp port=5433"}
rules: {files: [rules.yaml]}
local: {target_data_dir: /var/tmp/x/data, work_dir: work}
"""


def test_config_interpolates_env_and_resolves_paths(tmp_path: Path) -> None:
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(GOOD)
    cfg = config_mod.load(path, env={"PW": "s3cret"})
    assert cfg.source.dsn.endswith("port=5432 user=postgres password=s3cret")
    assert cfg.rules.files == [tmp_path / "rules.yaml"]
    assert cfg.local is not None and cfg.local.work_dir == tmp_path / "work"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("target: {dsn:", "target: {dns:"), ":4: target.dns: unknown key"),
        (("rules: {files: [rules.yaml]}", "rules: {files: 3}"), ":5: rules.files:"),
        (("${PW}", "${MISSING_VAR}"), ":3: source.dsn: environment variable MISSING_VAR"),
        (("backend: local", "backend: [local"), "invalid YAML"),
    ],
)
def test_config_errors_name_file_line_key(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(ConfigError) as err:
        config_mod.load(path, env={"PW": "x"})
    assert str(path) in str(err.value) and expected in str(err.value)


def test_unknown_backend_lists_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(GOOD.replace("backend: local", "backend: lokal"))
    cfg = config_mod.load(path, env={"PW": "x"})
    with pytest.raises(ConfigError, match=r"unknown backend 'lokal'; known: .*local"):
        load_backend(cfg)
    assert "local" in known_backends() and "base" not in known_backends()


@pytest.mark.parametrize("helper", ["localfiles", "localtblspc", "localpg", "localtarget"])
def test_a_helper_module_is_no_backend(helper: str, tmp_path: Path) -> None:
    """They used to be listed as known and then fail with AttributeError: no create."""
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(GOOD.replace("backend: local", f"backend: {helper}"))
    proc = subprocess.run(
        [*DBREFRESH, "run", "-c", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PW": "x"},
    )
    assert proc.returncode == 2, proc.stderr
    assert f"unknown backend '{helper}'; known: local" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert known_backends() == ["local"]


def test_a_journal_that_cannot_be_written_is_an_infra_error(tmp_path: Path) -> None:
    """A full state_dir (ENOSPC from /dev/full) is exit 3 with the file named."""
    journal = Journal(tmp_path, time.time)
    journal.path("run-1").parent.mkdir(parents=True)
    journal.path("run-1").symlink_to("/dev/full")
    with pytest.raises(InfraError, match=r"cannot write the run journal .*No space left"):
        journal.append("run-1", "run_start")


def test_cli_bad_config_exits_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(GOOD.replace("target: {dsn:", "target: {dns:").replace("${PW}", "hunter2"))
    proc = subprocess.run(
        [*DBREFRESH, "run", "-c", str(path)], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 2
    assert "target.dns: unknown key" in proc.stderr and "Traceback" not in proc.stderr
    assert "hunter2" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "--no-such-option"], "No such option: --no-such-option"),
        (["plan"], "Missing argument"),
        (["anonymize", "rules.yaml", "--dsn"], "requires an argument"),
        (["no-such-command"], "No such command"),
    ],
)
def test_cli_usage_mistakes_exit_2_without_traceback(args: list[str], says: str) -> None:
    proc = subprocess.run([*DBREFRESH, *args], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2, proc.stderr
    assert says in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", ["plan", "anonymize", "verify"])
def test_a_missing_rules_file_is_named_before_any_connection(command: str, tmp_path: Path) -> None:
    """The rules are local input: a mistake there is exit 2 even with no server up."""
    missing = tmp_path / "shop.yaml"
    nowhere = f"host={tmp_path} port=1 dbname=x"
    proc = subprocess.run(
        [*DBREFRESH, command, str(missing), "--dsn", nowhere],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 2, proc.stderr
    assert f"{missing}: no such file" in proc.stderr and "connect" not in proc.stderr


def test_a_run_without_a_seed_says_where_a_seed_comes_from(tmp_path: Path) -> None:
    """`run` has no --seed: the message names the config's seed_file and the variable,
    before any connection."""
    (tmp_path / "rules.yaml").write_text("version: 1\ndatabase: shop\ntables: {}\n")
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(GOOD.replace("${PW}", "x").replace("${PGPORT_TEST:-5432}", "1"))
    env = {k: v for k, v in os.environ.items() if k != "DBREFRESH_SEED"}
    proc = subprocess.run(
        [*DBREFRESH, "run", "--config", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert proc.returncode == 2, proc.stderr
    assert "set rules.seed_file in the config, or the environment variable DBREFRESH_SEED" in (
        proc.stderr
    )
    assert "--seed" not in proc.stderr and "Traceback" not in proc.stderr


CTRL_C_INSIDE_A_COMMAND = """
import sys
import dbrefresh.strategies.describe as describe
from dbrefresh.cli import main

def interrupted(*args, **kwargs):
    raise KeyboardInterrupt

describe.describe_strategies = interrupted
sys.exit(main(["strategies"]))
"""


def test_ctrl_c_exits_130_saying_so_without_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CTRL_C_INSIDE_A_COMMAND], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 130
    assert "interrupted" in proc.stderr and "Traceback" not in proc.stderr


def test_byte_search_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dbrefresh.workflow.bytesearch as bs

    monkeypatch.setattr(bs, "CHUNK", 16)
    data = b"x" * 13 + b"secret@mail.de" + b"y" * 40 + b"other-value" + b"z" * 7
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f").write_bytes(data)
    hits = search_tree(tmp_path, [b"secret@mail.de", b"other-value", b"absent!!"])
    assert sorted((h.offset, h.needle) for h in hits) == [
        (13, b"secret@mail.de"),
        (67, b"other-value"),
    ]


@settings(max_examples=60, deadline=None)
@given(
    needles=st.lists(st.binary(min_size=1, max_size=6), min_size=1, max_size=12),
    haystack=st.binary(max_size=200),
)
def test_trie_finds_what_naive_search_finds(needles: list[bytes], haystack: bytes) -> None:
    pattern = compile_needles(needles)
    assert pattern is not None
    found = {m.start() for m in pattern.finditer(haystack)}
    naive = {i for i in range(len(haystack)) for n in needles if haystack.startswith(n, i)}
    # the regex reports non-overlapping leftmost matches: every match is a real one,
    # and a haystack holding a needle always yields at least one match
    assert found <= naive
    assert bool(found) == bool(naive)


@settings(max_examples=60, deadline=None)
@given(
    needles=st.lists(
        st.binary(min_size=1, max_size=6).filter(lambda b: b"\0" not in b), min_size=1, max_size=12
    ),
    haystack=st.binary(max_size=300),
)
def test_hyperscan_reports_each_needle_at_its_first_occurrence(
    needles: list[bytes], haystack: bytes
) -> None:
    import dbrefresh.workflow.bytesearch as bs

    if bs.hyperscan is None:
        pytest.skip("no hyperscan wheel on this platform")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f"
        path.write_bytes(haystack)
        found = bs.HyperscanSearch(sorted(set(needles))).search_file(path)
    first = {n: haystack.find(n) for n in set(needles) if n in haystack}
    assert {h.needle: h.offset for h in found} == first
    assert len(found) == len(first)


def test_hyperscan_finds_needles_across_chunks_and_with_any_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dbrefresh.workflow.bytesearch as bs

    if bs.hyperscan is None:
        pytest.skip("no hyperscan wheel on this platform")
    monkeypatch.setattr(bs, "CHUNK", 16)
    odd = b"two\nlines\xff\x01"
    data = b"x" * 13 + b"secret@mail.de" + b"y" * 40 + odd + b"z" * 7 + b"secret@mail.de"
    (tmp_path / "f").write_bytes(data)
    hits = bs.search_tree(tmp_path, [b"secret@mail.de", odd, b"absent!!"])
    assert sorted((h.offset, h.needle) for h in hits) == [(13, b"secret@mail.de"), (67, odd)]
    # text values hold no NUL, but a needle with one is still searched (by the fallback)
    nul = bs.search_tree(tmp_path, [b"lines\xff\x01zz", b"x\x00"])
    assert [(h.offset, h.needle) for h in nul] == [(71, b"lines\xff\x01zz")]


def test_hyperscan_and_fallback_agree_on_which_files_leak(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dbrefresh.workflow.bytesearch as bs

    if bs.hyperscan is None:
        pytest.skip("no hyperscan wheel on this platform")
    for i in range(40):
        body = os.urandom(5000)
        if i % 7 == 0:
            body += f"customer{i}@mail.example.org".encode() + os.urandom(100)
        (tmp_path / f"rel.{i}").write_bytes(body)
    needles = [f"customer{i}@mail.example.org".encode() for i in range(40)]
    fast = {(Path(h.path).name, h.needle) for h in bs.search_tree(tmp_path, needles)}
    monkeypatch.setattr(bs, "hyperscan", None)
    slow = {(Path(h.path).name, h.needle) for h in bs.search_tree(tmp_path, needles)}
    assert fast == slow and len(fast) == 6


@pytest.mark.parametrize("matcher", ["hyperscan", "regex"])
def test_a_needle_found_everywhere_does_not_end_the_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, matcher: str
) -> None:
    """A value legitimately on disk all over (one a rule keeps) used to fill the hit
    limit and stop the search before the file holding a real leak: with per_needle,
    every file is read and each needle reported in at most that many files."""
    import dbrefresh.workflow.bytesearch as bs

    if matcher == "regex":
        monkeypatch.setattr(bs, "hyperscan", None)
    elif bs.hyperscan is None:
        pytest.skip("no hyperscan wheel on this platform")
    for i in range(40):
        (tmp_path / f"rel.{i:02}").write_bytes(os.urandom(300) + b"Europe/Berlin" + b"\0" * 9)
    (tmp_path / "rel.99").write_bytes(os.urandom(300) + b"secret@mail.de")
    needles = [b"Europe/Berlin", b"secret@mail.de"]
    hits = bs.search_tree(tmp_path, needles, per_needle=3)
    found = sorted((h.needle, Path(h.path).name) for h in hits if h.needle == b"secret@mail.de")
    assert found == [(b"secret@mail.de", "rel.99")]
    assert sum(1 for h in hits if h.needle == b"Europe/Berlin") == 3


def test_search_file_missing_is_empty(tmp_path: Path) -> None:
    pattern = compile_needles([b"abc"])
    assert pattern is not None
    assert search_file(tmp_path / "nope", pattern, 2) == []


def test_journal_survives_torn_line(tmp_path: Path) -> None:
    journal = Journal(tmp_path, time.time)
    journal.append("r1", "run_start", target="t")
    journal.append("r1", "step_start", step="snapshot_source")
    journal.append("r1", "step_done", step="snapshot_source", seconds=1.5, data={"a": 1})
    journal.append("r1", "step_start", step="clone")
    with journal.path("r1").open("a") as fh:
        fh.write('{"ts": 1, "event": "step_do')  # killed mid-write
    record = journal.read("r1")
    assert record.done("snapshot_source") and not record.done("clone")
    assert record.steps["clone"].state == "running" and record.state == "running"
    assert journal.run_ids() == ["r1"]


def test_lock_refuses_second_holder_naming_the_first(tmp_path: Path) -> None:
    first = TargetLock(tmp_path, "staging", run_id="run-A", clock=time.time)
    second = TargetLock(tmp_path, "staging", run_id="run-B", clock=time.time)
    with first:
        with pytest.raises(LockHeldError, match="locked by run run-A"):
            second.acquire()
        assert second.is_held_elsewhere()
    second.acquire()
    second.release()


def test_grep_prefilter_and_pure_scan_agree(tmp_path: Path) -> None:
    import dbrefresh.workflow.bytesearch as bs

    (tmp_path / "a").write_bytes(b"\x00\x01head anna.schmidt@web.de tail\xff")
    (tmp_path / "b").write_bytes(b"nothing to see")
    needles = [b"anna.schmidt@web.de", b"+49 151 1234567"]
    with_grep = bs.search_tree(tmp_path, needles)
    assert bs._grep_candidates(tmp_path, needles) == [tmp_path / "a"]
    # a needle with a newline cannot go to grep: the pure scan answers alone
    pure = bs.search_tree(tmp_path, [*needles, b"two\nlines"])
    assert [(h.path, h.offset) for h in with_grep] == [(h.path, h.offset) for h in pure]
    assert with_grep[0].offset == 7


def test_temp_server_port_survives_a_kill_while_it_was_written(tmp_path: Path) -> None:
    """A run killed while writing its port file left it empty; resuming chose a port
    again instead of failing on int('')."""
    from dbrefresh.backends.local import Layout, LocalTempServer
    from dbrefresh.backends.localpg import PgTools
    from dbrefresh.config import LocalBackendConfig

    layout = Layout(LocalBackendConfig(target_data_dir=tmp_path / "t", work_dir=tmp_path / "w"))
    server = LocalTempServer(PgTools(Path("/usr/lib/postgresql/15/bin")), layout, "postgres")
    (tmp_path / "w" / "run1").mkdir(parents=True)
    (tmp_path / "w" / "run1" / "port").write_text("")
    port = server._port("run1")
    assert 1024 < port < 65536
    assert (tmp_path / "w" / "run1" / "port").read_text() == f"{port}\n"
    assert server._port("run1") == port  # kept for the resumed run
    assert not (tmp_path / "w" / "run1" / "port.partial").exists()


SEARCH_UNDER_RAISING_SIGTERM = """
import signal, sys
from pathlib import Path
import dbrefresh.workflow.bytesearch as bs
from dbrefresh.errors import InfraError

def handler(signum, frame):  # what `dbrefresh run` installs (cli/refresh.py)
    raise InfraError("terminated by signal SIGTERM")

signal.signal(signal.SIGTERM, handler)
bs.PARALLEL_BYTES = 0
if sys.argv[2] == "regex":
    bs.hyperscan = None
for _ in range(3):  # a worker idle in the task queue when terminated is what shows it
    hits = bs.search_tree(Path(sys.argv[1]), [b"needle-one", b"needle-two"], workers=4)
print(len(hits))
"""


SEARCH_UNTIL_CTRL_C = """
import sys, time
from pathlib import Path
import dbrefresh.workflow.bytesearch as bs

def slow_search(path):  # each file takes a while: Ctrl-C lands while workers search
    time.sleep(0.25)
    return scan(path)

scan = bs._worker_search
bs._worker_search = slow_search
bs.PARALLEL_BYTES = 0
bs.hyperscan = None
print("searching", flush=True)
try:
    bs.search_tree(Path(sys.argv[1]), [b"needle-one"], workers=4)
    print("search finished before the signal", flush=True)
except KeyboardInterrupt:
    print("parent interrupted", flush=True)
"""


def _signal_mid_search(script: str, tmp_path: Path, signum: int) -> tuple[str, str, int]:
    """Run a search script in its own process group (its workers slowed to 0.25 s a
    file: 40 files on 4 workers last ~2.5 s), signal the whole group 1 s in."""
    for i in range(40):
        (tmp_path / f"rel.{i}").write_bytes(b"x" * 1000 + b"needle-one")
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        start_new_session=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "searching"
    time.sleep(1.0)
    os.killpg(proc.pid, signum)
    out, err = proc.communicate(timeout=60)
    return out, err, proc.returncode


def test_ctrl_c_during_a_parallel_byte_search_is_answered_once(tmp_path: Path) -> None:
    """Ctrl-C signals the whole process group: each worker printed its own traceback,
    and a worker killed inside a task could leave the pool waiting for it forever."""
    out, err, _code = _signal_mid_search(SEARCH_UNTIL_CTRL_C, tmp_path, signal.SIGINT)
    assert out.strip() == "parent interrupted"
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


SEARCH_IN_A_THREAD_UNTIL_TERMINATED = """
import sys, time, signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import dbrefresh.workflow.bytesearch as bs
from dbrefresh.errors import InfraError

def slow_search(path):
    time.sleep(0.25)
    return scan(path)

def handler(signum, frame):  # what `dbrefresh run` installs (cli/refresh.py)
    raise InfraError("terminated by signal SIGTERM")

scan = bs._worker_search
bs._worker_search = slow_search
bs.PARALLEL_BYTES = 0
bs.hyperscan = None
signal.signal(signal.SIGTERM, handler)
print("searching", flush=True)
try:
    with ThreadPoolExecutor(max_workers=1) as pool:  # as the verify step runs it
        pool.submit(bs.search_tree, Path(sys.argv[1]), [b"needle-one"], workers=4).result()
except InfraError as exc:
    print("parent:", exc, flush=True)
"""


def test_an_abort_signalling_the_whole_tree_ends_a_parallel_byte_search(
    tmp_path: Path,
) -> None:
    """Jenkins aborts a build by sending SIGTERM to every process it started: the
    workers died with their tasks, and multiprocessing.Pool waited for those forever."""
    out, err, code = _signal_mid_search(
        SEARCH_IN_A_THREAD_UNTIL_TERMINATED, tmp_path, signal.SIGTERM
    )
    assert out.strip() == "parent: terminated by signal SIGTERM", err
    assert code == 0


@pytest.mark.parametrize("matcher", ["hyperscan", "regex"])
def test_parallel_byte_search_ends_its_workers_quietly(tmp_path: Path, matcher: str) -> None:
    """The pool's terminate() SIGTERMs its workers; forked under the CLI's raising handler,
    each printed a traceback on a run that succeeded."""
    for i in range(8):
        (tmp_path / f"rel.{i}").write_bytes(os.urandom(2000) + (b"needle-one" if i % 2 else b""))
    proc = subprocess.run(
        [sys.executable, "-c", SEARCH_UNDER_RAISING_SIGTERM, str(tmp_path), matcher],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,  # unfixed, a worker dying inside the queue's lock could hang the next pool
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "4"
    assert "Traceback" not in proc.stderr, proc.stderr


def test_free_port_never_hands_out_a_port_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server listening on a unix socket only does not hold its TCP port, so the OS
    may offer it again: the demo's production and staging once got the same port and
    staging could not start (its socket lock file was production's)."""
    import dbrefresh.backends.localpg as localpg

    offered = iter([1, 1, 2])

    class OsSocket:
        def __enter__(self) -> OsSocket:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def bind(self, address: tuple[str, int]) -> None:
            self.port = next(offered)

        def getsockname(self) -> tuple[str, int]:
            return ("127.0.0.1", self.port)

    monkeypatch.setattr(localpg.socket, "socket", lambda *args: OsSocket())
    assert [localpg.free_port(), localpg.free_port()] == [1, 2]


def test_only_our_tablespace_directories_follow_a_removed_data_directory(tmp_path: Path) -> None:
    """A data directory links its tablespaces from pg_tblspc/. Removing it removes the
    tablespace directories of ours it alone links to: never a directory of someone
    else's (staging's own tablespace, set up by hand), never one another copy links to."""
    from dbrefresh.backends import localtblspc

    def data_dir(name: str, *targets: Path) -> Path:
        links = tmp_path / name / "pg_tblspc"
        links.mkdir(parents=True)
        for n, target in enumerate(targets):
            target.mkdir(parents=True, exist_ok=True)
            (links / str(16400 + n)).symlink_to(target)
        return tmp_path / name

    ours = localtblspc.directory(tmp_path, "r1", localtblspc.SNAPSHOT)
    shared = localtblspc.directory(tmp_path, "r2", localtblspc.STRICT)
    theirs = tmp_path / "fast_disk" / "ts"
    old = data_dir(".dbrefresh-r1.prev", ours / "16400", shared / "16401", theirs)
    new = data_dir("data", shared / "16401")
    orphan = localtblspc.directory(tmp_path, "r3", localtblspc.SNAPSHOT)
    orphan.mkdir()
    assert localtblspc.unlinked(tmp_path, [old, new]) == [orphan]
    localtblspc.remove_data_dir(old, tmp_path, [old, new])
    assert not old.exists() and not ours.exists()
    assert shared.is_dir() and theirs.is_dir()  # still linked / not ours
    assert localtblspc.run_of(orphan) == "r3" and localtblspc.run_of(theirs) is None


def test_a_run_swapped_over_within_the_same_second_is_superseded(tmp_path: Path) -> None:
    """Run ids order runs only to the second: a run killed at once and the next run
    shared one, and the later run's id sorted first ('...-8363' < '...-fbd1')."""
    now = iter([100.0, 100.4, 100.5, 100.6, 100.7, 100.8])
    journal = Journal(tmp_path, lambda: next(now))
    killed, later = "20261128-030523-fbd1", "20261128-030523-8363"
    journal.append(killed, "run_start", target="t")
    journal.append(killed, "step_start", step="snapshot_source")
    journal.append(later, "run_start", target="t")
    journal.append(later, "step_start", step="swap")
    assert journal.superseded_by(killed) == later
    assert journal.superseded_by(later) is None

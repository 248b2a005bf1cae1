"""A webhook that fails in any way is a warning, never the run's outcome.

`send()` caught only OSError: a webhook answering garbage (BadStatusLine), a URL with a
bad port or a space (InvalidURL) escaped as a traceback after the refresh had finished,
exit 1 (a "no" verdict's code), no summary, and InvalidURL's message printed the URL's
path with its token. A URL that is not http(s) with a host was a warning after the run;
it is refused when the config is read (file:line, exit 2).
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from wfsupport import DBREFRESH, REPO, Setup, webhook_receiver

from dbrefresh import config as config_mod
from dbrefresh.config import NotifyConfig
from dbrefresh.errors import ConfigError
from dbrefresh.notify import Outcome, send

TOKEN = "SECRETTOKEN123"
OUTCOME = Outcome("20260101-000000-abcd", "staging", True, None, None, {"snapshot": 1.0})


@pytest.fixture
def garbage_server() -> Iterator[int]:
    """A listener answering every connection with a line that is not HTTP."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(b"garbage here\r\n\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


def _unchecked(url: str) -> NotifyConfig:
    """A NotifyConfig holding a URL the loader would now refuse (send must cope anyway)."""
    return NotifyConfig.model_construct(webhook_url=url, on=["success"], timeout_seconds=5)


def test_a_garbage_answer_is_a_warning_naming_the_host_only(garbage_server: int) -> None:
    url = f"http://127.0.0.1:{garbage_server}/hooks/{TOKEN}"
    problem = send(NotifyConfig(webhook_url=url, timeout_seconds=5), OUTCOME)
    assert problem is not None and "127.0.0.1" in problem and "not HTTP" in problem
    assert TOKEN not in problem and "/hooks" not in problem


@pytest.mark.parametrize(
    "url",
    [
        f"http://127.0.0.1:47x92/hooks/{TOKEN}",
        f"https://hooks.example.com/services/T000/B000/SECRET {TOKEN}",
        f"http://user:{TOKEN}@127.0.0.1:1/services/x",
        f"http://127.0.0.1:1/services/{TOKEN}\u00e9",  # http.client: UnicodeEncodeError
    ],
    ids=["bad-port", "space", "credentials", "non-ascii"],
)
def test_a_url_urllib_cannot_use_is_a_warning_without_its_path(url: str) -> None:
    problem = send(_unchecked(url), OUTCOME)
    assert problem is not None and TOKEN not in problem and "/services" not in problem


def test_an_http_error_names_its_status() -> None:
    with webhook_receiver(f"/hooks/{TOKEN}?t={TOKEN}", status=403) as (url, _received):
        problem = send(NotifyConfig(webhook_url=url, timeout_seconds=5), OUTCOME)
    assert problem is not None and "HTTP 403 Forbidden" in problem
    assert TOKEN not in problem


GOOD = """\
version: 1
source:
  dsn: "host=/tmp port=5432"
target:
  dsn: "host=/tmp port=5433"
rules:
  files: [rules.yaml]
notify:
  webhook_url: "{url}"
local:
  target_data_dir: /var/tmp/x/data
  work_dir: work
"""


@pytest.mark.parametrize(
    "url",
    [
        "htp:/oops",
        "http:///hooks/X",
        f"http://127.0.0.1:47x92/hooks/{TOKEN}",
        f"https://hooks.example.com/T000/SECRET {TOKEN}",
    ],
)
def test_a_webhook_url_that_cannot_be_posted_to_is_refused_at_load(
    tmp_path: Path, url: str
) -> None:
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(GOOD.format(url=url))
    with pytest.raises(ConfigError) as err:
        config_mod.load(path, env={})
    assert f"{path}:9: notify.webhook_url: not an http(s) URL with a host" in str(err.value)
    assert TOKEN not in str(err.value) and "oops" not in str(err.value)
    proc = subprocess.run(
        [*DBREFRESH, "run", "-c", str(path)], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_an_empty_webhook_url_means_none(tmp_path: Path) -> None:
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(GOOD.format(url=""))
    assert config_mod.load(path, env={}).notify.webhook_url == ""


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup]) -> Setup:
    return make_setup("notify")


def test_a_failing_webhook_leaves_the_runs_outcome_and_summary(
    setup: Setup, garbage_server: int
) -> None:
    setup.write_config(webhook=f"http://127.0.0.1:{garbage_server}/hooks/{TOKEN}")
    try:
        proc = setup.cli("run")
    finally:
        setup.write_config()
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Traceback" not in out and TOKEN not in out
    assert ": ok" in proc.stdout  # the summary table's title
    assert "warning: webhook notification to 127.0.0.1 failed" in proc.stderr
    run_id = setup.refreshed_by()
    assert run_id is not None
    journal = (setup.state_dir / "runs" / run_id / "journal.jsonl").read_text()
    events = [json.loads(line) for line in journal.splitlines()]
    failed = [e for e in events if e["event"] == "notify_failed"]
    assert failed and "not HTTP" in failed[0]["error"] and TOKEN not in journal


@pytest.fixture
def silent_webhook() -> Iterator[int]:
    """A listener that takes connections (the kernel's backlog) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


def _interrupted_at_notify(setup: Setup, port: int, **config: str) -> tuple[int, str, str]:
    """`dbrefresh run`, Ctrl-C while its webhook hangs; (exit code, stdout, stderr)."""
    setup.write_config(webhook=f"http://127.0.0.1:{port}/hooks/{TOKEN}", **config)
    try:
        proc = setup.popen("run")
        assert proc.stderr is not None
        seen = []
        for line in proc.stderr:
            seen.append(line)
            if "notifying 127.0.0.1 ..." in line:
                break
        time.sleep(0.5)  # inside the POST's wait for an answer
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert time.monotonic() - sent < 8, "the interrupt did not cut the wait short"
    finally:
        setup.write_config()
    return proc.returncode, out, "".join(seen) + err


def test_ctrl_c_while_the_webhook_hangs_leaves_a_done_runs_summary(
    setup: Setup, silent_webhook: int
) -> None:
    code, out, err = _interrupted_at_notify(setup, silent_webhook)
    assert code == 0, out + err
    assert ": ok" in out  # the summary table's title
    assert "warning: notification interrupted" in err
    assert TOKEN not in out + err and "/hooks" not in out + err
    assert "Traceback" not in out + err


def test_ctrl_c_while_the_webhook_hangs_keeps_a_failed_runs_error(
    setup: Setup, silent_webhook: int
) -> None:
    code, out, err = _interrupted_at_notify(
        setup, silent_webhook, smoke="SELECT count(*) < 0 FROM customers"
    )
    assert code == 1, out + err  # the health check's "no" verdict, not 130
    assert "FAILED" in out
    assert "error: health check failed" in err and "interrupted (Ctrl-C)" not in err
    assert "warning: notification interrupted" in err

"""One error hierarchy; each error knows its exit code so the CLI boundary maps it once.

Exit codes (DESIGN.md): 0 success, 1 a "no" verdict, 2 bad usage/config/rules,
3 infrastructure failure.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from dbrefresh.findings import Finding

EXIT_OK = 0
EXIT_VERDICT = 1
EXIT_USAGE = 2
EXIT_INFRA = 3
EXIT_INTERRUPTED = 130  # the shell's code for SIGINT (Ctrl-C)


def first_line(exc: BaseException) -> str:
    """An error's message as one line (PostgreSQL's DETAIL and HINT follow on others)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class DbrefreshError(Exception):
    """Base of every error dbrefresh raises on purpose."""

    exit_code: ClassVar[int] = EXIT_INFRA


class UsageError(DbrefreshError):
    """The user asked for something that cannot be done as asked."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """dbrefresh.yaml is malformed or inconsistent (message names file, line and key)."""


class RulesError(UsageError):
    """Rule files are malformed or do not match the live schema.

    Carries every finding, so one run shows all problems, not just the first.
    """

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        super().__init__("\n".join(f.render() for f in self.findings))


class NotACloneError(UsageError):
    """Refusal to anonymize a database that has no clone marker (it may be production)."""


class MaskingRefused(UsageError):
    """The clone refused the masked values (a CHECK or NOT NULL constraint, a column's
    type): a property of the rules and the data, so retrying cannot help."""


class LockHeldError(UsageError):
    """Another run holds the lock on this target."""


class VerdictFailed(DbrefreshError):
    """A check said no: verify found leaks, or the gate judged a migration unsafe."""

    exit_code = EXIT_VERDICT


class InfraError(DbrefreshError):
    """PostgreSQL, Kubernetes or GCE was unreachable or refused."""

    exit_code = EXIT_INFRA


class Aborted(DbrefreshError):
    """SIGTERM (a Jenkins abort, a systemd stop) turned into an error where the command
    is. Its own type, not an InfraError: code that tolerates or retries a server's
    refusal (`except InfraError`) swallowed the abort, and the run went on to "done"."""

    exit_code = EXIT_INFRA


class Interrupted(Aborted):
    """Ctrl-C that arrived where it could not be raised (while a run undid a failure):
    the command ends with it once that is done, exit 130 like any Ctrl-C."""

    exit_code = EXIT_INTERRUPTED


def aborted_while_undoing(abort: BaseException, failure: str) -> Aborted:
    """The abort (SIGTERM, Ctrl-C) that arrived while a failure was being undone and was
    held until the undo finished, naming that failure too."""
    if isinstance(abort, KeyboardInterrupt):
        return Interrupted(f"interrupted (Ctrl-C) {_UNDOING}; {failure}")
    return Aborted(f"{abort} {_UNDOING}; {failure}")


_UNDOING = "while undoing a failed run (the undo was finished first)"


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """An OSError while writing `path` as an InfraError naming it: a write or close on a
    full disk raises one without a file name (`OSError: [Errno 28] No space left on
    device`, and nothing said where)."""
    try:
        yield
    except OSError as exc:
        raise InfraError(f"cannot write {path}: {exc.strerror or exc}") from None

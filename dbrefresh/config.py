"""dbrefresh.yaml: typed models (pydantic v2), `${ENV}` interpolation, located errors.

Every error names the file, the line and the dotted key (`dbrefresh.yaml:7: target.dsn:
field required`) and is a ConfigError (exit 2). Relative paths are resolved against
the directory of the config file. Secrets are never values in the file: role passwords
name an environment variable, and DSNs may interpolate `${VAR}` (always shown redacted).
"""

from __future__ import annotations

import hashlib
import os
import re
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from dbrefresh import dsncheck
from dbrefresh.errors import ConfigError

DEFAULT_FILE = "dbrefresh.yaml"
_ENV = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def checked_dsn(dsn: str) -> str:
    """A connection string libpq can read (dsncheck.py), refused at load otherwise."""
    problem = dsncheck.problem(dsn)
    if problem is not None:
        raise ValueError(problem)
    return dsn


Dsn = Annotated[str, AfterValidator(checked_dsn)]


class SourceConfig(_Model):
    dsn: Dsn = Field(description="libpq DSN of production (read by pg_basebackup only)")


class TargetConfig(_Model):
    name: str = Field(default="staging", description="Names the lock and the runs of this target")
    dsn: Dsn = Field(description="DSN the health check uses to reach staging")


class RulesConfig(_Model):
    files: list[Path] = Field(description="One rule file per database")
    uncovered_databases: Literal["refuse", "drop"] = Field(
        default="refuse", description="What to do with a database no rule file covers"
    )
    seed_file: Path | None = Field(
        default=None,
        description="File holding the masking seed (default: the env variable rules name)",
    )


def setting_text(value: Any) -> Any:
    """A PostgreSQL setting as the server takes it: YAML reads `1000` as a number and
    `on` as a boolean, both valid values; anything else is left to be refused."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int | float):
        return str(value)
    return value


SettingValue = Annotated[str, BeforeValidator(setting_text)]


class TempServerConfig(_Model):
    settings: dict[str, SettingValue] = Field(
        default_factory=dict, description="Extra settings for the temporary server"
    )
    strict: bool = Field(
        default=False, description="Copy the masked cluster onto a fresh directory (pg_basebackup)"
    )
    start_timeout: int = Field(
        default=300, gt=0, description="Seconds the temporary server may take to start"
    )


class RolePassword(_Model):
    """Where a staging role's password comes from: an env variable or a file (k8s secret)."""

    password_env: str | None = Field(default=None, description="Env variable holding the password")
    password_file: Path | None = Field(default=None, description="File holding the password")

    @model_validator(mode="after")
    def _one_source(self) -> RolePassword:
        if (self.password_env is None) == (self.password_file is None):
            raise ValueError("give exactly one of password_env or password_file")
        return self


class SmokeQuery(_Model):
    database: str
    sql: str
    name: str | None = None


class RetentionConfig(_Model):
    keep_previous: int = Field(default=1, ge=1, description="Old staging data directories kept")


class LockConfig(_Model):
    timeout_seconds: float = Field(default=0, ge=0, description="Wait this long for the lock")


def _both_outcomes() -> list[Literal["success", "failure"]]:
    return ["success", "failure"]


def webhook_host(url: str) -> str | None:
    """The host of an http(s) URL urllib can POST to, None when it cannot (no host, a
    bad port, whitespace or control characters); the URL itself is never shown, its
    path or query authorizes posting."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    return parts.hostname


def checked_webhook(url: str | None) -> str | None:
    """An http(s) URL with a host, refused at load (it was a warning after the run)."""
    if url and webhook_host(url) is None:
        raise ValueError(
            "not an http(s) URL with a host (e.g. https://chat.example.com/hooks/…; "
            "a space, a bad port or a missing host, the URL itself is not shown: it is "
            "a secret)"
        )
    return url


class NotifyConfig(_Model):
    webhook_url: Annotated[str | None, AfterValidator(checked_webhook)] = None
    on: list[Literal["success", "failure"]] = Field(default_factory=lambda: _both_outcomes())
    timeout_seconds: float = 10


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|min|s|m|h|d)?\s*$")
_DURATION_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|min|s|m|h|d)\s*")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, None: 1}
_DURATION_EXAMPLES = "e.g. 500ms, 30s, 5m, 1m30s, 1h30m, 24h, 2d"


def _compound_duration(text: str) -> float | None:
    """'1h30m', '1m30s', '2d 12h': parts largest unit first, each unit once (else None)."""
    parts: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        part = _DURATION_PART.match(text, position)
        if part is None or part.end() == position:
            return None
        parts.append((part[1], part[2]))
        position = part.end()
    sizes = [_DURATION_UNITS[unit] for _, unit in parts]
    if len(parts) < 2 or any(a <= b for a, b in pairwise(sizes)):
        return None
    return sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?b?)\s*$", re.I)


def parse_duration(value: object) -> float:
    """Seconds from '500ms', '30s', '5m', '24h', '2d', compounds written as people write
    them ('1m30s', '1h30m', largest unit first) or a bare number of seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match:
        return float(match[1]) * _DURATION_UNITS[match[2]]
    compound = _compound_duration(value) if isinstance(value, str) else None
    if compound is None:
        raise ValueError(f"{value!r} is not a duration ({_DURATION_EXAMPLES})")
    return compound


def parse_size(value: object) -> int:
    """Bytes from '1GB', '500MB', '64kB' or a bare number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{value!r} is not a size (e.g. 1GB, 500MB)")
    power = "bkmgt".index((match[2] or "b")[0].lower())
    return int(float(match[1]) * 1024**power)


Seconds = Annotated[float, BeforeValidator(parse_duration)]
Bytes = Annotated[int, BeforeValidator(parse_size)]


class GateConfig(_Model):
    """Thresholds of `dbrefresh gate --config` (its flags override each of them)."""

    # Thresholds are > 0: at 0 every statement is heavy or every lock too long, which
    # --trace says plainly; a negative one is a typo, refused rather than obeyed.
    heavy_rows: int = Field(
        default=100_000, gt=0, description="Rows that make a blocking statement heavy (traced)"
    )
    heavy_size: Bytes = Field(
        default=1 << 30, gt=0, description="Table size that makes it heavy: 1GB, 500MB or bytes"
    )
    warn_rows: int = Field(default=10_000, gt=0, description="Rows worth a warning")
    max_lock: Seconds = Field(
        default=5.0,
        gt=0,
        description="Longest a lock blocking reads or writes may be held, and longest "
        "writes may wait in the probes (500ms, 5s, or seconds)",
    )
    max_total: Seconds = Field(
        default=180.0, gt=0, description="Longest the whole migration may take"
    )
    max_age: Seconds = Field(
        default=86400.0, description="Refresh staging before a trace when its data is older"
    )

    @model_validator(mode="after")
    def _warn_not_above_heavy(self) -> GateConfig:
        # a warning threshold above the heavy one never warns: a typo (swapped values)
        if {"warn_rows", "heavy_rows"} <= self.model_fields_set and (
            self.warn_rows > self.heavy_rows
        ):
            raise ValueError(
                f"warn_rows ({self.warn_rows}) must not exceed heavy_rows ({self.heavy_rows})"
            )
        return self


class LocalBackendConfig(_Model):
    """Settings of the `local` backend (servers driven by pg_ctl on this machine)."""

    target_data_dir: Path = Field(description="Staging's data directory (served by pg_ctl)")
    first_refresh: bool = Field(
        default=False,
        description="Staging has no data directory yet: the run creates target_data_dir "
        "(otherwise a missing one is refused, as a likely typo)",
    )
    work_dir: Path = Field(description="Temporary sockets, logs and run files")
    bin_dir: str | None = Field(default=None, description="PostgreSQL binaries (default: auto)")
    superuser: str = "postgres"
    target_log: Path | None = Field(default=None, description="Staging server log (pg_ctl -l)")
    target_config_file: Path | None = Field(
        default=None,
        description="Staging's postgresql.conf when it lives outside the data directory "
        "(Debian: /etc/postgresql/15/main/postgresql.conf); staging starts with it",
    )
    min_free_ratio: float = Field(
        default=2.0,
        ge=0,
        description="Free space needed beside staging's data, as a multiple of production's "
        "size, before copying it (0: no check)",
    )


class Config(_Model):
    version: Literal[1] = 1
    backend: str = Field(
        default="local", description="Backend module name (local; gce and kube are not built yet)"
    )
    state_dir: Path = Field(default=Path(".dbrefresh"), description="Journals and locks")
    source: SourceConfig
    target: TargetConfig
    rules: RulesConfig
    temp_server: TempServerConfig = Field(default_factory=lambda: TempServerConfig())
    roles: dict[str, RolePassword] = Field(default_factory=dict)
    smoke_queries: list[SmokeQuery] = Field(default_factory=list)
    retention: RetentionConfig = Field(default_factory=lambda: RetentionConfig())
    lock: LockConfig = Field(default_factory=lambda: LockConfig())
    notify: NotifyConfig = Field(default_factory=lambda: NotifyConfig())
    gate: GateConfig = Field(default_factory=lambda: GateConfig())
    local: LocalBackendConfig | None = None
    gce: dict[str, Any] | None = None
    kube: dict[str, Any] | None = None

    path: Path | None = Field(default=None, exclude=True, description="Where this config was read")
    # line of each key in the file: checks made after loading (paths on disk) name them too
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    def where(self, *key: str | int) -> str:
        """`file:line: ` of a key (its section's line if unset), for errors found later."""
        if self.path is None:
            return ""
        line = self._lines.get(key) or self._lines.get(key[:-1]) or 1
        return f"{self.path}:{line}: "

    def rules_digest(self) -> str:
        digest = hashlib.sha256()
        for file in sorted(self.rules.files):
            digest.update(file.name.encode())
            digest.update(file.read_bytes() if file.exists() else b"")
        return digest.hexdigest()[:16]


def load(path: Path | str, *, env: dict[str, str] | None = None) -> Config:
    """Read, interpolate and validate a config file; ConfigError names file:line:key."""
    path = Path(path)
    environ = dict(os.environ) if env is None else env
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if root is None:
        raise ConfigError(f"{path}: empty config")
    lines: dict[tuple[str | int, ...], int] = {}
    data = _to_python(root, (), lines, environ, path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the config must be a mapping")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_render_errors(path, exc, lines)) from None
    base = path.resolve().parent
    _resolve_paths(config, base)
    _refuse_shell_paths(config, path, lines)
    config.path = path.resolve()
    config._lines = lines
    if config.backend == "local" and config.local is None:
        line = lines.get(("backend",), 1)
        raise ConfigError(f"{path}:{line}: local: section required by backend 'local'")
    return config


def find_config(explicit: Path | None, directory: Path | None = None) -> Path:
    """The config to use: --config, else DIR/dbrefresh.yaml, else ./dbrefresh.yaml."""
    if explicit is not None:
        return explicit
    if directory is not None:
        return directory / DEFAULT_FILE
    return Path(DEFAULT_FILE)


def _resolve_paths(config: Config, base: Path) -> None:
    def fix(p: Path) -> Path:
        return p if p.is_absolute() else (base / p).resolve()

    config.state_dir = fix(config.state_dir)
    config.rules.files = [fix(f) for f in config.rules.files]
    if config.rules.seed_file is not None:
        config.rules.seed_file = fix(config.rules.seed_file)
    for role in config.roles.values():
        if role.password_file is not None:
            role.password_file = fix(role.password_file)
    if config.local is not None:
        config.local.target_data_dir = fix(config.local.target_data_dir)
        config.local.work_dir = fix(config.local.work_dir)
        if config.local.target_log is not None:
            config.local.target_log = fix(config.local.target_log)
        if config.local.target_config_file is not None:
            config.local.target_config_file = fix(config.local.target_config_file)


# pg_ctl starts postgres through /bin/sh with the data directory, the log file and the
# binary's path inside double quotes: there `$`, a backquote, `"` and `\\` are the
# shell's, not the path's (a `$HOME` in a log path was expanded, staging did not start).
_SHELL_SPECIAL = re.compile(r'[$`"\\\n]')


def _refuse_shell_paths(
    config: Config, path: Path, lines: dict[tuple[str | int, ...], int]
) -> None:
    """Refuse, before anything changes, a path pg_ctl would hand to the shell mangled."""
    if config.local is None:
        return
    local = config.local
    paths = {
        "target_data_dir": local.target_data_dir,
        "work_dir": local.work_dir,
        "target_log": local.target_log,
        "bin_dir": local.bin_dir,
    }
    for key, value in paths.items():
        if value is None or not _SHELL_SPECIAL.search(str(value)):
            continue
        line = lines.get(("local", key), lines.get(("local",), 1))
        raise ConfigError(
            f"{path}:{line}: local.{key}: {str(value)!r} holds $, a backquote, a double "
            "quote, a backslash or a newline: pg_ctl passes this path through /bin/sh, "
            "which would change it; choose a path without them"
        )


def _to_python(
    node: yaml.Node,
    key: tuple[str | int, ...],
    lines: dict[tuple[str | int, ...], int],
    env: dict[str, str],
    path: Path,
) -> Any:
    lines[key] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            name = str(knode.value)
            if name in out:  # YAML keeps the last one silently (as the rules loader, refused)
                raise ConfigError(
                    f"{path}:{knode.start_mark.line + 1}: {_dotted((*key, name))}: duplicate "
                    f"key (also at line {lines[(*key, name)]}); give it once"
                )
            lines[(*key, name)] = knode.start_mark.line + 1
            out[name] = _to_python(vnode, (*key, name), lines, env, path)
            lines[(*key, name)] = knode.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(v, (*key, i), lines, env, path) for i, v in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    value = yaml.SafeLoader("").construct_object(node)
    if isinstance(value, str):
        return _interpolate(value, env, f"{path}:{lines[key]}: {_dotted(key)}")
    return value


def _interpolate(value: str, env: dict[str, str], where: str) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group("name")
        if name in env:
            return env[name]
        if match.group("default") is not None:
            return match.group("default")
        raise ConfigError(f"{where}: environment variable {name} is not set")

    return _ENV.sub(sub, value)


def _dotted(key: tuple[str | int, ...]) -> str:
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(root)"


def _render_errors(
    path: Path, exc: ValidationError, lines: dict[tuple[str | int, ...], int]
) -> str:
    messages = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        line = None
        probe = loc
        while probe and line is None:
            line = lines.get(probe)
            probe = probe[:-1]
        line = line or lines.get((), 1)
        messages.append(f"{path}:{line}: {_dotted(loc)}: {_message(err)}")
    return "\n".join(messages)


def _message(err: Any) -> str:
    kind = err.get("type")
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return "unknown key"
    return str(err.get("msg", "invalid value")).removeprefix("Value error, ")

"""Webhook notifications (Rocket.Chat / Slack incoming-webhook JSON) after a run.

The payload carries the run id, the outcome, the failing step, step durations and what
steps warned about (a kept foreign server, an emptied materialized view); the
webhook URL is a secret (it authorizes posting) and never appears in output or logs.
A failing webhook is reported, never fatal: the refresh outcome stands. Whatever the
endpoint does (refuses, times out, answers garbage: http.client.BadStatusLine; a URL
urllib cannot use: InvalidURL) is one warning naming the host and the cause, never the
URL's path, query or credentials. Those escaped as a traceback after the refresh had
finished: exit 1 (a "no" verdict's code), no summary, the token printed.
"""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from dbrefresh.config import NotifyConfig, webhook_host


@dataclass(frozen=True)
class Outcome:
    run_id: str
    target: str
    ok: bool
    failed_step: str | None
    error: str | None
    step_seconds: Mapping[str, float]
    warnings: tuple[str, ...] = ()  # what steps flagged without failing


def payload(outcome: Outcome) -> dict[str, object]:
    total = sum(outcome.step_seconds.values())
    status = "succeeded" if outcome.ok else "FAILED"
    lines = [f"dbrefresh run {outcome.run_id} on {outcome.target} {status} in {total:.1f}s"]
    if not outcome.ok:
        lines.append(f"failing step: {outcome.failed_step}: {(outcome.error or '')[:500]}")
    durations = ", ".join(f"{k} {v:.1f}s" for k, v in outcome.step_seconds.items())
    fields = [
        {"title": "run id", "value": outcome.run_id, "short": True},
        {"title": "target", "value": outcome.target, "short": True},
        {"title": "steps", "value": durations, "short": False},
    ]
    if outcome.failed_step:
        fields.append({"title": "failing step", "value": outcome.failed_step, "short": True})
    if outcome.warnings:
        lines += [f"warning: {w[:500]}" for w in outcome.warnings]
        fields.append({"title": "warnings", "value": "\n".join(outcome.warnings), "short": False})
    return {
        "text": "\n".join(lines),
        "attachments": [{"color": "good" if outcome.ok else "danger", "fields": fields}],
        "dbrefresh": {
            "run_id": outcome.run_id,
            "target": outcome.target,
            "ok": outcome.ok,
            "failed_step": outcome.failed_step,
            "step_seconds": dict(outcome.step_seconds),
            "total_seconds": total,
            "warnings": list(outcome.warnings),
        },
    }


def destination(config: NotifyConfig, outcome: Outcome) -> str | None:
    """The host `send` will POST this outcome to (for a "notifying HOST" line: the wait
    can last timeout_seconds), None when it posts nothing. Never the URL itself."""
    if not config.webhook_url or ("success" if outcome.ok else "failure") not in config.on:
        return None
    return webhook_host(config.webhook_url) or "the webhook"


def send(config: NotifyConfig, outcome: Outcome) -> str | None:
    """POST the payload if configured for this outcome; returns an error text or None.
    Never raises: a notification cannot change the run's outcome."""
    url = config.webhook_url
    if not url or destination(config, outcome) is None:
        return None
    host = webhook_host(url)
    if not url.startswith(("http://", "https://")) or host is None:
        return "notify.webhook_url must be an http(s) URL with a host"
    try:
        body = json.dumps(payload(outcome)).encode()
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=config.timeout_seconds) as resp:  # noqa: S310
            resp.read()
    except Exception as exc:  # whatever it is, the refresh's outcome stands
        return f"webhook notification to {host} failed: {_cause(exc, url)}"
    return None


def _cause(exc: Exception, url: str) -> str:
    """What went wrong, in words that cannot hold the URL's secret parts."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}".strip()
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, socket.timeout | TimeoutError):
            return "timed out"
        if isinstance(reason, OSError) and reason.strerror:
            return reason.strerror
        return _scrubbed(str(reason), url)
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, http.client.InvalidURL):
        return "urllib cannot use this URL (a bad port, a space or a control character)"
    if isinstance(exc, http.client.BadStatusLine):
        return "the answer was not HTTP (bad status line)"
    if isinstance(exc, http.client.HTTPException):
        return f"invalid HTTP answer ({type(exc).__name__})"
    if isinstance(exc, UnicodeError):
        return "the URL holds characters HTTP cannot carry (percent-encode them)"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


def _scrubbed(text: str, url: str) -> str:
    """`text` without any piece of the URL beyond its host (path, query, credentials)."""
    for part in _secret_parts(url):
        text = text.replace(part, "***")
    return text


def _secret_parts(url: str) -> list[str]:
    parts = urlsplit(url)
    secret = [url, parts.path, parts.query, parts.fragment, parts.netloc.rpartition("@")[0]]
    return [p for p in secret if len(p) > 1]

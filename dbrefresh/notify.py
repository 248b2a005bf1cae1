"""Webhook notifications (Rocket.Chat / Slack incoming-webhook JSON) after a run.

The payload carries the run id, the outcome, the failing step, step durations and what
steps warned about (a kept foreign server, an emptied materialized view); the
webhook URL is a secret (it authorizes posting) and never appears in output or logs.
A failing webhook is reported, never fatal: the refresh outcome stands.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from dbrefresh.config import NotifyConfig


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


def send(config: NotifyConfig, outcome: Outcome) -> str | None:
    """POST the payload if configured for this outcome; returns an error text or None."""
    if not config.webhook_url:
        return None
    if ("success" if outcome.ok else "failure") not in config.on:
        return None
    body = json.dumps(payload(outcome)).encode()
    if not config.webhook_url.startswith(("http://", "https://")):
        return "notify.webhook_url must be an http(s) URL"
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        config.webhook_url,
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=config.timeout_seconds) as resp:  # noqa: S310
            resp.read()
    except OSError as exc:
        return f"webhook notification failed: {type(exc).__name__}"
    return None

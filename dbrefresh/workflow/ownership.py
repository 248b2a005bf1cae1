"""Which runs are this target's, when targets share a state_dir, a work_dir or a parent.

Several targets (config files) may share directories: one state_dir for a CI agent's
configs, one work_dir on a scratch disk, staging data directories side by side. Each
run's journal names its target twice (run_start): `target`, the config's name, and
`owner`, what the target's lock stands for (on the local backend staging's data
directory: two configs of one data directory are one target, and two configs that
both kept the default name `staging` are not). `cleanup`, the next run's removal of
dead runs, `status` and `rollback` take only their own target's runs; the backend's
owner markers (backends/localowner.py) keep its files apart likewise.

A journal of an older dbrefresh has no `owner`: it is this target's when it names this
target (or none: a run_start torn by a kill), unless another target of the same name
has journals in this state_dir, in which case it cannot be attributed and is left alone.
"""

from __future__ import annotations

import os

from dbrefresh.backends.base import Backend
from dbrefresh.config import Config
from dbrefresh.workflow.journal import Journal, RunRecord


def target_key(config: Config) -> str:
    """The target's identity in journals (workflow/lock.py lock_location: the same)."""
    if config.backend == "local" and config.local is not None:
        return os.path.realpath(config.local.target_data_dir)
    return config.target.name


def whose(record: RunRecord, config: Config, records: list[RunRecord]) -> str:
    """ "" when `record` is a run of config's target, else whose it is (for messages)."""
    key, name = target_key(config), config.target.name
    if record.owner:
        if record.owner == key:
            return ""
        which = f"{record.target!r} ({record.owner})" if record.target else record.owner
        return f"belongs to target {which}"
    if record.target not in (name, ""):
        return f"belongs to target {record.target!r}"
    if any(r.owner and r.owner != key and r.target == name for r in records):
        return (
            f"a journal of an older dbrefresh naming target {name!r}, a name another target "
            "sharing this state_dir has too"
        )
    return ""


def split(journal: Journal, config: Config) -> tuple[list[RunRecord], dict[str, str]]:
    """This target's runs (oldest first), and the others' with whose they are."""
    records = journal.runs()
    own, others = [], {}
    for record in records:
        if owner := whose(record, config, records):
            others[record.run_id] = owner
        else:
            own.append(record)
    return own, others


def adopt(journal: Journal, config: Config, backend: Backend) -> list[RunRecord]:
    """This target's runs (oldest first), their files marked as its where an older
    dbrefresh left them unmarked (under the target's lock)."""
    own, _others = split(journal, config)
    for record in own:
        backend.adopt(record.run_id)
    return own

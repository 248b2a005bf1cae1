"""Files and databases the config names, checked before a run begins (exit 2, file:line:key).

A rules file, rules.seed_file or a role's password_file that is missing said only
`…/rules/demo_shopp.yaml: no such file` or `cannot read …`, without naming the config
line that gave the path. A smoke query naming a database staging will not have (a typo,
`shopp`; a database no rule file covers, which the run drops or refuses) failed only in
the health check, after the swap: staging restarted twice and was rolled back.
`rules.uncovered_databases: refuse` with a database of production no rule file covers
(or postgres holding data none covers) was refused only in the anonymize step, after
the whole snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import psycopg

from dbrefresh.config import Config
from dbrefresh.db import with_database
from dbrefresh.errors import ConfigError, InfraError
from dbrefresh.workflow import sqlutil
from dbrefresh.workflow.masking import SYSTEM_DATABASES, uncovered_databases


def require_rule_files(config: Config) -> None:
    """ConfigError naming rules.files[i]'s line for a rules file that is not there."""
    for index, file in enumerate(config.rules.files):
        if file.is_file():
            continue
        state = "is not a file" if file.exists() else "no such file"
        raise ConfigError(
            f"{config.where('rules', 'files', index)}rules.files[{index}]: {file}: {state}"
        )


def require_smoke_databases(
    config: Config,
    covered: Mapping[str, Sequence[Path]],
    present: Mapping[str, bool],
) -> None:
    """ConfigError for a smoke query whose database staging will not have once the run
    swaps: one production lacks, or one no rule file covers (dropped, or refused, by
    rules.uncovered_databases), unless it is kept as it is (postgres, a template).
    `present`: production's databases, each with whether it is a template."""
    for index, query in enumerate(config.smoke_queries):
        db = query.database
        where = f"{config.where('smoke_queries', index, 'database')}smoke_queries[{index}].database"
        if db not in present:
            raise ConfigError(
                f"{where}: production has no database {db!r} (it has: "
                f"{', '.join(sorted(present))}); nothing was copied"
            )
        if db in covered or db in SYSTEM_DATABASES or present[db]:
            continue
        raise ConfigError(
            f"{where}: no rule file covers database {db!r}, so staging will not have it "
            f"(rules.uncovered_databases: {config.rules.uncovered_databases}); name a "
            f"database the rules cover ({', '.join(sorted(covered))}); nothing was copied"
        )


def require_covered(
    config: Config,
    covered: Mapping[str, Sequence[Path]],
    present: Mapping[str, bool],
) -> None:
    """ConfigError, before the snapshot, for what the copy's check (masking.py) would
    refuse after it: `uncovered_databases: refuse` meeting a database of production no
    rule file covers, or postgres holding data no rule file covers. Whether postgres
    holds data is asked on production; one that cannot be asked (closed) is left to the
    copy's check, and so are templates: a session in template1, however short, makes
    production's own CREATE DATABASE fail ("being accessed by other users"), so the
    preflight never opens one. `present`: production's databases, each with whether it
    is a template."""
    refuse = config.rules.uncovered_databases == "refuse"
    templates = {db for db, template in present.items() if template}

    def holds_data(db: str) -> bool:
        if db in templates or (db not in SYSTEM_DATABASES and not refuse):
            return False  # a template: the copy's check; dropped anyway: no need to ask
        try:
            return sqlutil.user_data_count(with_database(config.source.dsn, db)) > 0
        except (InfraError, psycopg.Error):
            return False  # closed: the copy's check tells

    uncovered = uncovered_databases(sorted(present), covered, templates, holds_data)
    system = [db for db in uncovered if db in SYSTEM_DATABASES]
    if system:  # never dropped: every connection string names it
        raise ConfigError(
            f"{config.where('rules', 'files')}rules.files: database(s) {', '.join(system)} "
            "hold tables or large objects but no rule file covers them; nothing was copied"
        )
    if uncovered and refuse:
        names = [f"{db} (a template holding data)" if db in templates else db for db in uncovered]
        raise ConfigError(
            f"{config.where('rules', 'uncovered_databases')}rules.uncovered_databases: "
            f"refuse: database(s) {', '.join(names)} of production are covered by no rule "
            "file (add rules, or set rules.uncovered_databases: drop); nothing was copied"
        )

"""`dbrefresh rules init`: a starting rules file from a live database.

Reads the catalog, samples text values, proposes a strategy per column (propose.py),
reconciles foreign keys (propose_keys.py) and renders YAML (init_yaml.py). The result
is then loaded and compiled against the same catalog, as `anonymize` would: whatever
the compiler still refuses is turned back into `keep` with a REVIEW note, so the file
always loads and compiles, and the compiler stays the one authority on what fits.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.catalog import Catalog, read_catalog
from dbrefresh.errors import RulesError
from dbrefresh.findings import Finding, Severity
from dbrefresh.rules import (
    e164,
    file_stems,
    handles,
    message_ids,
    passport_profiles,
    photo_urls,
    role_addresses,
    service_accounts,
    vcard_values,
)
from dbrefresh.rules.admin_names import mask_admin_names
from dbrefresh.rules.app_titles import judge_by_titles, read_titles
from dbrefresh.rules.base32_secrets import base32_secrets
from dbrefresh.rules.birth_values import propose_birth_dates
from dbrefresh.rules.builtin_accounts import keep_builtin_accounts
from dbrefresh.rules.business_keys import mask_addresses_among_codes
from dbrefresh.rules.compiler import compile_plan
from dbrefresh.rules.copies import note_copies
from dbrefresh.rules.cross_copies import note_cross_copies
from dbrefresh.rules.eav import previous_value_rule, propose_switches
from dbrefresh.rules.eav_audit import copy_switches_to_audits
from dbrefresh.rules.eav_dates import align_dates
from dbrefresh.rules.eav_json import string_documents, with_whole_rule
from dbrefresh.rules.eav_logins import align_switch_logins
from dbrefresh.rules.eav_normalized import align_normalized
from dbrefresh.rules.eav_typed import keep_unswitched
from dbrefresh.rules.email_alike import align_emails
from dbrefresh.rules.email_fold import (
    fold_case_insensitive_emails,
    fold_case_insensitive_joins,
    fold_named_pairs,
)
from dbrefresh.rules.email_fold_paths import fold_json_path_joins
from dbrefresh.rules.email_switch import switch_mixed_emails
from dbrefresh.rules.embeddings import mask_embeddings
from dbrefresh.rules.geo_tiles import mask_tiles
from dbrefresh.rules.identity_digests import hash_identity_digests
from dbrefresh.rules.init_yaml import TableBlock, render
from dbrefresh.rules.initcheck import fit_to_checks
from dbrefresh.rules.json_copies import Probes, align_json_copies, documents
from dbrefresh.rules.json_names import compose_json_names
from dbrefresh.rules.key_families import note_embedded_keys
from dbrefresh.rules.key_links import align_key_links
from dbrefresh.rules.kind_switch import switch_by_kind
from dbrefresh.rules.load import load_rules
from dbrefresh.rules.locale_guess import NAME_KINDS, guess_locale
from dbrefresh.rules.masked_copies import align_masked_copies
from dbrefresh.rules.mixed_forms import Mixed, apply_mixed
from dbrefresh.rules.name_parts import note_name_parts
from dbrefresh.rules.naming import dotted_schemas
from dbrefresh.rules.org_domains import keep_org_domains
from dbrefresh.rules.org_domains import sampled as sampled_addresses
from dbrefresh.rules.own_logins import hash_own_logins
from dbrefresh.rules.own_names import note_own_names
from dbrefresh.rules.path_hashes import hash_path_digests
from dbrefresh.rules.plan import Plan
from dbrefresh.rules.prefixed_values import keep_prefixes
from dbrefresh.rules.propose import ColumnProposal, propose_column
from dbrefresh.rules.propose_keys import (
    FK_REASON,
    Proposals,
    fk_groups,
    key_columns,
    reconcile,
)
from dbrefresh.rules.provider_ids import propose as mask_provider_ids
from dbrefresh.rules.row_names import compose_row_names
from dbrefresh.rules.rule_alike import align_variants
from dbrefresh.rules.safe_cases import with_safe_rules
from dbrefresh.rules.same_ids import align_same_ids
from dbrefresh.rules.sample import is_empty, sample_values
from dbrefresh.rules.sampled import sampled_bytes, sampled_columns
from dbrefresh.rules.search_triggers import derive_search_vectors
from dbrefresh.rules.selector_labels import add_unseen_labels
from dbrefresh.rules.sentinels import keep_sentinels
from dbrefresh.rules.session_stores import session_store
from dbrefresh.rules.system_actors import keep_system_actors
from dbrefresh.rules.table_paths import add_rare_paths
from dbrefresh.rules.text_samples import Ref, TextSample, text_samples
from dbrefresh.rules.uuid_cases import keep_uuid_cases
from dbrefresh.rules.uuid_copies import align_uuid_copies
from dbrefresh.rules.uuid_refs import keep_uuid_references
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.registry import all_strategies

MAX_REPAIRS = 3
# On the columns of a table with no rows: nothing said what they hold but their names.
EMPTY_NOTE = (
    "REVIEW: the table was empty when sampled, so this column was judged by its name "
    "only (`dbrefresh verify` warns if its values come to look personal)"
)
OnTable = Callable[[str, int, int], None]


def strategies_by_name() -> dict[str, Strategy[Any]]:
    return {s.name: s for s in all_strategies()}


def propose(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    sample_rows: int,
    on_table: OnTable | None = None,
    names: list[str] | None = None,
    stores: dict[str, str] | None = None,
) -> tuple[Proposals, dict[str, str]]:
    """A proposal for every column of every root table (partitions follow their root),
    and the tables whose values could not be sampled, with the error's name; `names`
    collects the sampled values of the columns proposed as names, `stores` the web-session
    stores to truncate, with why (session_stores.py)."""
    strategies = strategies_by_name()
    keys = key_columns(catalog)
    proposals: Proposals = {}
    unsampled: dict[str, str] = {}
    texts: dict[Ref, TextSample] = {}
    accounts: dict[Ref, ColumnProposal] = {}  # handles, masked if copies leave them kept
    docs: dict[Ref, Probes] = {}  # JSON columns' sampled paths (json_copies.py)
    mixed: dict[Ref, Mixed] = {}  # email/phone columns holding other forms too
    roles: set[str] = set()  # role local parts met in email columns (role_addresses.py)
    addresses: dict[Ref, list[str]] = {}  # email columns' samples (org_domains.py)
    roots = [name for name in sorted(catalog.tables) if catalog.tables[name].parent is None]
    empty: list[str] = []
    titles = read_titles(conn, catalog)  # NocoDB's, Baserow's, LimeSurvey's column titles
    for done, name in enumerate(roots):
        table = catalog.tables[name]
        if on_table is not None:
            on_table(name, done, len(roots))
        try:
            columns = sampled_columns(table) + sampled_bytes(table)
            samples = sample_values(conn, table, columns, sample_rows)
        except psycopg.Error as exc:  # no SELECT right, timeout: judge by names alone
            samples = {}
            unsampled[name] = (
                "row-level security hides rows"
                if "row-level security" in str(exc)
                else type(exc).__name__
            )
        # bytea in hex: read by propose_column's bytea rules only
        raw = {c: samples.pop(c) for c in sampled_bytes(table) if c in samples}
        if samples and not any(samples.values()) and is_empty(conn, table):
            empty.append(name)
        texts.update(((name, c), s) for c, s in text_samples(table, samples).items())
        if stores is not None and (store := session_store(catalog, table, samples)):
            stores[name] = store
        proposals[name] = {
            col.name: propose_column(
                table,
                col,
                samples.get(col.name, raw.get(col.name)),
                strategies,
                is_key=(name, col.name) in keys,
            )
            for col in sorted(table.columns.values(), key=lambda c: c.num)
        }
        own_keys = {c for t, c in keys if t == name}
        if name not in unsampled:  # labels of `[key=value]` lists the sample never met
            add_unseen_labels(conn, table, proposals[name], samples, strategies, own_keys)
        judge_by_titles(table, proposals[name], samples, strategies, titles, own_keys)
        if name not in unsampled:  # face and CLIP embeddings: 512 floats, or a vector(512)
            mask_embeddings(conn, table, proposals[name], sample_rows, own_keys)
        if name not in unsampled:  # dates of birth under names that say nothing
            propose_birth_dates(
                conn, table, proposals[name], samples, strategies, sample_rows, own_keys
            )
        string_documents(table, proposals[name], samples, strategies)
        mask_addresses_among_codes(table, proposals[name], samples)  # business_key_
        # Google `sub`s, GitHub ids; columns of addresses beside phones, ids or usernames
        mixed |= mask_provider_ids(table, proposals[name], samples, strategies, own_keys)
        passport_profiles.propose(table, proposals[name], samples, strategies, own_keys)
        hash_path_digests(table, proposals[name], samples, own_keys)  # Moodle's pathnamehash
        file_stems.mask_stem_columns(table, proposals[name], samples, own_keys)  # Strapi's hash
        photo_urls.mask_photo_columns(table, proposals[name], samples, strategies, own_keys)
        e164.mark(proposals[name], samples)  # GoTrue's phone numbers: digits, no '+'
        roles |= role_addresses.found(proposals[name], samples)  # postmaster@, '@domain'
        addresses |= sampled_addresses(name, proposals[name], samples)
        mask_admin_names(table, proposals[name], samples, strategies)  # lime_surveys.admin
        base32_secrets(table, proposals[name], samples, own_keys)  # TOTP seeds
        mask_tiles(table, proposals[name], own_keys)  # OSM's home_tile beside home_lat
        accounts |= handles.pending(table, proposals[name], samples, strategies, keys)
        docs.update(documents(table, proposals[name], samples))
        if names is not None:
            names.extend(
                value
                for column, proposal in proposals[name].items()
                if proposal.kind in NAME_KINDS
                for value in samples.get(column) or ()
            )
        switches = (
            []
            if name in unsampled
            else propose_switches(conn, catalog, table, strategies, sample_rows, proposals[name])
        )
        for switch in switches:
            whole = proposals[name][switch.column]
            switch = with_safe_rules(with_whole_rule(switch, whole))
            proposals[name][switch.column] = switch
            if previous := previous_value_rule(table, switch):
                proposals[name][previous.column] = previous
            _keep_switch_key(proposals[name], switch)
        keep_unswitched(table, proposals[name], {s.column for s in switches})  # long_
        align_normalized(conn, table, switches)  # HAPI's sp_value_normalized
        align_dates(table, proposals[name], switches)  # HAPI's hfj_spidx_date
        if name not in unsampled:  # Matomo's log_action.name: URLs by type, titles
            done_switch = frozenset(c for c, p in proposals[name].items() if p.strategy == "switch")
            switch_by_kind(conn, table, proposals[name], strategies, sample_rows, done_switch)
            note_embedded_keys(conn, table, proposals[name], sample_rows)  # 'ip:<addr>:uid'
    copy_switches_to_audits(catalog, proposals)  # DHIS2's ...attributevalueaudit.value
    fold_case_insensitive_emails(catalog, proposals)
    reconcile(catalog, proposals, strategies)
    align_variants(proposals, strategies)
    keep_sentinels(conn, catalog, proposals, sample_rows)
    sampled = {n: c for n, c in proposals.items() if n not in unsampled}
    note_own_names(conn, catalog, sampled, strategies, sample_rows)
    hash_own_logins(conn, catalog, sampled, sample_rows)  # Camunda's act_id_user.id_
    row_copies = note_copies(conn, catalog, sampled, sample_rows, texts)
    fold_named_pairs(catalog, sampled)
    fold_case_insensitive_joins(conn, catalog, sampled, texts)
    align_same_ids(catalog, sampled, texts, strategies)  # Sentry's eventuser idents
    note_cross_copies(conn, catalog, sampled, texts, strategies, sample_rows, row_copies)
    align_switch_logins(conn, catalog, sampled, sample_rows)  # DHIS2's USERNAME attributes
    align_masked_copies(conn, catalog, sampled, texts, strategies, sample_rows)
    align_key_links(conn, catalog, sampled, texts, strategies, sample_rows)  # Frappe's links
    hash_identity_digests(catalog, sampled, texts)  # Sentry's eventuser.hash
    align_uuid_copies(conn, catalog, sampled, texts, strategies, sample_rows)
    keep_uuid_references(conn, catalog, sampled, sample_rows)  # Umami's session_data
    keep_uuid_cases(conn, catalog, sampled, sample_rows)  # Axon's saga associations
    handles.apply(proposals, accounts)
    align_json_copies(conn, catalog, sampled, texts, docs, strategies, sample_rows)
    fold_json_path_joins(conn, catalog, sampled, texts, docs, sample_rows)
    add_rare_paths(conn, catalog, sampled, strategies, keys)  # keys the sample never met
    note_name_parts(conn, catalog, sampled, texts)
    compose_row_names(conn, catalog, sampled, strategies, sample_rows)  # display_name
    compose_json_names(conn, catalog, sampled, strategies, sample_rows)  # pretix, Zitadel
    apply_mixed(catalog, sampled, mixed, strategies)  # after the folds: their email case
    switch_mixed_emails(conn, catalog, sampled, texts, strategies, sample_rows)  # source_id
    message_ids.align(catalog, proposals)  # Mailman's held message: '"<id@host>"'
    align_variants(proposals, strategies)  # paths and cases added since: the same variant
    align_emails(conn, catalog, sampled)  # after every fold: the same email parameters
    role_addresses.keep_roles(sampled, roles)  # PostfixAdmin's postmaster@ kept everywhere
    vcard_values.align_emails(proposals)  # an attendee's address as the email columns'
    # '@acme.com' a policy reads; after vcard_values, which aligns bare xml email rules only
    keep_org_domains(conn, catalog, sampled, addresses, texts)
    keep_prefixes(conn, catalog, sampled, texts, strategies, sample_rows)  # 'id:<ident>'
    keep_builtin_accounts(conn, catalog, sampled)  # Moodle's 'guest', 'admin'
    service_accounts.note_json_paths(conn, catalog, sampled)  # Zitadel's 'zitadel-admin-sa'
    keep_system_actors(conn, catalog, sampled)  # ODK Central's '*anonymous*'
    _large_object_references(catalog, proposals)
    derive_search_vectors(conn, catalog, proposals)  # pg_search's trigger-filled vectors
    for name in empty:
        for column in sampled_columns(catalog.tables[name]):
            proposals[name][column].why.append(EMPTY_NOTE)
    return proposals, unsampled


def _large_object_references(catalog: Catalog, proposals: Proposals) -> None:
    """Columns of type oid/lo point at large objects, which the proposed
    `large_objects: empty` removes: kept, each would name an object that is gone (the
    application's lo_open fails); a nullable one is proposed `null`."""
    if not catalog.large_objects:
        return
    for name, columns in proposals.items():
        for column, proposal in columns.items():
            info = catalog.tables[name].columns[column]
            if proposal.masked or info.type.base not in {"oid", "lo"} or info.type.is_array:
                continue
            why = "refers to large objects, which `large_objects: empty` removes"
            if info.not_null:
                proposal.why.append(f"REVIEW: {why}: it will name objects that are gone")
            else:
                columns[column] = ColumnProposal(column, "null", why=[f"{why}: emptied too"])


def _keep_switch_key(columns: dict[str, ColumnProposal], switch: ColumnProposal) -> None:
    """The switch's key column names fields, not people: kept, whatever its name made of
    it (Discourse's user_custom_fields.name was proposed full_name, and every field of
    every user got a person's name the application never looks up)."""
    by = str(switch.params["by"])
    if columns[by].masked:
        columns[by] = ColumnProposal(
            by,
            why=[f"the key of {switch.column}'s switch: kept, so the application finds its fields"],
        )


def blocks(
    catalog: Catalog,
    proposals: Proposals,
    unsampled: Mapping[str, str],
    stores: Mapping[str, str],
) -> list[TableBlock]:
    out = []
    for name, columns in proposals.items():
        notes = []
        if catalog.tables[name].partitioned:
            count = len(catalog.partitions_of(name))
            notes.append(f"partitioned: these rules cover its {count} partition(s)")
        if name in unsampled:
            notes.append(f"REVIEW: values not sampled ({unsampled[name]}), names only")
        if store := stores.get(name):
            notes = [store]
        out.append(TableBlock(name, list(columns.values()), "; ".join(notes) or None, bool(store)))
    return out


def _foreign_servers(catalog: Catalog, proposals: Proposals) -> list[str]:
    """Servers holding foreign partitions of tables the proposals mask: the refresh must
    drop them before masking, or staging reads those rows from production."""
    return sorted(
        {
            part.server
            for table, columns in proposals.items()
            if any(p.masked for p in columns.values())
            for part in catalog.foreign_partitions_of(table)
        }
    )


def _plan_or_failures(text: str, catalog: Catalog) -> Plan | list[Finding]:
    """The generated text's Plan, or what the loader and compiler refuse in it."""
    with tempfile.TemporaryDirectory(prefix="dbrefresh-init-") as tmp:
        path = Path(tmp) / "rules.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            rules = load_rules([path])
            # `database:` names the database the file is for (rules init --database),
            # which need not be the one it was read from
            rules.database = None
            return compile_plan(rules, catalog)
        except RulesError as exc:
            return [f for f in exc.findings if f.severity is Severity.ERROR]


def _failures(text: str, catalog: Catalog) -> list[Finding]:
    """What the loader and compiler say about the generated text (empty: it compiles)."""
    result = _plan_or_failures(text, catalog)
    return result if isinstance(result, list) else []


def _demote(proposal: ColumnProposal, finding: Finding) -> None:
    kept = [w for w in proposal.why if not w.startswith(FK_REASON)]
    proposal.why = [*kept, f"REVIEW: {proposal.strategy} refused: {finding.message}"]
    proposal.strategy, proposal.params, proposal.unique = "keep", {}, False


def repair(catalog: Catalog, proposals: Proposals, findings: list[Finding]) -> bool:
    """Turn each column the compiler refused (and its FK group) into keep; False if none."""
    by_key = {f"{t}.{c}": (t, c) for t, cols in proposals.items() for c in cols}
    groups = {ref: group for group in fk_groups(catalog) for ref in group}
    repaired = False
    for finding in findings:
        ref = by_key.get(finding.location.key or "")
        if ref is None or not proposals[ref[0]][ref[1]].masked:
            continue
        for table, column in groups.get(ref, [ref]):
            proposal = proposals.get(table, {}).get(column)
            if proposal is not None and proposal.masked:
                _demote(proposal, finding)
                repaired = True
    return repaired


def generate_rules(
    conn: psycopg.Connection[Any],
    *,
    database: str | None = None,
    sample_rows: int = 1000,
    on_table: OnTable | None = None,
) -> str:
    """YAML text of a starting rules file for the connected database (every column
    listed); on_table(name, done, total) hears of each table before it is sampled."""
    catalog = read_catalog(conn)
    if refused := dotted_schemas(catalog):
        raise RulesError(refused)
    names: list[str] = []
    stores: dict[str, str] = {}
    proposals, unsampled = propose(conn, catalog, sample_rows, on_table, names, stores)
    name = database or catalog.database
    locale = guess_locale(names)

    def rendered() -> str:
        servers = _foreign_servers(catalog, proposals)
        tables = blocks(catalog, proposals, unsampled, stores)
        return render(name, tables, catalog.large_objects, servers, locale)

    def compile_now() -> Plan | list[Finding]:
        return _plan_or_failures(rendered(), catalog)

    text = rendered()
    fitted = False
    for _ in range(2 * MAX_REPAIRS):
        findings = _failures(text, catalog)
        if not findings:
            # compiles: now the CHECK constraints its masked values must keep to, once
            # (a change they make is compiled again, and repaired like any other)
            if fitted or not fit_to_checks(conn, catalog, proposals, compile_now, sample_rows):
                return text
            fitted = True
        elif not repair(catalog, proposals, findings):
            raise RulesError(findings)
        text = rendered()
    findings = _failures(text, catalog)
    if findings:
        raise RulesError(findings)
    return text

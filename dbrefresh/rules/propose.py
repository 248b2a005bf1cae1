"""Column proposals for `rules init`: what each column likely holds and how to mask it.

Pure logic over the catalog and sampled values (no I/O). A detected kind maps to
candidate strategies in order of realism; the first one the registry says fits the
column's type (and stays injective on a unique column) wins, so the proposal compiles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import (
    address_layouts,
    birth_values,
    bytea_values,
    channel_targets,
    check_digits,
    client_names,
    company_ids,
    composite_rules,
    compressed_text,
    device_names,
    display_names,
    distinct_codes,
    email_digests,
    encoded_text,
    epoch_dates,
    file_contents,
    file_names,
    hex_keys,
    host_names,
    identity_documents,
    json_paths,
    json_text,
    kin_columns,
    lookup_names,
    mail_lists,
    message_ids,
    name_evidence,
    name_values,
    numeric_codes,
    password_shapes,
    path_folders,
    pem_keys,
    pem_texts,
    personal_codes,
    phone_mixes,
    php_serialized,
    pii,
    pii_values,
    place_names,
    redeemable,
    same_values,
    shaped_values,
    ssh_keys,
    text_coordinates,
    text_mentions,
    tracking_values,
    url_accounts,
    url_names,
    url_tokens,
    vcard_values,
    webhook_urls,
    xml_rules,
    yaml_text,
)
from dbrefresh.rules.candidates import (
    CANDIDATES,
    TEXT_CATEGORIES,
)
from dbrefresh.rules.document_rules import documents_rule, json_rule, json_text_rule
from dbrefresh.rules.fitting import choose, column_context, fits, kind_fits_type
from dbrefresh.rules.proposal import ColumnProposal as ColumnProposal  # re-exported
from dbrefresh.rules.push_tokens import match_push_tokens
from dbrefresh.rules.query_texts import as_query
from dbrefresh.rules.sampled import COMPOSITE, TEXT_SEARCH, is_bytes, is_document
from dbrefresh.strategies.base import Strategy

# Value-only detections trusted on key columns (an order number can look like a phone);
# logins made of names and '@name:server' ids are a person's keys (Synapse's users.name).
KEY_VALUE_KINDS = frozenset({"email", "iban", "card", "national_id", "user_id", "username"})
# What URLs carrying an address or a token are judged to be (url_params.py); one
# token among kept URLs (no kind) is rewritten too
URL_KINDS = frozenset({"free_text", "secret"})


def name_match(table: Table, column: Column) -> pii.NameMatch | None:
    """What the column's name suggests, if its type can hold it (a `vat numeric` is an
    amount, not a tax number)."""
    found = pii.match_name(column.name, table.qualified)
    if found is not None and found.text_only and column.type.category not in TEXT_CATEGORIES:
        return None
    return found


def detect(
    table: Table, column: Column, values: Sequence[str] | None, *, is_key: bool
) -> tuple[str | None, list[str]]:
    """The PII kind of a column (or None) and the reasons, from its name, type and values."""
    if column.generated or (is_key and column.type.category not in TEXT_CATEGORIES):
        return None, []  # recomputed, or a surrogate key (integer, uuid): never PII itself
    if column.type.is_text and (pem := pem_keys.found(values))[1] is not None:
        return pem[0], [str(pem[1])]  # Lemmy's private_key, by its name a secret to hash
    file = pii.match_file(column.name) if column.type.base == "bytea" else None
    if file is not None and not column.type.is_array:
        return file.kind, [file.reason]
    by_name = name_match(table, column)
    if by_name is not None and kind_fits_type(by_name.kind, column.type):
        programs = client_names.overrule(table.qualified, column.name, by_name, values)
        other: tuple[str | None, list[str]] | None = programs or lookup_names.overrule(
            column.name, by_name, values
        )
        logins = None if other else name_values.overrule(by_name, values)
        if logins is None or logins[0] == "username":  # 'GitHub', 'LDAP': login-shaped
            thing = display_names.overrule(table.qualified, column.name, by_name, values)
            other = other or thing  # products, not logins, outside a table of people
        if (other := other or logins) is not None:
            return other  # programs, companies, logins or things named for a person's name
        why = [by_name.reason]
        evidence = pii_values.count_kind(values or (), by_name.kind)
        if evidence is not None:
            why.append(evidence.reason)
        elif (shaped := _shaped_otherwise(column, values, by_name.kind)) is not None:
            return shaped.kind, [f"{by_name.reason}, but {shaped.reason}"]
        elif (denied := name_evidence.denial(by_name.kind, values)) is not None:
            # the values may still be personal, of another kind: Magento's config key
            # trans_email/ident_general/name holds the owner's name, not an email
            kind, found = detect_by_values(column, values, is_key=is_key)
            named = None if is_key else name_evidence.display_name(column.name, values)
            if kind is None and named is not None:
                kind, found = "full_name", [named]
            if kind is not None:
                return kind, [f"{by_name.reason}, but {denied}", *found]
            return None, [f"REVIEW: {by_name.reason}, but {denied}: kept", *found]
        return by_name.kind, why
    if not is_key and (key := hex_keys.reason(column.name, values or ())) is not None:
        return "secret", [key]  # LimeSurvey's validation_key: a password-reset key
    return detect_by_values(column, values, is_key=is_key)


def detect_by_values(
    column: Column, values: Sequence[str] | None, *, is_key: bool
) -> tuple[str | None, list[str]]:
    """The PII kind of a column (or None) and the reasons, from its type and values."""
    if column.type.base in {"inet", "cidr"}:
        return "ip", [f"column type {column.type.base} holds IP addresses"]
    if column.type.base == TEXT_SEARCH:
        found = pii_values.match_vectors(values or ())
        return (found.kind, [found.reason]) if found else (None, [])
    if is_document(column.type):
        found = pii_values.match_documents(values or ())
        return (found.kind, [found.reason]) if found else (None, [])
    few = kin_columns.names_a_person(column.name)  # spouse: one name is evidence enough
    found_by = pii_values.match_values(values, few) if values else None
    by_values = (found_by or match_push_tokens(values)) if values else None
    by_values = phone_mixes.refine(by_values, values)  # Cal.com's location: numbers or 'zoom'
    if (
        by_values is not None
        and (not is_key or by_values.kind in KEY_VALUE_KINDS)
        and kind_fits_type(by_values.kind, column.type)
    ):
        reason = by_values.reason
        if column.type.is_array:  # the sample holds the arrays' elements
            reason = reason.replace("sampled values", "sampled array elements", 1)
        return by_values.kind, [reason]
    if (
        values
        and column.type.category in TEXT_CATEGORIES
        and not column.type.is_array
        and not is_key
    ):
        return text_mentions.judge(values)  # people or contacts in a few rows
    return None, []


def _shaped_otherwise(
    column: Column, values: Sequence[str] | None, named: str
) -> pii_values.ValueMatch | None:
    """What the values unmistakably are when no value fits the kind the name says
    (from_address holding emails got `street`, and every sender a street address)."""
    found = shaped_values.otherwise(named, values)
    if found is not None and personal_codes.digits_alike(named, found.kind):
        return None  # a badge number '041203...' shaped like a phone number is a badge
    return found if found is not None and kind_fits_type(found.kind, column.type) else None


def php_rule(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    documents: Sequence[str],
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal | None:
    """A column of PHP-serialised values alone, judged key by key like JSON documents
    (`lorem` over it left the application nothing to unserialize); None when the rule
    does not fit the column (a unique or varchar(n) one)."""
    by_paths = json_rule(table, column, json_paths.read_documents(documents), strategies)
    kind, why = detect_by_values(column, values, is_key=False)
    sampled = sum(1 for v in values or () if v.strip())
    proposal = php_serialized.masking(column, by_paths, why[0] if kind and why else None, sampled)
    ctx = column_context(table, column, unique=column.name in table.unique_columns())
    if proposal.masked and not fits(strategies[proposal.strategy], proposal.params, ctx):
        return None
    return proposal


def _named_but_unfit(table: Table, column: Column, is_key: bool) -> str | None:
    """A note for a column named like personal data in a type no such strategy fits
    (birth_year as an integer): kept, but worth a look."""
    if is_key or column.generated:
        return None
    by_name = name_match(table, column)
    if by_name is None or kind_fits_type(by_name.kind, column.type):
        return None
    return f"REVIEW: {by_name.reason}, but it is {column.type.sql}: kept"


def propose_column(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
    *,
    is_key: bool,
) -> ColumnProposal:
    """The rule for one column, before foreign keys are reconciled."""
    proposal = _propose_column(table, column, values, strategies, is_key=is_key)
    if is_key:
        return proposal
    if not (column.generated or not column.type.is_text or column.type.is_array):
        hooks = webhook_urls.proposal(proposal, values)  # Zapier's '/hooks/catch/<id>/<key>/'
        unique = column.name in table.unique_columns()
        if hooks is not None and fits(
            strategies["prefixed"], hooks.params, column_context(table, column, unique=unique)
        ):
            hooks.unique = unique
            return hooks
    text = column.type.is_text and not column.type.is_array
    if text and (one := same_values.kept(proposal, values)) is not None:
        return one  # the seller's own address on every invoice: a setting
    return pem_texts.proposal(table, column, values, proposal, strategies) or proposal


def _propose_column(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
    *,
    is_key: bool,
) -> ColumnProposal:
    """propose_column's rule before a webhook column's path is masked (webhook_urls.py)
    and keys inside a kept column's text (pem_texts.py)."""
    if not (is_key or column.generated) and (raw := _bytea_rule(table, column, values, strategies)):
        return raw  # '\xc63f31c6' (198.63.49.198), UTF-8 JSON in bytea
    if is_bytes(column.type):
        values = None  # hex: no other detector reads it (a hash's hex is no secret's)
    if not (is_key or column.generated or column.name in table.partition_key) and (
        xml := xml_rules.proposal(table, column, values, strategies)
    ):
        return xml  # ODK's submissions, Axon's event payloads: element by element
    if column.type.is_text and not (
        is_key or column.generated or column.name in table.partition_key
    ):
        cards = vcard_values.proposal(column, values)
        unique = column.name in table.unique_columns()
        if cards and fits(strategies["vcard"], {}, column_context(table, column, unique=unique)):
            return cards  # Roundcube's contacts.vcard, SOGo's c_content: BEGIN:VCARD ...
        if (read := json_text.json_documents(values)) is not None:
            return json_text_rule(table, column, values, read, strategies)
        if (php := php_serialized.documents(values)) and (
            serialized := php_rule(table, column, values, php, strategies)
        ):
            return serialized  # WordPress's settings: 'a:2:{s:5:"email";s:16:"ann@...";...}'
    if not (is_key or column.generated or column.name in table.partition_key) and (
        fields := composite_rules.proposal(table, column, values, strategies, propose_column)
    ):
        return fields  # an address kept in a row type: its street, city and zip masked
    if not (is_key or column.generated) and (yml := yaml_text.proposal(table, column, values)):
        return yml  # Rails' serialized stores ('--- !ruby/hash:...'): key by key
    proposal = ColumnProposal(column.name)
    unique = column.name in table.unique_columns()
    if not is_key and (keys := ssh_keys.proposal(column, values, unique=unique)) is not None:
        return keys  # 'ssh-ed25519 AAAA... alice@laptop': only the comment is personal
    digest = None if is_key or not column.type.is_text else email_digests.rule(column.name, values)
    if digest and fits(strategies["hash"], digest[0], column_context(table, column, unique=unique)):
        return ColumnProposal(  # Gravatar's md5(email): recomputable from an address
            column.name, "hash", digest[0], unique=unique, kind=email_digests.KIND, why=[digest[1]]
        )
    device = None if is_key or not column.type.is_text else device_names.rule(values or ())
    if device and fits(strategies["hash"], device[0], column_context(table, column, unique=unique)):
        return ColumnProposal(  # "Galina's iPhone": the owner's name hashed, the device kept
            column.name, "hash", device[0], unique=unique, kind=device_names.KIND, why=[device[1]]
        )
    ids = None if is_key else message_ids.proposal(column, values, unique=unique)
    if ids and fits(strategies["hash"], ids.params, column_context(table, column, unique=unique)):
        return ids  # '<CAF=abc@mail.gmail.com>': threads join on it, keep it distinct
    if not is_key and column.type.is_text and (packed := compressed_text.read(values)):
        judge = _as_text(table, strategies)  # Sentry's base64(zlib(JSON)) events
        return compressed_text.proposal(table, column, packed, strategies, judge)
    if not is_key and column.type.is_text and (contents := file_contents.read(values)):
        ctx = column_context(table, column, unique=unique)  # a PDF or a signature as base64
        as_file = fits(strategies["file_name"], {}, ctx)
        empty = choose("document", ctx, strategies)
        return file_contents.proposal(
            column, contents, unique=unique, file_name_fits=as_file, empty=empty
        )
    files = None if is_key else file_names.proposal(column, values, unique=unique)
    if files and (folders := path_folders.params_for(values or ())):  # a storage label
        how = path_folders.why(folders)
        files = file_names.proposal(column, values, unique=unique, folders=how)
        if files is not None:
            files.params = folders
    ctx = column_context(table, column, unique=unique)
    if files and fits(strategies["file_name"], files.params, ctx):
        return files  # 'uploads/<uuid>/passport-vincent-schwital.pdf': the path stays one
    ids = (
        None
        if is_key or not column.type.is_text
        else company_ids.proposal(column.name, values, unique=unique)
    )
    if ids and fits(strategies["digits"], ids.params, column_context(table, column, unique=unique)):
        return ids  # Dolibarr's siren '922432984', siret: Luhn-checked company numbers
    tracked = (
        None if is_key else tracking_values.column_proposal(table, column, values, unique=unique)
    )
    if tracked and fits(
        strategies[tracked.strategy], tracked.params, column_context(table, column, unique=unique)
    ):
        return tracked  # Traccar's 'CIRCLE (49.76 7.70, 150.0)', IMEIs, a `location point`
    if not is_key and (hosts := host_names.proposal(column, values, unique=unique)):
        return hosts  # '49-151-205-48.dsl.telekom.example': the client's address
    kind, why = detect(table, column, values, is_key=is_key)
    if kind is not None and column.type.is_json:
        documents = documents_rule(table, column, values, strategies)
        if documents.masked:  # Cal.com's Credential.key {"access_token": ...}: its paths
            return replace(documents, why=[*why, *documents.why])
    url = None
    if kind in URL_KINDS or (kind is None and not is_key):
        url = url_names.proposal(table, column, values, unique=unique)
        # 'https://loricampbell301.github.io/portfolio', a Google Docs link
        url = url_accounts.proposal(table, column, values, url, kept=kind is None)
    if url and fits(
        strategies[url.strategy], url.params, column_context(table, column, unique=unique)
    ):
        return url  # '...?email=ann@mail.example&firstname=Ann', '?api_key=sk_live_...'
    if kind is None:
        proposal.why += why  # a name the values deny, noted
        if column.type.is_json:
            documents = documents_rule(table, column, values, strategies)
            if documents.masked:
                return documents
            proposal.why, proposal.documents = proposal.why + documents.why, documents.documents
        if column.type.base == TEXT_SEARCH and column.generated:  # (no REVIEW: nothing kept)
            proposal.why.append("generated: PostgreSQL recomputes it from the masked columns")
        elif column.type.base == TEXT_SEARCH:
            proposal.why.append(
                "REVIEW: a text-search vector holds the words of the text it indexes; "
                "keep it only if that text holds no personal data"
            )
        elif column.type.is_composite and not column.type.fields:  # (else: judged)
            proposal.why.append(
                f"REVIEW: a value of type {column.type.sql} is kept whole (no strategy "
                "masks its fields); `null` hides it"
            )
        elif coords := text_coordinates.proposal(
            table.qualified, column, values, unique=unique, is_key=is_key
        ):
            return coords  # '41.14676' in a varchar latitude: rounded, still a coordinate
        elif not is_key and (
            place := place_names.proposal(table, column, values, strategies, unique=unique)
        ):
            return place  # 'Gera, DE' in Kratos's session_devices.location
        elif (named := _named_but_unfit(table, column, is_key)) is not None:
            proposal.why.append(named)
        return proposal
    if column.name in table.partition_key:
        proposal.why = [
            *why,
            "REVIEW: it is the partition key, which masking cannot change (rows cannot "
            "move between partitions): kept",
        ]
        return proposal
    proposal.kind = kind
    ctx = column_context(table, column, unique=unique)
    chosen = choose(kind, ctx, strategies)
    if chosen is None:
        reason = f"no masking strategy fits {column.type.sql}"
        if unique and choose(kind, replace(ctx, unique=False), strategies) is not None:
            reason = (
                f"it is {table.uniqueness_of(column.name)}, and no strategy that keeps it "
                f"unique fits {column.type.sql}: kept"
            )
        proposal.why = [*why, f"REVIEW: {reason}"]
        return proposal
    proposal.strategy, proposal.params = chosen[0], dict(chosen[1])
    proposal.unique = unique
    proposal.why = why
    if chosen[0] == "postcode" and (digits := pii_values.digit_postcodes(values or ())):
        # the dictionary mixes countries' formats: 'SW1A 1AA' in a field checked for 5 digits
        proposal.strategy, proposal.params = "digits", {}
        proposal.why.append(f"{digits}: digits keeps their format")
    last = url_tokens.last_part_reason(values or ()) if kind == "secret" else None
    if last and fits(strategies["file_name"], {}, ctx):  # a URL stays one
        proposal.strategy, proposal.params = "file_name", {}
        proposal.why.append(last)
    if kind == "text_search":
        proposal.why.append(
            "no trigger says how it is built: rebuild it in staging, or write a `derived` "
            "rule recomputing it from the masked columns"
        )
    if kind == "document":
        rebuild = "" if column.type.category == COMPOSITE else "; a `sql` rule can rebuild it"
        proposal.why.append(
            f"REVIEW: no strategy masks inside {column.type.sql}: the whole value is "
            f"emptied{rebuild}"
        )
    if chosen[0] not in {name for name, _ in CANDIDATES.get(kind, ())}:
        sql_type = column.type.sql
        fitting = f"keeps a unique {sql_type} column unique" if unique else f"fits {sql_type}"
        proposal.why.append(f"no {kind} strategy {fitting}: {chosen[0]} instead")
    text_dates = kind == "birth_date" and column.type.is_text and _text_dates(values)
    if text_dates and (shifted := birth_values.birth_date_proposal(table, column, strategies)):
        proposal.strategy, proposal.params = shifted.strategy, shifted.params
        proposal.why = [*why, *shifted.why]
    if column.type.is_text:
        epoch_dates.as_epoch(proposal, values, unique=unique)
        redeemable.as_digits(proposal, values)  # a gift card's '6006 4912 ...'
        numeric_codes.as_digits(  # a one-time verification_code '042917'
            proposal, values, lambda raw: fits(strategies["digits"], raw, ctx)
        )
        identity_documents.with_letters(proposal)  # a passport's 'A0001234'
        password_shapes.as_scheme_hashes(proposal, values)  # '$2b$12$...' stays bcrypt
        check_digits.as_luhn(proposal, values)  # OpenMRS's '100-8': its check digit kept
        address_layouts.as_template(  # 'Ann Lee\nMain St 4\n12345 Town': its layout kept
            proposal, values, lambda raw: fits(strategies["template"], raw, ctx)
        )
        distinct_codes.as_unique(  # OpenEMR's pubpid: distinct ids stay distinct
            proposal, values, lambda raw: fits(strategies["digits"], raw, ctx)
        )
        mail_lists.as_lists(proposal, values)  # Zammad's cc 'a@x.org, "Bo" <b@y.org>'
        path_folders.as_path(  # Immich's sidecarPath: a path, not words
            proposal, values, lambda raw: fits(strategies["file_name"], raw, ctx)
        )
        as_query(proposal, column, values, lambda raw: fits(strategies["email"], raw, ctx))
        channel_targets.as_channels(  # Superset's report target: addresses or '#sales'
            proposal, values, lambda raw: fits(strategies["forms"], raw, ctx)
        )
    return proposal


def _bytea_rule(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
) -> ColumnProposal | None:
    """Packed IP addresses, or UTF-8 text judged as text (not under a file's name)."""
    if column.type.base != "bytea" or column.type.is_array:
        return None
    unique = column.name in table.unique_columns()
    ips = bytea_values.ip_proposal(table, column, values, unique=unique)
    if ips and fits(strategies["ip"], ips.params, column_context(table, column, unique=unique)):
        return ips
    if pii.match_file(column.name) is not None:
        return None
    return encoded_text.bytea_proposal(
        table, column, values, strategies, _as_text(table, strategies)
    )


def _as_text(table: Table, strategies: Mapping[str, Strategy[Any]]) -> encoded_text.Judge:
    """How decoded values are judged: as a text column's of the table."""

    def judge(column: Column, texts: Sequence[str]) -> ColumnProposal:
        return propose_column(table, column, texts, strategies, is_key=False)

    return judge


def _text_dates(values: Sequence[str] | None) -> bool:
    """ISO dates kept as text (Keycloak's user_attribute 'birthdate', Redmine's date
    custom fields): masked as text, they are no dates any more."""
    sample = [v.strip() for v in values or () if v.strip()]
    return bool(sample) and json_paths.all_dates(sample)

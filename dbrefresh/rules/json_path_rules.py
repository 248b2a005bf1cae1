"""The rules column detectors give, at JSON paths: a path judged as a column would be.

Paths got only a kind's candidates, so what a column's own detector proposes never
reached them: n8n's node URLs ('...contacts?email=anna@gmail.com&limit=1') got `lorem`
where a URL column gets its parameter replaced; Medusa's label URLs
('https://labels.example.com/peter-meyer-order_123.pdf') and Instagram handles
('@petermeyer') were kept where a column gets `file_name` or a handle's hash; 5-digit
US ZIPs got `postcode` ('N11 1PU') where a column gets `digits`. Each such path now
gets the column's rule (url_params.py, file_names.py, handles.py, the digits rule for
postcodes, `file_name` for links whose tokens sit in the last part: Google's avatar
'https://lh3.googleusercontent.com/a/ACg8ocK...' became bare hex), and so do a
person's photo addresses and places (photo_urls.py, place_names.py: Supabase's
raw_user_meta_data 'avatar_url', a 'location' beside a masked street), and profile
addresses beside a login (json_profile_urls.py: GitHub's `html_url` beside `login`).
Pure logic over json_paths' sample.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from dbrefresh.rules import (
    file_names,
    file_stems,
    handle_kinds,
    json_profile_urls,
    photo_urls,
    pii,
    pii_values,
    place_names,
    url_params,
    url_tokens,
)
from dbrefresh.rules.json_paths import PathFinding
from dbrefresh.strategies.jsonb_pathsyntax import field_name, path_parts

# A URL ending in a file name (a query without '/' may follow: a signed link)
_URL_FILE = re.compile(
    r"https?://[^/\s?#]+(?:/[^/\s?#]*)*/[^/\s?#]+\.[A-Za-z0-9]{1,8}(?:[?#][^/\s]*)?",
    re.IGNORECASE,
)
_TEXT_KINDS = frozenset({"free_text", "email", "full_name", "username"})
# keys naming a person's own web site (not `url`: a configuration's is the application's)
_OWN_SITES = handle_kinds.URLS - {"url", "www", "web_url", "web_address"}


def _key(path: str) -> str:
    keys = [field_name(part) or part for part in path_parts(path) if not part.isdigit()]
    return keys[-1] if keys else ""


def _file_urls(values: Sequence[str]) -> str | None:
    """Why a path's values are URLs of files naming people (file_names' thresholds)."""
    sample = [v.strip() for v in values if v.strip()]
    files = [re.split(r"[?#]", v, maxsplit=1)[0] for v in sample if _URL_FILE.fullmatch(v)]
    named = file_names.naming_people(sample, files)
    if named is None:
        return None
    return (
        f"{named[0]} of {len(sample)} sampled values are URLs of files naming people: the "
        "name part hashed, the rest of the URL kept"
    )


def _handle(
    path: str, values: Sequence[str], table: str, people: frozenset[tuple[str, ...]]
) -> PathFinding | None:
    """A messenger handle or profile address under a key naming the service, in a table
    about people or an object naming its person (`people`), masked as handles.py masks
    such a column."""
    key = pii.normalize(_key(path))
    service = handle_kinds.service_of(key)
    people_here = tuple(path_parts(path)[:-1]) in people or pii.about_people(
        pii.normalize(table.rsplit(".", 1)[-1])
    )
    # a person's own `website` too (a bare `url` is the application's: a config's)
    if not people_here or (service is None and key not in _OWN_SITES):
        return None
    sample = [v.strip() for v in values if v.strip()]
    if not sample or {v.lower() for v in sample} <= handle_kinds.FLAGS:
        return None
    if 2 * sum(any(c.isspace() for c in v) for v in sample) > len(sample):
        return None  # words, no handle
    candidates, how = handle_kinds.candidates_for(service, sample, False)
    what = f"an account at {service}" if service else "a person's own web site"
    where = "in a table about people or beside a person's email, login or name"
    why = f"key `{key}` {where}: {what}; {how}"
    return PathFinding(path, "username", why, rules=tuple(candidates))


def refine(found: list[PathFinding], paths: dict[str, list[str]], table: str) -> list[PathFinding]:
    """The findings, with the paths a column's detector masks its own way given its rule."""
    out = {f.path: f for f in found}
    # objects holding a person's email, login or name: a user document, wherever it is
    # stored (NodeBB's legacy_hash 'user:5', whose `website` was kept)
    people = place_names.person_objects(found)
    for path, values in paths.items():
        known = out.get(path)
        if known is not None and known.kind not in _TEXT_KINDS:
            if known.kind == "postcode" and (digits := pii_values.digit_postcodes(values)):
                reason = f"{known.reason}; {digits}: digits keeps their format"
                out[path] = replace(known, reason=reason, rules=(("digits", {}),))
            elif (
                known.kind == "secret"
                and not known.rules
                and (last := url_tokens.last_part_reason(values))
            ):  # Google's avatar '.../a/ACg8ocK...': `hash` made it hex, no picture
                reason = f"{known.reason}; {last}"
                out[path] = replace(known, reason=reason, rules=(("file_name", {}),))
            continue
        rule = url_params.query_rule(values, table)
        if rule is not None and (known is not None or rule[0].get("names")):
            # Jira's author_link '...ViewProfile.jspa?name=bbenard' found by its parameter
            out[path] = PathFinding(path, "url", rule[1], rules=(("url_query", rule[0]),))
        elif (why := _file_urls(values)) is not None:
            out[path] = PathFinding(path, "file_name", why, rules=(("file_name", {}),))
        elif (known is None or known.kind != "email") and (
            handle := _handle(path, values, table, people)
        ) is not None:
            out[path] = handle
    for path, photo in photo_urls.path_findings(out, paths, table).items():
        if (known := out.get(path)) is None or known.kind in _TEXT_KINDS:
            out[path] = photo  # 'https://lh3.googleusercontent.com/a/ACg8...=s96-c'
    for path, profile in json_profile_urls.path_findings(out, paths).items():
        if (known := out.get(path)) is None or known.kind in _TEXT_KINDS:
            out[path] = profile  # 'https://github.com/coliva' beside `login` 'coliva'
    for path, site in json_profile_urls.site_findings(out, paths).items():
        if (known := out.get(path)) is None or known.kind in _TEXT_KINDS:
            out[path] = site  # GitHub's `blog` 'https://coliva.dev' beside `login`
    for path, stem in file_stems.path_findings(out, paths).items():
        out[path] = stem  # Strapi's formats.thumbnail.hash beside formats.thumbnail.url
    for path, place in place_names.path_findings(out, paths, table).items():
        if (known := out.get(path)) is None or known.kind in _TEXT_KINDS:
            out[path] = place  # 'Gera, DE' beside a masked street
    return [out[p] for p in sorted(out)]

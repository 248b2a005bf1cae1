"""Addresses of a person's photo, in `rules init`: avatar and picture URLs beside people.

Supabase keeps a user's photo in auth.users.raw_user_meta_data->>'avatar_url' and
'picture', its identities in identity_data, and public.profiles.avatar_url:
'https://lh3.googleusercontent.com/a/ACg8ocK...=s96-c' serves the person's face,
'https://avatars.githubusercontent.com/u/1037?v=4' names their account. The photo
detector read binary columns only (pii.match_file) and a URL names no one by its
words, so all of them were kept.

A text column or JSON key named for a picture (avatar, picture, photo, image, ...;
`avatar_url`, `profile_image`), in a table about people, or a JSON key beside masked
names or addresses in its object (a document holding the person's name or email:
Supabase's identities), whose sampled values are mostly web addresses or storage paths
of several different values, gets `file_name`: the last part of the path (and its
query) hashed, the scheme, host and folders kept, so the application still parses and
fetches an address ('https://lh3.googleusercontent.com/a/<32 hex>'), a storage key
keeps its folders and extension, and one address masks alike in a column and at a JSON
path (the same digest). A product's image in a products table stays kept: no people
there; so does a column of pictures in a table not about people even beside a masked
name (a team's banner beside its contact's name, a chair's picture beside its
designer's). Folders holding ids (graph.facebook.com/<id>/picture) are kept by
file_name: noted for review. Pictures whose file names are mostly made by a machine
(Lemmy's pict-rs '/pictrs/image/<uuid>.png', Mastodon's and Misskey's 16 hex or base62
characters) are kept with a note: a hash of a random name hides nothing, and the masked
address no longer finds the picture. Hex of a digest's length (32, 40, 64: Gravatar's
md5 of the address) is no such name, nor is a person's name in a file name.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Table
from dbrefresh.rules import file_names, pii
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.json_paths import PathFinding
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.jsonb_pathsyntax import field_name, path_parts

URL_SHARE = 0.8  # of the sampled values, addresses or paths
MIN_DISTINCT = 3  # different values: one default picture for all is no one's photo
_PHOTO = re.compile(
    r"(?:^|_)(?:avatars?|gravatar|pictures?|pics?|photos?|images?|img|portraits?|"
    r"headshots?|selfies?|mugshots?|thumbnails?|fotos?|bild|bilder|imagen|immagine)"
    r"(?:_\d+)?(?:_|$)"
)
# words of a picture's attributes, not its address (avatar_width, photo_count, has_avatar)
_ABOUT = frozenset(
    re.split(
        r"\s+",
        """id ids uuid count cnt at on flag enabled disabled type kind status has is can allow
    visible visibility public changed updated created version width height size alt
    color colour position crop mime style caption title blurhash focal format source
    provider hash checksum digest""",
    )
)
# a key or column naming whose picture it is: user_avatar, author.avatar_url
_PERSON_WORDS = frozenset(
    re.split(
        r"\s+",
        """user users member author owner creator sender recipient customer client contact
    person profile account employee staff student patient actor assignee reviewer""",
    )
)
# kinds found beside a picture that make its document a person's
_PERSON_KINDS = frozenset(
    {"email", "first_name", "last_name", "full_name", "username", "phone", "street"}
)
_WEB = re.compile(r"https?://[^/\s?#]+(?:[/?#]\S*)?", re.IGNORECASE)
# a folder holding an id: six digits or more, or a long hex or base64 run
_ID_FOLDER = re.compile(r"/(?:\d{6,}|[0-9a-f]{16,}|[A-Za-z0-9_-]{20,})/")


# A file name a machine made: a UUID, 16 hex digits or more (not a digest's length: an
# md5 of the person's address), 16 letters and digits of both cases mixed
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_HEX = re.compile(r"[0-9a-f]{16,}", re.I)
_BASE62 = re.compile(r"(?=[^/]*[0-9])(?=[^/]*[a-z])(?=[^/]*[A-Z])[A-Za-z0-9]{16,}")
DIGEST_LENGTHS = frozenset({32, 40, 64})
MACHINE_SHARE = 0.8  # of the sampled addresses, machine-made file names: kept


def _machine_made(value: str) -> bool:
    """Whether the address's file name (before its extension) is a random id."""
    last = re.split(r"[?#]", value.strip(), maxsplit=1)[0].rstrip("/").rsplit("/", 1)[-1]
    stem = re.sub(r"^[A-Za-z]+[-_](?=[0-9a-fA-F])", "", last.split(".", 1)[0])  # webpublic-
    if _UUID.fullmatch(stem):
        return True
    if _HEX.fullmatch(stem):
        return len(stem) not in DIGEST_LENGTHS
    return _BASE62.fullmatch(stem) is not None


def machine_named(values: Sequence[str]) -> str | None:
    """A note keeping picture addresses whose file names are mostly random ids."""
    addresses = [v.strip() for v in values if v.strip() and _is_address(v)]
    made = sum(map(_machine_made, addresses))
    if not addresses or made < MACHINE_SHARE * len(addresses):
        return None
    return (
        f"addresses of pictures, but {made} of {len(addresses)} sampled file names are "
        "random ids (UUID, hex, base62): kept, a hash of them hides nothing and the "
        "picture would no longer be found"
    )


def photo_name(name: str) -> bool:
    """A column or key named for a picture's address, not its attributes."""
    norm = pii.normalize(name)
    return bool(_PHOTO.search(norm)) and not set(norm.split("_")) & _ABOUT


def _person_named(name: str) -> bool:
    return bool(set(pii.normalize(name).split("_")) & _PERSON_WORDS)


def _is_address(value: str) -> bool:
    text = value.strip()
    return _WEB.fullmatch(text) is not None or (
        not any(c.isspace() for c in text) and file_names.is_file(text)
    )


def reason(values: Sequence[str]) -> str | None:
    """Why the values are addresses of pictures, or None (not mostly addresses, or too
    few different ones)."""
    sample = [v.strip() for v in values if v.strip()]
    addresses = [v for v in sample if _is_address(v)]
    if not sample or len(addresses) < URL_SHARE * len(sample):
        return None
    if len(set(addresses)) < MIN_DISTINCT:
        return None
    return (
        f"{len(addresses)} of {len(sample)} sampled values are addresses of pictures beside "
        "people: the path's last part hashed, scheme, host and folders kept"
    )


def id_folders(values: Sequence[str]) -> str | None:
    """A REVIEW note for addresses holding an id in a folder, which file_name keeps."""
    held = {re.sub(r"[^/]*$", "", v.strip()) for v in values if _ID_FOLDER.search(v)}
    if len(held) < MIN_DISTINCT:
        return None
    return (
        f"REVIEW: {len(held)} different sampled folders hold an id (graph.facebook.com/"
        "<id>/picture), which file_name keeps; `hash` replaces the whole address"
    )


def mask_photo_columns(
    table: Table,
    proposals: dict[str, ColumnProposal],
    samples: Mapping[str, list[str]],
    strategies: Mapping[str, Strategy[Any]],
    keys: Collection[str] = (),
) -> None:
    """Kept text columns of picture addresses in a table about people (or named for
    whose picture: user_avatar) get `file_name`; `keys` (joined by foreign keys) stay.
    A masked name beside is no reason: a team's banner beside its contact's name, a
    product's image beside its designer's are no one's photo."""
    people = pii.about_people(pii.normalize(table.name))
    for name, proposal in proposals.items():
        column = table.columns[name]
        if proposal.masked or proposal.kind is not None or not photo_name(name):
            continue
        if not column.type.is_text or column.type.is_array or column.generated:
            continue
        if name in table.partition_key or name in keys:
            continue
        if not (people or _person_named(name)):
            continue
        why = reason(samples.get(name) or ())
        unique = name in table.unique_columns()
        ctx = column_context(table, column, unique=unique)
        if why is None or not fits(strategies["file_name"], {}, ctx):
            continue
        if (random := machine_named(samples.get(name) or ())) is not None:
            proposal.why.append(random)
            continue
        notes = [n for n in (id_folders(samples.get(name) or ()),) if n]
        proposals[name] = ColumnProposal(
            name, "file_name", unique=unique, kind="file_name", why=[*proposal.why, why, *notes]
        )


def path_findings(
    found: Mapping[str, PathFinding], paths: Mapping[str, Sequence[str]], table: str
) -> dict[str, PathFinding]:
    """Findings for the JSON paths of picture addresses: under a key named for a
    picture, in a table about people, under a key naming a person, or beside a path
    found to hold a person's name or contact details (in the same object)."""
    people = pii.about_people(pii.normalize(table.rsplit(".", 1)[-1]))
    persons = {tuple(path_parts(f.path)[:-1]) for f in found.values() if f.kind in _PERSON_KINDS}
    out = {}
    for path, values in paths.items():
        parts = path_parts(path)
        keys = [field_name(p) or p for p in parts if not p.isdigit()]
        if not keys or not photo_name(keys[-1]):
            continue
        beside = tuple(parts[:-1]) in persons
        if not (people or beside or any(_person_named(k) for k in keys)):
            continue
        if (why := reason(values)) is not None and machine_named(values) is None:
            why += "".join(f"; {n}" for n in (id_folders(values),) if n)
            out[path] = PathFinding(path, "file_name", why, rules=(("file_name", {}),))
    return out

"""Names spelled across a kept value's words, for verify's kept-copy check
(verify_kept.py).

A kept 'dennis.boone' (Synapse's profiles.user_id) or '@dennis.boone:example.org' beside
a masked display name 'Dennis Boone' passed verify: the kept value was hashed whole and
word by word ('dennis', 'boone'), never as the name it spells. So each run of letters,
digits and the separators '.', '_', '-' of a kept value is also compared with those
separators read as one space ('dennis boone'), as the case-folded original is hashed.

A name inside a longer text passed too: Cal.com's Booking.title 'Call with Anna
Schmidt' beside a masked User.name 'Anna Schmidt' (Twenty's message.subject alike). So
each run of 2 and 3 consecutive words (split on white space) is compared as well,
joined by one space, as it is and without punctuation at its ends ('(Anna Schmidt),').

A name inside a file name or path passed as well: Paperless's original_filename
'Scan_2023_Anna_Schmidt_Mietvertrag.pdf' beside the owner's masked 'Anna Schmidt'
(compared whole and as 'scan 2023 anna schmidt mietvertrag pdf' only). So a
word (split on white space) joining letters or digits by anything else ('_', '.', '-',
'/') also has its runs of 2 and 3 consecutive parts compared (part_runs); the runs over
white space stay, for 'Anna-Lena Schmidt'.
"""

from __future__ import annotations

SEPARATORS = "[._-]+"
TOKENS = "[^[:alnum:]._-]+"  # what splits a value into login-like tokens ('@', ':', '/')
# punctuation around a name in a text: 'Intro: Anna Schmidt, 30 min', '(Anna Schmidt)'
END_PUNCTUATION = ".,;:!?()[]{}<>\"'*/#@-"


def joined_words(value: str, head: int) -> str:
    """SQL (a set-returning SELECT) of the login-like tokens of `value`'s first `head`
    characters that hold a separator, each with its separators read as one space."""
    return (
        f"SELECT regexp_replace(j.t, '{SEPARATORS}', ' ', 'g') "
        f"FROM regexp_split_to_table(left({value}, {head}), '{TOKENS}') j(t) "
        f"WHERE j.t ~ '[[:alnum:]]{SEPARATORS}[[:alnum:]]'"
    )


def word_runs(value: str, head: int) -> str:
    """SQL (a set-returning SELECT) of the runs of 2 and 3 consecutive words of
    `value`'s first `head` characters, joined by one space, each also with
    END_PUNCTUATION trimmed from its ends: about twice as many values as words.

    lead() over the words: slicing an array of them per run cost more, and a subquery
    splitting the value was inlined into (and repeated by) every run."""
    trim = END_PUNCTUATION.replace("'", "''")
    return (
        f"SELECT unnest(ARRAY[g.r2, btrim(g.r2, '{trim}'), g.r3, btrim(g.r3, '{trim}')]) "
        "FROM (SELECT ws.w || ' ' || lead(ws.w) OVER wo AS r2, "
        "ws.w || ' ' || lead(ws.w) OVER wo || ' ' || lead(ws.w, 2) OVER wo AS r3 "
        f"FROM regexp_split_to_table(left({value}, {head}), '[[:space:]]+') "
        "WITH ORDINALITY ws(w, at) WHERE ws.w <> '' WINDOW wo AS (ORDER BY ws.at)) g"
    )


def part_runs(value: str, head: int) -> str:
    """SQL (a set-returning SELECT) of the runs of 2 and 3 consecutive parts, joined by
    one space, of each word (split on white space) of `value`'s first `head` characters
    that joins two parts by something else ('Scan_2023_Anna_Schmidt.pdf',
    '/upload/anna-schmidt/1.jpg'), parts split on anything but letters and digits.
    Only such words: the runs of a plain text's words are word_runs'."""
    return (
        "SELECT unnest(ARRAY[g.r2, g.r3]) "
        "FROM (SELECT p.w || ' ' || lead(p.w) OVER wo AS r2, "
        "p.w || ' ' || lead(p.w) OVER wo || ' ' || lead(p.w, 2) OVER wo AS r3 "
        f"FROM regexp_split_to_table(left({value}, {head}), '[[:space:]]+') "
        "WITH ORDINALITY t(t, at) CROSS JOIN LATERAL regexp_split_to_table(t.t, "
        "'[^[:alnum:]]+') WITH ORDINALITY p(w, at) "
        "WHERE t.t ~ '[[:alnum:]][^[:alnum:]]+[[:alnum:]]' AND p.w <> '' "
        "WINDOW wo AS (PARTITION BY t.at ORDER BY p.at)) g"
    )

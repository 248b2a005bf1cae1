"""vcard: vCards (3.0, 4.0) and iCalendar objects masked property by property. Roundcube
and SOGo could not parse their contacts and events after `lorem` over the whole value:
each still parses here, personal values changed, structure (UID, DTSTART, VERSION,
parameters) kept, and an attendee's address masks as `email` masks it in a column."""

from __future__ import annotations

import re

from .conftest import Masking

VCARD3 = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Hernandez;Mario;Luis;Dr.;\r\nFN:Mario Hernandez\r\n"
    "NICKNAME:Mari\r\nEMAIL;TYPE=INTERNET;TYPE=home:mario.hernandez@mailbox.example\r\n"
    "TEL;TYPE=cell:+1 555 010 0042\r\nADR;TYPE=home:;;142 Main Street;Springfield;IL;62704;USA\r\n"
    "BDAY:1980-03-05\r\nNOTE:Met Mario at the confer\r\n ence in Chicago\r\n"
    "ORG:Hernandez Plumbing;Sales\r\nTITLE:Owner\r\nURL:https://mario-hernandez.example/blog\r\n"
    "X-SOCIALPROFILE;TYPE=twitter:https://twitter.com/mariohdz\r\n"
    "IMPP;X-SERVICE-TYPE=Jabber:xmpp:mario@jabber.example\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n"
    "UID:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r\nX-MOZ-GENERATION:3\r\nEND:VCARD\r\n"
)
VCARD4 = (
    "BEGIN:VCARD\nVERSION:4.0\nFN:Debra Romero\nN:Romero;Debra;;;\n"
    "EMAIL;TYPE=work:debra.romero@corp.example\nTEL;VALUE=uri;TYPE=voice:tel:+44-20-7946-0958\n"
    'ADR;LABEL="7 Elm Road\\nLondon";TYPE=work:;;7 Elm Road;London;;SW1A 1AA;UK\n'
    "BDAY:--0412\nGENDER:F\nUID:urn:uuid:0f1b2c3d-0000-4000-8000-000000000001\nEND:VCARD"
)
EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Inverse inc./SOGo 5.8.0//EN\r\n"
    "BEGIN:VEVENT\r\nUID:EV7\r\nSUMMARY:Review with Roger\r\n"
    "DESCRIPTION:Bring the contract for Roger Serrano\r\nLOCATION:Room 4\\, 12 Oak Lane\r\n"
    'ORGANIZER;CN="Jane Doe":mailto:jane.doe@corp.example\r\n'
    "ATTENDEE;CN=Roger Serrano;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:"
    "mailto:roger.serrano@mailbox.example\r\n"
    "DTSTART:20240115T090000Z\r\nDTEND:20240115T100000Z\r\nDTSTAMP:20240101T000000Z\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=4\r\nCATEGORIES:Work\r\nX-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\n"
    "END:VEVENT\r\nEND:VCALENDAR"
)
VALUES = [VCARD3, VCARD4, EVENT, "", "BEGIN:VCALENDAR\r\nUID:x\r\nEND:VCALENDAR"]


def _table(masking: Masking) -> None:
    conn = masking.conn
    conn.execute("SET jit = off")  # as anonymize's sessions: compiling the CASE took seconds
    conn.execute("DROP TABLE IF EXISTS cards")
    conn.execute("CREATE TABLE cards (id int PRIMARY KEY, v text, raw bytea, mail text)")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO cards VALUES (%s, %s, convert_to(%s, 'UTF8'), %s)",
            [(i, v, v, "roger.serrano@mailbox.example") for i, v in enumerate(VALUES)],
        )


_VALUES = r'(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*'  # a parameter's values


def parse(text: str) -> list[tuple[str, dict[str, str], str]]:
    """A minimal RFC 5545/6350 reader: unfold, then (NAME, params, value) per line; fails
    on a line that is no content line, or on unbalanced BEGIN/END."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    lines = [line.rstrip("\r") for line in unfolded.split("\n") if line.strip("\r")]
    out, open_ = [], []
    for line in lines:
        m = re.fullmatch(rf"([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+={_VALUES})*):(.*)", line)
        assert m, line
        params = dict(p.split("=", 1) for p in re.findall(rf";([^;\"=]+={_VALUES})", m[2]))
        out.append((m[1].upper(), params, m[3]))
        if m[1].upper() == "BEGIN":
            open_.append(m[3])
        elif m[1].upper() == "END":
            assert open_.pop() == m[3], line
    assert not open_ and out[0][0] == "BEGIN" and out[-1][0] == "END"
    return out


def _props(text: str) -> dict[str, tuple[dict[str, str], str]]:
    return {name: (params, value) for name, params, value in parse(text)}


def test_vcards_still_parse_with_every_personal_value_masked(masking: Masking) -> None:
    _table(masking)
    masked = dict(masking.run("vcard", {}, "v", table="cards"))
    card = masked[VCARD3]
    props = _props(card)
    for person in ("Mario", "Hernandez", "mario", "0042", "Main Street", "Springfield"):
        assert person not in card, (person, card)
    assert "1980-03-05" not in card and "Chicago" not in card and "jabber.example" not in card
    assert props["VERSION"][1] == "3.0" and props["UID"][1] == VCARD3.split("UID:")[1][:36]
    assert props["X-MOZ-GENERATION"][1] == "3" and "PHOTO" not in props
    family, given, middle, prefix, suffix = props["N"][1].split(";")
    assert family and given and middle and (prefix, suffix) == ("Dr.", "")
    assert props["EMAIL"][0] == {"TYPE": "home"} and "@" in props["EMAIL"][1]
    assert re.fullmatch(r"\+1 \d{3} \d{3} \d{4}", props["TEL"][1]), props["TEL"]
    box, ext, street, city, region, code, country = props["ADR"][1].split(";")
    assert not re.search(r"(?<!\\),", street + city), street  # a ',' in a name escaped
    assert (box, ext, region, country) == ("", "", "IL", "USA") and street and city
    assert re.fullmatch(r"\d{5}", code) and code != "62704"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", props["BDAY"][1])
    assert props["URL"][1].startswith("https://example.com/")
    assert props["X-SOCIALPROFILE"][1].startswith("https://twitter.com/u")
    assert props["IMPP"][1].startswith("xmpp:u")
    assert card.count("\r\n") == card.count("\n")  # CRLF kept, the NOTE unfolded

    card4 = masked[VCARD4]
    props4 = _props(card4)
    assert "Debra" not in card4 and "Romero" not in card4 and "Elm" not in card4
    assert props4["UID"][1] == "urn:uuid:0f1b2c3d-0000-4000-8000-000000000001"
    assert re.fullmatch(r"tel:\+44-\d\d-\d{4}-\d{4}", props4["TEL"][1]), props4["TEL"]
    assert re.fullmatch(r"--\d{4}", props4["BDAY"][1]) and props4["GENDER"][1] == "F"
    assert props4["ADR"][0]["TYPE"] == "work" and "\r" not in card4


def test_events_keep_their_schedule_and_attendees_join_the_email_column(
    masking: Masking,
) -> None:
    _table(masking)
    masked = dict(masking.run("vcard", {}, "v", table="cards"))
    mail = dict(masking.run("email", {}, "mail", table="cards"))
    event = masked[EVENT]
    props = _props(event)
    for person in ("Roger", "Serrano", "Jane", "Doe", "Oak Lane"):
        assert person not in event, (person, event)
    for kept in ("DTSTART", "DTEND", "DTSTAMP", "RRULE", "CATEGORIES", "UID", "PRODID"):
        assert props[kept] == _props(EVENT)[kept]
    assert props["X-MICROSOFT-CDO-BUSYSTATUS"][1] == "BUSY"
    params, attendee = props["ATTENDEE"]
    assert attendee == "mailto:" + mail["roger.serrano@mailbox.example"]
    assert params["PARTSTAT"] == "NEEDS-ACTION" and params["RSVP"] == "TRUE"
    assert params["CN"] and params["CN"] != "Roger Serrano"
    assert props["ORGANIZER"][0]["CN"].startswith('"') and props["ORGANIZER"][1].startswith(
        "mailto:"
    )
    assert masked[""] == ""
    assert masked[VALUES[4]] == VALUES[4]  # nothing personal: kept


def test_bytea_is_masked_as_utf8(masking: Masking) -> None:
    _table(masking)
    text = dict(masking.run("vcard", {}, "v", table="cards"))
    raw = dict(masking.run("vcard", {}, "raw", table="cards"))
    assert bytes(raw[VCARD3.encode()]).decode() == text[VCARD3]
    parse(bytes(raw[EVENT.encode()]).decode())


VCARD21 = (
    "BEGIN:VCARD\nVERSION:2.1\nN:Stone;Nina\nFN:Nina Stone\nTEL;HOME;VOICE:555-0101\n"
    "NOTE;ENCODING=QUOTED-PRINTABLE:Nina lives at=0D=0A=\n12 Oak Lane\n"
    "email;type=internet:nina@stone.example\n"
    "item1.EMAIL;type=INTERNET;type=pref:nina.work@corp.example\nitem1.X-ABLabel:_$!<Other>!$_\n"
    "X-SOCIALPROFILE;type=twitter;x-user=ninastone:http://twitter.com/ninastone\n"
    "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:1234\nEND:VCARD\n"
)
DELEGATED = (
    'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nATTENDEE;CN="Doe, Jane";SENT-BY="mailto:boss@corp.example"'
    ';DELEGATED-TO="mailto:a@x.example","mailto:b@y.example":MAILTO:jane@corp.example\r\n'
    'X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-ADDRESS="12 Oak Lane";X-TITLE=Jane\'s:geo:1,2\r\n'
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_groups_old_vcards_and_address_parameters(masking: Masking) -> None:
    """vCard 2.1 (parameters without names, a quoted-printable soft break), Apple's
    groups and labels, lower-case names; addresses inside parameters."""
    conn = masking.conn
    conn.execute("SET jit = off")
    conn.execute("DROP TABLE IF EXISTS old_cards")
    conn.execute("CREATE TABLE old_cards (id int PRIMARY KEY, v text)")
    conn.execute("INSERT INTO old_cards VALUES (1, %s), (2, %s)", (VCARD21, DELEGATED))
    (_, card), (_, event) = masking.run("vcard", {}, "v", table="old_cards")
    lines = card.split("\n")
    for person in ("Nina", "Stone", "stone", "0101", "Oak", "ninastone", "nina"):
        assert person not in card, (person, card)
    assert lines[5].startswith("NOTE;ENCODING=QUOTED-PRINTABLE:") and lines[5].endswith("=")
    assert lines[7].startswith("email;type=internet:") and "@example.com" in lines[7]
    assert lines[8].startswith("item1.EMAIL;type=INTERNET;type=pref:")
    assert lines[9] == "item1.X-ABLabel:_$!<Other>!$_" and lines[2] == "N:" + lines[2][2:]
    assert lines[4].startswith("TEL;HOME;VOICE:") and card.endswith("END:VCARD\n")
    assert "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:1234\n" in card and ";x-user=u" in card
    for person in ("Jane", "boss@", "a@x.example", "b@y.example", "jane@", "Oak"):
        assert person not in event, (person, event)
    params = parse(event)[2][1]
    assert params["SENT-BY"].startswith('"mailto:') and params["DELEGATED-TO"].count("mailto:") == 2
    assert params["CN"].startswith('"') and ":MAILTO:" in event


# UTF-8 PostgreSQL reads (a 4-byte emoji, E0 A0 80, U+10FFFF) and what it refuses: a
# surrogate, an overlong '/', past U+10FFFF, a lone continuation byte, a cut sequence
SEQUENCES = [
    b"\xf0\x9f\x93\x87",
    b"\xe0\xa0\x80",
    b"\xf4\x8f\xbf\xbf",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xf4\x90\x80\x80",
    b"\x80",
    b"\xe2\x82",
]


def test_bytea_that_is_no_utf8_is_read_as_latin1(masking: Masking) -> None:
    """A card PostgreSQL cannot read as UTF-8 failed the table: it is read as Latin-1
    (NUL bytes dropped), each property masked as in any card, and written as UTF-8; a
    card that is UTF-8 is read as before."""
    conn = masking.conn
    conn.execute("SET jit = off")
    conn.execute("DROP TABLE IF EXISTS byte_cards")
    conn.execute("CREATE TABLE byte_cards (id int PRIMARY KEY, v bytea)")
    cards = [b"BEGIN:VCARD\r\nN:Mueller;Juergen;;;\r\nCATEGORIES:" + s for s in SEQUENCES]
    cards.append(b"BEGIN:VCARD\r\nN:M\xfcller;J\xfcrgen\x00;;;\r\nCATEGORIES:\xc4rzte")
    for i, card in enumerate(cards):
        conn.execute("INSERT INTO byte_cards VALUES (%s, %s)", (i, card + b"\r\nEND:VCARD"))
    masked = [bytes(m).decode() for _, m in masking.run("vcard", {}, "v", table="byte_cards")]
    for card, sent in zip(masked, [*SEQUENCES, "\xc4rzte".encode("latin-1")], strict=True):
        for person in ("Mueller", "Juergen", "Müller", "Jürgen", "\x00"):
            assert person not in card, card
        assert parse(card)[1][0] == "N" and card.endswith("END:VCARD")
        try:
            assert parse(card)[2][2] == sent.decode("utf-8")
        except UnicodeDecodeError:
            assert parse(card)[2][2] == sent.decode("latin-1"), (sent, card)

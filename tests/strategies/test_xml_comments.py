"""xml: a comment's text is blanked. `<!-- email="old@shopapp.example" -->` and
`<!-- edited by anna@x.org -->` were kept byte for byte, where the document had been
emptied whole before the strategy masked it element by element: comments carry
nothing an application reads. Each comment keeps its `<!--` and `-->` and its length,
its text turned to spaces (never a '--'); processing instructions (`<?xml-stylesheet
...?>`, which apps read) and every other byte are kept, and the document still parses
in PostgreSQL and in Python."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from dbrefresh.strategies.registry import get

from .conftest import Masking

COMMENTED = (
    '<?xml-stylesheet href="a.xsl"?><cfg xmlns:m="urn:x" m:email="noreply1@shopapp.example">'
    '<!-- email="old@shopapp.example" --><name>Anna Berg</name>'
    "<!--edited by\n anna@x.org on 2024-01-02 -a- --><!----><b email='ops@shopapp.example'/>"
    "<note>kept text</note></cfg>"
)
PLAIN = '<w><n email="alerts@shopapp.example" title="Tom &amp; Jerry"/><name>Bo Li</name></w>'
ONLY_COMMENT = "<doc><!-- anna@x.org --><code>A-17</code></doc>"
NOTHING = "<doc><code>A-17</code></doc>"
DOCS = [COMMENTED, PLAIN, ONLY_COMMENT, NOTHING]
PARAMS = {"elements": {"name": "full_name"}, "attributes": {"email": "email"}}
PEOPLE = ("old@shopapp.example", "anna@x.org", "edited by", "Anna Berg", "Bo Li", "ops@", "alerts@")


def _table(masking: Masking) -> None:
    conn = masking.conn
    conn.execute("SET jit = off")
    conn.execute("DROP TABLE IF EXISTS commented")
    conn.execute("CREATE TABLE commented (id int PRIMARY KEY, v text, x xml, raw bytea)")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO commented VALUES (%s, %s, xmlparse(document %s), convert_to(%s, 'UTF8'))",
            [(i, d, d, d) for i, d in enumerate(DOCS)],
        )


def _comments(doc: str) -> list[str]:
    return re.findall(r"<!--(.*?)-->", doc, re.S)


def _without_comments_and_masked(doc: str) -> str:
    """What must stay byte for byte: the document without comments' text, the masked
    attribute values and element text."""
    doc = re.sub(r"<!--.*?-->", "<!---->", doc, flags=re.S)
    doc = re.sub(r"""(email=)("[^"]*"|'[^']*')""", r"\1", doc)
    return re.sub(r"<name>[^<]*</name>", "<name/>", doc)


def test_comment_text_blanked_document_parses(masking: Masking) -> None:
    _table(masking)
    masked = dict(masking.run("xml", PARAMS, "v", table="commented"))
    for original, doc in masked.items():
        for person in PEOPLE:
            assert person not in doc, (person, doc)
        # each comment kept as one of the same length, its text spaces only
        assert [len(c) for c in _comments(doc)] == [len(c) for c in _comments(original)]
        assert all(set(c) <= {" "} for c in _comments(doc)), doc
        assert _without_comments_and_masked(doc) == _without_comments_and_masked(original)
        ElementTree.fromstring(doc)
        masking.conn.execute("SELECT xmlparse(document %s)", (doc,))
    assert masked[COMMENTED].startswith('<?xml-stylesheet href="a.xsl"?>')  # PIs kept
    assert "<note>kept text</note>" in masked[COMMENTED]
    assert masked[NOTHING] == NOTHING
    assert masked[ONLY_COMMENT] == "<doc><!--" + " " * 12 + "--><code>A-17</code></doc>"
    # xml and bytea columns alike
    xml = dict(masking.run("xml", PARAMS, "x", table="commented"))
    assert xml[ONLY_COMMENT] == masked[ONLY_COMMENT]
    raw = [bytes(v).decode() for _, v in masking.run("xml", PARAMS, "raw", table="commented")]
    assert raw[2] == masked[ONLY_COMMENT] and raw[3] == NOTHING


def test_leak_sample_takes_documents_with_comments(masking: Masking) -> None:
    """A document whose only person is in a comment is changed, so verify samples it;
    one with nothing to mask is still not sampled."""
    _table(masking)
    s = get("xml")
    ctx = masking.context("v", table="commented")
    when = s.leak_sample_when(s.parse_params(PARAMS), ctx).sql(dialect="postgres")
    masking.use_key("k")
    rows = masking.conn.execute(f"SELECT id, {when} FROM commented ORDER BY id").fetchall()
    assert rows == [(0, True), (1, True), (2, True), (3, False)]

"""pretix's answers read by their question's declared type: pretixbase_questionanswer
.answer keeps every answer, keyed by question_id into pretixbase_question(type,
question). Judged as one column (a quarter of the answers phone numbers), every
answer became lorem: the country 'AT' became 'di', the boolean 'False' 'speci', the
T-shirt size 'XL' a word, a birth date words."""

from __future__ import annotations

from pathlib import Path

import psycopg

from .helpers import comment_of, generate_then_mask, phone_case, rule_of

PRETIX = """
CREATE TABLE pretixbase_question (id serial PRIMARY KEY, question text NOT NULL,
  type varchar(5) NOT NULL, identifier varchar(190) NOT NULL);
INSERT INTO pretixbase_question (question, type, identifier) VALUES
  ('{"en": "Phone"}', 'TEL', 'K3XQ9PLA'), ('{"en": "Country"}', 'CC', 'CTRY8812'),
  ('{"en": "Attending dinner?"}', 'B', 'DNR00331'), ('{"en": "T-shirt size"}', 'C', 'TS77AB12'),
  ('{"en": "Years of experience"}', 'N', 'YRS2231A'), ('{"en": "Arrival"}', 'D', 'ARR99812'),
  ('{"en": "Anything else?"}', 'T', 'NOTE1234');
CREATE TABLE pretixbase_questionanswer (id serial PRIMARY KEY, orderposition_id int,
  question_id int NOT NULL REFERENCES pretixbase_question(id), answer text NOT NULL);
INSERT INTO pretixbase_questionanswer (orderposition_id, question_id, answer)
  SELECT g, q, CASE q
    WHEN 1 THEN '+4930' || lpad((g * 7919 % 10000000)::text, 7, '0')
    WHEN 2 THEN (ARRAY['AT', 'DE', 'FR', 'CH'])[1 + g % 4]
    WHEN 3 THEN (ARRAY['True', 'False'])[1 + g % 2]
    WHEN 4 THEN (ARRAY['S', 'M', 'L', 'XL'])[1 + g % 4]
    WHEN 5 THEN (g % 30)::text
    WHEN 6 THEN to_char(date '2026-01-01' + g % 200, 'YYYY-MM-DD')
    ELSE (ARRAY['Vegan please', 'Bringing my colleague', 'None', 'Wheelchair access'])[1 + g % 4]
  END
  FROM generate_series(1, 150) g, generate_series(1, 7) q;
ANALYZE;
"""


def test_answers_switch_on_their_question_type(make_db, tmp_path: Path) -> None:
    with psycopg.connect(make_db(prefix="orig")) as conn:
        conn.execute(PRETIX)
        original = dict(conn.execute("SELECT id, answer FROM pretixbase_questionanswer").fetchall())
    dsn, text = generate_then_mask(make_db, tmp_path, PRETIX)
    rule = rule_of(text, "public.pretixbase_questionanswer", "answer")
    assert rule["strategy"] == "switch" and rule["by"] == "question_id", rule
    cases = rule["cases"]
    assert phone_case(cases["1"]) == "phone"
    assert cases["6"] == {"strategy": "date_shift", "max_days": 365, "text": True}
    assert cases["7"] == "lorem"
    assert all(cases.get(key, "keep") == "keep" for key in ("2", "3", "4", "5")), cases
    note = comment_of(text, "public.pretixbase_questionanswer", "answer")
    assert "REVIEW: cases by public.pretixbase_question.type" in note
    assert "2 (Country): declared type 'CC'" in note
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT id, question_id, answer FROM pretixbase_questionanswer"
        ).fetchall()
    same = {q: 0 for q in range(1, 8)}
    for ident, question, answer in rows:
        same[question] += answer == original[ident]
    assert same[2] == same[3] == same[4] == same[5] == 150  # kept as the shop offered them
    assert same[1] == same[6] == 0 and same[7] < 10
    dates = [a for _, q, a in rows if q == 6]
    assert all(len(a) == 10 and a[4] == "-" for a in dates)

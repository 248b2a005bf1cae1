"""Places beside people: Kratos's session_devices.location ('Gera, DE'), Chatwoot's
contacts.location ('Neuss, Kongo'), Ghost's users.location and Zitadel's event payloads
{"locality": ..., "streetAddress": ..., "postalCode": ...} kept the city while the
street and postcode were masked. They get `city` now; warehouse codes, countries alone
and a shop's locations stay kept; so do a few rooms or offices repeated over many rows
(a gym's training_sessions, a staff table's offices) and a talk's town in a table of
conference sessions, which are no web sessions (no IP address, no user agent)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from dbrefresh.rules import place_names

from .helpers import generate_then_mask, rule_of, strategy_of

CITIES = "ARRAY['Gera','Neuss','Frankfurt am Main','Almería','Zaragoza','Bad Homburg','Lyon',\
'Saint-Étienne','Utrecht','Kraków']"
PLACES = f"""
CREATE TABLE session_devices (id serial PRIMARY KEY, ip_address text, location varchar(512));
INSERT INTO session_devices (ip_address, location)
  SELECT '10.0.' || (g % 200) || '.' || (g % 250),
    CASE WHEN g % 10 = 0 THEN '' ELSE ({CITIES})[1 + g % 10] || ', '
      || (ARRAY['DE','ES','FR','NL','PL'])[1 + g % 5] END
  FROM generate_series(1, 300) g;
CREATE TABLE contacts (id serial PRIMARY KEY, name text, location varchar, country text,
  region text, additional_attributes jsonb);
INSERT INTO contacts (name, location, country, region, additional_attributes)
  SELECT 'Person ' || g,
    ({CITIES})[1 + g % 10] || ', ' || (ARRAY['Germany','Kongo','Spain'])[1 + g % 3],
    (ARRAY['Germany','France','Spain','Italy'])[1 + g % 4], (ARRAY['EU','NA','APAC'])[1 + g % 3],
    jsonb_build_object('browser', 'Chrome', 'location', ({CITIES})[1 + g % 10] || ', DE')
  FROM generate_series(1, 200) g;
CREATE TABLE employees (id serial PRIMARY KEY, location text, home_location text);
INSERT INTO employees (location, home_location)
  SELECT 'WH-' || (ARRAY['BER','MAD','LYS'])[1 + g % 3] || '-' || lpad((g % 40)::text, 2, '0'),
    (ARRAY['Germany','Spain','France','DE','NL'])[1 + g % 5]
  FROM generate_series(1, 200) g;
CREATE TABLE stores (id serial PRIMARY KEY, location text);
INSERT INTO stores (location) SELECT ({CITIES})[1 + g % 10] FROM generate_series(1, 50) g;
CREATE TABLE events (id serial PRIMARY KEY, event_type text, payload jsonb);
INSERT INTO events (event_type, payload)
  SELECT 'user.human.address.changed', jsonb_build_object('country', 'DE',
    'locality', ({CITIES})[1 + g % 10], 'postalCode', lpad((g * 37 % 99999)::text, 5, '0'),
    'streetAddress', 'Hauptstraße ' || (1 + g % 90))
  FROM generate_series(1, 300) g;
CREATE TABLE training_sessions (id serial PRIMARY KEY, title text, location text);
INSERT INTO training_sessions (title, location) SELECT 'HIIT', (ARRAY['Studio A','Studio B',
  'Main Hall','Pool Deck','Spin Room','Yoga Loft','Outdoor Court'])[1 + g % 7]
  FROM generate_series(1, 500) g;
CREATE TABLE staff (id serial PRIMARY KEY, full_name text, location text);
INSERT INTO staff (full_name, location) SELECT 'Person ' || g, (ARRAY['Berlin Office',
  'Munich Warehouse','London HQ','Paris Office','Remote','Lyon Depot','Hamburg Store'])[1 + g % 7]
  FROM generate_series(1, 400) g;
CREATE TABLE conference_sessions (id serial PRIMARY KEY, title text, location text);
INSERT INTO conference_sessions (title, location) SELECT 'Talk ' || g,
  ({CITIES})[1 + g % 10] || ', ' || (ARRAY['DE','ES','FR'])[1 + g % 3]
  FROM generate_series(1, 200) g;
ANALYZE;
"""


def test_place_values() -> None:
    assert place_names.is_place("Gera, DE") and place_names.is_place("Frankfurt am Main")
    assert place_names.is_place("Springfield, IL, US") and place_names.is_place("夷隅郡, JP")
    assert not place_names.is_place("WH-BER-01") and not place_names.is_place("HQ")
    assert not place_names.is_place("Room 3") and not place_names.is_place("Europe/Berlin")
    assert place_names.reason(["Germany", "France", "DE", "Spain"] * 5) is None  # coarse
    assert place_names.reason(["Remote", "Office", "Home"] * 5) is None  # labels
    rooms = ["Studio A", "Main Hall", "Pool Deck", "Berlin Office", "London HQ"]
    assert place_names.reason(rooms * 40) is None  # a few labels over many rows
    assert place_names.reason(rooms) is not None  # as many places as rows: spread
    assert place_names.reason(["Gera, DE", "Lyon, FR", "Neuss, DE"] * 40)  # 'City, CC'
    assert place_names.people_or_sessions("session_devices", ["ip_address", "location"])
    assert not place_names.people_or_sessions("training_sessions", ["title", "location"])


def test_places_of_people_and_sessions_are_masked(make_db, tmp_path: Path) -> None:
    dsn, text = generate_then_mask(make_db, tmp_path, PLACES)
    assert strategy_of(text, "public.session_devices", "location") == "city", text
    assert strategy_of(text, "public.contacts", "location") == "city", text
    paths = rule_of(text, "public.events", "payload")["paths"]
    assert paths.get("locality") == "city", paths
    paths = rule_of(text, "public.contacts", "additional_attributes")["paths"]
    assert paths == {"location": "city"}, paths
    # codes, countries alone, and a shop's towns are no one's whereabouts
    assert strategy_of(text, "public.employees", "location") == "keep", text
    assert strategy_of(text, "public.employees", "home_location") == "keep", text
    assert strategy_of(text, "public.contacts", "country") == "keep", text
    assert strategy_of(text, "public.stores", "location") == "keep", text
    # rooms and offices repeated over many rows; a talk's town is no one's whereabouts
    assert strategy_of(text, "public.training_sessions", "location") == "keep", text
    assert strategy_of(text, "public.staff", "location") == "keep", text
    assert strategy_of(text, "public.conference_sessions", "location") == "keep", text
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE s.location ~ 'Gera|Neuss|Almería|Kraków'),
                 count(*) FILTER (WHERE s.location = ''),
                 (SELECT count(*) FROM contacts WHERE location ~ 'Neuss|Kongo|Gera'
                   OR additional_attributes->>'location' ~ 'Neuss|Gera'),
                 (SELECT count(*) FROM events WHERE payload->>'locality' ~ 'Gera|Neuss|Lyon'),
                 (SELECT count(*) FROM stores WHERE location ~ 'Gera|Neuss|Lyon')
               FROM session_devices s"""
        ).fetchone()
    assert row == (0, 30, 0, 0, 15), row

"""The demo shop: schema and generated, realistic-looking data (all fake, via Faker).

Faker makes pools of names, streets and cities once; SQL combines them with
generate_series, so tens of thousands of rows take a second or two. The result is
deterministic for a given seed.
"""

from __future__ import annotations

from typing import Any

import psycopg
from faker import Faker

SCHEMA = """
CREATE TABLE customers (
    id           bigint PRIMARY KEY,
    email        text NOT NULL UNIQUE,
    first_name   text NOT NULL,
    last_name    text NOT NULL,
    phone        text,
    birth_date   date,
    loyalty_tier text NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE TABLE addresses (
    id          bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    street      text NOT NULL,
    city        text NOT NULL,
    postcode    text NOT NULL,
    country     text NOT NULL
);
CREATE TABLE payment_methods (
    id          bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    holder_name text NOT NULL,
    iban        text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE TABLE products (
    id          bigint PRIMARY KEY,
    sku         text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text,
    price       numeric(10,2) NOT NULL
);
CREATE TABLE orders (
    id          bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    status      text NOT NULL,
    total       numeric(12,2) NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX ON orders (customer_id);
CREATE TABLE order_items (
    id         bigint PRIMARY KEY,
    order_id   bigint NOT NULL REFERENCES orders(id),
    product_id bigint NOT NULL REFERENCES products(id),
    quantity   int NOT NULL,
    unit_price numeric(10,2) NOT NULL
);
CREATE TABLE reviews (
    id          bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    product_id  bigint NOT NULL REFERENCES products(id),
    rating      int NOT NULL,
    body        text,
    created_at  timestamptz NOT NULL
);
CREATE TABLE sessions (
    id          bigint PRIMARY KEY,
    customer_id bigint REFERENCES customers(id),
    token       text NOT NULL,
    user_agent  text,
    created_at  timestamptz NOT NULL
);
CREATE TABLE stock_levels (
    product_id bigint PRIMARY KEY,
    quantity   int NOT NULL
);
"""

FILL = """
SELECT setseed(%(seed)s);
INSERT INTO customers
SELECT i,
       lower(f || '.' || l || i) || '@' || (%(domains)s::text[])[1 + i %% 5],
       f, l,
       '+49 ' || (150 + i %% 30)::text || ' ' || lpad((i::bigint * 7919 %% 10000000)::text, 7, '0'),
       date '1950-01-01' + (i * 37 %% 20000),
       (ARRAY['bronze','silver','gold'])[1 + i %% 3],
       timestamptz '2019-01-01' + (i * 613 %% 157680000) * interval '1 second'
FROM generate_series(1, %(n)s) i,
     LATERAL (SELECT (%(first)s::text[])[1 + (i * 31) %% %(nf)s] AS f,
                     (%(last)s::text[])[1 + (i * 17) %% %(nl)s] AS l) names;
INSERT INTO addresses
SELECT i, i,
       (1 + i %% 180)::text || ' ' || (%(streets)s::text[])[1 + (i * 13) %% %(ns)s],
       (%(cities)s::text[])[1 + (i * 7) %% %(nc)s],
       lpad((i * 97 %% 99999)::text, 5, '0'),
       'DE'
FROM generate_series(1, %(n)s) i;
INSERT INTO payment_methods
SELECT i, i, c.first_name || ' ' || c.last_name,
       'DE' || lpad((i * 7 %% 97)::text, 2, '0') || ' ' ||
       lpad((i::bigint * 104729 %% 100000000)::text, 8, '0') || ' ' ||
       lpad((i::bigint * 15485863 %% 10000000000)::text, 10, '0'),
       c.created_at
FROM generate_series(1, %(n)s * 3 / 4) i JOIN customers c ON c.id = i;
INSERT INTO products
SELECT i, 'SKU-' || lpad(i::text, 6, '0'), (%(products)s::text[])[1 + i %% %(np)s] || ' ' || i,
       'A fine product.', round((5 + random() * 200)::numeric, 2)
FROM generate_series(1, 500) i;
INSERT INTO stock_levels SELECT id, (random() * 100)::int FROM products;
INSERT INTO orders
SELECT i, 1 + (i * 7) %% %(n)s, (ARRAY['paid','shipped','delivered','returned'])[1 + i %% 4],
       round((10 + random() * 500)::numeric, 2),
       timestamptz '2020-01-01' + (i * 397 %% 150000000) * interval '1 second'
FROM generate_series(1, %(n)s * 2) i;
INSERT INTO order_items
SELECT i, 1 + (i - 1) / 2, 1 + (i * 11) %% 500, 1 + i %% 3, round((5 + random() * 200)::numeric, 2)
FROM generate_series(1, %(n)s * 4) i;
INSERT INTO reviews
SELECT i, 1 + (i * 3) %% %(n)s, 1 + (i * 11) %% 500, 1 + i %% 5,
       (%(bodies)s::text[])[1 + i %% %(nb)s] || ' Order ' || i || '.',
       timestamptz '2021-01-01' + (i * 211 %% 90000000) * interval '1 second'
FROM generate_series(1, %(n)s / 2) i;
INSERT INTO sessions
SELECT i, 1 + (i * 5) %% %(n)s, md5(i::text || 'session'), 'Mozilla/5.0', now()
FROM generate_series(1, %(n)s) i;
CREATE MATERIALIZED VIEW gold_customers AS
SELECT id, email, first_name, last_name, phone FROM customers WHERE loyalty_tier = 'gold';
"""


def pools(seed: int) -> dict[str, Any]:
    fake = Faker("de_DE")
    fake.seed_instance(seed)
    first = sorted({fake.first_name() for _ in range(600)})
    last = sorted({fake.last_name() for _ in range(900)})
    streets = sorted({fake.street_name() for _ in range(900)})
    cities = sorted({fake.city() for _ in range(300)})
    products = sorted({fake.word().capitalize() for _ in range(200)})
    bodies = [
        f"{fake.sentence(nb_words=8)} Ask for {fake.first_name()} at {fake.phone_number()}."
        for _ in range(400)
    ]
    return {
        "first": first,
        "nf": len(first),
        "last": last,
        "nl": len(last),
        "streets": streets,
        "ns": len(streets),
        "cities": cities,
        "nc": len(cities),
        "products": products,
        "np": len(products),
        "bodies": bodies,
        "nb": len(bodies),
        "domains": ["gmail.com", "web.de", "gmx.net", "t-online.de", "posteo.de"],
    }


def create_shop(conn: psycopg.Connection[Any], customers: int, seed: int = 42) -> None:
    """Create and fill the shop schema in the connected (empty) database."""
    params = {**pools(seed), "n": customers, "seed": 0.42}
    with conn.transaction():
        conn.execute(SCHEMA)
        for statement in FILL.split(";\n"):
            if statement.strip():
                conn.execute(statement, params)
    conn.execute("ANALYZE")

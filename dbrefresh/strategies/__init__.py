"""Masking strategies: each compiles to one PostgreSQL expression (see base.py).

registry.get(name) finds one, sqlsupport.install(conn) puts the SQL they call into a
database, keyed.derive_key(seed) makes the session key they read.
"""

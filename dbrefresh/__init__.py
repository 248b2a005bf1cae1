"""dbrefresh: refresh staging PostgreSQL from production, anonymized and proven clean."""

__version__ = "0.1.0"

"""`dbrefresh demo`: a realistic shop on a local "production", refreshed into "staging"."""

"""Migration gate: static analysis, weighting by real sizes, trace on staging, verdict.

Layers (each module has one job): split (files -> parsed statements), classify (one
statement's AST -> lock, blocks, work, rule hits; pure), analyze (the statement sequence:
transactions, lock_timeout, what the migration itself created), weigh (sizes from
staging), trace (run on a throw-away copy while sampling pg_locks), verdict (thresholds
-> findings and pass/fail), report (text, JSON, Markdown, JUnit).
"""

"""Write rules/schema.json, the JSON Schema editors use for rule files.

The file is committed (editors and CI read it without installing dbrefresh) and
generated from the rule models and the strategy registry; a test fails when it is
stale. Run: .venv/bin/python scripts/write_rules_schema.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dbrefresh.rules.jsonschema import rules_json_schema_text

OUT = Path(__file__).resolve().parent.parent / "rules" / "schema.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = rules_json_schema_text()
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is stale: run scripts/write_rules_schema.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

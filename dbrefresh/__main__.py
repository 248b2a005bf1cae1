"""`python -m dbrefresh`: the console script's CLI, for a venv whose bin/ is not on PATH."""

import sys

from dbrefresh.cli import main

sys.exit(main())

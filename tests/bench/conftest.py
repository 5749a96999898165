"""The province generator is PostgreSQL's (generate_series, json_agg): only the PostgreSQL pass
collects tests/bench (not collected is not skipped: the SQLite pass simply has no such test)."""

import os

collect_ignore = ["test_province_small.py"] if os.environ.get("BASESYS_TEST_DB") != "postgres" else []

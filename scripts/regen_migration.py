"""Regenerate the single initial migration from the models (pre-release only).

Until the first production release there is one migration, 0001, generated from the models on an
empty SQLite database. After the release, add migrations with `flask db migrate` instead.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ROOT / "migrations" / "versions"

with tempfile.TemporaryDirectory() as tmp:
    env = dict(os.environ, BASESYS_INSTANCE=tmp, DATABASE_URL=f"sqlite:///{tmp}/regen.sqlite3")
    for old in VERSIONS.glob("*.py"):
        old.unlink()
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run(flask + ["db", "migrate", "-m", "initial schema", "--rev-id", "0001"], cwd=ROOT, env=env, check=True)
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True)
print("migrations/versions/0001_initial_schema.py regenerated")

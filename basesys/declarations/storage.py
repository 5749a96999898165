"""Where evidence files lie: the instance folder's `evidence/`, outside static/ (never served by the
web server itself; the pages and the API send them after the scope check)."""

from pathlib import Path

from flask import current_app


def storage_dir() -> Path:
    return Path(current_app.config.get("EVIDENCE_DIR") or Path(current_app.instance_path) / "evidence")

"""The scheduled detection (DOMAIN.md §14): every base, from the stored rows; idempotent."""

from datetime import datetime

from basesys.extensions import db
from basesys.oversight.services.recompute import recompute_anomalies


def detect_anomalies(now: datetime) -> str:
    result = recompute_anomalies(None, now=now)
    db.session.commit()
    return f"found {result.found}, added {result.added}, changed {result.changed}, removed {result.removed}"

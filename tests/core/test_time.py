from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text

from basesys.core.time import LOCAL_TZ, UTC, iso, local_date


@pytest.mark.parametrize("utc_hour, expected", [(15, date(2025, 6, 2)), (16, date(2025, 6, 3))])
def test_local_date_on_both_sides_of_16_utc(utc_hour, expected):
    assert local_date(datetime(2025, 6, 2, utc_hour, 0, tzinfo=timezone.utc)) == expected


def test_iso_answers_with_the_shanghai_offset():
    assert iso(datetime(2025, 6, 2, 1, 0, tzinfo=UTC)) == "2025-06-02T09:00:00+08:00"


def test_utc_datetime_refuses_naive_and_returns_aware(db, now):
    from basesys.accounts.models import Bureau

    db.session.add(Bureau(name="x", level="province", created_at=datetime(2025, 1, 1, 12, 0)))
    with pytest.raises(Exception):
        db.session.flush()
    db.session.rollback()
    db.session.add(Bureau(name="y", level="province", created_at=datetime(2025, 1, 1, 20, 0, tzinfo=LOCAL_TZ)))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalar(text("select created_at from bureau"))
    loaded = db.session.scalars(db.select(Bureau)).one().created_at
    assert loaded.tzinfo is not None
    assert loaded == datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert stored is not None

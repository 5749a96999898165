"""The one place that reads the clock, and the business timezone (STYLE.md "Time")."""

import functools
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

UTC = timezone.utc
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


_clock = None  # a callable answering the current instant; None: the real clock


def now_utc() -> datetime:
    """The current instant, aware. The only reader of the clock; tests replace it with `set_clock`."""
    return _clock() if _clock is not None else datetime.now(UTC)


def set_clock(clock) -> None:
    """Replace the clock for the whole process (tests: the `clock` fixture); None restores the real one."""
    global _clock
    _clock = clock


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(LOCAL_TZ)


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of an instant: every rule about days uses this."""
    return to_local(moment).date()


def local_today(now: datetime) -> date:
    return local_date(now)


def local_midnight(day: date) -> datetime:
    """The instant a local date starts, as an aware datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = local_midnight(day)
    return start, local_midnight(day + timedelta(days=1))


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset, as the API answers."""
    return None if moment is None else to_local(moment).isoformat()


def hhmm(moment: datetime | None) -> str:
    return "" if moment is None else _hhmm(moment)


@functools.lru_cache(maxsize=1024)
def _hhmm(moment: datetime) -> str:
    """Kept for the instants written most: a session's start and end appear in the explanation of
    every trainee present throughout (the hours engine, 5,000 times when a course is finalised)."""
    local = to_local(moment)
    return f"{local.hour:02d}:{local.minute:02d}"  # strftime("%H:%M"), several times faster


class UTCDateTime(TypeDecorator):
    """Stores instants as UTC; refuses naive values and always returns aware ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime refuses naive datetimes")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

"""basesys: continuing-education training bases, their courses, attendance, hours and certificates."""

from basesys.app import FEATURES, create_app

__all__ = ["FEATURES", "create_app"]

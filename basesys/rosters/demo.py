"""Demo rosters: the past course's roster submitted and waiting for the officer (runs after certificates)."""

from datetime import datetime

from basesys.rosters import deadlines, services


def _admin_of(ctx: dict, base_id: int):
    return next((u for u in ctx.get("users", {}).values() if u.role == "base_admin" and u.base_id == base_id), None)


def load(ctx: dict, now: datetime) -> None:
    course = (ctx.get("courses") or {}).get("approved_past")
    deadlines.open_finalized_rosters(now)  # every finalised course shows its roster as `pending`
    if course is None or course.finalized_at is None:
        return
    admin = _admin_of(ctx, course.base_id)
    if admin is None:
        return
    # Left submitted, not accepted, so the officer sees the workflow (accept or return) in the demo.
    ctx["rosters"] = {"submitted": services.submit_roster(admin, course, now=now)}

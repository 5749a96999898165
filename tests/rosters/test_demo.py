"""The roster demo step: the past course's roster is left submitted for the officer."""

from basesys.rosters import demo
from basesys.rosters.models import Roster


def test_demo_submits_the_past_courses_roster(db, finished, tenants, now):
    ctx = {
        "users": {"admin_a": tenants.admin_a, "officer_a": tenants.officer_a},
        "courses": {"approved_past": finished},
    }
    demo.load(ctx, now)
    db.session.commit()
    roster = db.session.scalar(db.select(Roster))
    assert roster.status == "submitted" and ctx["rosters"]["submitted"] is roster and len(roster.rows) == 3


def test_demo_without_courses_does_nothing(db, now):
    demo.load({"users": {}}, now)
    assert db.session.scalar(db.select(Roster)) is None


def test_the_full_demo_leaves_a_roster_waiting_when_the_other_features_are_there(db, now):
    from basesys.core.cli import load_demo

    ctx = load_demo(now)
    db.session.commit()
    past = (ctx.get("courses") or {}).get("approved_past")
    if past is None or past.finalized_at is None:
        return  # the courses and certificates demos are not in this tree yet
    roster = db.session.scalar(db.select(Roster).where(Roster.course_id == past.id))
    assert roster.status == "submitted" and len(roster.rows) >= 12

"""iCalendar feeds, parsed with `icalendar`: the public feed of an approved course, the trainee's
private feed, its token and its reset (audited; the old URL is 404 afterwards)."""

from datetime import datetime

import pytest
from icalendar import Calendar

from basesys.calendars import services
from basesys.calendars.models import CalendarFeed
from basesys.core.audit import AuditRecord
from basesys.core.time import LOCAL_TZ
from tests.conftest import at

pytestmark = pytest.mark.usefixtures("clock")


def parsed(response) -> Calendar:
    assert response.status_code == 200, response.text[:300]
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def test_course_feed_has_every_session_in_shanghai_time(app, client, make_course):
    course = make_course(
        title="数字技术工程师培训班",
        sessions=[
            (at("2025-06-10", "09:00"), at("2025-06-10", "12:00")),
            (at("2025-06-11", "00:30"), at("2025-06-11", "02:00")),
        ],
    )
    calendar = parsed(client.get(f"/courses/{course.id}/calendar.ics"))
    events = calendar.events
    assert [e.start for e in events] == [at("2025-06-10", "09:00"), at("2025-06-11", "00:30")]
    assert [e.end for e in events] == [at("2025-06-10", "12:00"), at("2025-06-11", "02:00")]
    assert all(e["DTSTART"].params["TZID"] == "Asia/Shanghai" for e in events)
    assert all(e["DTEND"].params["TZID"] == "Asia/Shanghai" for e in events)
    assert events[1].start.date().isoformat() == "2025-06-11"  # the local date, not UTC's 10 June
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Shanghai"]
    assert {str(e["SUMMARY"]) for e in events} == {"数字技术工程师培训班"}
    assert str(events[0]["LOCATION"]) == "枣庄"
    assert str(events[0]["URL"]) == f"{app.config['BASE_URL']}/catalog/{course.id}"
    host = app.config["BASE_URL"].split("://")[1].split(":")[0].split("/")[0]
    assert str(events[0]["UID"]) == f"course-session-{course.sessions[0].id}@{host}"


def test_course_feed_uids_are_stable(client, make_course):
    course = make_course()
    first = [str(e["UID"]) for e in parsed(client.get(f"/courses/{course.id}/calendar.ics")).events]
    again = [str(e["UID"]) for e in parsed(client.get(f"/courses/{course.id}/calendar.ics")).events]
    assert first == again and len(set(first)) == len(first)


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_course_feed_is_404_unless_approved(client, make_course, status):
    assert client.get(f"/courses/{make_course(status=status).id}/calendar.ics").status_code == 404


def test_course_feed_of_an_unknown_course_is_404(client):
    assert client.get("/courses/99999/calendar.ics").status_code == 404
    assert client.get("/courses/2147483648/calendar.ics").status_code == 404


def test_reset_feed_creates_a_token_then_replaces_it(db, tenants, now):
    trainee = tenants.trainee
    first = services.reset_feed(trainee, actor=trainee.user, now=now).token
    db.session.commit()
    assert services.trainee_for_token(first) == trainee
    later = datetime(2025, 6, 3, 10, 0, tzinfo=LOCAL_TZ)
    second = services.reset_feed(trainee, actor=trainee.user, now=later).token
    db.session.commit()
    assert second != first and len(second) >= 43
    assert services.trainee_for_token(first) is None
    assert services.trainee_for_token(second) == trainee
    assert db.session.scalar(db.select(db.func.count()).select_from(CalendarFeed)) == 1
    records = db.session.scalars(db.select(AuditRecord).where(AuditRecord.object_type == "calendarfeed")).all()
    assert [r.action for r in records] == ["calendar_feed.created", "calendar_feed.reset"]
    assert all(first not in str(r.after) and second not in str(r.after) for r in records)
    assert records[0].actor_id == trainee.user.id and records[1].at == later


@pytest.mark.parametrize(
    "token", ["", "short", "x" * 65, "a b c d e f g h i j", "abc\x00defghijklmnopqrstu", "../../etc/passwd"]
)
def test_malformed_tokens_find_nobody(db, token):
    assert services.trainee_for_token(token) is None


def test_trainee_feed_has_only_their_enrolled_sessions(client, db, tenants, make_course, enroll, now):
    mine = make_course(
        base=tenants.base_a, title="我的课", sessions=[(at("2025-06-12", "14:00"), at("2025-06-12", "17:00"))]
    )
    draft_mine = make_course(base=tenants.base_a, status="submitted", title="变更中的课")
    theirs = make_course(base=tenants.base_a, title="别人的课")
    enroll(mine, tenants.trainee)
    enroll(draft_mine, tenants.trainee)
    enroll(theirs, tenants.other_trainee)
    token = services.reset_feed(tenants.trainee, actor=tenants.trainee.user, now=now).token
    db.session.commit()
    calendar = parsed(client.get(f"/calendar/feed/{token}.ics"))
    assert sorted(str(e["SUMMARY"]) for e in calendar.events) == ["变更中的课", "我的课"]
    event = next(e for e in calendar.events if str(e["SUMMARY"]) == "我的课")
    assert event.start == at("2025-06-12", "14:00") and event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Shanghai"]


def test_trainee_feed_with_an_old_or_unknown_token_is_404(client, db, tenants, now):
    old = services.reset_feed(tenants.trainee, actor=tenants.trainee.user, now=now).token
    services.reset_feed(tenants.trainee, actor=tenants.trainee.user, now=now)
    db.session.commit()
    assert client.get(f"/calendar/feed/{old}.ics").status_code == 404
    assert client.get("/calendar/feed/" + "A" * 43 + ".ics").status_code == 404
    assert client.get("/calendar/feed/%00" + "A" * 42 + ".ics").status_code in (400, 404)


def test_trainee_resets_the_link_from_the_home_page(app, client, db, login, tenants):
    login(tenants.trainee)
    home = client.get("/").text
    assert 'id="feed-create"' in home
    assert client.post("/me/calendar-feed").status_code == 302
    token = services.get_feed(tenants.trainee).token
    home = client.get("/").text
    url = f"{app.config['BASE_URL']}/calendar/feed/{token}.ics"
    assert url in home and "webcal://" + url.split("://")[1] in home and 'id="feed-reset"' in home
    client.post("/me/calendar-feed")
    db.session.expire_all()
    assert services.get_feed(tenants.trainee).token != token
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404


@pytest.mark.parametrize("who", ["admin_a", "officer_a", "sysadmin"])
def test_only_a_trainee_resets_a_feed(client, login, tenants, who):
    login(getattr(tenants, who))
    assert client.post("/me/calendar-feed").status_code == 403


def test_reset_needs_a_login(client):
    assert client.post("/me/calendar-feed").status_code == 302


def test_feed_links_on_the_course_pages(client, login, tenants, make_course):
    approved = make_course(base=tenants.base_a)
    draft = make_course(base=tenants.base_a, status="draft")
    login(tenants.admin_a)
    page = client.get(f"/courses/{approved.id}").text
    assert f"/courses/{approved.id}/calendar.ics" in page and "webcal://" in page
    assert f"/courses/{draft.id}/calendar.ics" not in client.get(f"/courses/{draft.id}").text


def test_subscribe_link_on_the_trainees_catalogue_page(client, login, tenants, make_course):
    course = make_course(base=tenants.base_a)
    login(tenants.trainee)
    page = client.get(f"/catalog/{course.id}")
    assert page.status_code == 200
    assert f"/courses/{course.id}/calendar.ics" in page.text and "webcal://" in page.text


def test_the_reset_reads_as_a_sentence_in_the_log(app, db, tenants, now):
    from basesys.core.audit_text import entry

    services.reset_feed(tenants.trainee, actor=tenants.trainee.user, now=now)
    services.reset_feed(tenants.trainee, actor=tenants.trainee.user, now=now)
    db.session.commit()
    records = db.session.scalars(db.select(AuditRecord).order_by(AuditRecord.id)).all()
    with app.test_request_context():
        texts = [entry(r, links=False).text for r in records if r.object_type == "calendarfeed"]
    assert "生成了李四" in texts[0] and "日历订阅链接" in texts[0]
    assert "重置了李四" in texts[1] and "旧链接已失效" in texts[1]

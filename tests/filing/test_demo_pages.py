"""The demo's courses, filed and decided by filing/demo.py, on every course and filing page: the
course page's filing section (a filing panel), the review page, the inbox tabs and the PDF."""

from datetime import datetime

from basesys.core.cli import load_demo
from basesys.core.time import LOCAL_TZ


def test_every_demo_course_renders_on_the_course_and_filing_pages(db, client, login, clock):
    now = datetime(2025, 6, 2, 9, 0, tzinfo=LOCAL_TZ)
    clock.set(now)
    ctx = load_demo(now)
    db.session.commit()
    users = ctx["users"]
    login(users["admin_zz"], ctx["password"])
    for key, course in ctx["courses"].items():
        if course.base_id != ctx["base_zz"].id:
            continue
        r = client.get(f"/courses/{course.id}")
        assert r.status_code == 200, key
        page = r.get_data(as_text=True)
        assert 'id="filing-history"' in page
        if key == "returned":
            assert 'id="returned-notice"' in page and "培训计划过于简略" in page
        if key == "change_filed":
            assert 'id="change-summary"' in page
        assert client.get(f"/courses/{course.id}/edit").status_code == 200
        assert client.get(f"/filing/courses/{course.id}/form.pdf").status_code == 200
    client.post("/logout")
    login(users["officer_zz"], ctx["password"])
    for tab in ("submitted", "approved", "returned", "decisions"):
        r = client.get(f"/filing/?tab={tab}")
        assert r.status_code == 200
    assert "同意按市级高级研修班备案" in client.get("/filing/?tab=decisions").get_data(as_text=True)
    for key, course in ctx["courses"].items():
        if course.base_id != ctx["base_zz"].id:
            assert client.get(f"/filing/courses/{course.id}").status_code == 404
            continue
        r = client.get(f"/filing/courses/{course.id}")
        assert r.status_code == 200, key
        assert client.get(f"/courses/{course.id}").status_code == 200

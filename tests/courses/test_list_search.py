"""Search and filters on the base's lists (issue 13): courses by title, filing state and date range
(the course list keeps its order and paging), a course's enrolments by name or ID number."""

from basesys.courses import services
from tests.conftest import at


def titles(courses):
    return [c.title for c in courses]


def three_courses(make_course, tenants):
    june = make_course(
        base=tenants.base_a, title="安全生产专题培训", sessions=[(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"))]
    )
    july = make_course(
        base=tenants.base_a,
        title="安全管理100%达标",
        status="draft",
        sessions=[(at("2025-07-01", "09:00"), at("2025-07-02", "12:00"))],
    )
    other = make_course(
        base=tenants.base_a, title="急救技能培训", sessions=[(at("2025-06-30", "23:30"), at("2025-06-30", "23:50"))]
    )
    make_course(
        base=tenants.base_b, title="安全生产（乙）", sessions=[(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"))]
    )
    return june, july, other


def test_courses_by_title_state_and_dates(db, tenants, make_course, now):
    june, july, other = three_courses(make_course, tenants)
    base = tenants.base_a.id
    found, total, _page = services.list_base_courses(base, title="安全", now=now)
    assert titles(found) == [june.title, july.title] and total == 2  # the list's order: soonest first
    assert titles(services.list_base_courses(base, title="100%", now=now)[0]) == [july.title]  # % is a character
    assert titles(services.list_base_courses(base, title="安全", status="draft", now=now)[0]) == [july.title]
    # A date range meets a course with a session on a local date in it (23:30 Shanghai = 15:30 UTC).
    from datetime import date

    june_end = services.list_base_courses(base, start=date(2025, 6, 30), end=date(2025, 6, 30), now=now)[0]
    assert titles(june_end) == [other.title]
    july_on = services.list_base_courses(base, start=date(2025, 7, 2), now=now)[0]
    assert titles(july_on) == [july.title]
    until = services.list_base_courses(base, end=date(2025, 6, 10), now=now)[0]
    assert titles(until) == [june.title]


def test_search_keeps_paging(db, tenants, make_course, now):
    for n in range(5):
        make_course(
            base=tenants.base_a,
            title=f"安全培训{n}",
            sessions=[(at(f"2025-06-1{n}", "09:00"), at(f"2025-06-1{n}", "12:00"))],
        )
    first, total, page = services.list_base_courses(tenants.base_a.id, title="安全", now=now, size=2)
    second, _, _ = services.list_base_courses(tenants.base_a.id, title="安全", now=now, size=2, page=2)
    assert (
        total == 5
        and page == 1
        and titles(first) == ["安全培训0", "安全培训1"]
        and titles(second) == ["安全培训2", "安全培训3"]
    )


def test_course_list_page_searches_and_refuses_bad_input(client, login, tenants, make_course, clock):
    three_courses(make_course, tenants)
    login(tenants.admin_a)
    page = client.get("/courses?q=安全&start=2025-06-01&end=2025-06-30")
    assert page.status_code == 200
    assert "安全生产专题培训" in page.text and "安全管理100%达标" not in page.text and "急救技能培训" not in page.text
    assert "安全生产（乙）" not in page.text  # another base's course never shows
    assert "共找到 1 个培训项目" in page.text
    tab = client.get("/courses?q=安全&status=draft")
    assert "安全管理100%达标" in tab.text and "安全生产专题培训" not in tab.text
    assert 'href="/courses?q=%E5%AE%89%E5%85%A8"' in tab.text  # the tabs keep the search
    assert client.get("/courses?q=%00").status_code == 404  # core.web: a NUL in a query string is no link
    bad = client.get("/courses?start=99999-01-01&end=2025-13-01")
    assert bad.status_code == 200 and "急救技能培训" in bad.text  # refused values filter nothing
    backwards = client.get("/courses?start=2025-07-01&end=2025-06-01")
    assert backwards.status_code == 200 and "结束日期不能早于开始日期" in backwards.text
    assert client.get("/courses?q=" + "安" * 61).status_code == 200
    none = client.get("/courses?q=没有这个")
    assert "没有符合条件的培训项目" in none.text


def test_enrolments_by_name_or_id_number(db, tenants, make_course, make_trainee, enroll, now):
    course = make_course(base=tenants.base_a)
    x_number = make_trainee(name="周八", id_number="37040219800101002X")
    enroll(course, tenants.trainee, tenants.other_trainee, x_number)
    assert [e.trainee.name for e in services.list_enrollments(course, who="李")] == ["李四"]
    assert [e.trainee.name for e in services.list_enrollments(course, who="002x")] == ["周八"]
    number = tenants.other_trainee.id_number
    assert [e.trainee.name for e in services.list_enrollments(course, who=number[-6:])] == ["王五"]
    assert len(services.list_enrollments(course)) == 3
    assert services.list_enrollments(course, who="%") == []


def test_enrolment_search_on_the_course_page(client, login, tenants, make_course, enroll, clock):
    course = make_course(base=tenants.base_a)
    enroll(course, tenants.trainee, tenants.other_trainee)
    login(tenants.admin_a)
    page = client.get(f"/courses/{course.id}?who=王五")
    assert page.status_code == 200 and "王五" in page.text and "李四" not in page.text
    assert '<small class="muted">2' in page.text  # the heading still counts every enrolment
    assert "没有符合条件的报名学员" in client.get(f"/courses/{course.id}?who=赵").text
    assert client.get(f"/courses/{course.id}?who=%00").status_code == 404
    login(tenants.admin_b)
    assert client.get(f"/courses/{course.id}?who=王五").status_code == 404

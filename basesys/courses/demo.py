"""Demo courses with their sessions and enrolments, made through the real services, with dates
relative to `now`. They are all drafts here; the filing demo (basesys/filing/demo.py, run next)
files and decides them, so each ends in the state its key names.

ctx["courses"] (COMMON.md "Shared interfaces" 1): draft, submitted, returned, approved_upcoming,
approved_today, approved_past, jn_approved; also submitted_late (补备案) and change_filed (变更备案).
"""

from datetime import datetime, time, timedelta

from basesys.core.time import LOCAL_TZ, local_date, local_midnight
from basesys.courses.services import SessionInput, create_course, enroll_trainee


def _at(now: datetime, days: int, clock: str) -> datetime:
    day = local_date(now) + timedelta(days=days)
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=LOCAL_TZ)


def _spans(now: datetime, *spans) -> list[SessionInput]:
    """(day offset, start, end[, topic]) → session inputs."""
    return [
        SessionInput(_at(now, d, start), _at(now, d, end), topic[0] if topic else "") for d, start, end, *topic in spans
    ]


def _values(title: str, **overrides) -> dict:
    values = {
        "title": title,
        "category": "professional",
        "kind": "course",
        "delivery": "offline",
        "location": "枣庄职业学院继续教育中心（薛城区泰山南路1号）",
        "target": "全市工程、卫生、教育系列专业技术人员",
        "planned_headcount": 60,
        "responsible": "周立新",
        "contact": "周老师",
        "contact_phone": "0632-4088123",
        "plan": "理论讲授与案例研讨相结合，每天上午、下午各一次课，结业时进行考核。",
        "attendance_mode": "in_out",
    }
    values.update(overrides)
    return values


def _running_span(now: datetime) -> SessionInput:
    """A session that is running at `now`, inside today's local date."""
    local = now.astimezone(LOCAL_TZ)
    midnight = local_midnight(local.date())
    start = max(midnight, local.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1))
    end = min(start + timedelta(hours=3), midnight + timedelta(days=1))
    return SessionInput(start, end, "专题讲座（进行中）")


def _enroll(admin, course, trainees, now):
    for trainee in trainees:
        enroll_trainee(admin, course, id_number=trainee.id_number, now=now)


def load(ctx: dict, now: datetime) -> None:
    users, trainees = ctx["users"], ctx["trainees"]
    admin, admin_jn = users["admin_zz"], users["admin_jn"]
    base_zz, base_jn = ctx["base_zz"], ctx["base_jn"]
    zaozhuang = [t for t in trainees if not t.id_number.startswith("3708")]
    jining = [t for t in trainees if t.id_number.startswith("3708")]
    day = timedelta(days=1)
    courses: dict = {}

    def make(base, by, title, spans, when, **overrides):
        return create_course(by, base, values=_values(title, **overrides), sessions=_spans(now, *spans), now=when)

    # Filed and approved well before it started; ended three local days ago.
    past = make(
        base_zz,
        admin,
        "智能建造与BIM技术应用培训班",
        [
            (-4, "09:00", "12:00", "BIM 技术概论"),
            (-4, "14:00", "17:00", "装配式建筑案例"),
            (-3, "09:00", "12:00", "结业考核"),
        ],
        now - 30 * day,
        target="全市工程系列专业技术人员",
    )
    _enroll(admin, past, zaozhuang[:14], now - 20 * day)
    courses["approved_past"] = past

    today = create_course(
        admin,
        base_zz,
        values=_values(f"{local_date(now).year}年度公需科目：数字技术与人工智能应用", category="public"),
        sessions=[_running_span(now), *_spans(now, (1, "09:00", "12:00", "案例研讨"))],
        now=now - 10 * day,
    )
    _enroll(admin, today, zaozhuang[:12], now - 6 * day)
    courses["approved_today"] = today

    seminar = make(
        base_zz,
        admin,
        "黄河流域生态保护和高质量发展高级研修班",
        [
            (7, "09:00", "12:00", "政策解读"),
            (7, "14:00", "17:00", "专家讲座"),
            (8, "09:00", "12:00", "现场教学"),
            (8, "14:00", "17:00", "研讨交流"),
        ],
        now - 5 * day,
        kind="advanced_seminar",
        apply_municipal_seminar=True,
        capacity=40,
        target="全市水利、环保、农业等领域副高级以上专业技术人员",
    )
    _enroll(admin, seminar, zaozhuang[2:8], now - 2 * day)  # 张伟 and 王芳 may still enroll themselves
    courses["approved_upcoming"] = seminar

    draft = make(base_zz, admin, "医疗健康大数据应用专题讲座", [(20, "14:00", "17:30")], now - day, kind="lecture")
    courses["draft"] = draft

    submitted = make(
        base_zz,
        admin,
        "中小学教师数字素养提升培训班",
        [(14, "08:30", "12:00"), (14, "14:00", "17:00"), (15, "08:30", "12:00")],
        now - 3 * day,
        target="全市中小学教师",
    )
    courses["submitted"] = submitted

    returned = make(
        base_zz, admin, "知识产权保护实务培训", [(12, "09:00", "12:00")], now - 6 * day, plan="知识产权讲座。"
    )
    courses["returned"] = returned

    late = make(
        base_zz, admin, "安全生产管理人员继续教育培训", [(-1, "09:00", "12:00"), (2, "09:00", "12:00")], now - 9 * day
    )
    courses["submitted_late"] = late

    changed = make(base_zz, admin, "新能源汽车技术培训班", [(21, "09:00", "12:00")], now - 12 * day)
    courses["change_filed"] = changed

    jn = make(
        base_jn,
        admin_jn,
        "临床医师继续医学教育培训班",
        [(10, "08:30", "12:00"), (10, "14:00", "17:30")],
        now - 8 * day,
        location="济宁医学院附属医院学术报告厅",
        target="全市卫生系列专业技术人员",
        responsible="吴建华",
        contact="吴老师",
        contact_phone="0537-3616001",
    )
    _enroll(admin_jn, jn, jining, now - 5 * day)
    courses["jn_approved"] = jn

    ctx["courses"] = courses

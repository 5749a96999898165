"""Demo accounts for `flask --app wsgi demo`: a province, two cities, a county, two bases, their
staff, and 20 trainees with valid ID numbers. The features above add their data after these
(each feature's `demo` in its declaration), reading what this one put in `ctx`.
"""

from datetime import date, datetime, timedelta

from basesys.accounts import services as accounts
from basesys.accounts.models import Trainee, User
from basesys.core.ids import id_check_digit, make_credit_code
from basesys.extensions import db

DEMO_PASSWORD = "demo1234"

TRAINEES = [
    # name, region, birth, sequence (odd = male), employer, series, title
    ("张伟", "370402", "19790312", "031", "枣庄市立医院", "卫生", "主治医师"),
    ("王芳", "370402", "19850721", "042", "枣庄市第八中学", "教育", "一级教师"),
    ("李娜", "370403", "19900105", "062", "枣庄矿业集团", "工程", "工程师"),
    ("刘洋", "370404", "19871130", "113", "滕州市建筑设计院", "工程", "高级工程师"),
    ("陈静", "370481", "19920418", "024", "滕州市中心人民医院", "卫生", "主管护师"),
    ("杨帆", "370402", "19830909", "057", "枣庄市农业科学研究院", "农业", "农艺师"),
    ("赵磊", "370405", "19760615", "091", "山东丰源煤电股份有限公司", "工程", "高级工程师"),
    ("黄丽", "370406", "19951202", "028", "枣庄学院", "高等学校教师", "讲师"),
    ("周杰", "370402", "19890227", "075", "枣庄市公路事业发展中心", "工程", "工程师"),
    ("吴敏", "370481", "19910808", "046", "滕州市第一中学", "教育", "二级教师"),
    ("徐强", "370403", "19800514", "013", "枣庄市水利勘测设计院", "工程", "高级工程师"),
    ("孙悦", "370402", "19930330", "084", "枣庄市统计局", "统计", "统计师"),
    ("马超", "370404", "19860716", "037", "中国银行枣庄分行", "经济", "经济师"),
    ("朱婷", "370402", "19940125", "062", "枣庄市妇幼保健院", "卫生", "主治医师"),
    ("胡军", "370811", "19820903", "015", "济宁市第一人民医院", "卫生", "副主任医师"),
    ("郭佳", "370811", "19961011", "028", "济宁市建筑设计研究院", "工程", "助理工程师"),
    ("何平", "370811", "19780220", "091", "济宁市实验中学", "教育", "高级教师"),
    ("高燕", "370402", "19880612", "086", "枣庄市会计师事务所", "会计", "中级会计师"),
    ("林峰", "370402", "19790402", "113", "枣庄市城市规划设计研究院", "工程", "正高级工程师"),
    ("罗雪", "370481", "19970917", "024", "滕州市人民医院", "卫生", "护师"),
]


EMPLOYERS = [
    # name, credit code without its check digit, bureau key in ctx, reviewer username, reviewer name
    ("枣庄市立医院", "12370400MB1234567", "zaozhuang", "reviewer_zz", "赵干事（枣庄市立医院）"),
    ("滕州市中心人民医院", "12370481MB2345678", "zaozhuang", "reviewer_tz", "钱干事（滕州市中心人民医院）"),
    ("济宁市第一人民医院", "12370800MB1765432", "jining", "reviewer_jn", "孙干事（济宁市第一人民医院）"),
]


def demo_id_number(region: str, birth: str, sequence: str) -> str:
    first17 = region + birth + sequence
    return first17 + id_check_digit(first17)


def is_empty() -> bool:
    return db.session.scalar(db.select(User.id).limit(1)) is None


def load(ctx: dict, now: datetime) -> None:
    admin = accounts.create_staff_user(
        None, username="admin", password=DEMO_PASSWORD, role="sysadmin", display_name="系统管理员", now=now
    )
    province = accounts.create_bureau(
        admin, name="山东省人力资源和社会保障厅", level="province", parent_id=None, now=now
    )
    zaozhuang = accounts.create_bureau(
        admin, name="枣庄市人力资源和社会保障局", level="city", parent_id=province.id, now=now
    )
    shizhong = accounts.create_bureau(
        admin, name="枣庄市市中区人力资源和社会保障局", level="county", parent_id=zaozhuang.id, now=now
    )
    jining = accounts.create_bureau(
        admin, name="济宁市人力资源和社会保障局", level="city", parent_id=province.id, now=now
    )
    base_zz = accounts.create_base(
        admin,
        name="枣庄职业学院继续教育基地",
        level="municipal",
        credit_code=make_credit_code("12370400MB0123456"),
        bureau_id=zaozhuang.id,
        address="枣庄市薛城区泰山南路1号",
        now=now,
    )
    base_jn = accounts.create_base(
        admin,
        name="济宁医学院继续教育基地",
        level="provincial",
        credit_code=make_credit_code("12370800MB2857461"),
        bureau_id=jining.id,
        address="济宁市任城区荷花路133号",
        now=now,
    )
    staff = [
        ("officer_zz", "bureau_officer", "孙主任（枣庄市人社局）", zaozhuang.id, None),
        ("officer_szq", "bureau_officer", "钱科长（市中区人社局）", shizhong.id, None),
        ("officer_jn", "bureau_officer", "李科长（济宁市人社局）", jining.id, None),
        ("admin_zz", "base_admin", "周老师（枣庄职业学院基地）", None, base_zz.id),
        ("admin_jn", "base_admin", "吴老师（济宁医学院基地）", None, base_jn.id),
    ]
    users = {"admin": admin}
    for username, role, label, bureau_id, base_id in staff:
        users[username] = accounts.create_staff_user(
            admin,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            bureau_id=bureau_id,
            base_id=base_id,
            display_name=label,
            now=now,
        )
    trainees = []
    for name, region, birth, seq, employer, series, title in TRAINEES:
        number = demo_id_number(region, birth, seq)
        bureau = jining if region.startswith("3708") else zaozhuang
        phone = "13" + number[-9:].replace("X", "0")
        trainees.append(
            accounts.register_trainee(
                id_number=number,
                name=name,
                password=DEMO_PASSWORD,
                phone=phone,
                employer=employer,
                series=series,
                title=title,
                bureau_id=bureau.id,
                now=now,
            )
        )
    employers, reviewers = _load_employers(admin, trainees, {"zaozhuang": zaozhuang, "jining": jining}, now)
    users.update(reviewers)
    ctx.update(
        password=DEMO_PASSWORD,
        employers=employers,
        reviewers=reviewers,
        admin=admin,
        users=users,
        province=province,
        zaozhuang=zaozhuang,
        shizhong=shizhong,
        jining=jining,
        base_zz=base_zz,
        base_jn=base_jn,
        trainees=trainees,
    )
    ctx["logins"] = [
        ("系统管理员 sysadmin", "admin"),
        ("人社局经办人 (枣庄市)", "officer_zz"),
        ("人社局经办人 (市中区)", "officer_szq"),
        ("人社局经办人 (济宁市)", "officer_jn"),
        ("基地管理员 (枣庄职业学院基地)", "admin_zz"),
        ("基地管理员 (济宁医学院基地)", "admin_jn"),
        *REVIEWER_LOGINS,
        (f"学员 {trainees[0].name}", trainees[0].id_number),
        (f"学员 {trainees[1].name}", trainees[1].id_number),
    ]


REVIEWER_LOGINS = [(f"用人单位经办人 ({name})", username) for name, _code, _bureau, username, _label in EMPLOYERS]


def _load_employers(admin, trainees, bureaus, now) -> tuple[dict, dict]:
    """The demo employers, one reviewer each, and the demo trainees whose 工作单位 is one of them
    linked to it by credit code (as they would on their profile page)."""
    employers, reviewers = {}, {}
    for name, first17, bureau_key, username, label in EMPLOYERS:
        employer = accounts.create_employer(
            admin, name=name, credit_code=make_credit_code(first17), bureau_id=bureaus[bureau_key].id, now=now
        )
        employers[name] = employer
        reviewers[username] = accounts.create_staff_user(
            admin,
            username=username,
            password=DEMO_PASSWORD,
            role="employer_reviewer",
            employer_id=employer.id,
            display_name=label,
            now=now,
        )
    for trainee in trainees:
        if trainee.employer in employers:
            accounts.link_employer(trainee.user, trainee, employers[trainee.employer].credit_code, now=now)
    return employers, reviewers


def demo_logins() -> list[tuple[str, str]]:
    """Logins of the demo database as loaded (read back so a restart prints them too)."""
    logins = [
        ("系统管理员 sysadmin", "admin"),
        ("人社局经办人 (枣庄市)", "officer_zz"),
        ("人社局经办人 (市中区)", "officer_szq"),
        ("人社局经办人 (济宁市)", "officer_jn"),
        ("基地管理员 (枣庄职业学院基地)", "admin_zz"),
        ("基地管理员 (济宁医学院基地)", "admin_jn"),
        *REVIEWER_LOGINS,
    ]
    for name, region, birth, seq, *_ in TRAINEES[:2]:
        number = demo_id_number(region, birth, seq)
        if db.session.scalar(db.select(Trainee.id).where(Trainee.id_number == number)):
            logins.append((f"学员 {name}", number))
    existing = set(db.session.scalars(db.select(User.username)))
    return [(label, username) for label, username in logins if username in existing]


def print_logins(echo) -> None:
    logins = demo_logins()
    if not logins:
        return
    echo("")
    echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for label, username in logins:
        echo(f"  {label:<34} {username}")


def days_from(now: datetime, days: int) -> date:
    return (now + timedelta(days=days)).date()

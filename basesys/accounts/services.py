"""Account operations: they take the actor and `now`, check rules, audit, and only flush."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func
from werkzeug.security import check_password_hash, generate_password_hash

from basesys.accounts.models import BASE_LEVELS, BUREAU_LEVELS, Base, Bureau, LoginAttempt, Trainee, User
from basesys.core.audit import audit
from basesys.core.errors import DomainError, Refusal, ValidationFailed, register_refusals
from basesys.core.ids import birth_date_of, gender_of, validate_credit_code, validate_id_number
from basesys.core.policy import Policy
from basesys.core.time import local_date
from basesys.extensions import db

REFUSALS = {
    "invalid_credentials": Refusal(401, "用户名或密码错误。", "Wrong username or password."),
    "too_many_attempts": Refusal(429, "登录失败次数过多，请稍后再试。", "Too many failed logins; try again later."),
    "account_disabled": Refusal(403, "该账号已停用，请联系管理员。", "This account is disabled."),
    "duplicate_id_number": Refusal(
        409, "该身份证号码已注册，请直接登录。", "This ID number is already registered; log in instead."
    ),
    "duplicate_username": Refusal(409, "该用户名已存在。", "This username is taken."),
    "duplicate_name": Refusal(409, "该名称已存在。", "This name is taken."),
    "duplicate_credit_code": Refusal(409, "该统一社会信用代码已登记。", "This credit code is already registered."),
    "invalid_id_number": Refusal(422, "身份证号码无效。", "Invalid ID number."),
    "invalid_credit_code": Refusal(422, "统一社会信用代码无效。", "Invalid unified social credit code."),
    "name_mismatch": Refusal(
        422, "姓名与培训基地登记的信息不一致，请核对或联系基地。", "The name differs from the one the base registered."
    ),
    "wrong_password": Refusal(422, "原密码不正确。", "The current password is wrong."),
}
register_refusals("accounts", REFUSALS)

MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    # Tests use a cheaper scrypt cost (PASSWORD_HASH_METHOD); production keeps werkzeug's default.
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def _check_password_strength(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed({field: f"密码至少 {MIN_PASSWORD} 位"})


def _require(fields: dict[str, str]) -> None:
    missing = {name: "必填项" for name, value in fields.items() if not (value or "").strip()}
    if missing:
        raise ValidationFailed(missing)


# --- login ------------------------------------------------------------------------------------


def authenticate(username: str, password: str, *, address: str, now: datetime, policy: Policy) -> User:
    """The user; refuses `too_many_attempts`, `invalid_credentials`, `account_disabled`."""
    username = (username or "").strip()
    if len(username) == 18 and username[:17].isdigit():
        username = username.upper()  # ID numbers end in X or x
    since = now - timedelta(minutes=policy.login_lockout_minutes)
    failures = db.session.scalar(
        db.select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.username == username, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    )
    by_address = db.session.scalar(
        db.select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.address == address, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    )
    if failures >= policy.login_max_failures or by_address >= policy.login_max_failures_per_address:
        raise DomainError("too_many_attempts", f"登录失败次数过多，请 {policy.login_lockout_minutes} 分钟后再试。")
    user = db.session.scalar(db.select(User).where(User.username == username))
    ok = user is not None and check_password_hash(user.password_hash, password or "")
    db.session.add(LoginAttempt(username=username, address=address, at=now, success=ok))
    if not ok:
        raise DomainError("invalid_credentials")
    if not user.active:
        raise DomainError("account_disabled")
    return user


def change_password(user: User, old: str, new: str, *, now: datetime) -> None:
    """Refuses a wrong current password; ends every other session and API token."""
    if not check_password_hash(user.password_hash, old or ""):
        raise ValidationFailed({"old_password": "原密码不正确"}, code="wrong_password")
    _check_password_strength(new, "new_password")
    user.password_hash = hash_password(new)
    user.token_generation += 1
    audit(user, "account.password_changed", user, now=now, base_id=user.base_id, bureau_id=user.bureau_id)
    db.session.flush()


# --- bureaus and bases ------------------------------------------------------------------------


_LEVEL_RANK = {"province": 0, "city": 1, "county": 2}


def _bureau_values(name, level, parent_id, editing: Bureau | None = None) -> Bureau | None:
    _require({"name": name})
    if level not in BUREAU_LEVELS:
        raise ValidationFailed({"level": "取值无效，可选：province/city/county"})
    parent = None
    if parent_id is not None:
        parent = db.session.get(Bureau, parent_id)
        if parent is None:
            raise ValidationFailed({"parent_id": "上级人社局不存在"})
        if _LEVEL_RANK[parent.level] >= _LEVEL_RANK[level]:
            raise ValidationFailed({"parent_id": "上级人社局的级别必须高于本级"})
        if editing is not None:
            cursor = parent
            while cursor is not None:
                if cursor.id == editing.id:
                    raise ValidationFailed({"parent_id": "不能把人社局放在自己下级之下"})
                cursor = cursor.parent
    elif level != "province":
        raise ValidationFailed({"parent_id": "市级、县级人社局必须选择上级"})
    clash = db.session.scalar(db.select(Bureau).where(Bureau.name == name.strip()))
    if clash is not None and clash is not editing:
        raise DomainError("duplicate_name", status=409)
    return parent


def bureau_state(bureau: Bureau) -> dict:
    return {"name": bureau.name, "level": bureau.level, "parent_id": bureau.parent_id}


def create_bureau(actor, *, name: str, level: str, parent_id: int | None, now: datetime) -> Bureau:
    """Refuses unknown levels, a missing or lower parent, a duplicate name."""
    parent = _bureau_values(name, level, parent_id)
    bureau = Bureau(name=name.strip(), level=level, parent=parent, created_at=now)
    db.session.add(bureau)
    db.session.flush()
    audit(actor, "bureau.created", bureau, now=now, after=bureau_state(bureau), bureau_id=bureau.id)
    return bureau


def update_bureau(actor, bureau: Bureau, *, name: str, level: str, parent_id: int | None, now: datetime) -> Bureau:
    before = bureau_state(bureau)
    parent = _bureau_values(name, level, parent_id, editing=bureau)
    bureau.name, bureau.level, bureau.parent = name.strip(), level, parent
    db.session.flush()
    audit(actor, "bureau.updated", bureau, now=now, before=before, after=bureau_state(bureau), bureau_id=bureau.id)
    return bureau


def base_state(base: Base) -> dict:
    return {
        "name": base.name,
        "level": base.level,
        "credit_code": base.credit_code,
        "bureau_id": base.bureau_id,
        "address": base.address,
    }


def _base_values(name, level, credit_code, bureau_id, editing: Base | None = None) -> tuple[str, Bureau]:
    _require({"name": name})
    fields = {}
    if level not in BASE_LEVELS:
        fields["level"] = "取值无效，可选：national/provincial/municipal"
    bureau = db.session.get(Bureau, bureau_id) if bureau_id is not None else None
    if bureau is None:
        fields["bureau_id"] = "主管人社局不存在"
    if fields:
        raise ValidationFailed(fields)
    code = validate_credit_code(credit_code)
    for column, value, error in (
        (Base.name, name.strip(), "duplicate_name"),
        (Base.credit_code, code, "duplicate_credit_code"),
    ):
        clash = db.session.scalar(db.select(Base).where(column == value))
        if clash is not None and clash is not editing:
            raise DomainError(error, status=409)
    return code, bureau


def create_base(
    actor, *, name: str, level: str, credit_code: str, bureau_id: int, address: str = "", now: datetime
) -> Base:
    """Refuses an invalid credit code (`invalid_credit_code`), an unknown bureau, duplicates."""
    code, bureau = _base_values(name, level, credit_code, bureau_id)
    base = Base(
        name=name.strip(), level=level, credit_code=code, bureau=bureau, address=(address or "").strip(), created_at=now
    )
    db.session.add(base)
    db.session.flush()
    audit(actor, "base.created", base, now=now, after=base_state(base), base_id=base.id, bureau_id=bureau.id)
    return base


def update_base(
    actor, base: Base, *, name: str, level: str, credit_code: str, bureau_id: int, address: str, now: datetime
) -> Base:
    before = base_state(base)
    code, bureau = _base_values(name, level, credit_code, bureau_id, editing=base)
    base.name, base.level, base.credit_code, base.bureau = name.strip(), level, code, bureau
    base.address = (address or "").strip()
    db.session.flush()
    audit(
        actor,
        "base.updated",
        base,
        now=now,
        before=before,
        after=base_state(base),
        base_id=base.id,
        bureau_id=bureau.id,
    )
    return base


# --- staff accounts ---------------------------------------------------------------------------


STAFF_ROLES = ("bureau_officer", "base_admin", "sysadmin")


def user_state(user: User) -> dict:
    return {
        "username": user.username,
        "role": user.role,
        "bureau_id": user.bureau_id,
        "base_id": user.base_id,
        "active": user.active,
        "display_name": user.display_name,
    }


def _staff_scope(role, bureau_id, base_id) -> tuple[int | None, int | None]:
    if role not in STAFF_ROLES:
        raise ValidationFailed({"role": "取值无效，可选：bureau_officer/base_admin"})
    if role == "bureau_officer":
        if bureau_id is None or db.session.get(Bureau, bureau_id) is None:
            raise ValidationFailed({"bureau_id": "人社部门经办人必须属于一个存在的人社局"})
        return bureau_id, None
    if role == "base_admin":
        if base_id is None or db.session.get(Base, base_id) is None:
            raise ValidationFailed({"base_id": "基地管理员必须属于一个存在的基地"})
        return None, base_id
    return None, None


def create_staff_user(
    actor,
    *,
    username: str,
    password: str,
    role: str,
    bureau_id=None,
    base_id=None,
    display_name: str = "",
    now: datetime,
) -> User:
    """Refuses a short password, a missing bureau/base for the role, a taken username."""
    _require({"username": username})
    _check_password_strength(password)
    bureau_id, base_id = _staff_scope(role, bureau_id, base_id)
    username = username.strip()
    if db.session.scalar(db.select(User.id).where(User.username == username)) is not None:
        raise DomainError("duplicate_username")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        bureau_id=bureau_id,
        base_id=base_id,
        display_name=(display_name or "").strip(),
        created_at=now,
    )
    db.session.add(user)
    db.session.flush()
    audit(actor, "user.created", user, now=now, after=user_state(user), base_id=base_id, bureau_id=bureau_id)
    return user


def update_staff_user(
    actor,
    user: User,
    *,
    role: str,
    bureau_id=None,
    base_id=None,
    display_name="",
    active: bool = True,
    new_password: str = "",
    now: datetime,
) -> User:
    before = user_state(user)
    user.bureau_id, user.base_id = _staff_scope(role, bureau_id, base_id)
    user.role, user.display_name, user.active = role, (display_name or "").strip(), active
    if new_password:
        _check_password_strength(new_password, "new_password")
        user.password_hash = hash_password(new_password)
        user.token_generation += 1
    if not active:
        user.token_generation += 1 if not new_password else 0
    db.session.flush()
    audit(
        actor,
        "user.updated",
        user,
        now=now,
        before=before,
        after=user_state(user) | {"password_reset": bool(new_password)},
        base_id=user.base_id,
        bureau_id=user.bureau_id,
    )
    return user


# --- trainees ---------------------------------------------------------------------------------


def trainee_state(trainee: Trainee) -> dict:
    return {
        "name": trainee.name,
        "phone": trainee.phone,
        "employer": trainee.employer,
        "series": trainee.series,
        "title": trainee.title,
        "registered": trainee.registered,
    }


def get_trainee_by_id_number(id_number: str) -> Trainee | None:
    return db.session.scalar(db.select(Trainee).where(Trainee.id_number == id_number.strip().upper()))


def create_trainee_record(
    actor,
    *,
    id_number: str,
    name: str,
    phone="",
    employer="",
    series="",
    title="",
    bureau_id=None,
    now: datetime,
    base_id=None,
) -> Trainee:
    """A trainee without an account (enrolled by a base); refuses invalid or duplicate ID numbers."""
    number = validate_id_number(id_number, local_date(now))
    _require({"name": name})
    if get_trainee_by_id_number(number) is not None:
        raise DomainError("duplicate_id_number", "该身份证号码已有学员记录。")
    trainee = Trainee(
        id_number=number,
        name=name.strip(),
        gender=gender_of(number),
        birth_date=birth_date_of(number),
        phone=(phone or "").strip(),
        employer=(employer or "").strip(),
        series=(series or "").strip(),
        title=(title or "").strip(),
        bureau_id=bureau_id,
        created_at=now,
    )
    db.session.add(trainee)
    db.session.flush()
    audit(actor, "trainee.created", trainee, now=now, after=trainee_state(trainee), base_id=base_id)
    return trainee


def register_trainee(
    *,
    id_number: str,
    name: str,
    password: str,
    phone: str = "",
    employer: str = "",
    series: str = "",
    title: str = "",
    bureau_id=None,
    now: datetime,
) -> Trainee:
    """Self-registration; claims a record a base created with the same ID number and name.

    Refuses `invalid_id_number`, `duplicate_id_number` (an account exists), `name_mismatch`.
    """
    number = validate_id_number(id_number, local_date(now))
    _require({"name": name, "phone": phone})
    _check_password_strength(password)
    if bureau_id is not None and db.session.get(Bureau, bureau_id) is None:
        raise ValidationFailed({"bureau_id": "所选人社局不存在"})
    trainee = get_trainee_by_id_number(number)
    claimed = trainee is not None
    if trainee is not None and trainee.registered:
        raise DomainError("duplicate_id_number")
    if db.session.scalar(db.select(User.id).where(User.username == number)) is not None:
        raise DomainError("duplicate_id_number")
    if trainee is not None and trainee.name != name.strip():
        raise ValidationFailed({"name": REFUSALS["name_mismatch"].zh}, code="name_mismatch")
    before = trainee_state(trainee) if trainee else None
    if trainee is None:
        trainee = Trainee(
            id_number=number,
            name=name.strip(),
            gender=gender_of(number),
            birth_date=birth_date_of(number),
            created_at=now,
        )
        db.session.add(trainee)
    for attr, value in (("phone", phone), ("employer", employer), ("series", series), ("title", title)):
        if (value or "").strip():
            setattr(trainee, attr, value.strip())
    if bureau_id is not None:
        trainee.bureau_id = bureau_id
    user = User(
        username=number,
        password_hash=hash_password(password),
        role="trainee",
        display_name=trainee.name,
        created_at=now,
    )
    db.session.add(user)
    db.session.flush()
    trainee.user_id = user.id
    db.session.flush()
    audit(
        user,
        "trainee.claimed" if claimed else "trainee.registered",
        trainee,
        now=now,
        before=before,
        after=trainee_state(trainee),
    )
    return trainee


def update_trainee_profile(
    actor, trainee: Trainee, *, phone: str, employer: str, series: str, title: str, now: datetime
) -> Trainee:
    _require({"phone": phone})
    before = trainee_state(trainee)
    trainee.phone, trainee.employer = phone.strip(), (employer or "").strip()
    trainee.series, trainee.title = (series or "").strip(), (title or "").strip()
    db.session.flush()
    audit(actor, "trainee.updated", trainee, now=now, before=before, after=trainee_state(trainee))
    return trainee


def list_bureaus() -> list[Bureau]:
    return list(db.session.scalars(db.select(Bureau).order_by(Bureau.level, Bureau.name)))


def bureau_tree() -> list[tuple[Bureau, int]]:
    """Bureaus in tree order with their depth, for selects and lists."""
    bureaus = list_bureaus()
    children: dict = {}
    for b in bureaus:
        children.setdefault(b.parent_id, []).append(b)
    out: list[tuple[Bureau, int]] = []

    def walk(parent_id, depth):
        for b in sorted(children.get(parent_id, []), key=lambda x: x.name):
            out.append((b, depth))
            walk(b.id, depth + 1)

    walk(None, 0)
    return out

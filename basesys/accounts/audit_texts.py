"""How the audit log names accounts, bureaus, bases and trainees and reads their changes (§12)."""

from basesys.accounts.models import BASE_LEVELS, BUREAU_LEVELS, ROLES
from basesys.core.audit_text import AuditField, AuditSubject


def trainee_keys(trainee) -> dict:
    return {"trainee_name": trainee.name, "id_number": trainee.id_number}


def _user_keys(user) -> dict:
    label = f"{user.display_name}（{user.username}）" if user.display_name else user.username
    return {"user_name": user.display_name, "username": user.username, "user_label": label}


SUBJECTS = {
    "trainee": AuditSubject("学员", trainee_keys, "{trainee_name}（{id_number}）"),
    "user": AuditSubject("账号", _user_keys, "{user_label}"),
    "base": AuditSubject("基地", lambda base: {"base_name": base.name}, "{base_name}"),
    "bureau": AuditSubject("人社局", lambda bureau: {"bureau_name": bureau.name}, "{bureau_name}"),
    "employer": AuditSubject(
        "用人单位",
        lambda employer: {"employer_name": employer.name, "credit_code": employer.credit_code},
        "{employer_name}（{credit_code}）",
    ),
}

ACTIONS = {
    "trainee.created": "登记了学员{subject}",
    "trainee.registered": "注册了学员账号{subject}",
    "trainee.claimed": "认领了基地登记的学员信息{subject}并注册了账号",
    "trainee.updated": "修改了学员{subject}的信息",
    # DOMAIN.md §1, §11: whose reviewer and whose bureau's rules the declarations go to.
    "trainee.employer_changed": "变更了学员{subject}的用人单位",
    "user.created": "创建了账号{subject}",
    "user.updated": "修改了账号{subject}",
    "account.password_changed": "修改了账号{subject}的密码",
    # DOMAIN.md §2: the code itself is never in the record.
    "account.login_code_issued": "为学员{subject}签发了一次性登录码（有效至 {after[login_code_expires_at]}）",
    "account.login_code_used": "使用一次性登录码登录了学员账号{subject}",
    "account.password_set_after_login_code": "使用一次性登录码登录后为账号{subject}设置了新密码",
    "base.created": "创建了基地{subject}",
    "base.updated": "修改了基地{subject}的信息",
    "bureau.created": "创建了人社局{subject}",
    "bureau.updated": "修改了人社局{subject}的信息",
    "employer.created": "登记了用人单位{subject}",
    "employer.updated": "修改了用人单位{subject}的信息",
}

_ID = AuditField("", hidden=True)

FIELDS = {
    "trainee": {
        "name": AuditField("姓名"),
        "phone": AuditField("手机号"),
        "employer": AuditField("工作单位"),
        "series": AuditField("专业技术系列"),
        "title": AuditField("职称"),
        "registered": AuditField("已注册账号"),
        "fraud_flag": AuditField("弄虚作假标记（一票否决）"),
        "login_code_expires_at": AuditField("一次性登录码有效至"),
        "employer_credit_code": AuditField("用人单位统一社会信用代码"),
        "employer_name": AuditField("用人单位"),
    },
    "user": {
        "username": AuditField("用户名"),
        "role": AuditField("角色", values=ROLES),
        "bureau_id": _ID,
        "base_id": _ID,
        "employer_id": _ID,
        "active": AuditField("启用"),
        "display_name": AuditField("姓名"),
    },
    "base": {
        "name": AuditField("名称"),
        "level": AuditField("级别", values=BASE_LEVELS),
        "credit_code": AuditField("统一社会信用代码"),
        "bureau_id": _ID,
        "address": AuditField("地址"),
    },
    "bureau": {
        "name": AuditField("名称"),
        "level": AuditField("级别", values=BUREAU_LEVELS),
        "parent_id": _ID,
    },
    "employer": {
        "name": AuditField("名称"),
        "credit_code": AuditField("统一社会信用代码"),
        "bureau_id": _ID,
    },
}

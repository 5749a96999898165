"""The refusal codes of accounts (API.md "Accounts"): one message each, owned here."""

from basesys.core.errors import Refusal, register_refusals

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
    # Neutral (issue 15): it must not tell a stranger that this ID number is on some base's list.
    "name_mismatch": Refusal(
        422,
        "无法以此姓名和身份证号码注册，请核对姓名是否与身份证一致；如确认无误，请联系培训基地。",
        "This name and ID number cannot be registered together; check the name on your ID card.",
    ),
    "employer_unknown": Refusal(
        422,
        "没有以该统一社会信用代码登记的用人单位，请核对或联系单位。",
        "No employer is registered with this credit code.",
    ),
    "wrong_password": Refusal(422, "原密码不正确。", "The current password is wrong."),
}
register_refusals("accounts", REFUSALS)

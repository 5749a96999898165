"""Resident ID numbers (GB 11643) and unified social credit codes (DOMAIN.md §1–2)."""

import unicodedata
from datetime import date

from stdnum import numdb
from stdnum.cn import uscc

from basesys.core.errors import ValidationFailed

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _region_ever_existed(code: str) -> bool:
    # Any county code that exists or has existed counts, whatever the birth year: the code is the
    # county of first registration, which can be years after birth (python-stdnum checks the
    # birth year against the code's years, wrongly for us).
    info = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    return "county" in info


def normalize_code(raw: str | None) -> str:
    """An ID number or credit code as typed, in the form it is stored: NFKC (full-width digits and
    letters from a Chinese input method become ASCII), no whitespace anywhere, upper case (x → X)."""
    return "".join(unicodedata.normalize("NFKC", raw or "").split()).upper()


def id_number_if_shaped(raw: str | None) -> str | None:
    """A login name as typed: normalised (normalize_code) when it has the shape of an ID number, so
    full-width digits log in; any other username unchanged."""
    number = normalize_code(raw)
    if len(number) == 18 and number.isascii() and number[:17].isdigit():
        return number
    return raw


def id_number_problem(raw: str, today: date) -> tuple[str, str | None]:
    """Return (normalized number, reason or None)."""
    number = normalize_code(raw)
    if len(number) != 18:
        return number, "身份证号码应为18位"
    if not (number.isascii() and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        return number, "身份证号码格式不正确"
    if id_check_digit(number[:17]) != number[17]:
        return number, "身份证号码校验位不正确"
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return number, "身份证号码中的出生日期无效"
    if born > today or born.year < 1900:
        return number, "身份证号码中的出生日期无效"
    if not _region_ever_existed(number[:6]):
        return number, "身份证号码中的地区代码无效"
    return number, None


def validate_id_number(raw: str, today: date, field: str = "id_number") -> str:
    """The normalized number; refuses with `invalid_id_number` (422)."""
    number, problem = id_number_problem(raw, today)
    if problem:
        raise ValidationFailed({field: problem}, code="invalid_id_number", message=problem)
    return number


def birth_date_of(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_of(number: str) -> str:
    """'M' or 'F': the 17th digit is odd for men (GB 11643)."""
    return "M" if int(number[16]) % 2 else "F"


GENDER_LABELS = {"M": "男", "F": "女"}


def mask_id_number(number: str) -> str:
    """`3704**********1234`: first 4 and last 4 (DOMAIN.md §2)."""
    if not number or len(number) < 8:
        return "*" * len(number or "")
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """张*明 style: keeps the family name and the last character for the public pages."""
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def validate_credit_code(raw: str, field: str = "credit_code") -> str:
    """The normalized 18-character code; refuses with `invalid_credit_code` (422)."""
    code = normalize_code(raw)
    if not uscc.is_valid(code):
        message = "统一社会信用代码无效（应为18位且校验位正确）"
        raise ValidationFailed({field: message}, code="invalid_credit_code", message=message)
    return code


def make_credit_code(first17: str) -> str:
    return first17 + uscc.calc_check_digit(first17)

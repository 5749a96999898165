from datetime import date

import pytest

from basesys.core.errors import ValidationFailed
from basesys.core.ids import (
    gender_of,
    id_check_digit,
    id_number_problem,
    mask_id_number,
    mask_name,
    validate_credit_code,
    validate_id_number,
)

TODAY = date(2025, 6, 2)


def with_check(first17: str) -> str:
    return first17 + id_check_digit(first17)


def test_validate_id_number_accepts_valid_number_and_lowercase_x():
    number = "11010519491231002X"
    assert validate_id_number(number.lower(), TODAY) == number


def test_validate_id_number_accepts_county_code_created_after_birth():
    # 370402 (枣庄市市中区) exists since 1983; a person born 1979 registered there later (DOMAIN §2).
    number = with_check("37040219790312031")
    assert validate_id_number(number, TODAY) == number


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("3704021979031203", "18位"),
        ("37040219790312031A", "格式"),
        ("370402197903120310", "校验位"),
        (with_check("37040219790231031"), "出生日期"),
        (with_check("37040220300101031"), "出生日期"),
        (with_check("99999919800101031"), "地区代码"),
    ],
)
def test_validate_id_number_refuses_with_reason(raw, reason):
    with pytest.raises(ValidationFailed) as error:
        validate_id_number(raw, TODAY)
    assert error.value.code == "invalid_id_number"
    assert reason in error.value.fields["id_number"]


def test_birth_date_today_is_accepted_tomorrow_is_not():
    assert id_number_problem(with_check("11010120250602001"), TODAY)[1] is None
    assert id_number_problem(with_check("11010120250603001"), TODAY)[1] is not None


def test_gender_follows_the_17th_digit():
    assert gender_of(with_check("37040219790312031")) == "M"
    assert gender_of(with_check("37040219790312042")) == "F"


def test_masks():
    assert mask_id_number("370402197903120311") == "3704**********0311"
    assert mask_name("张伟") == "张*"
    assert mask_name("欧阳小明") == "欧**明"


def test_validate_credit_code():
    from basesys.core.ids import make_credit_code

    code = make_credit_code("12370400MB0123456")
    assert validate_credit_code(code.lower()) == code
    with pytest.raises(ValidationFailed) as error:
        validate_credit_code(code[:-1] + ("0" if code[-1] != "0" else "1"))
    assert error.value.code == "invalid_credit_code"


def test_full_width_digits_spaces_and_lowercase_x_are_normalised():
    number = "11010519491231002X"
    typed = "".join(chr(ord(c) + 0xFEE0) for c in number[:-1]) + "ｘ"  # a Chinese input method's full width
    assert validate_id_number(typed, TODAY) == number
    assert validate_id_number("\u3000110105 19491231\t002x ", TODAY) == number
    assert validate_credit_code(" ９１３５０１００Ｍ０００１００Ｙ４３ ") == "91350100M000100Y43"


def test_digits_of_other_scripts_are_no_id_number():
    assert id_number_problem("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", TODAY)[1] == "身份证号码格式不正确"

"""Mainland mobile and landline formats (issue 15: an import accepted the phone `12345`)."""

import pytest

from basesys.core.phones import PHONE_MESSAGE, is_phone, phone_problem


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678",
        "19900000000",
        "138 1234 5678",
        "138-1234-5678",
        "+8613812345678",
        "0632-1234567",
        "06321234567",
        "010-12345678",
        "(0632)1234567",
        "（0632）1234567",
        "0632-1234567-801",
        "0632-1234567转801",
        " 0537-3616001 ",
    ],
)
def test_mobiles_and_landlines_are_phones(phone):
    assert is_phone(phone) and phone_problem(phone) is None


@pytest.mark.parametrize(
    "phone",
    ["12345", "1234567890", "12812345678", "138123456789", "0632-12345", "632-1234567", "0632-123456789", "abc", "1"],
)
def test_other_numbers_are_not(phone):
    assert not is_phone(phone) and phone_problem(phone) == PHONE_MESSAGE


@pytest.mark.parametrize("empty", ["", "  ", None])
def test_an_empty_phone_is_no_problem(empty):
    assert phone_problem(empty) is None

"""The one way a 学时 figure is printed in a column."""

from basesys.core.hours import hours_text


def test_hours_text_always_has_one_decimal():
    assert [hours_text(v) for v in (4, 4.5, 0, None, 16.0)] == ["4.0", "4.5", "0.0", "0.0", "16.0"]

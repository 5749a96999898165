"""Issue 15, registration: the password rule in words, places (not bureau names) to choose from, a
word that a scan's check-in is waiting, and a name mismatch that reveals nothing about enrolments."""

from tests.conftest import PASSWORD, valid_id_number


def test_a_short_password_is_told_the_rule(client, tenants):
    page = client.post(
        "/register",
        data={"id_number": valid_id_number(), "name": "甲", "phone": "13900000000", "password": "ab", "confirm": "ab"},
    )
    assert page.status_code == 422 and "密码至少需要 8 位" in page.text


def test_the_city_choice_lists_places(client, tenants):
    html = client.get("/register").text
    choice = html.split('id="bureau_id"')[1].split("</select>")[0]
    assert ">枣庄市</option>" in choice and ">枣庄市市中区</option>" in choice and ">济宁市</option>" in choice
    assert "人社局" not in choice


def test_arriving_from_a_scan_the_page_says_the_check_in_is_waiting(client):
    assert "data-pending-scan" in client.get("/register?next=/q/abc").text
    assert "data-pending-scan" not in client.get("/register").text
    assert "data-pending-scan" not in client.get("/register?next=//evil.example/q/").text


def test_a_name_mismatch_does_not_reveal_a_bases_enrolment_list(client, make_trainee):
    trainee = make_trainee(name="王芳", registered=False)
    page = client.post(
        "/register",
        data={
            "id_number": trainee.id_number,
            "name": "王方",
            "phone": "13900000000",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert page.status_code == 422
    assert "基地登记" not in page.text and "无法以此姓名和身份证号码注册" in page.text

"""签到卡 (DOMAIN §6): an A4 PDF of cards per course, read as a reader sees it — rendered to PNG
(pdftoppm) with every QR code decoded (OpenCV) to a personal code a staff scan accepts, and its
text extracted (pdftotext)."""

import subprocess

import cv2

from basesys.attendance import cards
from basesys.attendance.services import trainee_of_code
from tests.conftest import at


def slots(image):
    """The page cut into its cards (cards.COLUMNS × cards.ROWS within cards.MARGIN), as a guillotine would."""
    height, width = image.shape[:2]
    margin_x, margin_y = round(width * cards.MARGIN / 595.27), round(height * cards.MARGIN / 841.89)
    card_w, card_h = (width - 2 * margin_x) // cards.COLUMNS, (height - 2 * margin_y) // cards.ROWS
    for row in range(cards.ROWS):
        for column in range(cards.COLUMNS):
            x, y = margin_x + column * card_w, margin_y + row * card_h
            yield image[y : y + card_h, x : x + card_w]


def decode(image) -> str:
    """OpenCV's detector misses the odd code at one scale (the codes are random, so the images
    differ from run to run): a reader's phone would simply look again, so does this — at other
    scales, then with the Aruco-based detector when the OpenCV build has it."""
    for scale in (1.0, 1.5, 0.75, 2.0):
        sized = image if scale == 1.0 else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        text, _points, _ = cv2.QRCodeDetector().detectAndDecode(sized)
        if text:
            return text
    if hasattr(cv2, "QRCodeDetectorAruco"):
        text, _points, _ = cv2.QRCodeDetectorAruco().detectAndDecode(image)
        return text
    return ""


def render(data: bytes, tmp_path):
    path = tmp_path / "cards.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(path), str(tmp_path / "page")], check=True)
    decoded = []
    for png in sorted(tmp_path.glob("page*.png")):
        decoded += [value for value in (decode(slot) for slot in slots(cv2.imread(str(png)))) if value]
    return text, decoded, len(list(tmp_path.glob("page*.png")))


def test_the_course_page_links_the_cards_and_every_qr_code_checks_its_trainee_in(
    client, login, tenants, running_course, enroll, make_trainee, tmp_path, clock, api_headers
):
    people = [make_trainee(name=f"学员{n:02d}") for n in range(11)]  # with the trainee: 12 cards, two pages
    enroll(running_course, *people)
    login(tenants.admin_a)
    page = client.get(f"/courses/{running_course.id}").get_data(as_text=True)
    link = f"/attendance/courses/{running_course.id}/cards.pdf"
    assert link in page and "签到卡" in page
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text, decoded, pages = render(response.data, tmp_path)
    assert pages == 2 and len(decoded) == 12
    ids = sorted(trainee_of_code(code, now=clock()) for code in decoded)
    assert ids == sorted([tenants.trainee.id, *(p.id for p in people)])
    for person in [tenants.trainee, *people]:
        assert person.name in text and person.id_number_masked in text
    assert tenants.trainee.id_number not in text  # masked, DOMAIN §2
    assert "有效期至 2026-06-01" in text and running_course.title in text
    home = client.get("/api/v1/me/checkin-code", headers=api_headers(tenants.trainee)).get_json()["code"]
    assert home in decoded  # the card and the phone show the same code on the same day


def test_cards_are_the_base_admins_of_the_course(client, login, tenants, running_course):
    link = f"/attendance/courses/{running_course.id}/cards.pdf"
    login(tenants.admin_b)
    assert client.get(link).status_code == 404
    login(tenants.officer_a)
    assert client.get(link).status_code == 403
    login(tenants.trainee)
    assert client.get(link).status_code == 403


def test_a_name_no_font_can_draw_refuses_the_sheet_with_a_message(client, login, tenants, running_course, db):
    tenants.trainee.name = "张𠀀"
    db.session.commit()
    login(tenants.admin_a)
    response = client.get(f"/attendance/courses/{running_course.id}/cards.pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/courses/{running_course.id}")
    assert "无法打印签到卡" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_no_link_once_the_course_is_finalised(client, login, tenants, running_course, db):
    running_course.finalized_at = at("2025-06-02", "14:00")
    db.session.commit()
    login(tenants.admin_a)
    assert "cards.pdf" not in client.get(f"/courses/{running_course.id}").get_data(as_text=True)


def test_an_empty_course_prints_a_sheet_saying_so(db, tmp_path):
    data = cards.checkin_cards_pdf([], course_title="空课程", base_name="基地甲")
    text, decoded, _pages = render(data, tmp_path)
    assert "尚无报名学员" in text and decoded == []

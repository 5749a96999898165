"""The notifications panel on the home page of every staff role, and marking read."""

from basesys.notifications import services
from basesys.notifications.models import Notification
from tests.conftest import at


def test_the_panel_shows_for_an_officer_too_and_marks_read(clock, client, login, db, tenants):
    (n,) = services.notify(
        [tenants.officer_a],
        "roster_reminder",
        key="k",
        data={"title": "安全生产", "due_on": "2025-06-19"},
        now=at("2025-06-01", "09:00"),
    )
    db.session.commit()
    login(tenants.officer_a)
    html = client.get("/").get_data(as_text=True)
    assert "安全生产" in html and f"/notifications/{n.id}/read" in html
    assert client.post(f"/notifications/{n.id}/read").status_code == 302
    assert db.session.get(Notification, n.id).read_at is not None
    assert client.post(f"/notifications/{n.id}/read").status_code == 404  # read already
    assert client.post("/notifications/read").status_code == 302


def test_marking_read_needs_a_login(client, db, tenants):
    assert client.post("/notifications/read").status_code in (302, 401)

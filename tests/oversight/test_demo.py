"""After `make run` the demo officer sees a shared_device finding made by a real scan sequence."""

from basesys.accounts.demo import DEMO_PASSWORD
from basesys.core.cli import load_demo
from basesys.oversight.models import Anomaly


def test_the_demo_has_a_shared_device_finding_for_the_officer(db, now, login, client):
    ctx = load_demo(now)
    db.session.commit()
    findings = db.session.scalars(db.select(Anomaly).where(Anomaly.kind == "shared_device")).all()
    assert len(findings) == 1 and len(findings[0].trainee_ids) == 2
    assert {a.kind for a in db.session.scalars(db.select(Anomaly))} >= {"shared_device", "late_filing"}
    officer = ctx["users"]["officer_zz"]
    page = login(officer, password=DEMO_PASSWORD).get(f"/bureau/anomalies/{findings[0].id}")
    assert page.status_code == 200 and "demo-phone-" in page.text

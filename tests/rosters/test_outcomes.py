"""Issue 15: one outcome for a trainee whose certificate was revoked, the same on every page —
the roster (page, JSON, export) and the course's certificates page: certificate revoked, hours void,
with the reason; never counted among the completers."""

import csv
import io

from basesys.certificates.models import Certificate
from basesys.certificates.services import revoke_certificate
from basesys.certificates.services.outcomes import outcome_counts
from basesys.rosters import exports, services


def revoke_trainees(db, tenants, now):
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.trainee_id == tenants.trainee.id))
    revoke_certificate(tenants.admin_a, certificate, reason="代签到", now=now)
    db.session.commit()
    return certificate


def test_a_revoked_trainee_has_one_outcome_in_the_roster_rows_and_the_counts(db, finished, tenants, now):
    revoke_trainees(db, tenants, now)
    row = services.roster_state(finished, now=now).rows[0]
    assert row["outcome"] == "revoked" and row["revoked_reason"] == "代签到"
    assert row["completed"] is False and row["certificate_number"] is None
    assert outcome_counts(finished) == {"completed": 1, "not_completed": 1, "revoked": 1, "certificates": 1}


def test_the_export_gives_void_hours_and_says_why(db, finished, tenants, now):
    revoke_trainees(db, tenants, now)
    data = exports.to_csv(services.roster_state(finished, now=now).rows)
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[1][10] == "0.0" and lines[1][12] == "证书已撤销（学时作废）：代签到"
    assert lines[2][12] == "已结业" and lines[3][12] == "未结业"


def test_roster_and_certificates_pages_agree_on_a_revoked_trainee(clock, client, login, db, tenants, finished, now):
    revoke_trainees(db, tenants, now)
    login(tenants.admin_a)
    roster = client.get(f"/courses/{finished.id}/roster").get_data(as_text=True)
    assert 'data-outcome="revoked"' in roster and "代签到" in roster and "（作废）" in roster
    assert roster.count('data-outcome="completed"') == 1
    certificates = client.get(f"/courses/{finished.id}/certificates").get_data(as_text=True)
    assert 'data-outcome="revoked"' in certificates and "学时作废" in certificates
    completed_tile = certificates.split('data-count="completed"')[1].split("</div>")[0]
    assert '<strong class="stat">1</strong>' in completed_tile
    assert "另有 1 份已撤销" in certificates

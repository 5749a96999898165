from basesys.accounts.models import Trainee, User
from basesys.core.cli import load_demo


def test_demo_loads_every_role_with_valid_trainees(db, now, runner):
    load_demo(now)
    db.session.commit()
    roles = set(db.session.scalars(db.select(User.role)))
    assert roles == {"sysadmin", "bureau_officer", "base_admin", "employer_reviewer", "trainee"}
    assert db.session.scalar(db.select(db.func.count()).select_from(Trainee)) >= 20
    result = runner.invoke(args=["demo"])
    assert "not empty" in result.output and "officer_zz" in result.output

"""Fixtures of the declaration tests: Jining (city_b) and Zaozhuang (city_a) with their 2025 rules,
an employer of each city with a reviewer, and evidence files by content."""

import itertools
from datetime import datetime
from pathlib import Path

import pytest

from basesys.accounts.models import Employer, User
from basesys.accounts.services.passwords import hash_password
from basesys.core.ids import make_credit_code
from basesys.declarations import services
from basesys.declarations.rules import bundled, read_rule_file
from basesys.extensions import db
from tests.certificates.conftest import attend  # noqa: F401 -- the expert-service days against a course
from tests.conftest import LOCAL_TZ, PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 60
NOW = datetime(2025, 6, 2, 9, 0, tzinfo=LOCAL_TZ)
_codes = itertools.count(500)


def make_employer(name, bureau, now=NOW):
    employer = Employer(
        name=name, credit_code=make_credit_code(f"91370800MB{next(_codes):07d}"), bureau_id=bureau.id, created_at=now
    )
    db.session.add(employer)
    db.session.flush()
    return employer


def make_reviewer(employer, now=NOW):
    user = User(
        username=f"decl_reviewer{next(_codes)}",
        password_hash=hash_password(PASSWORD),
        role="employer_reviewer",
        employer_id=employer.id,
        created_at=now,
    )
    db.session.add(user)
    db.session.flush()
    return user


@pytest.fixture
def evidence_dir(tmp_path, app):
    directory = tmp_path / "evidence"
    app.config["EVIDENCE_DIR"] = str(directory)
    yield directory
    app.config.pop("EVIDENCE_DIR", None)


@pytest.fixture
def decl(tenants, now, make_trainee, evidence_dir):
    """city_b = Jining, city_a = Zaozhuang, each with its 2025 rules; employer_jn (Jining) with
    reviewer_jn, employer_jn2 with reviewer_jn2, employer_zz (Zaozhuang) with reviewer_zz.
    `trainee` works at employer_jn; `zz_trainee` at employer_zz; `free` has no employer
    (registered with Jining)."""
    w = tenants
    for bureau, name in ((w.city_b, "jining-2025.yaml"), (w.city_a, "zaozhuang-2025.yaml")):
        document, sha256 = read_rule_file(bundled(name))
        services.load_rule_set(None, bureau, document, source_sha256=sha256, now=now)
    w.employer_jn = make_employer("济宁市第一人民医院", w.city_b, now)
    w.employer_jn2 = make_employer("济宁市第二人民医院", w.city_b, now)
    w.employer_zz = make_employer("枣庄市立医院", w.city_a, now)
    w.reviewer_jn, w.reviewer_jn2 = make_reviewer(w.employer_jn, now), make_reviewer(w.employer_jn2, now)
    w.reviewer_zz = make_reviewer(w.employer_zz, now)
    w.trainee.employer_id = w.employer_jn.id
    w.zz_trainee = make_trainee(name="赵六")
    w.zz_trainee.employer_id = w.employer_zz.id
    w.free = make_trainee(name="钱七")
    w.free.bureau_id = w.city_b.id
    db.session.commit()
    db.session.expire_all()
    w.evidence_dir = evidence_dir
    return w


def upload(trainee, data=PDF, name="证明.pdf", now=NOW, directory=None):
    from flask import current_app

    directory = directory or Path(current_app.config["EVIDENCE_DIR"])
    return services.store_evidence(trainee.user, trainee, data=data, filename=name, now=now, storage_dir=directory)


def declare(trainee, rule, option, quantity=1, *, year=2025, title="申报事项", now=NOW, evidence=None, **fields):
    items = evidence if evidence is not None else [upload(trainee)]
    declaration = services.submit_declaration(
        trainee.user,
        trainee,
        year=year,
        rule=rule,
        option=option,
        quantity=quantity,
        title=title,
        evidence_ids=[e.id for e in items],
        now=now,
        **fields,
    )
    db.session.commit()
    return declaration


def approve(declaration, *reviewers, now=NOW):
    for reviewer in reviewers:
        services.decide_declaration(reviewer, declaration, decision="approve", comment="", now=now)
        db.session.commit()
    return declaration

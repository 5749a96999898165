"""Issuing certificates: numbers, check codes, the signed payload and the printability check (§8)."""

import hashlib
import secrets
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import Trainee
from basesys.certificates.models import Certificate, CertificateSequence, CertificateStatus
from basesys.certificates.signing import PAYLOAD_VERSION, Signer, canonical_json
from basesys.core.ids import mask_id_number, mask_name
from basesys.core.pdf import available_fonts, font_for
from basesys.core.time import local_date
from basesys.courses.models import Course
from basesys.extensions import db

# No 0/O, 1/I/L: a code read off paper or a phone screen is typed back without confusion.
CHECK_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_CODE_LENGTH = 8  # 31^8 ≈ 8.5e11: numbers cannot be enumerated to harvest names


def new_check_code() -> str:
    """Uniform over the alphabet: random bytes taken modulo its size, those ≥ the largest multiple
    of it below 256 drawn again (one read of the OS's randomness per code, not one per character)."""
    size = len(CHECK_CODE_ALPHABET)
    below = 256 - 256 % size
    code: list[str] = []
    while len(code) < CHECK_CODE_LENGTH:
        code += [CHECK_CODE_ALPHABET[b % size] for b in secrets.token_bytes(2 * CHECK_CODE_LENGTH) if b < below]
    return "".join(code[:CHECK_CODE_LENGTH])


def normalize_check_code(code: str | None) -> str:
    return (code or "").strip().upper().replace(" ", "").replace("-", "")


def certificate_number(year: int, base_code: str, sequence: int) -> str:
    """`2025-0003-000127`: year, base, sequence within the base and year (§8)."""
    return f"{year:04d}-{base_code}-{sequence:06d}"


def allocate_sequences(base_id: int, year: int, count: int) -> int:
    """Reserve `count` consecutive sequence numbers of a base and year; returns the first.

    The UPDATE locks the row until the transaction ends, so concurrent finalisations of two courses
    of one base get disjoint blocks; the first use of a (base, year) inserts the row (a concurrent
    insert loses on the primary key and simply retries the UPDATE).
    """
    if count <= 0:
        return 0
    statement = (
        update(CertificateSequence)
        .where(CertificateSequence.base_id == base_id, CertificateSequence.year == year)
        .values(last=CertificateSequence.last + count)
        .returning(CertificateSequence.last)
        .execution_options(synchronize_session=False)
    )
    last = db.session.execute(statement).scalar_one_or_none()
    if last is None:
        try:
            with db.session.begin_nested():
                db.session.add(CertificateSequence(base_id=base_id, year=year, last=0))
        except IntegrityError:
            pass
        last = db.session.execute(statement).scalar_one()
    return last - count + 1


def course_dates(course: Course) -> tuple[date, date]:
    return local_date(course.starts_at), local_date(max(s.ends_at for s in course.sessions))


def printing_problem(trainee_name: str, course: Course) -> str | None:
    """Why this certificate cannot be printed faithfully, or None.

    reportlab silently drops a character its font lacks; a certificate must never show a name
    without one of its characters, so each text needs one installed font that has all of it.
    """
    available_fonts()  # MissingFont if none is installed
    texts = [("name", trainee_name), ("course", course.title), ("base", course.base.name)]
    for what, text in texts:
        if font_for(text) is None:
            missing = "".join(ch for ch in dict.fromkeys(text) if font_for(ch) is None) or text
            where = {"name": f"姓名「{text}」", "course": f"项目名称「{text}」", "base": f"基地名称「{text}」"}[what]
            return (
                f"{where}中的字符「{missing}」没有可用的字体，证书暂未生成（学时已记录）。"
                "请联系系统管理员安装包含该字符的 TrueType 字体，然后再次点击“结业”补发证书。"
            )
    return None


def holder_digest(number: str, name: str, id_number: str) -> str:
    """Binds the signature to the full name and ID number without publishing them: whoever holds
    the paper certificate and the person's ID can recompute it (verify-certificate --name --id-number)."""
    return hashlib.sha256(f"{number}|{name}|{id_number}".encode()).hexdigest()


class CertificateIssue:
    """The certificates of one course issued at one moment: what they all share (the course's
    printed fields, dates, base, key, issue date) is computed once; `values` adds one holder's
    number, masked name and ID number, holder digest, check code and signature."""

    def __init__(self, course: Course, *, year: int, signer: Signer, now: datetime):
        starts_on, ends_on = course_dates(course)
        self.year, self.base_code, self.signer, self.issued_on = year, course.base.code, signer, local_date(now)
        # Every printed field of the signed payload but the holder's (see `payload`).
        self.printed = {
            "v": PAYLOAD_VERSION,
            "kid": signer.key_id,
            "course_title": course.title,
            "category": course.category,
            "kind": course.kind,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "base_name": course.base.name,
            "filing_number": course.filing_number or "",
            "issued_on": self.issued_on.isoformat(),
        }
        self.columns = {
            "course_id": course.id,
            "base_id": course.base_id,
            "year": year,
            "category": course.category,
            "issued_on": self.issued_on,
            "issued_at": now,
            "key_id": signer.key_id,
            "status": CertificateStatus.VALID,
        }

    def payload(self, number: str, trainee, hours: float) -> str:
        """The canonical JSON that is signed: a format version, the key id and every printed field."""
        return canonical_json(
            {
                **self.printed,
                "number": number,
                "name_masked": mask_name(trainee.name),
                "id_number_masked": mask_id_number(trainee.id_number),
                "holder_sha256": holder_digest(number, trainee.name, trainee.id_number),
                "hours": float(hours),
            }
        )

    def values(self, trainee, hours: float, sequence: int) -> dict:
        """The column values of one signed certificate; `trainee` needs id, name and id_number."""
        number = certificate_number(self.year, self.base_code, sequence)
        payload = self.payload(number, trainee, hours)
        return {
            **self.columns,
            "number": number,
            "check_code": new_check_code(),
            "trainee_id": trainee.id,
            "holder_name": trainee.name,
            "sequence": sequence,
            "hours": hours,
            "payload": payload,
            "signature": self.signer.sign(payload),
        }


def certificate_values(
    *, trainee: Trainee, course: Course, hours: float, year: int, sequence: int, signer: Signer, now: datetime
) -> dict:
    """The column values of one signed certificate (what `build_certificate` adds)."""
    return CertificateIssue(course, year=year, signer=signer, now=now).values(trainee, hours, sequence)


def build_certificate(**facts) -> Certificate:
    """A signed Certificate row (added to the session, not flushed); `facts` as `certificate_values`."""
    certificate = Certificate(**certificate_values(**facts))
    db.session.add(certificate)
    return certificate

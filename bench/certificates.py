"""Finalisation and certificate PDFs at scale, against a bare reportlab floor.

On a fresh SQLite database: one approved two-session course with N enrolled trainees (default
2,000) who all attended in full. Measured, in one run:

1. `finalize_course` + commit: N results, finalized days, ledger entries, signed certificates, audit;
2. all N certificate PDFs streamed into a ZIP file on disk, exactly as the base admin's download
   does (`write_certificates_zip(certificate_pages(course))`), with the process's RSS sampled
   every N/8 certificates to show that memory stays flat;
3. the floor: a bare reportlab loop drawing the same page (same texts, same embedded CJK font, same
   QR code computed with the same library, same frame) N times, each to its own in-memory PDF —
   interleaved with step 2 in chunks of N/8, so that both see the same load on a shared machine.

It prints certificates/s end to end (1 + 2) and for the PDFs alone (2), the floor, their ratios,
and the peak RSS. Run: `make bench` or `.venv/bin/python bench/certificates.py [--count 2000]`.
"""

import argparse
import io
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="basesys-bench-certificates-"))
os.environ["BASESYS_INSTANCE"] = str(WORKDIR)
os.environ.setdefault("BASESYS_SCHEDULER", "off")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉飞斌宇浩凯晨阳"


def rss_mb() -> float:
    """Current resident set size (Linux /proc), in MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # KiB on Linux


def seed(count: int):
    """Bureau, base, admin, one approved course that ended yesterday, `count` trainees present throughout."""
    from sqlalchemy import insert

    from basesys.accounts.models import Base, Bureau, Trainee, User
    from basesys.attendance.models import Attendance
    from basesys.core.ids import id_check_digit, make_credit_code
    from basesys.core.time import LOCAL_TZ
    from basesys.courses.models import Course, CourseSession, Enrollment
    from basesys.extensions import db

    now = datetime.now(UTC)
    bureau = Bureau(name="枣庄市人力资源和社会保障局", level="city", created_at=now)
    base = Base(
        name="枣庄职业学院继续教育基地",
        level="municipal",
        credit_code=make_credit_code("12370400MB0123456"),
        bureau=bureau,
        created_at=now,
    )
    admin = User(username="admin_bench", password_hash="x", role="base_admin", base=base, created_at=now)
    day = (now - timedelta(days=1)).astimezone(LOCAL_TZ).date()

    def local(hh, mm):
        return datetime(day.year, day.month, day.day, hh, mm, tzinfo=LOCAL_TZ)

    course = Course(
        base=base,
        title=f"{day.year}年度专业技术人员专业科目培训班（工程系列）",
        category="professional",
        kind="course",
        delivery="offline",
        attendance_mode="in_out",
        filing_status="approved",
        filing_number=f"备{day.year}-0001-0012",
        planned_days=1,
        planned_hours=8.0,
        created_at=now,
        updated_at=now,
    )
    course.sessions = [
        CourseSession(starts_at=local(8, 30), ends_at=local(12, 0), credit_hours=4.5),
        CourseSession(starts_at=local(13, 30), ends_at=local(17, 0), credit_hours=4.5),
    ]
    db.session.add_all([bureau, base, admin, course])
    db.session.flush()
    rng = random.Random(5)
    rows = []
    for i in range(count):
        first17 = f"370402{1960 + i % 40}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        rows.append(
            {
                "id_number": first17 + id_check_digit(first17),
                "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                "gender": "M" if i % 2 else "F",
                "birth_date": datetime(1960 + i % 40, 1 + i % 12, 1 + i % 28).date(),
                "bureau_id": bureau.id,
                "created_at": now,
            }
        )
    db.session.execute(insert(Trainee), rows)
    trainee_ids = list(db.session.scalars(db.select(Trainee.id).order_by(Trainee.id)))
    db.session.execute(
        insert(Enrollment),
        [{"course_id": course.id, "trainee_id": t, "source": "import", "created_at": now} for t in trainee_ids],
    )
    db.session.execute(
        insert(Attendance),
        [
            {
                "session_id": s.id,
                "trainee_id": t,
                "check_in_at": s.starts_at - timedelta(minutes=5),
                "check_out_at": s.ends_at + timedelta(minutes=2),
                "created_at": now,
                "updated_at": now,
            }
            for t in trainee_ids
            for s in course.sessions
        ],
    )
    db.session.commit()
    return course.id, admin.id


def floor(pages) -> float:
    """The same page drawn by a bare reportlab loop: seconds for all pages."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    from basesys.core.pdf import cjk_font

    font = cjk_font()
    width, height = landscape(A4)
    red, gold, ink, muted = HexColor("#b3261e"), HexColor("#c9a227"), HexColor("#1f2328"), HexColor("#656d76")
    started = time.perf_counter()
    for page in pages:
        canvas = Canvas(io.BytesIO(), pagesize=(width, height), pageCompression=1, initialFontName=font)
        canvas.setStrokeColor(red)
        canvas.setLineWidth(6)
        canvas.rect(22, 22, width - 44, height - 44)
        canvas.setStrokeColor(gold)
        canvas.setLineWidth(1.2)
        canvas.rect(34, 34, width - 68, height - 68)
        canvas.setFillColor(red)
        canvas.setFont(font, 30)
        canvas.drawCentredString(width / 2, height - 100, "专业技术人员继续教育培训证书")
        canvas.setFillColor(muted)
        canvas.setFont(font, 11)
        canvas.drawCentredString(width / 2, height - 124, "Certificate of Continuing Education")
        y = height - 172
        for label, value in (
            ("姓　　名", page.name),
            ("身份证号", page.id_number_masked),
            ("培训项目", page.course_title),
            ("科目类别", "专业科目　培训班"),
            ("培训日期", f"{page.starts_on} 至 {page.ends_on}"),
            ("认定学时", f"{page.hours:.1f} 学时"),
            ("培训基地", page.base_name),
            ("备 案 号", page.filing_number),
        ):
            canvas.setFillColor(muted)
            canvas.setFont(font, 14)
            canvas.drawString(96, y, label)
            canvas.setFillColor(ink)
            canvas.setFont(font, 18 if label == "姓　　名" else 15)
            canvas.drawString(190, y, value)
            y -= 30
        canvas.setFont(font, 13)
        canvas.drawString(96, y - 6, "经考核合格，准予结业，学时已记入学时银行。特发此证。")
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
        code.add_data(page.verify_url)
        code.make(fit=True)
        matrix = code.get_matrix()
        size, qx, qy = 150, width - 246, 188
        cell = size / len(matrix)
        path = canvas.beginPath()
        for r, row in enumerate(matrix):  # runs of dark modules as one rectangle, as the app does
            top = qy + size - (r + 1) * cell
            start = None
            for c, dark in enumerate([*row, False]):
                if dark and start is None:
                    start = c
                elif not dark and start is not None:
                    path.rect(qx + start * cell, top, (c - start) * cell, cell)
                    start = None
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.setFont(font, 11)
        canvas.drawCentredString(qx + size / 2, qy - 18, "扫码验证证书真伪")
        canvas.setFont(font, 13)
        canvas.drawRightString(width - 96, 138, f"证书编号：{page.number}")
        canvas.drawRightString(width - 96, 118, f"校验码：{page.check_code}")
        canvas.drawRightString(width - 96, 98, f"发证日期：{page.issued_on}")
        canvas.setFont(font, 9)
        canvas.drawString(96, 74, f"查验：{page.verify_url}")
        canvas.drawString(96, 60, f"本证书由发证机构以 Ed25519 电子签名（密钥标识 {page.key_id}），可离线核验。")
        canvas.showPage()
        canvas.save()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="completers (default 2000)")
    parser.add_argument("--finalize-only", action="store_true", help="time finalize_course, skip the PDFs")
    args = parser.parse_args()

    from basesys import create_app
    from basesys.accounts.models import User
    from basesys.certificates.pdf import write_certificates_zip
    from basesys.certificates.services import finalize_course
    from basesys.certificates.services.queries import certificate_pages
    from basesys.core.pdf import registered_fonts
    from basesys.core.time import now_utc
    from basesys.courses.models import Course
    from basesys.extensions import db

    url = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BASE_URL": "https://basesys.example.cn"})
    with app.app_context():
        db.create_all()
        registered_fonts()  # font parsing is a one-off of the process, outside every measurement
        course_id, admin_id = seed(args.count)
        db.session.remove()
        print(f"fresh SQLite database, {args.count} enrolled trainees, all present; RSS {rss_mb():.0f} MB")

        started = time.perf_counter()
        course, admin = db.session.get(Course, course_id), db.session.get(User, admin_id)
        totals = finalize_course(admin, course, now=now_utc())
        db.session.commit()
        finalize_s = time.perf_counter() - started
        assert totals["certificates"] == args.count, totals
        db.session.remove()
        print(f"finalize_course: {totals} in {finalize_s:.2f} s; RSS {rss_mb():.0f} MB")
        if args.finalize_only:
            return

        course = db.session.get(Course, course_id)
        samples, every, floor_s = [], max(1, args.count // 8), 0.0

        def interleaved(pages):
            """The app's pages as they stream; after every N/8 of them the floor draws the same N/8,
            so both run under the same machine load (its time is taken out of the app's)."""
            nonlocal floor_s
            chunk = []
            for page in pages:
                yield page
                chunk.append(page)
                if len(chunk) == every:
                    samples.append((len(samples) * every + every, rss_mb()))
                    floor_s += floor(chunk)
                    chunk = []
            if chunk:
                floor_s += floor(chunk)

        zip_path = WORKDIR / "certificates.zip"
        started = time.perf_counter()
        with open(zip_path, "wb") as out:
            written = write_certificates_zip(interleaved(certificate_pages(course, app.config["BASE_URL"])), out)
        pdf_s = time.perf_counter() - started - floor_s
        assert written == args.count
        print(f"PDFs into {zip_path.name}: {written} in {pdf_s:.2f} s ({zip_path.stat().st_size / 1e6:.0f} MB on disk)")
        print("RSS while streaming: " + ", ".join(f"{n}: {mb:.0f} MB" for n, mb in samples))

    end_to_end = args.count / (finalize_s + pdf_s)
    pdf_rate = args.count / pdf_s
    floor_rate = args.count / floor_s
    print()
    print(
        f"certificates/s end to end (finalize + PDFs): {end_to_end:7.1f}   = {end_to_end / floor_rate:.2f} of the floor"
    )
    print(f"certificates/s PDFs only:                    {pdf_rate:7.1f}   = {pdf_rate / floor_rate:.2f} of the floor")
    print(f"floor (bare reportlab, same page/font/QR):   {floor_rate:7.1f}")
    growth = samples[-1][1] - samples[0][1] if len(samples) > 1 else 0.0
    print(f"RSS growth from {samples[0][0]} to {samples[-1][0]} certificates: {growth:+.1f} MB")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)

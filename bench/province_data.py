"""The generated province of bench/province.py: set-based SQL on PostgreSQL, never the ORM row by row.

At `scale` 1.0 it is issue 11's province: 157 bureaus (1 province, 16 cities, 140 counties), 1,000
bases, 1 M trainees, 100 k courses (3 sessions each), 6.3 M enrolments, 5.2 M certificates and
ledger entries (and a course result per enrolment of a finalised course), 3.6 M attendance rows,
96 k rosters (their rows as submitted, JSON), ~7 M audit records with their search keys, and the
trends' month figures computed from those rows (bureau.trend_rebuild, one INSERT … SELECT). Bureaus
are always 157; everything else is scaled (with small floors so a tiny scale still has every kind).

Ids are computed, not returned: a course's sessions are 3c-2..3c, an enrolment's certificate,
ledger entry and course result share the enrolment's id. Two extra courses of base 1 hold 5,000
trainees each: one finalised with its roster submitted (the exports), one ended and not finalised
(POST /finalize). One extra trainee (`HISTORY`) is enrolled in ~1,000 finalised courses.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import text

from basesys.bureau.trend_rebuild import fill_statements
from basesys.core.ids import id_check_digit

PASSWORD = "Bench-Passw0rd"
NOW = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)  # the clock of every measured request
CITIES, COUNTIES = 16, 140
PROVINCE_ID, CITY_ID, COUNTY_ID = 1, 3, 19  # the officers' bureaus: county 19 is in city 3 (below)
BIG = 5000  # trainees of the export course and of the course finalised by the bench
# courses.models.course_search_text in SQL (the generated titles and numbers fold as lower() does)
SEARCH_TEXT = "lower(title) || coalesce(E'\\n' || lower(filing_number), '')"
HISTORY_NAME = "欧阳明远"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def valid_id_number(seq: int) -> str:
    """A valid 18-digit ID number (tests/conftest.py's valid_id_number, a fixed sequence)."""
    body = "370402" + "19800101" + f"{(seq // 5) % 100:02d}{(seq * 2 + 1) % 10}"
    return body + id_check_digit(body)


@dataclass
class Sizes:
    bases: int
    trainees: int
    courses: int
    enrol: int = 63  # per ordinary course
    completers: int = 52  # of them, with a certificate and a ledger entry

    @classmethod
    def at(cls, scale: float) -> "Sizes":
        return cls(
            bases=max(4, round(1000 * scale)), trainees=max(300, round(1_000_000 * scale)),
            courses=max(40, round(100_000 * scale)),
        )  # fmt: skip

    @property
    def big(self) -> int:
        return min(BIG, self.trainees)

    @property
    def export_course(self) -> int:
        return self.courses + 1

    @property
    def finalize_course(self) -> int:
        return self.courses + 2

    @property
    def history(self) -> int:
        return self.trainees + 1

    @property
    def history_step(self) -> int:
        return max(1, self.courses // 1000)


# Ordinary course c (1..courses): base (c-1) % bases + 1; year 2024 + c % 2; first day = Jan 1 +
# (c * 360) // courses days; 3 sessions on 3 days, 01:00–04:00 UTC (09:00–12:00 local), 3 hours
# each. Every 25th course is not finalised (c % 50 == 0: submitted, else approved and still open).
COURSE_DAY = "(make_date(2024 + c % 2, 1, 1) + ((c * 360) / :courses)::int)"
FINALISED = "(c % 25 <> 0)"


def _statements(s: Sizes) -> list[tuple[str, str]]:
    """(label, SQL) in order; every statement binds the sizes as :bases, :trainees, :courses..."""
    return [
        (
            "bureaus",
            """
            INSERT INTO bureau (id, name, level, parent_id, created_at)
            SELECT 1, '山东省人力资源和社会保障厅', 'province', NULL, :t0
            UNION ALL SELECT 1 + n, '第' || n || '市人社局', 'city', 1, :t0 FROM generate_series(1, 16) n
            UNION ALL SELECT 17 + n, '第' || n || '县人社局', 'county', 2 + (n - 1) % 16, :t0
                FROM generate_series(1, 140) n""",
        ),
        # base b: every 10th directly under a city, the others under county 18 + b % 140
        (
            "bases",
            """
            INSERT INTO base (id, name, level, credit_code, bureau_id, address, created_at)
            SELECT b, '第' || b || '继续教育基地', 'municipal', lpad(b::text, 18, '0'),
                   CASE WHEN b % 10 = 0 THEN 2 + (b / 10) % 16 ELSE 18 + b % 140 END, '', :t0
            FROM generate_series(1, :bases) b""",
        ),
        (
            "users",
            """
            INSERT INTO user_account (id, username, password_hash, role, display_name, bureau_id, base_id,
                                      active, token_generation, must_change_password, created_at)
            VALUES (1, 'province', :hash, 'bureau_officer', '省厅经办人', 1, NULL, true, 0, false, :t0),
                   (2, 'city', :hash, 'bureau_officer', '市局经办人', 3, NULL, true, 0, false, :t0),
                   (3, 'county', :hash, 'bureau_officer', '县局经办人', 19, NULL, true, 0, false, :t0),
                   (4, 'admin1', :hash, 'base_admin', '基地管理员', NULL, 1, true, 0, false, :t0),
                   (5, :history_id_number, :hash, 'trainee', '', NULL, NULL, true, 0, false, :t0)""",
        ),
        (
            "trainees",
            f"""
            INSERT INTO trainee (id, id_number, name, gender, birth_date, phone, employer, series, title,
                                 bureau_id, user_id, fraud_flag, fraud_note, created_at)
            SELECT t, '9' || lpad(t::text, 17, '0'),
                   substr('{SURNAMES}', 1 + t % 20, 1) || '学员' || t,
                   CASE WHEN t % 2 = 0 THEN 'F' ELSE 'M' END, make_date(1970 + t % 30, 1 + t % 12, 1 + t % 28),
                   '', '第' || (t % 500) || '单位', '工程', '工程师', 18 + t % 140, NULL, false, '', :t0
            FROM generate_series(1, :trainees) t
            UNION ALL SELECT :history, :history_id_number, '{HISTORY_NAME}', 'M', '1980-01-01', '', '第一单位',
                   '工程', '高级工程师', 19, 5, false, '', :t0""",
        ),
        (
            "courses",
            f"""
            INSERT INTO course (id, base_id, title, category, kind, delivery, location, target,
                planned_headcount, capacity, responsible, contact, contact_phone, plan, apply_municipal_seminar,
                attendance_mode, pass_ratio, planned_days, planned_hours, filing_status, filing_number,
                filing_late, submitted_at, approved_at, approved_snapshot, finalized_at, created_at, updated_at,
                search_text)
            SELECT c, (c - 1) % :bases + 1, '专业技术培训班' || c || '期',
                   CASE WHEN c % 3 = 0 THEN 'public' ELSE 'professional' END, 'course', 'offline', '培训中心', '',
                   80, NULL::int, '负责人', '联系人', '', '', false, 'in_out', NULL::float, 3, 9,
                   CASE WHEN c % 50 = 0 THEN 'submitted' ELSE 'approved' END,
                   CASE WHEN c % 50 = 0 THEN NULL
                        ELSE '备' || (2024 + c % 2) || '-' || lpad(((c - 1) % :bases + 1)::text, 4, '0')
                             || '-' || lpad(c::text, 6, '0') END,
                   c % 40 = 1, d - 20 + time '02:00', CASE WHEN c % 50 = 0 THEN NULL ELSE d - 10 + time '02:00' END,
                   NULL::json, CASE WHEN {FINALISED} THEN (d + 3 + time '02:00')::timestamptz END,
                   d - 30 + time '02:00', d - 10 + time '02:00', ''
            FROM (SELECT c, {COURSE_DAY} AS d FROM generate_series(1, :courses) c) x
            UNION ALL
            SELECT :courses + k, 1, CASE k WHEN 1 THEN '大型导出培训班' ELSE '大型结业培训班' END, 'professional',
                   'course', 'offline', '', '', :big, NULL, '', '', '', '', false, 'in_out', NULL, 3, 9, 'approved',
                   '备2026-0001-' || lpad((900000 + k)::text, 6, '0'), false, :t0, :t0, NULL,
                   CASE k WHEN 1 THEN :t_export_final END, :t0, :t0, ''
            FROM generate_series(1, 2) k""",
        ),
        (
            "sessions",
            f"""
            INSERT INTO course_session (id, course_id, title, starts_at, ends_at, credit_hours)
            SELECT 3 * (c - 1) + k, c, '', d + k - 1 + time '01:00', d + k - 1 + time '04:00', 3
            FROM (SELECT c, {COURSE_DAY} AS d FROM generate_series(1, :courses) c) x, generate_series(1, 3) k
            UNION ALL
            SELECT 3 * (:courses + j - 1) + k, :courses + j, '',
                   :big_day + (k - 1) * interval '1 day', :big_day + (k - 1) * interval '1 day' + interval '3 hours', 3
            FROM generate_series(1, 2) j, generate_series(1, 3) k""",
        ),
        (
            "course schedule",
            """
            UPDATE course SET first_starts_at = s.first, last_ends_at = s.last, search_text = SEARCH_TEXT
            FROM (SELECT course_id, min(starts_at) AS first, max(ends_at) AS last
                  FROM course_session GROUP BY course_id) s
            WHERE s.course_id = course.id""".replace("SEARCH_TEXT", SEARCH_TEXT),
        ),
        # enrolment (c, k): id 63(c-1)+k, trainee (63(c-1)+k-1) % trainees + 1; then the big courses'
        # (trainees 1..big), then the history trainee's in every history_step-th finalised course
        (
            "enrollments",
            """
            INSERT INTO enrollment (id, course_id, trainee_id, source, enrolled_by_id, created_at)
            SELECT 63 * (c - 1) + k, c, (63 * (c - 1) + k - 1) % :trainees + 1, 'admin', NULL::int, :t0
            FROM generate_series(1, :courses) c, generate_series(1, 63) k
            UNION ALL
            SELECT 63 * :courses + :big * (j - 1) + t, :courses + j, t, 'admin', NULL, :t0
            FROM generate_series(1, 2) j, generate_series(1, :big) t
            UNION ALL
            SELECT 63 * :courses + 2 * :big + c, c, :history, 'self', NULL, :t0
            FROM generate_series(1, :courses, :history_step) c WHERE c % 25 <> 0""",
        ),
        # results for every enrolment of a finalised course; completers: the first 52 of an ordinary
        # course, every trainee of the export course, the history trainee always
        (
            "completers",
            """
            CREATE TEMP TABLE bench_done AS
            SELECT e.id, e.course_id, e.trainee_id, c.base_id, c.category,
                   extract(year FROM c.finalized_at)::int AS year, c.finalized_at AS at,
                   (e.id - 63 * (e.course_id - 1) <= 52 OR e.course_id > :courses OR e.trainee_id = :history)
                       AS completed
            FROM enrollment e JOIN course c ON c.id = e.course_id
            WHERE c.finalized_at IS NOT NULL""",
        ),
        (
            "certificates",
            """
            INSERT INTO certificate (id, number, check_code, trainee_id, holder_name, course_id, base_id, year,
                sequence, category, hours, issued_on, issued_at, payload, signature, key_id, status,
                revoked_at, revoked_reason, revoked_by_id)
            SELECT d.id, d.year || '-' || lpad(d.base_id::text, 4, '0') || '-' || lpad(d.id::text, 7, '0'),
                   upper(substr(md5(d.id::text), 1, 8)), d.trainee_id, t.name, d.course_id, d.base_id, d.year, d.id,
                   d.category, 9, d.at::date, d.at, '{}', 'bench', 'bench', 'valid', NULL, '', NULL
            FROM bench_done d JOIN trainee t ON t.id = d.trainee_id WHERE d.completed""",
        ),
        (
            "course results",
            """
            INSERT INTO course_result (id, course_id, trainee_id, credited_hours, capped_hours, completed,
                                       explanation, certificate_id, certificate_problem, created_at)
            SELECT id, course_id, trainee_id, CASE WHEN completed THEN 9 ELSE 3 END, 0, completed, '',
                   CASE WHEN completed THEN id END, '', at
            FROM bench_done""",
        ),
        (
            "ledger entries",
            """
            INSERT INTO ledger_entry (id, trainee_id, course_id, year, category, hours, status, certificate_id,
                                      issued_at, recognized_at, voided_at)
            SELECT id, trainee_id, course_id, year, category, 9,
                   CASE WHEN course_id % 7 = 0 OR course_id > :courses THEN 'issued' ELSE 'recognized' END,
                   id, at,
                   CASE WHEN course_id % 7 = 0 OR course_id > :courses THEN NULL ELSE at + interval '5 days' END,
                   NULL
            FROM bench_done WHERE completed""",
        ),
        # attendance: every 5th ordinary course, and the course finalised by the bench (all 3 sessions)
        (
            "attendance",
            """
            INSERT INTO attendance (session_id, trainee_id, check_in_at, check_out_at, check_in_manual,
                check_out_manual, check_in_device, check_out_device, created_at, updated_at)
            SELECT s.id, e.trainee_id, s.starts_at + interval '3 minutes', s.ends_at - interval '2 minutes',
                   e.id % 97 = 0, false, 'dev-' || e.trainee_id, 'dev-' || e.trainee_id, s.starts_at, s.ends_at
            FROM course_session s JOIN enrollment e ON e.course_id = s.course_id
            WHERE s.course_id % 5 = 0 OR s.course_id = :courses + 2""",
        ),
        # rosters of finalised courses: accepted, every 7th submitted; rows as the roster stores them
        (
            "rosters",
            """
            INSERT INTO roster (id, course_id, base_id, status, due_on, submitted_at, submitted_by_id,
                submitted_late, submission_count, decided_at, decided_by_id, decision_comment, return_count,
                reminded_at, overdue_at, rows, row_count, created_at, updated_at, summary_text)
            SELECT c.id, c.id, c.base_id,
                   CASE WHEN c.id % 7 = 0 OR c.id > :courses THEN 'submitted' ELSE 'accepted' END,
                   (c.finalized_at + interval '30 days')::date, c.finalized_at + interval '2 days', 4, false, 1,
                   CASE WHEN c.id % 7 = 0 OR c.id > :courses THEN NULL ELSE c.finalized_at + interval '5 days' END,
                   CASE WHEN c.id % 7 = 0 OR c.id > :courses THEN NULL ELSE 1 END, '', 0, NULL, NULL,
                   r.rows, json_array_length(r.rows), c.finalized_at, c.finalized_at, ''
            FROM course c JOIN (
                SELECT d.course_id, json_agg(json_build_object(
                    'seq', d.seq, 'trainee_id', t.id, 'name', t.name,
                    'gender', CASE WHEN t.gender = 'M' THEN 'male' ELSE 'female' END, 'id_number', t.id_number,
                    'employer', t.employer, 'series', t.series, 'title', t.title, 'course_title', d.title,
                    'category', d.category, 'start_date', (d.at - interval '3 days')::date,
                    'end_date', (d.at - interval '1 day')::date,
                    'credited_hours', CASE WHEN d.completed THEN 9 ELSE 3 END,
                    'certificate_number', CASE WHEN d.completed THEN d.year || '-' || lpad(d.base_id::text, 4, '0')
                        || '-' || lpad(d.id::text, 7, '0') END,
                    'completed', d.completed) ORDER BY d.seq) AS rows
                FROM (SELECT b.*, k.title, row_number() OVER (PARTITION BY b.course_id ORDER BY b.id) AS seq
                      FROM bench_done b JOIN course k ON k.id = b.course_id) d
                JOIN trainee t ON t.id = d.trainee_id
                GROUP BY d.course_id) r ON r.course_id = c.id""",
        ),
        (
            "anomalies",
            """
            INSERT INTO anomaly (kind, key, base_id, other_base_id, course_id, other_course_id, trainee_ids,
                occurred_on, detected_on, summary, status, reviewed_at, reviewed_by_id, review_comment,
                created_at, updated_at)
            SELECT 'late_filing', 'course:' || c.id, c.base_id, NULL, c.id, NULL, '[]', c.submitted_at::date,
                   c.submitted_at::date, '开班后补备案', 'open', NULL, NULL, '', c.submitted_at, c.submitted_at
            FROM course c WHERE c.filing_late""",
        ),
        # the audit log: per course created, submitted, approved, finalised; per enrolment created;
        # per roster submitted (and accepted)
        (
            "audit records",
            """
            INSERT INTO audit_record (at, actor_id, actor_label, action, object_type, object_id, base_id,
                                      bureau_id, before, after, reason, subject)
            SELECT x.at, x.actor, CASE x.actor WHEN 4 THEN 'base_admin:admin1' ELSE 'bureau_officer:province' END,
                   x.action, 'course', c.id, c.base_id, b.bureau_id, x.before, x.after, '',
                   json_strip_nulls(json_build_object('course_title', c.title, 'filing_number', c.filing_number,
                                                      'course_id', c.id))
            FROM course c JOIN base b ON b.id = c.base_id CROSS JOIN LATERAL (VALUES
                ('course.created', c.created_at, 4, NULL::json, NULL::json),
                ('filing.submitted', c.submitted_at, 4, '{"filing_status": "draft"}'::json,
                    json_build_object('filing_status', 'submitted', 'late', c.filing_late)),
                ('filing.approved', c.approved_at, 1, '{"filing_status": "submitted"}'::json,
                    json_build_object('filing_status', 'approved', 'late', c.filing_late,
                                      'filing_number', c.filing_number, 'changes', NULL)),
                ('course.finalize', c.finalized_at, 4, NULL, NULL),
                ('roster.submit', c.finalized_at + interval '2 days', 4, NULL, NULL)
            ) AS x(action, at, actor, before, after)
            WHERE x.at IS NOT NULL
            UNION ALL
            SELECT c.created_at, 4, 'base_admin:admin1', 'enrollment.created', 'enrollment', e.id, c.base_id,
                   b.bureau_id, NULL, json_build_object('source', e.source), '',
                   json_strip_nulls(json_build_object('course_title', c.title, 'filing_number', c.filing_number,
                                      'course_id', c.id, 'trainee_name', t.name, 'id_number', t.id_number))
            FROM enrollment e JOIN course c ON c.id = e.course_id JOIN base b ON b.id = c.base_id
            JOIN trainee t ON t.id = e.trainee_id""",
        ),
        (
            "audit keys",
            """
            INSERT INTO audit_key (record_id, kind, value)
            SELECT a.id, k.kind, k.value
            FROM audit_record a CROSS JOIN LATERAL (VALUES
                ('course_title', lower(a.subject->>'course_title')),
                ('filing_number', upper(a.subject->>'filing_number')),
                ('trainee_name', lower(a.subject->>'trainee_name')),
                ('id_number', upper(a.subject->>'id_number'))) AS k(kind, value)
            WHERE k.value IS NOT NULL""",
        ),
        (
            "certificate sequences",
            """
            INSERT INTO certificate_sequence (base_id, year, last)
            SELECT base_id, year, max(sequence) FROM certificate GROUP BY base_id, year""",
        ),
    ]


SERIAL_TABLES = (
    "bureau", "base", "user_account", "trainee", "course", "course_session", "enrollment", "certificate",
    "course_result", "ledger_entry", "attendance", "roster", "anomaly", "audit_record",
)  # fmt: skip


def generate(connection, sizes: Sizes, password_hash: str, log=print) -> dict[str, float]:
    """Fill an empty schema (db.create_all) on PostgreSQL; returns seconds per step."""
    import time

    if connection.dialect.name != "postgresql":
        raise SystemExit("the generator is written for PostgreSQL (generate_series, json_agg, LATERAL)")
    big_day = datetime(2026, 1, 10, 1, 0, tzinfo=UTC)  # the big courses: 10–12 January, ended before NOW
    params = {
        "bases": sizes.bases, "trainees": sizes.trainees, "courses": sizes.courses, "big": sizes.big,
        "history": sizes.history, "history_step": sizes.history_step, "hash": password_hash,
        "history_id_number": valid_id_number(7), "t0": datetime(2023, 12, 1, tzinfo=UTC),
        "big_day": big_day, "t_export_final": datetime(2026, 1, 13, 2, 0, tzinfo=UTC),
    }  # fmt: skip
    timings = {}
    for label, sql in _statements(sizes):
        started = time.perf_counter()
        connection.execute(text(sql), {k: v for k, v in params.items() if f":{k}" in sql})
        timings[label] = time.perf_counter() - started
        log(f"  {label:16} {timings[label]:7.1f} s")
    started = time.perf_counter()
    for statement in fill_statements():  # the rows above went around the writers that keep the table
        connection.execute(statement)
    timings["month figures"] = time.perf_counter() - started
    log(f"  {'month figures':16} {timings['month figures']:7.1f} s")
    started = time.perf_counter()
    for table in SERIAL_TABLES:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}))"
            )
        )
    connection.execute(text("DROP TABLE bench_done"))
    connection.commit()
    connection.execute(text("ANALYZE"))
    connection.commit()  # ANALYZE is transactional: rolled back, it leaves the planner without statistics
    timings["sequences, analyze"] = time.perf_counter() - started
    log(f"  {'analyze':16} {timings['sequences, analyze']:7.1f} s")
    return timings


def counts(connection) -> dict[str, int]:
    tables = ("bureau", "base", "trainee", "course", "course_session", "enrollment", "certificate",
              "ledger_entry", "course_result", "attendance", "roster", "audit_record", "audit_key")  # fmt: skip
    return {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}


def roster_rows(connection) -> int:
    return connection.execute(text("SELECT coalesce(sum(json_array_length(rows)), 0) FROM roster")).scalar()


def accepted_month() -> tuple[date, date]:
    return date(2025, 6, 1), date(2025, 6, 30)


def reset_finalisation(connection, sizes: Sizes) -> None:
    """Undo an earlier bench's finalisation of the big course (--keep re-runs), its audit records, and the month
    figures it added (the years it wrote in, recomputed from the rows that stay; every year when
    the table is empty: a province kept from before the table)."""
    course = {"c": sizes.finalize_course}
    local_year = "extract(year FROM timezone('Asia/Shanghai', issued_at))::int"
    written = f"SELECT {local_year} FROM ledger_entry WHERE course_id = :c UNION SELECT {local_year} FROM certificate"
    years = list(connection.execute(text(written + " WHERE course_id = :c"), course).scalars())
    years = years if connection.execute(text("SELECT 1 FROM month_figures LIMIT 1")).first() else [None]
    # Its audit records too (a certificate.issue per certificate, course.finalize): left behind,
    # every re-run measured its inserts against 30,000 more records and keys than the last.
    records = (
        "SELECT id FROM audit_record WHERE (object_type = 'certificate' AND object_id IN "
        "(SELECT id FROM certificate WHERE course_id = :c)) OR (object_type = 'course' AND object_id = :c "
        "AND action = 'course.finalize')"
    )
    connection.execute(text(f"DELETE FROM audit_key WHERE record_id IN ({records})"), course)
    connection.execute(text(f"DELETE FROM audit_record WHERE id IN ({records})"), course)
    for table in ("course_result", "ledger_entry", "credited_day", "roster"):
        connection.execute(text(f"DELETE FROM {table} WHERE course_id = :c"), course)
    connection.execute(text("DELETE FROM certificate WHERE course_id = :c"), course)
    connection.execute(text("UPDATE course SET finalized_at = NULL WHERE id = :c"), course)
    for year in years:
        for statement in fill_statements(year):
            connection.execute(statement)
    connection.commit()

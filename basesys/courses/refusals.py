"""Refusal codes of courses, sessions and enrolment (DOMAIN.md §3, §5), with their plain messages."""

from basesys.core.errors import Refusal, register_refusals
from basesys.core.inputs import MAX_YEAR, MIN_YEAR

REFUSALS = {
    # Sessions (§3)
    "naive_datetime": Refusal(422, "时间必须带时区（如 +08:00）。", "Times must carry an offset (e.g. +08:00)."),
    "session_incomplete": Refusal(
        422, "课次的日期、开始和结束时间都要填写。", "A session needs a date, a start and an end."
    ),
    "session_ends_before_start": Refusal(
        422, "课次的结束时间必须晚于开始时间。", "A session must end after it starts."
    ),
    "session_crosses_midnight": Refusal(
        422,
        "课次不能跨越午夜（北京时间 0 点），请拆成两个课次。",
        "A session must not cross local midnight (Asia/Shanghai); split it in two.",
    ),
    "session_overlap": Refusal(422, "同一课程的课次时间不能重叠。", "Sessions of one course must not overlap."),
    "invalid_credit_hours": Refusal(
        422, "学时必须是不小于 0 的 0.5 的整数倍。", "Credit hours must be a non-negative multiple of 0.5."
    ),
    "credit_hours_above_duration": Refusal(
        422,
        "课次学时不能超过按时长计算的学时。",
        "Credit hours may not exceed what the duration gives.",
    ),
    "unknown_session": Refusal(422, "课次不存在或不属于该课程。", "Unknown session for this course."),
    "session_locked": Refusal(
        422,
        "该课次已开放签到或已结束，不能再修改或删除。",
        "This session has opened for check-in or is over; it can no longer be changed.",
    ),
    "sessions_span_years": Refusal(
        422,
        "课程的所有课次须在同一自然年内，跨年的培训请分成两个课程备案。",
        "All sessions of a course lie in one calendar year (Asia/Shanghai); split a course across the new year.",
    ),
    "too_many_sessions": Refusal(422, "课次过多。", "Too many sessions."),
    "session_out_of_range": Refusal(
        422,
        f"课次日期须在 {MIN_YEAR}–{MAX_YEAR} 年之间。",
        f"A session must lie in the years {MIN_YEAR} to {MAX_YEAR}.",
    ),
    # Venues and teachers (issue 13)
    "venue_clash": Refusal(
        422, "该场地在这个时段已被本基地的其他课程占用。", "The venue is booked by another course at that time."
    ),
    "teacher_clash": Refusal(
        422, "该授课教师在这个时段已有其他课程。", "The teacher teaches another course at that time."
    ),
    "unknown_venue": Refusal(422, "场地不存在或不属于本基地。", "Unknown venue for this base."),
    "unknown_teacher": Refusal(422, "授课教师不存在或不属于本基地。", "Unknown teacher for this base."),
    "venue_name_taken": Refusal(422, "本基地已有同名场地。", "The base already has a venue of that name."),
    "invalid_pattern": Refusal(
        422, "重复课次的设置有误，请按提示修改。", "The session pattern is invalid; see the marked fields."
    ),
    # Course fields (§3)
    "seminar_must_be_professional": Refusal(
        422, "高级研修项目只能是专业科目。", "An advanced seminar is always a professional course."
    ),
    "capacity_below_enrolled": Refusal(
        422, "人数上限不能小于已报名人数。", "The capacity cannot be below the number already enrolled."
    ),
    "course_finalized": Refusal(409, "该课程已结业，不能再修改。", "This course is finalised and cannot change."),
    # Enrolment (§5)
    "already_enrolled": Refusal(409, "该学员已报名此课程。", "This trainee is already enrolled."),
    "course_full": Refusal(409, "课程报名人数已满。", "The course is full."),
    "trainee_unknown": Refusal(
        422,
        "该身份证号码尚未注册，请填写姓名以新建学员记录。",
        "This ID number is not registered; give a name to create the trainee record.",
    ),
    "enrolment_closed": Refusal(
        409,
        "该课程暂不接受报名（须已备案且尚未开课）。",
        "This course does not take enrolments (it must be approved and not started).",
    ),
    "enrolment_locked": Refusal(
        409,
        "课程已开课或已结业，不能再移除报名学员。",
        "The course has started or is finalised; enrolments can no longer be removed.",
    ),
    "import_invalid": Refusal(
        422,
        "导入文件有错误，未导入任何数据，请按提示修改后重新上传。",
        "The file has errors; nothing was imported. Fix the rows listed and upload again.",
    ),
    "import_conflict": Refusal(
        409,
        "导入期间有学员同时注册或报名，未导入任何数据，请重新上传。",
        "Someone registered or enrolled meanwhile; nothing was imported. Upload again.",
    ),
}
register_refusals("courses", REFUSALS)

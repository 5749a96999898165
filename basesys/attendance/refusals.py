"""Refusal codes of check-in (DOMAIN.md §6, API.md "Attendance"), with their plain Chinese messages."""

from basesys.core.errors import Refusal, register_refusals

REFUSALS = {
    "token_invalid": Refusal(
        422, "二维码无效。请扫描投影屏幕上的签到二维码。", "Invalid code: scan the QR code on the projector screen."
    ),
    "token_expired": Refusal(
        410, "二维码已过期。请重新扫描投影屏幕上的最新二维码。", "This code has expired: scan the current one."
    ),
    "not_enrolled": Refusal(
        403, "您没有报名该培训项目，不能签到。如有疑问请联系培训基地。", "You are not enrolled in this course."
    ),
    "course_not_approved": Refusal(
        409, "该培训项目尚未通过备案，暂不能签到。请联系培训基地。", "The course filing is not approved: no check-in."
    ),
    "outside_window": Refusal(409, "现在不在签到（签退）时间内。", "Check-in or check-out is not open now."),
    "device_already_used": Refusal(
        409,
        "这部手机已为其他学员签到，不能再为他人签到（防代签）。请用本人手机扫码。",
        "This phone already checked in another trainee for this session.",
    ),
    "too_many_codes": Refusal(
        429, "数字签到码输错次数过多，请稍后再试或扫描二维码。", "Too many wrong codes; wait or scan the QR code."
    ),
    "reason_required": Refusal(422, "补签必须填写原因。", "A manual entry needs a reason."),
    # Staff scan and offline check-in (§6): answered per scan inside a staff-scans batch.
    "checkin_code_invalid": Refusal(
        422,
        "学员签到码无效。请学员打开手机首页上的个人签到码，或改为输入身份证号。",
        "Not a trainee's personal check-in code.",
    ),
    "checkin_code_expired": Refusal(
        410,
        "学员签到码已过期或已更新。请学员刷新手机首页上的签到码，或重新打印签到卡。",
        "This personal check-in code has expired or was renewed.",
    ),
    "scan_too_old": Refusal(
        409,
        "该扫码记录时间过早（超过离线上传时限），不能再上传。请核实后补签。",
        "This scan is too old to be uploaded; enter it by hand after checking.",
    ),
    "client_id_reused": Refusal(
        409,
        "该扫码记录编号已用于其他课次，本条未记录。",
        "This scan's client id was already used for another session.",
    ),
}
register_refusals("attendance", REFUSALS)

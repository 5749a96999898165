"""Refusal codes of course filing (DOMAIN.md §4), with their plain messages."""

from basesys.core.errors import Refusal, register_refusals

REFUSALS = {
    "no_sessions": Refusal(422, "请至少添加一个课次后再提交备案。", "Add at least one session before filing."),
    "filing_incomplete": Refusal(
        422, "备案信息不完整，请补全标出的项目后再提交。", "The filing is incomplete; fill in the marked fields."
    ),
    "filing_already_submitted": Refusal(
        409, "该课程已提交备案，正在等待人社部门审核。", "This course is already waiting for the bureau."
    ),
    "filing_already_approved": Refusal(
        409,
        "该课程已备案通过；修改课次、类别或学时后会自动提交变更备案。",
        "This course is approved; changing its sessions, category or hours files a change.",
    ),
    "filing_not_submitted": Refusal(
        409, "该课程当前不在待审核状态，不能审核。", "This course is not waiting for a decision."
    ),
    "filing_not_withdrawable": Refusal(
        409,
        "只能在人社部门审核前撤回待审核的备案；该备案已审核或未提交，不能撤回。",
        "Only a filing waiting for the bureau can be withdrawn; this one is decided or not submitted.",
    ),
    "invalid_decision": Refusal(422, "审核结论只能是通过或退回。", "The decision must be approve or return."),
}
register_refusals("filing", REFUSALS)

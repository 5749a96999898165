"""The refusal codes of roster filing (DOMAIN.md §9, API.md "Roster filing")."""

from basesys.core.errors import Refusal, register_refusals

REFUSALS = {
    "course_not_finalized": Refusal(
        409,
        "该培训项目尚未结业（学时尚未结算），不能报送学员名单。",
        "The course is not finalised yet, so its roster cannot be submitted.",
    ),
    "roster_already_submitted": Refusal(
        409, "学员名单已报送，正在等待人社部门审核。", "The roster has been submitted and awaits the bureau."
    ),
    "roster_already_accepted": Refusal(
        409, "学员名单已被人社部门接收，不能再次报送。", "The bureau has accepted this roster already."
    ),
    "roster_not_submitted": Refusal(
        409, "该学员名单当前不是待审核状态，不能审核。", "This roster is not waiting for a decision."
    ),
}
register_refusals("rosters", REFUSALS)

"""Refusal codes of hour declarations (DOMAIN.md §11, API.md "Hour declarations"). Returning without
a reason is core's `comment_required`; bad fields (quantity, dates, category, year) are core's
`validation_failed` with `fields`."""

from basesys.core.errors import Refusal, register_refusals

REFUSALS = {
    "rule_unknown": Refusal(
        422,
        "所选申报项目不在本年度的学时折算标准中。",
        "The rule or option is not in this year's declaration rules.",
    ),
    "evidence_missing": Refusal(
        422,
        "请上传证明材料；所选材料须是您本人上传且未用于其他申报的文件。",
        "Attach evidence: files you uploaded that no other declaration uses.",
    ),
    "evidence_invalid": Refusal(
        422,
        "证明材料须为不超过10MB的图片（JPG、PNG、WebP）或PDF文件，且不能为空。",
        "Evidence must be a non-empty image (JPG, PNG, WebP) or PDF of at most 10 MB.",
    ),
    "cap_reached": Refusal(
        422,
        "本年度该项已达到折算学时上限，不能再申报。",
        "This rule's yearly cap is reached; nothing is left to declare.",
    ),
    "cap_used_up": Refusal(
        409,
        "本年度该项可认定的学时已用完，无法核定学时，请退回该申报。",
        "Nothing is left of this rule's yearly cap; return the declaration instead.",
    ),
    "wrong_stage": Refusal(
        409, "该申报当前不在您的审核环节，不能办理。", "This declaration is not waiting for your decision."
    ),
}
register_refusals("declarations", REFUSALS)

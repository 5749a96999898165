"""The refusal codes of the quality evaluation (DOMAIN.md §13, API.md "Quality evaluation")."""

from basesys.core.errors import Refusal

REFUSALS = {
    "not_attended": Refusal(
        403,
        "只有获得认定学时、且最后一次课次已结束的学员才能评估该项目。",
        "Only trainees with credited hours whose last session has ended may evaluate the course.",
    ),
    "already_evaluated": Refusal(
        409, "您已评估过该培训项目，每人只能评估一次。", "You have already evaluated this course."
    ),
}

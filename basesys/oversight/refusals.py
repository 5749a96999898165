"""The refusal codes of oversight (DOMAIN.md §14). A review without a comment is core's `comment_required`."""

from basesys.core.errors import Refusal

REFUSALS = {
    "anomaly_already_reviewed": Refusal(409, "该异常已核查，不能重复核查。", "This finding has been reviewed already."),
}

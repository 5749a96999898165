"""The refusal codes of finalisation and certificates (DOMAIN.md §8, API.md "Certificates")."""

from basesys.core.errors import Refusal, register_refusals

REFUSALS = {
    "course_not_ended": Refusal(
        409, "课程最后一次课尚未结束，不能结业。", "The course's last session has not ended yet."
    ),
    "already_revoked": Refusal(409, "该证书已撤销。", "This certificate is already revoked."),
}
register_refusals("certificates", REFUSALS)

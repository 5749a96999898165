"""The evaluation's two tables (DOMAIN.md §13), kept apart so no row links an answer to a trainee.

- `evaluation_claim` records only THAT a trainee answered a course (the once-only rule): its key is
  (course, trainee), it has no time and no reference to the answer.
- `evaluation_response` holds the answer: the course, five scores and the comment. No trainee, no
  time at all, and a random id, so neither its id, its time nor its place among the rows can be
  joined with a claim, an audit record or a check-out (reads order by the random id).
"""

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from basesys.extensions import db

# The five items of §13, in the order of the form: API name → the label's msgid (views translate it).
ITEMS = ("content", "teaching", "organisation", "venue", "overall")
SCORES = (1, 2, 3, 4, 5)


class EvaluationClaim(db.Model):
    """The trainee has answered the course's evaluation (nothing about what or when)."""

    __tablename__ = "evaluation_claim"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), primary_key=True, index=True)


def _score_check(name: str) -> CheckConstraint:
    return CheckConstraint(f"{name} BETWEEN 1 AND 5", name=f"ck_evaluation_response_{name}")


class EvaluationResponse(db.Model):
    """One anonymous answer: scores 1–5 of the five items and a comment."""

    __tablename__ = "evaluation_response"
    __table_args__ = (
        *(_score_check(name) for name in ITEMS),
        Index("ix_evaluation_response_course", "course_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random (secrets.token_hex)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), nullable=False)
    content: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 内容实用性
    teaching: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 授课水平
    organisation: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 组织管理
    venue: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 场地与服务
    overall: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 总体满意度
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")

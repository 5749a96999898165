"""The refusal codes of annual statements (DOMAIN.md §15)."""

from basesys.core.errors import Refusal

REFUSALS = {
    "statement_not_printable": Refusal(
        409,
        "学时证明中有字符没有可用的字体，暂时无法生成 PDF，请联系系统管理员安装相应字体。",
        "A character of the statement has no installed font: the PDF cannot be drawn yet.",
    ),
}

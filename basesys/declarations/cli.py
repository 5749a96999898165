"""`flask --app wsgi load-declaration-rules --bureau 济宁市人力资源和社会保障局 --year 2025 FILE`: the
sysadmin loads (or replaces) a bureau's declaration rules of a year (audited, actor "system")."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from basesys.accounts.models import Bureau
from basesys.core.errors import DomainError
from basesys.core.time import now_utc
from basesys.declarations.rules import RuleFileError, read_rule_file
from basesys.declarations.services import load_rule_set
from basesys.extensions import db


def find_bureau(value: str) -> Bureau | None:
    if value.isdigit() and int(value) < 2**31:
        bureau = db.session.get(Bureau, int(value))
        if bureau is not None:
            return bureau
    return db.session.scalar(db.select(Bureau).where(Bureau.name == value))


@click.command("load-declaration-rules")
@click.option("--bureau", "bureau_ref", required=True, help="the bureau's id or exact name")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def load_declaration_rules(bureau_ref, year, path):
    """Load a bureau's declaration rules (YAML or JSON, format in basesys/declarations/rules)."""
    bureau = find_bureau(bureau_ref)
    if bureau is None:
        raise click.ClickException(f"未找到人社局：{bureau_ref}")
    try:
        document, sha256 = read_rule_file(path)
    except RuleFileError as exc:
        raise click.ClickException("规则文件有误：\n" + "\n".join(exc.problems)) from None
    if document["year"] != year:
        raise click.ClickException(f"规则文件的年度是 {document['year']}，与 --year {year} 不符")
    try:
        rule_set = load_rule_set(None, bureau, document, source_sha256=sha256, now=now_utc())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.echo(f"{bureau.name} {year}: {rule_set.name}, {len(document['rules'])} rules loaded")


COMMANDS = (load_declaration_rules,)

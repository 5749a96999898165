"""The core declaration: language switch and health pages, error pages, the heartbeat job and the
app-wide commands (schema, demo, scheduler, serve, backup), metrics and request logs."""

from basesys.core import cli, errors_web, health, observability, web
from basesys.core.errors import CORE_REFUSALS
from basesys.core.features import Feature
from basesys.core.job_texts import job_result_text, job_title
from basesys.core.jobs import HEARTBEAT


def _init(app) -> None:
    observability.init_app(app)
    web.init_app(app)
    errors_web.init_app(app)


FEATURE = Feature(
    name="core",
    blueprints=(web.bp, health.bp, observability.bp),
    jobs=(HEARTBEAT,),
    commands=cli.COMMANDS,
    refusals=CORE_REFUSALS,
    template_filters={"job_title": job_title, "job_result": job_result_text},
    init=_init,
)

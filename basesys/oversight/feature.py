"""Oversight (监督, DOMAIN.md §14): anomalies found in the records, their evidence and review."""

from flask_babel import lazy_gettext as _l

from basesys.core.features import Feature, Job, NavEntry
from basesys.oversight import api, demo, jobs, views
from basesys.oversight.refusals import REFUSALS

FEATURE = Feature(
    name="oversight",
    blueprints=(views.bp, api.bp),
    nav=(NavEntry("oversight.anomalies", _l("Anomalies"), ("bureau_officer",), order=45),),
    jobs=(Job("detect_anomalies", 60, jobs.detect_anomalies),),
    demo=demo.load,
    refusals=REFUSALS,
)

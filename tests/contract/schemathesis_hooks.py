"""schemathesis hooks of tests/contract/test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

Half of the path ids are the demo database's own rows (BASESYS_KNOWN_IDS), so success answers are
checked against their schemas on real objects, not only 404s on random ids.
"""

import json
import os

import schemathesis
from hypothesis import strategies as st

KNOWN = json.loads(os.environ.get("BASESYS_KNOWN_IDS", "{}"))


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters:
        return st.just(path_parameters)
    drawn = {}
    for name, value in path_parameters.items():
        rows = KNOWN.get(name)
        drawn[name] = st.sampled_from(rows) | st.just(value) if rows else st.just(value)
    return st.fixed_dictionaries(drawn)

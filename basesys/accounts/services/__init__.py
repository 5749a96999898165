"""Account operations: they take the actor and `now`, check rules, audit, and only flush.

One module per subject; everything is re-exported here so callers write `services.create_bureau(...)`.
"""

from basesys.accounts.services.bases import base_state, create_base, update_base
from basesys.accounts.services.bureaus import bureau_state, bureau_tree, create_bureau, list_bureaus, update_bureau
from basesys.accounts.services.employers import (
    create_employer,
    employer_for_code,
    employer_state,
    employers_query,
    find_employer_by_credit_code,
    link_employer,
    list_employers,
    update_employer,
)
from basesys.accounts.services.inputs import MIN_PASSWORD, check_password_strength, require
from basesys.accounts.services.login import LoginOutcome, log_in, normalise_username
from basesys.accounts.services.login_codes import IssuedCode, issue_login_code, log_in_with_code
from basesys.accounts.services.passwords import change_password, hash_password, password_matches
from basesys.accounts.services.staff import STAFF_ROLES, create_staff_user, update_staff_user, user_state
from basesys.accounts.services.trainees import (
    create_trainee_record,
    get_trainee_by_id_number,
    register_trainee,
    trainee_state,
    update_trainee_profile,
)

__all__ = [
    "IssuedCode",
    "MIN_PASSWORD",
    "STAFF_ROLES",
    "LoginOutcome",
    "base_state",
    "bureau_state",
    "bureau_tree",
    "change_password",
    "check_password_strength",
    "create_base",
    "create_bureau",
    "create_employer",
    "employer_for_code",
    "employer_state",
    "employers_query",
    "find_employer_by_credit_code",
    "link_employer",
    "list_employers",
    "update_employer",
    "create_staff_user",
    "create_trainee_record",
    "get_trainee_by_id_number",
    "hash_password",
    "issue_login_code",
    "list_bureaus",
    "log_in",
    "log_in_with_code",
    "normalise_username",
    "password_matches",
    "register_trainee",
    "require",
    "trainee_state",
    "update_base",
    "update_bureau",
    "update_staff_user",
    "update_trainee_profile",
    "user_state",
]

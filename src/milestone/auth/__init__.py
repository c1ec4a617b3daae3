"""Who may call the API: users with passwords and roles, and the tokens they log in to.

Owners, operators and auditors are users (argon2 password hashes) who exchange their password
for a short-lived JWT carrying their role. Merchants and sales systems hold API keys, which
their own services issue and check (`milestone.apikeys`); vehicles have no credentials at all:
their reports carry their own signatures.
"""

from milestone.auth.passwords import FAST_HASHER, STRONG_HASHER
from milestone.auth.principals import KeyHolder, Principal, Role
from milestone.auth.tokens import TokenSigner, load_token_secret
from milestone.auth.users import (
    User,
    authenticate_user,
    change_password,
    create_user,
    disable_user,
    find_user_by_owner,
    get_user,
    list_users,
)

__all__ = [
    "FAST_HASHER",
    "STRONG_HASHER",
    "KeyHolder",
    "Principal",
    "Role",
    "TokenSigner",
    "User",
    "authenticate_user",
    "change_password",
    "create_user",
    "disable_user",
    "find_user_by_owner",
    "get_user",
    "list_users",
    "load_token_secret",
]

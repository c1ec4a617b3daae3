"""Who may call the API: users with passwords and roles, API keys, and the tokens they log in to.

Owners, operators and auditors are users (argon2 password hashes) who exchange their password
for a short-lived JWT carrying their role; merchants and the sales system hold API keys.
Vehicles have no credentials here: their reports carry their own signatures.
"""

from milestone.auth.keys import (
    ApiKey,
    IssuedKey,
    authenticate_api_key,
    issue_api_key,
    revoke_api_key,
)
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
    "ApiKey",
    "IssuedKey",
    "KeyHolder",
    "Principal",
    "Role",
    "TokenSigner",
    "User",
    "authenticate_api_key",
    "authenticate_user",
    "change_password",
    "create_user",
    "disable_user",
    "find_user_by_owner",
    "get_user",
    "issue_api_key",
    "list_users",
    "load_token_secret",
    "revoke_api_key",
]

"""Named refusals of authentication and authorisation."""

from __future__ import annotations

from milestone.errors import Conflict, MilestoneError, NotFound


class AuthError(MilestoneError):
    code = "auth_error"
    http_status = 401


class NotAuthenticated(AuthError):
    """The route needs credentials and the request carried none."""

    code = "not_authenticated"


class InvalidCredentials(AuthError):
    """Unknown user, wrong password or disabled user: deliberately not told apart."""

    code = "invalid_credentials"


class InvalidToken(AuthError):
    """A bearer token that is malformed, forged or signed with another secret."""

    code = "invalid_token"


class TokenExpired(AuthError):
    code = "token_expired"


class Forbidden(MilestoneError):
    """Authenticated, but this principal may not do this."""

    code = "forbidden"
    http_status = 403


class InvalidUsername(MilestoneError):
    code = "invalid_username"
    http_status = 422


class WeakPassword(MilestoneError):
    code = "weak_password"
    http_status = 422


class InvalidRole(MilestoneError):
    code = "invalid_role"
    http_status = 422


class UsernameTaken(Conflict):
    code = "username_taken"


class OwnerAlreadyHasUser(Conflict):
    code = "owner_already_has_user"


class UserNotFound(NotFound):
    code = "user_not_found"

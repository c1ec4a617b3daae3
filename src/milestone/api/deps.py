"""Dependencies of the route handlers, as `Annotated` aliases a handler's signature names.

Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in its
thread pool, and a hop there costs more than checking a token does.

`SessionDep` reads (one consistent snapshot), from the read replica when one is configured
(`MILESTONE_DATABASE_READ_URL`), so it may lag the primary by the replica's replay delay;
`PrimarySessionDep` reads the primary, for what must see the latest write (log-in, a key just
revoked, where settlement stands). Writes go through `DatabaseDep.run(...)`, the unit of work
that commits and retries, always on the primary. `CurrentOwner`, `CurrentOperator`, `CurrentStaff`,
`MerchantKey` and `SalesKey` authenticate the caller and refuse the wrong kind of principal,
so a handler that names one of them cannot be reached by anybody else; `CurrentOwnerId` and
`MerchantKeyId` do the same and give the handler the owner's or the merchant's id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from milestone.activities.sales import API_KEY_PREFIX as SALES_KEY_PREFIX
from milestone.activities.sales import authenticate_sales_system
from milestone.api.context import ApiContext
from milestone.api.ratelimit import Rate
from milestone.apikeys import InvalidApiKey
from milestone.auth.errors import Forbidden, NotAuthenticated
from milestone.auth.principals import KeyHolder, Principal, Role
from milestone.clock import Clock
from milestone.storage import Database
from milestone.store.merchants import API_KEY_PREFIX as MERCHANT_KEY_PREFIX
from milestone.store.merchants import authenticate_merchant

API_KEY_HEADER = "X-API-Key"

bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="token",
    description="A token from `POST /api/v1/auth/login` (owners, operators, auditors).",
)
api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, scheme_name="apiKey",
    description="The API key of a merchant (`mk_...`) or of a sales system (`ss_...`).",
)


async def get_context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.context
    return context


ContextDep = Annotated[ApiContext, Depends(get_context)]


async def get_database(context: ContextDep) -> Database:
    return context.database


async def get_clock(context: ContextDep) -> Clock:
    return context.clock


async def get_read_database(context: ContextDep) -> Database:
    return context.reader


def get_session(
    database: Annotated[Database, Depends(get_read_database)],
) -> Iterator[Session]:
    with database.snapshot() as session:
        yield session


def get_primary_session(
    database: Annotated[Database, Depends(get_database)],
) -> Iterator[Session]:
    with database.snapshot() as session:
        yield session


DatabaseDep = Annotated[Database, Depends(get_database)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SessionDep = Annotated[Session, Depends(get_session)]
PrimarySessionDep = Annotated[Session, Depends(get_primary_session)]


Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
"""The bearer credentials, if any (a plain Depends: the scheme still shows in the OpenAPI
document, without FastAPI's scope bookkeeping on every request)."""


async def get_user(request: Request, credentials: Bearer) -> Principal:
    """The user a bearer token names; 401 without a valid one."""
    context: ApiContext = request.app.state.context  # not a sub-dependency: one fewer to solve
    return user_of(context, credentials)


def user_of(context: ApiContext, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    if credentials is None:
        raise NotAuthenticated(
            "log in and send the token as `Authorization: Bearer <token>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return context.signer.verify(credentials.credentials)


CurrentUser = Annotated[Principal, Depends(get_user)]


async def get_owner(request: Request, credentials: Bearer) -> Principal:
    """An owner acting on their own data; staff cannot act as an owner."""
    return owner_only(await get_user(request, credentials))


def owner_only(user: Principal) -> Principal:
    if user.role is not Role.OWNER:
        raise Forbidden("only owners may do this; staff act through their own routes")
    return user


async def get_operator(user: CurrentUser) -> Principal:
    if user.role is not Role.OPERATOR:
        raise Forbidden("only operators may do this")
    return user


async def get_staff(user: CurrentUser) -> Principal:
    """An operator or an auditor: for what the operations team reads."""
    if user.role not in (Role.OPERATOR, Role.AUDITOR):
        raise Forbidden("only operators and auditors may read this")
    return user


CurrentOwner = Annotated[Principal, Depends(get_owner)]
CurrentOperator = Annotated[Principal, Depends(get_operator)]
CurrentStaff = Annotated[Principal, Depends(get_staff)]


async def get_owner_id(owner: CurrentOwner) -> int:
    """The registry owner the calling owner is (the owner role always names one)."""
    assert owner.owner_id is not None
    return owner.owner_id


CurrentOwnerId = Annotated[int, Depends(get_owner_id)]


def get_key_holder(
    database: DatabaseDep,
    secret: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal:
    """The merchant or sales system whose API key the request carries; 401 without a valid one.

    The key's prefix says whose kind of key it is (`mk_` merchants, `ss_` sales systems); the
    service of that kind checks it.
    """
    if not secret:
        raise NotAuthenticated(f"send the API key in the {API_KEY_HEADER} header")
    with database.session() as session:
        if secret.startswith(MERCHANT_KEY_PREFIX + "_"):
            merchant = authenticate_merchant(session, secret)
            return Principal(
                kind="key", subject=merchant.id, holder=KeyHolder.MERCHANT, merchant_id=merchant.id
            )
        if secret.startswith(SALES_KEY_PREFIX + "_"):
            system = authenticate_sales_system(session, secret)
            return Principal(
                kind="key", subject=system.id, holder=KeyHolder.SALES, sales_system_id=system.id
            )
    raise InvalidApiKey("the API key is not valid")


async def get_merchant(holder: Annotated[Principal, Depends(get_key_holder)]) -> Principal:
    return merchant_only(holder)


def merchant_only(holder: Principal) -> Principal:
    if holder.holder is not KeyHolder.MERCHANT:
        raise Forbidden("only a merchant's key may do this")
    return holder


async def get_sales(holder: Annotated[Principal, Depends(get_key_holder)]) -> Principal:
    if holder.holder is not KeyHolder.SALES:
        raise Forbidden("only the sales system's key may do this")
    return holder


MerchantKey = Annotated[Principal, Depends(get_merchant)]


async def get_merchant_id(merchant: MerchantKey) -> int:
    """The merchant whose key the request carries."""
    assert merchant.merchant_id is not None
    return merchant.merchant_id


MerchantKeyId = Annotated[int, Depends(get_merchant_id)]
SalesKey = Annotated[Principal, Depends(get_sales)]


def get_owner_or_merchant(
    database: DatabaseDep,
    context: ContextDep,
    credentials: Bearer,
    secret: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal:
    """An owner (by token) or a merchant (by key): the two parties of a store order."""
    if credentials is not None:
        return owner_only(user_of(context, credentials))
    return merchant_only(get_key_holder(database, secret))


OwnerOrMerchant = Annotated[Principal, Depends(get_owner_or_merchant)]

IdempotencyKey = Annotated[
    str,
    Header(
        min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$",
        description="Chosen by the client, one per intended operation: repeating the request "
        "with the same key returns the first result and changes nothing.",
    ),
]


def client_address(request: Request) -> str:
    """The caller's address (the proxy's, unless uvicorn was told to trust forwarded headers)."""
    return request.client.host if request.client is not None else "unknown"


def _limit(request: Request, rate: Rate, context: ApiContext) -> None:
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    context.limiter.check((client_address(request), request.method, path), rate)


async def limit_login(request: Request, context: ContextDep) -> None:
    """Spend a log-in token of this client (async: the buckets live on the event loop)."""
    _limit(request, context.login_rate, context)


async def limit_writes(request: Request, context: ContextDep) -> None:
    """Spend a write token of this client for this route."""
    _limit(request, context.write_rate, context)


LoginLimit = Depends(limit_login)
WriteLimit = Depends(limit_writes)

"""What schemathesis needs to know beyond JSON Schema to generate requests the API accepts.

Imported by the fuzz test, and by `st run` through `SCHEMATHESIS_HOOKS=tests.api.contract_hooks`
(docs/api.md, "The contract"). Two kinds of rule are out of JSON Schema's reach:

- formats whose check is arithmetic: an Ed25519 public key must be a point of the curve, a VIN's
  check digit must be right; the document names them (`format`) and this module generates them;
- rules across two fields of a body, between a body and its caller, or inside a CSV body
  (which JSON Schema sees as one string), which the schema's
  descriptions state: `CROSS_FIELD_REFUSALS`
  lists the only refusals of a schema-valid request with 422 that the contract admits, each
  with the codes it may carry.
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st
from nacl.signing import SigningKey
from schemathesis.checks import CHECKS, load_all_checks

from milestone.api.schemas.requests import ED25519_FORMAT, VIN_FORMAT
from milestone.registry.vin import synthetic_vin

ED25519_KEYS = st.binary(min_size=32, max_size=32).map(
    lambda seed: "0x" + bytes(SigningKey(seed).verify_key).hex()
)
VINS = st.integers(min_value=0, max_value=999_999).map(synthetic_vin)

schemathesis.openapi.format(ED25519_FORMAT, ED25519_KEYS)
schemathesis.openapi.format(VIN_FORMAT, VINS)

CROSS_FIELD_REFUSALS = {
    # reward > budget, end <= start
    ("POST", "/api/v1/activities/campaigns"): {"invalid_campaign"},
    # the recipient is the caller; the sender is the recipient
    ("POST", "/api/v1/store/transfers"): {"invalid_transfer"},
    ("POST", "/api/v1/store/transfer-allowances"): {"invalid_transfer"},
    # the referral code is the caller's own (same owner, phone or payment identity)
    ("POST", "/api/v1/activities/referrals"): {"self_referral"},
    # a CSV body's columns and rows (JSON Schema sees one string): the header must name
    # reference, amount_fen and status, each row a declared payout with a known status
    ("POST", "/api/v1/dividends/{dividend_id}/payout-confirmations"): {"payout_file_invalid"},
}

load_all_checks()
positive_data_acceptance = CHECKS.get_one("positive_data_acceptance")


@schemathesis.check
def positive_data_accepted(ctx: schemathesis.CheckContext, response: schemathesis.Response, case):
    """`positive_data_acceptance`, except for the refusals `CROSS_FIELD_REFUSALS` admits: run
    `st run --checks all --exclude-checks positive_data_acceptance` with these hooks."""
    if response.status_code == 422:
        code = response.json().get("code")
        if code in CROSS_FIELD_REFUSALS.get((case.method.upper(), case.path), set()):
            return None
    return positive_data_acceptance(ctx, response, case)

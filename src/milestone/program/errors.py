"""Named refusals about the program row."""

from __future__ import annotations

from milestone.errors import Conflict, MilestoneError


class ProgramNotInitialized(MilestoneError):
    code = "program_not_initialized"
    http_status = 409


class ProgramAlreadyInitialized(Conflict):
    code = "program_already_initialized"


class InvalidGenesis(MilestoneError):
    code = "invalid_genesis"
    http_status = 422


class InvalidPseudonymSalt(MilestoneError):
    code = "invalid_pseudonym_salt"
    http_status = 422

"""Bodies of `/health`."""

from __future__ import annotations

from pydantic import BaseModel


class HealthPublic(BaseModel):
    status: str
    database: str
    """`sqlite` or `postgresql`."""
    schema_revision: str
    program_initialized: bool
    """False until `milestone init` created the program."""

"""Every domain's models, imported in one place so the metadata (and Alembic) sees all tables.

A new domain adds its `models` module here, and a migration revision for its tables.
"""

from __future__ import annotations

import milestone.activities.models
import milestone.auth.models
import milestone.consent.models
import milestone.dividends.models
import milestone.epochs.models
import milestone.events.models
import milestone.ledger.models
import milestone.program.models
import milestone.registry.models
import milestone.store.models
import milestone.telemetry.models
from milestone.storage.base import Base

MODEL_MODULES = (
    milestone.program.models,
    milestone.ledger.models,
    milestone.registry.models,
    milestone.consent.models,
    milestone.telemetry.models,
    milestone.activities.models,
    milestone.store.models,
    milestone.dividends.models,
    milestone.epochs.models,
    milestone.auth.models,
    milestone.events.models,
)
metadata = Base.metadata

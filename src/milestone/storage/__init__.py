"""Storage: the SQLAlchemy base every domain's models share, engines, sessions and migrations."""

from milestone.storage.base import Base
from milestone.storage.database import Database, open_database
from milestone.storage.migrations import migrate

__all__ = ["Base", "Database", "migrate", "open_database"]

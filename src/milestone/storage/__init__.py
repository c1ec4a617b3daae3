"""Storage: the SQLAlchemy base every domain's models share, engines and migrations."""

from milestone.storage.base import Base

__all__ = ["Base"]

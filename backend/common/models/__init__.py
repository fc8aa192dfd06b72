"""The shared data model (API and worker). Importing this package registers every table."""

from backend.common.models.base import Base
from backend.common.models.batch import Batch, BatchRow, RowOutcome
from backend.common.models.enums import (
    EnrichmentState,
    ItemKind,
    ItemStatus,
    MatchStatus,
    TransitionRefused,
)
from backend.common.models.item import Item, Photo
from backend.common.models.match import Match
from backend.common.models.notification import Notification, NotificationStatus
from backend.common.models.reporter import (
    Reporter,
    ReporterRole,
    hash_api_token,
    new_api_token,
)
from backend.common.models.soft_delete import AuditLogMixin, SoftDeleteMixin, include_deleted

__all__ = [
    "AuditLogMixin",
    "Base",
    "Batch",
    "BatchRow",
    "EnrichmentState",
    "Item",
    "ItemKind",
    "ItemStatus",
    "Match",
    "MatchStatus",
    "Notification",
    "NotificationStatus",
    "Photo",
    "Reporter",
    "ReporterRole",
    "RowOutcome",
    "SoftDeleteMixin",
    "TransitionRefused",
    "hash_api_token",
    "include_deleted",
    "new_api_token",
]

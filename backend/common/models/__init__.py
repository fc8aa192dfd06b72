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
from backend.common.models.match import Match, ProofMissing, owner_claim_of
from backend.common.models.message import MatchMessage
from backend.common.models.notification import Notification, NotificationStatus
from backend.common.models.reporter import (
    Credential,
    CredentialKind,
    Reporter,
    ReporterRole,
    hash_secret,
    new_secret,
)
from backend.common.models.soft_delete import AuditLogMixin, SoftDeleteMixin, include_deleted

__all__ = [
    "AuditLogMixin",
    "Base",
    "Batch",
    "BatchRow",
    "Credential",
    "CredentialKind",
    "EnrichmentState",
    "Item",
    "ItemKind",
    "ItemStatus",
    "Match",
    "MatchMessage",
    "MatchStatus",
    "Notification",
    "NotificationStatus",
    "Photo",
    "ProofMissing",
    "Reporter",
    "ReporterRole",
    "RowOutcome",
    "SoftDeleteMixin",
    "TransitionRefused",
    "hash_secret",
    "include_deleted",
    "new_secret",
    "owner_claim_of",
]

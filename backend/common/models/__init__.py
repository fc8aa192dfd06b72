"""The shared data model (API and worker). Importing this package registers every table."""

from backend.common.models.base import Base
from backend.common.models.batch import Batch, BatchRow, RowOutcome
from backend.common.models.desk import (
    SENSITIVE_DESTINATIONS,
    Custody,
    DisposalDestination,
    HandOverMethod,
    HoldingPeriod,
    ItemAction,
    ItemEvent,
)
from backend.common.models.enums import (
    CustodyState,
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
    StaffRole,
    hash_secret,
    new_secret,
)
from backend.common.models.soft_delete import AuditLogMixin, SoftDeleteMixin, include_deleted

__all__ = [
    "SENSITIVE_DESTINATIONS",
    "AuditLogMixin",
    "Base",
    "Batch",
    "BatchRow",
    "Credential",
    "CredentialKind",
    "Custody",
    "CustodyState",
    "DisposalDestination",
    "EnrichmentState",
    "HandOverMethod",
    "HoldingPeriod",
    "Item",
    "ItemAction",
    "ItemEvent",
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
    "StaffRole",
    "TransitionRefused",
    "hash_secret",
    "include_deleted",
    "new_secret",
    "owner_claim_of",
]

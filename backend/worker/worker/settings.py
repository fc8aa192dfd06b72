"""Worker settings: the common names (BROKER_URL, DATABASE_URL, ...) plus matching and retries.

The matching defaults were chosen with research/experiments/matching (see its README): text
carries most of the signal; a photo, when both sides have one, is the strongest single cue;
attributes (colour, brand, category) separate same-kind items; distance and time only break ties
between otherwise similar reports, since people misremember where and when they lost things.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field

from backend.common.settings import ServiceSettings


class WorkerSettings(ServiceSettings):
    nlp_url: str = Field(default="http://127.0.0.1:8001", description="NLP service base URL.")
    vision_url: str = Field(default="http://127.0.0.1:8002", description="Vision service base URL.")
    http_timeout_s: float = Field(default=30.0, gt=0)
    photo_dir: Path | None = Field(default=None, description="Same folder as the API's PHOTO_DIR.")

    # Matching: weights are relative (renormalised over the components both items have).
    weight_text: float = Field(default=0.45, ge=0)
    weight_image: float = Field(default=0.25, ge=0)
    weight_attributes: float = Field(default=0.2, ge=0)
    weight_distance: float = Field(default=0.06, ge=0)
    weight_time: float = Field(default=0.04, ge=0)
    match_threshold: float = Field(default=0.45, ge=0, le=1, description="Lowest score suggested.")
    max_suggestions: int = Field(default=5, gt=0, description="Best matches kept per item.")
    match_window_days: float = Field(default=60, gt=0, description="Candidates this close in time.")
    max_distance_km: float = Field(default=50, gt=0, description="Candidates this close in space.")
    distance_scale_km: float = Field(default=5, gt=0, description="Distance score e-folding.")
    time_scale_days: float = Field(default=14, gt=0, description="Time score e-folding.")

    # At-least-once processing.
    max_retries: int = Field(default=5, ge=0)
    retry_backoff_s: float = Field(
        default=2.0, gt=0, description="First retry delay, doubled each time."
    )
    retry_backoff_max_s: float = Field(default=300.0, gt=0)
    visibility_timeout_s: int = Field(
        default=3600, gt=0, description="Redis: a task unacknowledged this long is redelivered."
    )
    restore_interval_s: int = Field(
        default=60, gt=0, description="Redis: how often workers look for such tasks."
    )
    sweep_interval_s: float = Field(default=60.0, gt=0)
    stale_pending_s: float = Field(default=120.0, gt=0, description="Pending this long: re-queue.")

    # Notifications.
    notification_backend: Literal["log", "smtp"] = "log"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_sender: str = "lost-and-found@localhost"
    smtp_starttls: bool = False

    @cached_property
    def photos_path(self) -> Path:
        return self.photo_dir or self.data_dir / "photos"

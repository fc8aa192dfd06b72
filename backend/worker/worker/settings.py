"""Worker settings: the common names (BROKER_URL, DATABASE_URL, ...) plus matching and retries.

How matching combines its features is fitted on labelled reports (matching_model.json, written
by research/experiments/matching/fit.py; its README has the figures); the settings here bound
the work (shortlists, candidates) and the reach (time window, distance).
"""

from __future__ import annotations

import tempfile
from functools import cached_property
from pathlib import Path

from pydantic import Field

from backend.common.limits import MAX_REPORT_TEXT_CHARS, MAX_SIMILARITY_CANDIDATES, MAX_TEXTS
from backend.common.mail import MailSettings
from backend.worker.worker.scoring import MODEL_FILE, MatchModel, Scales, match_model


class WorkerSettings(MailSettings):
    nlp_url: str = Field(default="http://127.0.0.1:8001", description="NLP service base URL.")
    vision_url: str = Field(default="http://127.0.0.1:8002", description="Vision service base URL.")
    http_timeout_s: float = Field(default=30.0, gt=0)
    photo_dir: Path | None = Field(default=None, description="Same folder as the API's PHOTO_DIR.")
    nlp_max_chars: int = Field(
        default=MAX_REPORT_TEXT_CHARS,
        gt=0,
        le=MAX_REPORT_TEXT_CHARS,
        description="Longest text sent to NLP (its MAX_CHARS): a longer report text is shortened "
        "and the item says so. The default is the longest report the API accepts.",
    )
    nlp_max_texts: int = Field(
        default=MAX_TEXTS,
        gt=0,
        le=MAX_TEXTS,
        description="Texts per NLP /analyze call (its MAX_TEXTS): a batch of reports is one call.",
    )
    vision_max_candidates: int = Field(
        default=MAX_SIMILARITY_CANDIDATES,
        gt=0,
        description="Records per vision /similarity call (its MAX_CANDIDATES); more are split.",
    )

    # Matching: how the features combine is fitted, not set by hand (a logistic model with a
    # calibrated threshold: research/experiments/matching/fit.py writes matching_model.json).
    match_model_file: Path = Field(
        default=MODEL_FILE,
        description="The fitted matching model (features' weights, threshold, margin).",
    )
    max_suggestions: int = Field(default=5, gt=0, description="Best matches kept per item.")
    shortlist: int = Field(
        default=50,
        gt=0,
        description="Best candidates of the first pass (what match records hold) re-scored with "
        "identifying details, place names and photos.",
    )
    photo_shortlist: int = Field(
        default=5,
        ge=0,
        description="Candidates most alike by photo descriptor added to the shortlist, however "
        "their text scored (a photo of the same object with a poor description).",
    )
    photo_checks: int = Field(
        default=10,
        ge=0,
        description="Shortlisted photos vision compares keypoint by keypoint (in turn the next in "
        "contention and the next most alike by descriptor); the others keep the descriptor's "
        "score.",
    )
    max_candidates: int = Field(
        default=20_000,
        gt=0,
        description="Most candidates one report is scored against; beyond it, the nearest in "
        "time (a report with neither place nor category in a country-sized table).",
    )
    match_days_after_loss: float = Field(
        default=60, gt=0, description="A found report this many days after the loss is a candidate."
    )
    match_days_before_loss: float = Field(
        default=42,
        ge=0,
        description="A found report this many days before the loss date is a candidate too: "
        "people notice a loss late, or misremember the day.",
    )
    max_distance_km: float = Field(default=50, gt=0, description="Candidates this close in space.")
    distance_scale_km: float = Field(default=5, gt=0, description="Distance score e-folding.")
    time_scale_days: float = Field(default=14, gt=0, description="Time score e-folding.")

    # At-least-once processing.
    max_retries: int = Field(default=5, ge=0)
    retry_backoff_s: float = Field(
        default=2.0, gt=0, description="First retry delay, doubled each time."
    )
    retry_backoff_max_s: float = Field(default=300.0, gt=0)
    restore_interval_s: int = Field(
        default=60, gt=0, description="Redis: how often workers look for such tasks."
    )
    sweep_interval_s: float = Field(default=60.0, gt=0)
    rematch_per_sweep: int = Field(
        default=5000,
        gt=0,
        description="Reports matched by another matching model (a refit, features read another "
        "way) sent to be matched again per sweep, on the bulk queue once the queues have "
        "drained. Against a million stored reports a match takes ~30 ms (bench/matching_db.py): "
        "two worker processes take ~80 s for 5,000, the next sweep waits for them, and a million "
        "open reports are matched again in ~7 hours (~33 at 500).",
    )
    stale_pending_s: float = Field(default=120.0, gt=0, description="Pending this long: re-queue.")
    sweep_retry_s: float = Field(
        default=120.0,
        gt=0,
        description="After a transient failure outlived the task's retries, the sweep tries "
        "again after this, doubling each time up to RETRY_BACKOFF_MAX_S.",
    )
    max_attempts: int = Field(
        default=30,
        gt=0,
        description="Enrichment attempts (task retries and sweeps together) before an item "
        "stays failed for good.",
    )
    task_soft_time_limit_s: float = Field(
        default=120.0, gt=0, description="A task running this long is stopped and retried."
    )
    task_time_limit_s: float = Field(
        default=180.0, gt=0, description="A task running this long is killed (its process too)."
    )

    # Liveness: the worker's main process touches this file; the probe checks its age.
    liveness_file: Path = Field(
        default=Path(tempfile.gettempdir()) / "lostfound-worker.alive",
        description="Touched every LIVENESS_INTERVAL_S by a running worker.",
    )
    liveness_interval_s: float = Field(default=10.0, gt=0)
    liveness_max_age_s: float = Field(
        default=90.0, gt=0, description="Older than this: the worker is hung (restart it)."
    )

    def model(self) -> MatchModel:
        return match_model(self.match_model_file)

    def scales(self) -> Scales:
        return Scales(distance_km=self.distance_scale_km, time_days=self.time_scale_days)

    @cached_property
    def photos_path(self) -> Path:
        return self.photo_dir or self.data_dir / "photos"

"""API settings: the common names (HOST, PORT, DATABASE_URL, BROKER_URL, ...) plus the API's own."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from limits import parse
from pydantic import AnyHttpUrl, Field, SecretStr, field_validator

from backend.common.limits import MAX_DECODED_PIXELS, MAX_PHOTO_BYTES, MAX_UPLOAD_PIXELS
from backend.common.mail import MailSettings

MIN_ADMIN_TOKEN_CHARS = 32
# Values from examples and habits: refused even when long enough to pass the length rule.
_KNOWN_ADMIN_TOKENS = {"change-me", "changeme", "change-me-too", "admin", "secret", "password"}


class ApiSettings(MailSettings):
    port: int = Field(default=8000, ge=1, le=65535)
    public_base_url: AnyHttpUrl | None = Field(
        default=None,
        description="How clients reach the API (https://lostfound.example.org): photo URLs are "
        "built from it, never from a request's Host header. Default: http://HOST:PORT.",
    )
    photo_dir: Path | None = Field(
        default=None, description="Where photos are stored (a volume); default DATA_DIR/photos."
    )
    max_photo_bytes: int = Field(default=MAX_PHOTO_BYTES, gt=0, description="Upload size limit.")
    max_upload_pixels: int = Field(
        default=MAX_UPLOAD_PIXELS, gt=0, description="Pixels an uploaded photo may declare."
    )
    max_decoded_pixels: int = Field(
        default=MAX_DECODED_PIXELS,
        gt=0,
        description="Pixels decoded per photo (a JPEG decodes at a reduced scale), checked from "
        "the header: with PHOTO_DECODE_SLOTS it bounds the memory photos take.",
    )
    photo_decode_slots: int = Field(
        default=2, gt=0, description="Photos decoded at once; more wait (then 503)."
    )
    max_json_bytes: int = Field(
        default=64 * 1024, gt=0, description="Largest JSON request body (a report is ~6 kB)."
    )
    database_pool_size: int = Field(
        default=10, gt=0, description="Connections the API keeps open to the database."
    )
    database_pool_overflow: int = Field(
        default=10, ge=0, description="Extra connections allowed under load."
    )
    database_pool_timeout_s: float = Field(
        default=10, gt=0, description="How long a request waits for a connection: then 503."
    )
    default_page_size: int = Field(default=20, gt=0)
    max_page_size: int = Field(
        default=100, gt=0, le=100, description="Largest page a listing returns (at most 100)."
    )
    admin_token: SecretStr | None = Field(
        default=None,
        description=f"Bearer token that may see and restore deleted items: at least "
        f"{MIN_ADMIN_TOKEN_CHARS} characters (openssl rand -base64 32).",
    )
    auto_migrate: bool | None = Field(
        default=None, description="Apply migrations at start; default: only for embedded SQLite."
    )
    rate_limit_storage_url: str = Field(
        default="",
        description="Where rate-limit counters live, shared by every API replica: a redis:// "
        "URL; default: the broker's Redis, or process memory for the embedded stack.",
    )
    registrations_per_ip: str = Field(
        default="20/hour", description="New reporters one client address may register."
    )
    reports_per_reporter: str = Field(
        default="60/hour", description="Reports (new items) one reporter may create."
    )
    photos_per_reporter: str = Field(
        default="30/hour", description="Photo uploads one reporter may make."
    )
    messages_per_reporter: str = Field(
        default="60/hour", description="Messages one reporter may send through matches."
    )
    sign_ins_per_ip: str = Field(
        default="10/hour", description="Sign-in links one client address may ask for."
    )
    token_ttl_days: float = Field(
        default=365, gt=0, description="How long a token works; rotate it before (new token)."
    )
    sign_in_code_ttl_minutes: int = Field(
        default=15, gt=0, le=24 * 60, description="How long a sign-in link works (once)."
    )
    cors_origins: list[str] = Field(
        default=[],
        description="Web origins whose pages may call the API from a browser, e.g. "
        '["https://lostfound.example.org"] (JSON). None by default: no browser origin but the '
        "API's own may call it.",
    )
    max_batch_rows: int = Field(
        default=20_000, gt=0, description="Reports one office upload may hold (POST /batches)."
    )
    analyze_after_rows: int = Field(
        default=1_000,
        gt=0,
        description="An upload storing at least this many new reports refreshes the database's "
        "statistics at once (ANALYZE), so that matching plans for them from the start.",
    )
    max_batch_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="Largest reports file of one upload."
    )
    max_batch_photo_bytes: int = Field(
        default=500 * 1024 * 1024,
        gt=0,
        description="Largest photo archive (ZIP) of one upload; each photo within it is limited "
        "to MAX_PHOTO_BYTES like any other.",
    )
    batches_per_office: str = Field(
        default="30/hour", description="Uploads one office may make (each up to MAX_BATCH_ROWS)."
    )
    # Dutch law (Burgerlijk Wetboek 5:8): a finder keeps an item three months, a year when it is
    # worth more; an office may set its own period per category (PUT /offices/me/holding-periods).
    holding_period_months: int = Field(
        default=3, ge=1, le=120, description="How long a desk keeps a found item by default."
    )
    valuable_holding_period_months: int = Field(
        default=12,
        ge=1,
        le=120,
        description="How long it keeps one worth VALUABLE_FROM_EUR or more.",
    )
    valuable_from_eur: int = Field(
        default=450, ge=1, description="The value from which an item is kept the longer period."
    )

    @field_validator(
        "registrations_per_ip",
        "reports_per_reporter",
        "photos_per_reporter",
        "messages_per_reporter",
        "sign_ins_per_ip",
        "batches_per_office",
    )
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        # Refused at start, saying what to write, not at the first request (or as a traceback).
        try:
            parse(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a rate limit: write a count per period, "
                "e.g. '60/hour', '10/minute' or '1000 per day'"
            ) from None
        return value

    @field_validator("admin_token")
    @classmethod
    def _strong_admin_token(cls, token: SecretStr | None) -> SecretStr | None:
        if token is None:
            return None
        value = token.get_secret_value()
        if value.strip().lower() in _KNOWN_ADMIN_TOKENS or len(value) < MIN_ADMIN_TOKEN_CHARS:
            raise ValueError(
                f"ADMIN_TOKEN is too weak: use at least {MIN_ADMIN_TOKEN_CHARS} random "
                "characters (openssl rand -base64 32), or leave it unset"
            )
        if not value.isascii() or not value.isprintable():
            raise ValueError("ADMIN_TOKEN must be printable ASCII")
        return token

    @cached_property
    def photos_path(self) -> Path:
        return self.photo_dir or self.data_dir / "photos"

    @property
    def migrate_on_start(self) -> bool:
        return self.uses_embedded_database if self.auto_migrate is None else self.auto_migrate

    @property
    def base_url(self) -> str:
        if self.public_base_url is not None:
            return str(self.public_base_url).rstrip("/")
        return f"http://{self.host}:{self.port}"

    @property
    def rate_limit_storage(self) -> str:
        if self.rate_limit_storage_url:
            return self.rate_limit_storage_url
        if self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return "memory://"

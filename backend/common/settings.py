"""The settings base every service extends: one name means one thing everywhere.

Values come from environment variables (`HOST`, `PORT`, `DATABASE_URL`, ...). The defaults are
the embedded ones: a SQLite file and a file-system broker under `DATA_DIR`, so the whole stack
runs on a laptop with no server. Deployments set PostgreSQL and Redis URLs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.common.taxonomy import PACKAGED_TERMS

EMBEDDED_BROKER_URL = "filesystem://"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    host: str = Field(default="127.0.0.1", description="Interface the HTTP server binds (HOST).")
    port: int = Field(default=8000, ge=1, le=65535, description="Port of the HTTP server (PORT).")
    data_dir: Path = Field(default=Path("var"), description="Local data of the embedded defaults.")
    database_url: str = Field(
        default="", description="SQLAlchemy URL; default: SQLite in DATA_DIR."
    )
    broker_url: str = Field(default="", description="Celery broker; default: files in DATA_DIR.")
    broker_polling_interval_s: float = Field(
        default=0.05,
        gt=0,
        le=5,
        description="File-system broker: how often an idle worker looks for new jobs. kombu's "
        "1 s default capped the embedded stack at about 2 jobs per second.",
    )
    visibility_timeout_s: int = Field(
        default=3600,
        gt=0,
        description="Redis broker: a task unacknowledged this long is redelivered (the sender "
        "and the worker must agree, so it is here).",
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="Addresses of the proxies whose X-Forwarded-For names the client (comma "
        "separated; '*' trusts every peer). Empty: none, the peer is the client. Behind an "
        "ingress set its address; never '*' where clients reach the service directly.",
    )
    metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Port of the Prometheus metrics (`GET /metrics` on HOST:METRICS_PORT), apart "
        "from PORT: the API's port is public, its metrics are for the operators. 0: none (the "
        "manifests use 9100, the local stack one per service).",
    )
    otel_exporter_otlp_endpoint: str = Field(
        default="",
        description="OpenTelemetry collector (OTLP over HTTP, e.g. http://otel-collector:4318): "
        "traces are exported there. Empty: no tracing at all, at no cost. The other OTEL_* "
        "variables (OTEL_TRACES_SAMPLER, OTEL_BSP_*) are read by the OpenTelemetry SDK itself.",
    )
    log_level: str = Field(default="INFO", description="Python logging level name.")
    log_format: Literal["plain", "json"] = Field(
        default="plain", description="plain or json lines."
    )
    taxonomy_file: Path = Field(
        default=PACKAGED_TERMS,
        description="Categories (with broader terms), colours (with shades) and brands: the NLP "
        "service tags them in text, the worker canonicalises typed fields; both read this file.",
    )

    @model_validator(mode="after")
    def _embedded_defaults(self) -> ServiceSettings:
        # Derived from DATA_DIR unless set, so one variable moves all local state.
        if not self.database_url:
            object.__setattr__(
                self, "database_url", f"sqlite:///{self.data_dir / 'lostfound.sqlite3'}"
            )
        if not self.broker_url:
            object.__setattr__(self, "broker_url", EMBEDDED_BROKER_URL)
        return self

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_embedded_broker(self) -> bool:
        return self.broker_url.startswith(EMBEDDED_BROKER_URL)

    @property
    def broker_dir(self) -> Path:
        """Folder of the file-system broker (shared by the API and the worker)."""
        return self.data_dir / "broker"

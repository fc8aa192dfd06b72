"""Entry point of the API service's PEX: serves on HOST:PORT (default :8000)."""

from __future__ import annotations

from backend.api.app.settings import ApiSettings
from backend.common import tracing
from backend.common.jobs import trace_jobs
from backend.common.serve import serve


def main() -> None:
    settings = ApiSettings()
    if tracing.enabled(settings):
        trace_jobs()  # a report's trace goes on in the worker with the job the API sends
    serve("backend.api.app.main:app", settings, "api")


if __name__ == "__main__":
    main()

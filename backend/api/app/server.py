"""Entry point of the API service's PEX: serves on HOST:PORT (default :8000)."""

from __future__ import annotations

from backend.api.app.settings import ApiSettings
from backend.common.serve import serve


def main() -> None:
    serve("backend.api.app.main:app", ApiSettings())


if __name__ == "__main__":
    main()

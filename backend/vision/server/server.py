"""Entry point of the vision service's PEX: serves on HOST:PORT (default :8002)."""

from __future__ import annotations

from backend.common.serve import serve
from backend.vision.server.settings import VisionSettings


def main() -> None:
    serve("backend.vision.server.main:app", VisionSettings(), "vision")


if __name__ == "__main__":
    main()

"""Entry point of the NLP service's PEX: serves on HOST:PORT (default :8001)."""

from __future__ import annotations

from backend.common.serve import serve
from backend.nlp.server.settings import NlpSettings


def main() -> None:
    serve("backend.nlp.server.main:app", NlpSettings(), "nlp")


if __name__ == "__main__":
    main()

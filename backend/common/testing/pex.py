"""Where tests run the packaged PEXes from.

Under Pants a test process has no HOME, so each PEX a test started unpacked itself (every wheel:
the NLP service's alone is ~240 MB zipped) into a fresh folder: each whole stack spent ~25
CPU-seconds on it before a service could start. Every test shares one PEX_ROOT instead. PEX
addresses what it stores there by content and locks what it writes, so test processes side by
side share it safely, and a PEX with the same wheels as the last run's starts without unpacking.
It holds ~1 GB once every service has run (wheels are kept across builds); deleting it is safe.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

PEX_ROOT = Path(tempfile.gettempdir()) / "lost-found-pex-root"


def pex_env() -> dict[str, str]:
    """The environment a test gives every PEX it runs."""
    return {"PEX_ROOT": str(PEX_ROOT)}

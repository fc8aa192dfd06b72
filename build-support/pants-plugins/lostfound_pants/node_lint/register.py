"""`./pants lint` for Node.js packages: runs each package.json's `lint` script.

Pants 2.17's JavaScript backend lints JavaScript files with Prettier only; the web app is
TypeScript, linted by its own ESLint and Prettier configuration. This runs `npm run lint` in the
package, installed and with its sources, as the backend's own build and test scripts run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pants.backend.javascript.install_node_package import (
    InstalledNodePackageRequest,
    InstalledNodePackageWithSource,
)
from pants.backend.javascript.nodejs_project_environment import NodeJsProjectEnvironmentProcess
from pants.backend.javascript.package_json import NodePackageNameField, NodePackageTarget
from pants.core.goals.lint import LintResult, LintTargetsRequest
from pants.core.util_rules.partitions import PartitionerType
from pants.engine.process import FallibleProcessResult, Process
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.target import BoolField, FieldSet, Target
from pants.option.option_types import SkipOption
from pants.option.subsystem import Subsystem
from pants.util.logging import LogLevel


class NodeLint(Subsystem):
    options_scope = "node-lint"
    name = "node-lint"
    help = "Runs the `lint` script of each package.json."

    skip = SkipOption("lint")


class SkipNodeLintField(BoolField):
    alias = "skip_node_lint"
    default = False
    help = "If true, `./pants lint` does not run this package's `lint` script."


@dataclass(frozen=True)
class NodeLintFieldSet(FieldSet):
    required_fields = (NodePackageNameField,)

    name: NodePackageNameField

    @classmethod
    def opt_out(cls, tgt: Target) -> bool:
        return tgt.get(SkipNodeLintField).value


class NodeLintRequest(LintTargetsRequest):
    field_set_type = NodeLintFieldSet
    tool_subsystem = NodeLint
    partitioner_type = PartitionerType.DEFAULT_ONE_PARTITION_PER_INPUT


@rule(desc="Lint with the package's lint script", level=LogLevel.DEBUG)
async def run_node_lint(
    request: NodeLintRequest.Batch,  # type: ignore[name-defined]
) -> LintResult:
    [field_set] = request.elements
    installation = await Get(
        InstalledNodePackageWithSource, InstalledNodePackageRequest(field_set.address)
    )
    process = await Get(
        Process,
        NodeJsProjectEnvironmentProcess(
            installation.project_env,
            args=("run", "lint"),
            description=f"Running `npm run lint` for {field_set.name.value}.",
            input_digest=installation.digest,
            level=LogLevel.INFO,
        ),
    )
    result = await Get(FallibleProcessResult, Process, process)
    return LintResult.create(request, result)


def target_types() -> list[type[Target]]:
    return []


def rules() -> list[Any]:
    return [
        *collect_rules(),
        *NodeLintRequest.rules(),
        NodePackageTarget.register_plugin_field(SkipNodeLintField),
    ]

# BUILD file macros, loaded before every BUILD file (pants.toml [GLOBAL].build_file_prelude_globs),
# as StackStorm's pants-plugins/macros.py: the shapes the services repeat, written once.

# The pytest plugins a test file uses, for its `extra_env_vars` (pants.toml turns pytest's plugin
# autoload off): hypothesis' for property-based tests; schemathesis' too for generated requests.
PYTEST_PLUGINS_OF_HYPOTHESIS = "PYTEST_PLUGINS=_hypothesis_pytestplugin"
PYTEST_PLUGINS_OF_GENERATED_REQUESTS = (
    "PYTEST_PLUGINS=schemathesis.pytest.plugin,_hypothesis_pytestplugin"
)


def service_image_instructions(pex, port=None, command=()):
    """The one recipe of every service image: the service's PEX (Pants infers the dependency from
    the COPY), unpacked into a venv in two layers (third-party dependencies, then our sources, so
    a code change rebuilds only the small top layer), run as a non-root user."""
    unpack = [
        f"COPY {pex} /tmp/service.pex",
        "RUN PEX_TOOLS=1 python3.11 /tmp/service.pex venv --scope={scope} --compile /app",
    ]
    env = "ENV DATA_DIR=/data PYTHONUNBUFFERED=1"
    if port is not None:
        env = f"ENV HOST=0.0.0.0 PORT={port} DATA_DIR=/data PYTHONUNBUFFERED=1"
    return [
        "ARG BASE_IMAGE=python:3.11-slim",
        "FROM ${BASE_IMAGE} AS deps",
        *[line.replace("{scope}", "deps") for line in unpack],
        "FROM ${BASE_IMAGE} AS srcs",
        *[line.replace("{scope}", "srcs") for line in unpack],
        "FROM ${BASE_IMAGE}",
        "RUN useradd --system --uid 10001 --home-dir /data --create-home lostfound",
        "COPY --from=deps /app /app",
        "COPY --from=srcs /app /app",
        "USER lostfound",
        "WORKDIR /data",
        env,
        *([f"EXPOSE {port}"] if port is not None else []),
        'ENTRYPOINT ["/app/pex"]',
        *(["CMD [" + ", ".join(f'"{arg}"' for arg in command) + "]"] if command else []),
    ]


def lostfound_service(
    entry_point,
    binary="server",
    dependencies=(),
    port=None,
    command=(),
    resolve=None,
    also_allowed=(),
):
    """A service, declared in its folder's BUILD file (backend/<service>/BUILD, frontend/web):
    its resolve, its PEX (`binary`), its image `lostfound/<service>` and whom it may depend on:
    its own folder, backend/common, third-party code and `also_allowed` (rule globs); never
    another service, never research/."""
    folder = build_file_dir()
    if resolve is not None:
        __defaults__(all=dict(resolve=resolve), extend=True)
    own = ("/**", f"//{folder}#**")  # its files, and targets its BUILD file generates
    __dependencies_rules__(
        ("*", *own, "//backend/common/**", "//3rdparty/**", *also_allowed, "!*")
    )
    pex_binary(name=binary, entry_point=entry_point, dependencies=list(dependencies))
    docker_image(
        name="image",
        repository=f"lostfound/{folder.name}",
        image_tags=["latest"],
        source=None,
        instructions=service_image_instructions(
            f"{str(folder).replace('/', '.')}/{binary}.pex", port, command
        ),
    )


def made_at_build_time(name, script):
    """A folder `name` that `script` (run as `script name`) writes at build time, as resources
    of whatever depends on `:name`: made again only when the script, what it imports or its
    lock changes; never at start-up, never from the network."""
    adhoc_tool(
        name=f"{name}-export",
        runnable=f"./{script}",
        args=[name],
        output_directories=[name],
    )
    experimental_wrap_as_resources(name=name, inputs=[f":{name}-export"])


def folder_tests(**kwargs):
    """A folder's test files (`python_tests(name="tests")`), run in shared pytest processes: Pants
    batches the files whose fields agree, so a process, its imports and its session fixtures are
    paid per batch, not per file. The tag keeps each batch inside its folder, so that folders
    still run side by side."""
    python_tests(name="tests", batch_compatibility_tag=str(build_file_dir()), **kwargs)

#!/usr/bin/env bash
# Takes dependency updates on purpose: regenerates every lock against today's index, checks the
# result (metadata, no CUDA) and prints what moved. Run by the scheduled update-locks workflow,
# or by hand; then run `./pants test ::` and commit the locks with the summary it prints.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

before="$(mktemp -d)"
trap 'rm -rf "${before}"' EXIT
cp 3rdparty/python/*.lock "${before}/"
./pants generate-lockfiles "$@"
./pants run scripts/check_locks.py

# One line per package whose locked version changed: "resolve: name old -> new".
python3 - "${before}" 3rdparty/python <<'PY'
import json, pathlib, sys

def versions(path):
    body = path.read_text().split("// --- END PANTS LOCKFILE METADATA ---", 1)[1]
    resolves = json.loads(body)["locked_resolves"]
    return {p["project_name"]: p["version"] for r in resolves for p in r["locked_requirements"]}

moved = 0
for new in sorted(pathlib.Path(sys.argv[2]).glob("*.lock")):
    old, now = versions(pathlib.Path(sys.argv[1]) / new.name), versions(new)
    for name in sorted(set(old) | set(now)):
        if old.get(name) != now.get(name):
            moved += 1
            print(f"{new.stem}: {name} {old.get(name, '(new)')} -> {now.get(name, '(gone)')}")
print(f"update-locks: {moved} package versions changed")
PY

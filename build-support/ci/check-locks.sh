#!/usr/bin/env bash
# Regenerates every lockfile and fails if any differs from the committed one: locks are made by
# Pants from the requirements files, never edited by hand, and reproducible.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
./pants generate-lockfiles
if ! git diff --exit-code --stat -- 3rdparty/python/; then
  echo "check-locks: the committed lockfiles differ from what Pants generates (see above)"
  exit 1
fi
echo "check-locks: every lockfile reproduced byte for byte"
if grep -l -i -E '"(nvidia-|triton)' 3rdparty/python/*.lock; then
  echo "check-locks: a lock holds CUDA packages"
  exit 1
fi

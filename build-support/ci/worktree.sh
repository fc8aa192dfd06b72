# shellcheck shell=bash
# Sourced by the proofs that work in a throw-away worktree of HEAD (prove-*.sh).

# worktree_of_head REPO DIR: a detached worktree of REPO's HEAD in DIR (an empty folder). The
# proofs make theirs side by side, and once one failed at once without a word (git's message was
# thrown away): tried three times, and git's own message shown if it still fails.
worktree_of_head() {
  local attempt error=""
  for attempt in 1 2 3; do
    if error="$(git -C "$1" worktree add --detach --force "$2" HEAD 2>&1 >/dev/null)"; then
      return 0
    fi
    echo "git worktree add (attempt ${attempt}): ${error}" >&2
    git -C "$1" worktree prune >/dev/null 2>&1 || true
    sleep "${attempt}"
  done
  echo "cannot make a worktree of ${1} in ${2}" >&2
  return 1
}

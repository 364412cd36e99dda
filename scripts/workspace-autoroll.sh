#!/bin/sh
# The workspace autoroller, as a CI job runs it (see docs/workspace-autoroll.md):
#
#   1. sync the workspace to the project's pins,
#   2. roll every tracked dependency to its next green point
#      (`nvgpu workspace roll --all --json --commit --branch NAME`),
#   3. run the project's check once more on the rolled combination,
#   4. push the branch (unless --no-push).
#
# Usage: scripts/workspace-autoroll.sh [--project DIR] [--branch NAME] [--remote NAME]
#                                      [--report FILE] [--no-push] [-- SYNC-ARGS...]
# Environment: NVGPU (the nvgpu executable; default: nvgpu on PATH).
# Output: the roll report (JSON, one record per dependency) on stdout or in --report FILE;
# status lines on stderr. Exit status: 0 when nothing needed rolling or the rolled branch
# passed and was pushed; 1 when a roll failed or conflicted (what did roll is still
# committed and pushed when the check passes), 2 when the final check failed (nothing
# pushed), 3 on a usage or setup error.
set -eu

NVGPU=${NVGPU:-nvgpu}
project=.
branch="autoroll/$(date -u +%Y%m%d-%H%M%S)"
remote=origin
report=
push=1
while [ $# -gt 0 ]; do
  case "$1" in
    --project) project=$2; shift 2 ;;
    --branch) branch=$2; shift 2 ;;
    --remote) remote=$2; shift 2 ;;
    --report) report=$2; shift 2 ;;
    --no-push) push=0; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "workspace-autoroll: unknown argument $1" >&2; exit 3 ;;
  esac
done

say() { echo "workspace-autoroll: $*" >&2; }

cd "$project" || exit 3
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { say "$project is not a git checkout"; exit 3; }
before=$(git rev-parse HEAD)

say "syncing the workspace"
"$NVGPU" workspace sync "$@" >&2 || { say "sync failed"; exit 3; }

say "rolling every tracked dependency onto branch $branch"
json=$(mktemp)
trap 'rm -f "$json"' EXIT
roll_status=0
"$NVGPU" workspace roll --all --json --commit --branch "$branch" >"$json" || roll_status=$?
if [ -n "$report" ]; then cp "$json" "$report"; else cat "$json"; fi

after=$(git rev-parse HEAD)
if [ "$after" = "$before" ]; then
  if [ "$roll_status" -eq 0 ]; then say "nothing to roll"; exit 0; fi
  say "no roll succeeded (roll exited $roll_status)"; exit 1
fi

say "checking the rolled combination"
"$NVGPU" workspace check >&2 || { say "the project's check fails on $branch; not pushed"; exit 2; }

if [ "$push" -eq 1 ]; then
  say "pushing $branch to $remote"
  git push --quiet --force "$remote" "HEAD:refs/heads/$branch" >&2
fi
say "rolled: $(git log -1 --format=%s)"
[ "$roll_status" -eq 0 ] || exit 1
exit 0

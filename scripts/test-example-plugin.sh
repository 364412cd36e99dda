#!/usr/bin/env bash
# Builds and tests the out-of-tree example plugin (examples/plugin: its own SwiftPM package,
# its own .build, a path dependency on this repository), runs its demo and checks the result.
# Usage: scripts/test-example-plugin.sh   (CONFIGURATION=release for a release build)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package="$root/examples/plugin"
configuration="${CONFIGURATION:-debug}"
start=$(date +%s)

swift build --package-path "$package" -c "$configuration" --product example-plugin-demo
swift test --package-path "$package" -c "$configuration"
output="$(swift run --package-path "$package" -c "$configuration" --skip-build example-plugin-demo)"
echo "$output"

# x * x + 1 for x = [1, -2, 3.5, 0.25].
expected='result: 4xf32=[2 5 13.25 1.0625]'
if ! grep -qF "$expected" <<<"$output"; then
    echo "test-example-plugin: expected '$expected' in the demo's output" >&2
    exit 1
fi
if grep -q 'example.square' <<<"$(grep -v '^active plugins\|^passes' <<<"$output")"; then
    echo "test-example-plugin: example.square survived compilation" >&2
    exit 1
fi
echo "test-example-plugin: ok ($(( $(date +%s) - start )) s)"

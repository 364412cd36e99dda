#!/usr/bin/env bash
# Builds the release artifacts of one version into dist/ (or --out DIR):
#
#   openxla_nvgpu_pjrt-<version>-py3-none-<platform>.whl   the JAX plugin (scripts/build_wheel.sh)
#   nvgpu-<version>-<os>-<arch>.tar.gz                      the `nvgpu` CLI, built with the Swift
#                                                           runtime linked in (--static-swift-stdlib),
#                                                           as nvgpu-<version>-<os>-<arch>/bin/nvgpu
#   SHA256SUMS                                              sha256sum of the two, for `sha256sum -c`
#
# The version is the one in python/jax_plugins/nvgpu/version.py.
#
#   scripts/release.sh [--scratch-path DIR] [--out DIR] [--prebuilt-plugin LIB.so] [--prebuilt-cli BIN]
#
#   --scratch-path DIR     SwiftPM scratch directory for both builds (default: SwiftPM's .build)
#   --prebuilt-plugin LIB  package this libopenxla_nvgpu_pjrt.so instead of building it
#   --prebuilt-cli BIN     package this nvgpu binary instead of building it
#
# Environment: PYTHON (default python3), NVGPU_SWIFT_BUILD_FLAGS (extra `swift build` flags),
# NVGPU_WHEEL_PLATFORM (the wheel's platform tag, see build_wheel.sh --platform).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

OUT=dist
SCRATCH=""
PREBUILT_PLUGIN=""
PREBUILT_CLI=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --scratch-path) SCRATCH="$(realpath -m "$2")"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --prebuilt-plugin) PREBUILT_PLUGIN="$(realpath "$2")"; shift 2 ;;
        --prebuilt-cli) PREBUILT_CLI="$(realpath "$2")"; shift 2 ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "release.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
mkdir -p "$OUT"
OUT="$(realpath "$OUT")"

VERSION="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' python/jax_plugins/nvgpu/version.py)"
[[ -n "$VERSION" ]] || { echo "release.sh: no __version__ in python/jax_plugins/nvgpu/version.py" >&2; exit 1; }
OS="$(uname -s | tr '[:upper:]' '[:lower:]')"
ARCH="$(uname -m)"
NAME="nvgpu-$VERSION-$OS-$ARCH"
echo "== release $VERSION for $OS-$ARCH into $OUT"

# 1. The wheel.
wheel_args=(--out "$OUT")
[[ -n "$SCRATCH" ]] && wheel_args+=(--scratch-path "$SCRATCH")
[[ -n "$PREBUILT_PLUGIN" ]] && wheel_args+=(--prebuilt "$PREBUILT_PLUGIN")
scripts/build_wheel.sh "${wheel_args[@]}"
shopt -s nullglob
wheels=("$OUT"/openxla_nvgpu_pjrt-"$VERSION"-py3-none-*.whl)
WHEEL="$(basename "${wheels[0]}")"

# 2. The CLI tarball.
if [[ -n "$PREBUILT_CLI" ]]; then
    CLI="$PREBUILT_CLI"
else
    swift_flags=(-c release --static-swift-stdlib)
    [[ -n "$SCRATCH" ]] && swift_flags+=(--scratch-path "$SCRATCH")
    # shellcheck disable=SC2206
    swift_flags+=(${NVGPU_SWIFT_BUILD_FLAGS:-})
    echo "== swift build ${swift_flags[*]} --product nvgpu"
    swift build "${swift_flags[@]}" --product nvgpu
    CLI="$(swift build "${swift_flags[@]}" --show-bin-path)/nvgpu"
fi
[[ -x "$CLI" ]] || { echo "release.sh: no executable $CLI" >&2; exit 1; }
needed="$(readelf -d "$CLI" 2>/dev/null || true)"
if [[ -n "$(grep -E '\[lib(swift|Foundation|dispatch|BlocksRuntime)' <<<"$needed")" ]]; then
    echo "release.sh: $CLI links the Swift runtime dynamically; build it with --static-swift-stdlib" >&2
    exit 1
fi
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$NAME/bin"
cp "$CLI" "$stage/$NAME/bin/nvgpu"
for doc in README.md LICENSE LICENSE.txt NOTICE; do
    [[ -f "$doc" ]] && cp "$doc" "$stage/$NAME/"
done
# Reproducible-ish: fixed owner and order, mtime of the last commit when there is one.
mtime="$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" \
    -czf "$OUT/$NAME.tar.gz" "$NAME"
TARBALL="$NAME.tar.gz"

# 3. Checksums of this release's artifacts.
(cd "$OUT" && sha256sum "$WHEEL" "$TARBALL" > SHA256SUMS && sha256sum -c --quiet SHA256SUMS)
echo "== artifacts in ${OUT#"$ROOT"/}:"
(cd "$OUT" && ls -l "$WHEEL" "$TARBALL" SHA256SUMS && cat SHA256SUMS)

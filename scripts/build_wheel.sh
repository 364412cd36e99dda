#!/usr/bin/env bash
# Builds the binary wheel of the JAX plugin, openxla_nvgpu_pjrt-<version>-py3-none-<platform>.whl,
# into dist/ (or --out DIR). The wheel holds libopenxla_nvgpu_pjrt.so built with the Swift
# standard library linked in (-static-stdlib), so it installs and runs on a machine with no
# Swift: `pip install dist/openxla_nvgpu_pjrt-*.whl`. See docs/jax.md.
#
#   scripts/build_wheel.sh [--prebuilt LIB.so] [--scratch-path DIR] [--out DIR]
#
#   --prebuilt LIB.so    package this library instead of building it (= NVGPU_PJRT_PREBUILT)
#   --scratch-path DIR   SwiftPM scratch directory for the build (= NVGPU_SWIFT_SCRATCH_PATH;
#                        default: SwiftPM's .build)
#   --out DIR            where the wheel goes (default: dist)
#   --platform TAG       the wheel's platform tag (= NVGPU_WHEEL_PLATFORM; default linux_<arch>,
#                        which PyPI refuses): e.g. manylinux_2_35_x86_64; the script prints the
#                        newest glibc version the library needs, which decides the 2_N
#
# Environment: PYTHON (default python3; needs pip; the build pulls setuptools and wheel into
# pip's isolated build environment), NVGPU_SWIFT_BUILD_FLAGS (extra `swift build` flags).
# Fails when the library still needs Swift runtime libraries (libswiftCore.so, libFoundation.so…).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

OUT=dist
while [[ $# -gt 0 ]]; do
    case "$1" in
        --prebuilt) export NVGPU_PJRT_PREBUILT="$(realpath "$2")"; shift 2 ;;
        --scratch-path) export NVGPU_SWIFT_SCRATCH_PATH="$(realpath -m "$2")"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --platform) export NVGPU_WHEEL_PLATFORM="$2"; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "build_wheel.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
PYTHON="${PYTHON:-python3}"
mkdir -p "$OUT"
OUT="$(realpath "$OUT")"

VERSION="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' python/jax_plugins/nvgpu/version.py)"
[[ -n "$VERSION" ]] || { echo "build_wheel.sh: no __version__ in python/jax_plugins/nvgpu/version.py" >&2; exit 1; }

# A stale build/ could carry an old library into the wheel.
rm -rf python/build python/*.egg-info
rm -f "$OUT"/openxla_nvgpu_pjrt-"$VERSION"-*.whl

echo "== building openxla-nvgpu-pjrt $VERSION wheel into $OUT"
# -v shows the `swift build` output as it goes (a cold build takes minutes).
"$PYTHON" -m pip wheel -v --no-deps --disable-pip-version-check --wheel-dir "$OUT" ./python
rm -rf python/build python/*.egg-info

shopt -s nullglob
wheels=("$OUT"/openxla_nvgpu_pjrt-"$VERSION"-py3-none-*.whl)
[[ ${#wheels[@]} -eq 1 ]] || { echo "build_wheel.sh: expected one wheel, found: ${wheels[*]:-none}" >&2; exit 1; }
WHEEL="${wheels[0]}"

# The library must not need the Swift runtime: a machine with no Swift has none.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" - "$WHEEL" "$tmp" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as whl:
    whl.extract("jax_plugins/nvgpu/libopenxla_nvgpu_pjrt.so", sys.argv[2])
EOF
LIB="$tmp/jax_plugins/nvgpu/libopenxla_nvgpu_pjrt.so"
if command -v readelf >/dev/null && readelf -h "$LIB" >/dev/null 2>&1; then
    needed="$(readelf -d "$LIB" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
    echo "library needs: $(echo $needed)"
    # (grep reads all of its input here: with pipefail, `cmd | grep -q` can fail on SIGPIPE)
    if [[ -n "$(grep -E '^lib(swift|Foundation|dispatch|BlocksRuntime)' <<<"$needed")" ]]; then
        echo "build_wheel.sh: the library links the Swift runtime dynamically; build it with" \
             "-Xswiftc -static-stdlib (removed $WHEEL)" >&2
        rm -f "$WHEEL"
        exit 1
    fi
    symbols="$(readelf --dyn-syms -W "$LIB")"
    glibc="$(grep -o 'GLIBC_[0-9.]*' <<<"$symbols" | sed 's/GLIBC_//' | sort -uV | tail -n 1)"
    echo "newest glibc symbol version needed: ${glibc:-none} (so the lowest platform tag it may claim is manylinux_${glibc//./_}_$(uname -m))"
    if [[ -z "$(grep -E ' GetPjrtApi$' <<<"$symbols")" ]]; then
        echo "build_wheel.sh: the library does not export GetPjrtApi (removed $WHEEL)" >&2
        rm -f "$WHEEL"
        exit 1
    fi
else
    echo "warning: could not inspect $LIB (no readelf, or not an ELF file)" >&2
fi
echo "wheel: ${WHEEL#"$ROOT"/}"

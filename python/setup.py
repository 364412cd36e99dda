"""Build steps of openxla-nvgpu-pjrt that pyproject.toml cannot state.

* ``build_py`` also puts ``libopenxla_nvgpu_pjrt.so`` into the package:
  - ``NVGPU_PJRT_PREBUILT=/path/to/libopenxla_nvgpu_pjrt.so``: copies that file (no Swift
    needed);
  - otherwise runs ``swift build -c release --product openxla_nvgpu_pjrt -Xswiftc
    -static-stdlib`` in the Swift package (the parent directory of this one, or
    ``NVGPU_SWIFT_PACKAGE_DIR``) and copies the library from ``--show-bin-path``.
    ``NVGPU_SWIFT_SCRATCH_PATH`` passes ``--scratch-path`` (default: SwiftPM's ``.build``),
    ``NVGPU_SWIFT_BUILD_FLAGS`` adds flags (split like a shell would).
* ``bdist_wheel`` tags the wheel ``py3-none-<platform>`` (e.g. ``py3-none-linux_x86_64``):
  the library is platform-specific but does not link against Python. ``NVGPU_WHEEL_PLATFORM``
  replaces the platform tag (e.g. ``manylinux_2_35_x86_64``: the newest glibc symbol version
  the library needs decides the N of manylinux_2_N).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py as _build_py
from setuptools.dist import Distribution

try:  # setuptools >= 70.1 carries bdist_wheel itself
    from setuptools.command.bdist_wheel import bdist_wheel as _bdist_wheel
except ImportError:  # older setuptools: the `wheel` package (listed in build-system.requires)
    from wheel.bdist_wheel import bdist_wheel as _bdist_wheel

HERE = Path(__file__).resolve().parent
PACKAGE = "jax_plugins.nvgpu"
PACKAGE_DIR = Path("jax_plugins") / "nvgpu"
LIBRARY_NAME = "libopenxla_nvgpu_pjrt.so"
PRODUCT = "openxla_nvgpu_pjrt"


def _log(message: str) -> None:
    print(f"openxla-nvgpu-pjrt: {message}", file=sys.stderr, flush=True)


def _swift_package_dir() -> Path:
    override = os.environ.get("NVGPU_SWIFT_PACKAGE_DIR", "").strip()
    root = Path(override).expanduser().resolve() if override else HERE.parent
    if not (root / "Package.swift").is_file():
        raise SystemExit(
            f"openxla-nvgpu-pjrt: no Package.swift in {root}. Build the package from a "
            "checkout of the openxla-nvgpu repository (`pip install ./python` in its root), "
            "set NVGPU_SWIFT_PACKAGE_DIR to the repository, or set NVGPU_PJRT_PREBUILT to a "
            f"built {LIBRARY_NAME}."
        )
    return root


def _swift_build_library() -> Path:
    swift = shutil.which("swift")
    if swift is None:
        raise SystemExit(
            "openxla-nvgpu-pjrt: `swift` is not on PATH. Install Swift 6.3 to build the plugin "
            f"library, or set NVGPU_PJRT_PREBUILT to a built {LIBRARY_NAME} (or install a "
            "binary wheel made by scripts/build_wheel.sh)."
        )
    root = _swift_package_dir()
    common = ["-c", "release", "-Xswiftc", "-static-stdlib"]
    scratch = os.environ.get("NVGPU_SWIFT_SCRATCH_PATH", "").strip()
    if scratch:
        common += ["--scratch-path", scratch]
    common += shlex.split(os.environ.get("NVGPU_SWIFT_BUILD_FLAGS", ""))
    build = [swift, "build", *common, "--product", PRODUCT]
    _log(f"building the plugin library in {root}: {shlex.join(build)}")
    subprocess.run(build, cwd=root, check=True)
    bin_path = subprocess.run(
        [swift, "build", *common, "--show-bin-path"],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]
    library = Path(bin_path) / LIBRARY_NAME
    if not library.is_file():
        raise SystemExit(
            f"openxla-nvgpu-pjrt: `swift build` succeeded but {library} does not exist "
            f"(is `{PRODUCT}` a dynamic library product in Package.swift?)"
        )
    return library


def plugin_library() -> Path:
    """The library to package: NVGPU_PJRT_PREBUILT, or a fresh SwiftPM build."""
    prebuilt = os.environ.get("NVGPU_PJRT_PREBUILT", "").strip()
    if prebuilt:
        path = Path(prebuilt).expanduser().resolve()
        if not path.is_file():
            raise SystemExit(f"openxla-nvgpu-pjrt: NVGPU_PJRT_PREBUILT={prebuilt!r}: no such file")
        _log(f"packaging the prebuilt library {path}")
        return path
    return _swift_build_library()


class build_py(_build_py):
    """build_py that also builds (or takes) the plugin library and puts it in the package."""

    def run(self) -> None:
        super().run()
        library = plugin_library()
        if getattr(self, "editable_mode", False):
            target_dir = HERE / PACKAGE_DIR  # editable installs import from the source tree
        else:
            target_dir = Path(self.build_lib) / PACKAGE_DIR
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / LIBRARY_NAME
        if target.exists():
            target.unlink()
        shutil.copyfile(library, target)
        os.chmod(target, 0o755)
        _log(f"copied {library} -> {target}")

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        library = str(Path(self.build_lib) / PACKAGE_DIR / LIBRARY_NAME)
        if library not in outputs:
            outputs.append(library)
        return outputs


class BinaryDistribution(Distribution):
    """Has a native library: setuptools builds into the platlib tree and the wheel is not pure."""

    def has_ext_modules(self) -> bool:
        return True


class bdist_wheel(_bdist_wheel):
    """A platform wheel (the package holds a native library) for any Python 3."""

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        # e.g. manylinux_2_35_x86_64 for an upload (linux_* wheels are for local use only)
        platform = os.environ.get("NVGPU_WHEEL_PLATFORM", "").strip() or platform
        return "py3", "none", platform


setup(distclass=BinaryDistribution, cmdclass={"build_py": build_py, "bdist_wheel": bdist_wheel})

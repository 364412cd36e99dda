"""The Python package itself (python/): library lookup, options, registration, metadata
and the wheel build. Needs no plugin library (a stand-in file is enough)."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import harness

pytestmark = pytest.mark.no_plugin

PYTHON_DIR = harness.PYTHON_DIR


def _import_package():
    try:
        return importlib.import_module("jax_plugins.nvgpu")
    except ImportError:
        sys.path.insert(0, str(PYTHON_DIR))
        importlib.invalidate_caches()
        return importlib.import_module("jax_plugins.nvgpu")


@pytest.fixture
def pkg(monkeypatch):
    for var in ("NVGPU_PJRT_LIBRARY", "NVGPU_DEVICE", "NVGPU_PJRT_PRIORITY"):
        monkeypatch.delenv(var, raising=False)
    return _import_package()


def test_library_path_env_override(pkg, tmp_path, monkeypatch):
    lib = tmp_path / "libcustom.so"
    lib.write_bytes(b"\x7fELF")
    monkeypatch.setenv("NVGPU_PJRT_LIBRARY", str(lib))
    assert pkg.library_path() == str(lib.resolve())


def test_library_path_env_override_missing(pkg, tmp_path, monkeypatch):
    monkeypatch.setenv("NVGPU_PJRT_LIBRARY", str(tmp_path / "nope.so"))
    with pytest.raises(pkg.PluginLibraryNotFoundError, match="NVGPU_PJRT_LIBRARY"):
        pkg.library_path()


def test_library_path_package_copy(pkg, tmp_path, monkeypatch):
    fake_init = tmp_path / "__init__.py"
    monkeypatch.setattr(pkg, "__file__", str(fake_init))
    with pytest.raises(pkg.PluginLibraryNotFoundError) as info:
        pkg.library_path()
    assert "pip install ./python" in str(info.value) and "NVGPU_PJRT_LIBRARY" in str(info.value)
    (tmp_path / pkg.LIBRARY_NAME).write_bytes(b"\x7fELF")
    assert pkg.library_path() == str((tmp_path / pkg.LIBRARY_NAME).resolve())


@pytest.mark.parametrize("value,expected", [(None, {}), ("", {}), ("cpu", {"device": "cpu"}),
                                            ("CUDA", {"device": "cuda"}),
                                            (" auto ", {"device": "auto"})])
def test_client_options(pkg, value, expected):
    env = {} if value is None else {"NVGPU_DEVICE": value}
    assert pkg.client_options(env) == expected


def test_client_options_rejects_unknown_device(pkg):
    with pytest.raises(ValueError, match="NVGPU_DEVICE"):
        pkg.client_options({"NVGPU_DEVICE": "tpu"})


def test_initialize_registers_plugin(pkg, tmp_path, monkeypatch):
    from jax._src import xla_bridge

    lib = tmp_path / pkg.LIBRARY_NAME
    lib.write_bytes(b"\x7fELF")
    calls = []
    monkeypatch.setattr(xla_bridge, "register_plugin",
                        lambda name, **kw: calls.append((name, kw)))
    monkeypatch.setenv("NVGPU_PJRT_LIBRARY", str(lib))
    monkeypatch.setenv("NVGPU_DEVICE", "cpu")
    monkeypatch.setenv("NVGPU_PJRT_PRIORITY", "123")
    pkg.initialize()
    assert calls == [("nvgpu", {"priority": 123, "library_path": str(lib.resolve()),
                                "options": {"device": "cpu"}})]


def test_initialize_without_library_raises_clear_error(pkg, tmp_path, monkeypatch):
    monkeypatch.setattr(pkg, "__file__", str(tmp_path / "__init__.py"))
    with pytest.raises(pkg.PluginLibraryNotFoundError, match="libopenxla_nvgpu_pjrt.so"):
        pkg.initialize()


def _pyproject():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        pytest.skip("tomllib needs Python 3.11")
    return tomllib.loads((PYTHON_DIR / "pyproject.toml").read_text())


def test_pyproject_metadata():
    meta = _pyproject()
    project = meta["project"]
    assert project["name"] == "openxla-nvgpu-pjrt"
    assert project["entry-points"]["jax_plugins"] == {"nvgpu": "jax_plugins.nvgpu"}
    assert any(re.fullmatch(r"jax>=\d+\.\d+(\.\d+)?", d) for d in project["dependencies"])
    assert "version" in project["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"]["attr"] == \
        "jax_plugins.nvgpu.version.__version__"
    # jax_plugins is a namespace package shared by all plugins.
    assert not (PYTHON_DIR / "jax_plugins" / "__init__.py").exists()


def test_version_is_pep440(pkg):
    assert re.fullmatch(r"\d+\.\d+\.\d+([abc]|rc\d+|\.dev\d+|\.post\d+)?", pkg.__version__)


def _can_build_wheel_offline():
    try:
        import setuptools  # noqa: F401
        try:
            import setuptools.command.bdist_wheel  # noqa: F401
        except ImportError:
            import wheel.bdist_wheel  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("platform", [None, "manylinux_2_35_x86_64"])
def test_wheel_with_prebuilt_library(tmp_path, platform):
    """`pip wheel ./python` with NVGPU_PJRT_PREBUILT: a py3-none-<platform> wheel holding the
    library, the entry point and the namespace package layout. Uses the installed setuptools
    and wheel when they can build wheels; else pip's isolated build environment (PyPI),
    unless NVGPU_TEST_OFFLINE=1."""
    if _can_build_wheel_offline():
        isolation = ["--no-build-isolation"]
    elif os.environ.get("NVGPU_TEST_OFFLINE") == "1":
        pytest.skip("needs setuptools + wheel installed, or PyPI (NVGPU_TEST_OFFLINE=1)")
    else:
        isolation = []
    fake = tmp_path / "libopenxla_nvgpu_pjrt.so"
    fake.write_bytes(b"\x7fELF stand-in")
    out = tmp_path / "dist"
    work = tmp_path / "src"
    # Build from a copy so that the source tree gets no build/ or egg-info litter.
    subprocess.run(["cp", "-r", str(PYTHON_DIR), str(work)], check=True)
    for stale in ("build", "openxla_nvgpu_pjrt.egg-info", "jax_plugins/nvgpu/libopenxla_nvgpu_pjrt.so"):
        subprocess.run(["rm", "-rf", str(work / stale)], check=True)
    env = dict(os.environ, NVGPU_PJRT_PREBUILT=str(fake), PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("NVGPU_WHEEL_PLATFORM", None)
    if platform:
        env["NVGPU_WHEEL_PLATFORM"] = platform
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation,
         "--wheel-dir", str(out), str(work)],
        env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    name = wheels[0].name
    expected_platform = platform or r"linux_\w+"
    assert re.fullmatch(rf"openxla_nvgpu_pjrt-[^-]+-py3-none-{expected_platform}\.whl", name), name
    with zipfile.ZipFile(wheels[0]) as whl:
        names = whl.namelist()
        assert "jax_plugins/nvgpu/libopenxla_nvgpu_pjrt.so" in names
        assert whl.read("jax_plugins/nvgpu/libopenxla_nvgpu_pjrt.so") == fake.read_bytes()
        assert "jax_plugins/nvgpu/__init__.py" in names
        assert "jax_plugins/__init__.py" not in names
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        entry_points = whl.read(f"{dist_info}/entry_points.txt").decode()
        assert "[jax_plugins]" in entry_points and "nvgpu = jax_plugins.nvgpu" in entry_points
        wheel_meta = whl.read(f"{dist_info}/WHEEL").decode()
        assert "Root-Is-Purelib: false" in wheel_meta
        assert f"Tag: py3-none-{platform or 'linux'}" in wheel_meta

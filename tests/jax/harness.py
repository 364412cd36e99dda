"""Shared machinery of the JAX plugin tests: finding the plugin, picking the devices, and
running one function on the plugin and on JAX's own CPU backend to compare the results.

`configure_environment()` must run before `jax` is imported (conftest.py does it); the
other helpers import jax lazily.

Environment variables:

NVGPU_TEST_DEVICE = auto | cuda | cpu
    Where the plugin runs the programs (becomes the plugin's NVGPU_DEVICE). Default: leave
    NVGPU_DEVICE as it is (the plugin's default is auto: CUDA when there is a GPU).
NVGPU_PJRT_LIBRARY
    The plugin library to test. Default: the library installed with the jax_plugins.nvgpu
    package, else the repository's `.build/release/libopenxla_nvgpu_pjrt.so`.
NVGPU_TEST_REQUIRE_PLUGIN = 1
    Fail (instead of skip) when the plugin library cannot be found.
NVGPU_TEST_SELF_CHECK = 1
    Development mode that tests the tests: the "nvgpu" device is JAX's CPU device, so every
    comparison is CPU against CPU. Never set it when testing the plugin.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parents[2]
PYTHON_DIR = REPO_ROOT / "python"
LIBRARY_NAME = "libopenxla_nvgpu_pjrt.so"
PLATFORM = "nvgpu"

SELF_CHECK = os.environ.get("NVGPU_TEST_SELF_CHECK", "") == "1"
REQUIRE_PLUGIN = os.environ.get("NVGPU_TEST_REQUIRE_PLUGIN", "") == "1"


class Setup:
    """What configure_environment() found."""

    library: str | None = None  # the plugin library the tests load
    library_source: str = ""  # where it came from, for the report header
    missing_reason: str | None = None  # why the plugin tests are skipped
    configured: bool = False


SETUP = Setup()


def _installed_package_library() -> Path | None:
    try:
        spec = importlib.util.find_spec("jax_plugins.nvgpu")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / LIBRARY_NAME
        if candidate.is_file():
            return candidate
    return None


def _package_importable() -> bool:
    try:
        return importlib.util.find_spec("jax_plugins.nvgpu") is not None
    except (ImportError, ValueError):
        return False


def _prepend_env_path(name: str, value: str) -> None:
    parts = [p for p in os.environ.get(name, "").split(os.pathsep) if p]
    if value not in parts:
        os.environ[name] = os.pathsep.join([value, *parts])


def configure_environment() -> Setup:
    """Finds the plugin and sets the environment JAX reads at start-up. Idempotent."""
    if SETUP.configured:
        return SETUP
    SETUP.configured = True
    if "jax" in sys.modules:
        raise RuntimeError("harness.configure_environment() must run before jax is imported")

    if SELF_CHECK:
        # Only JAX's CPU backend; "nvgpu" means the CPU device (see nv_device()).
        os.environ["JAX_PLATFORMS"] = "cpu"
        SETUP.library_source = "self-check mode: no plugin, CPU compared with CPU"
        return SETUP

    test_device = os.environ.get("NVGPU_TEST_DEVICE", "").strip().lower()
    if test_device:
        if test_device not in ("auto", "cuda", "cpu"):
            raise RuntimeError(f"NVGPU_TEST_DEVICE={test_device!r}: expected auto, cuda or cpu")
        os.environ["NVGPU_DEVICE"] = test_device

    if os.environ.get("NVGPU_DEVICE", "").strip().lower() == "cuda":
        # Like XLA:GPU, the plugin computes f32 dots of DEFAULT precision in TF32 on the GPU;
        # asking for HIGHEST makes f32 results comparable with JAX's CPU at f32 tolerances.
        os.environ.setdefault("JAX_DEFAULT_MATMUL_PRECISION", "highest")

    explicit = os.environ.get("NVGPU_PJRT_LIBRARY", "").strip()
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            SETUP.missing_reason = f"NVGPU_PJRT_LIBRARY={explicit!r} does not exist"
        else:
            SETUP.library, SETUP.library_source = str(path.resolve()), "NVGPU_PJRT_LIBRARY"
    elif (installed := _installed_package_library()) is not None:
        SETUP.library, SETUP.library_source = str(installed), "installed jax_plugins.nvgpu package"
    else:
        built = REPO_ROOT / ".build" / "release" / LIBRARY_NAME
        if built.is_file():
            SETUP.library, SETUP.library_source = str(built.resolve()), "repository .build/release"
            os.environ["NVGPU_PJRT_LIBRARY"] = SETUP.library
        else:
            SETUP.missing_reason = (
                f"no {LIBRARY_NAME}: not installed with the jax_plugins.nvgpu package, no "
                f"NVGPU_PJRT_LIBRARY, and not built at {built} (build it with `swift build -c "
                "release --product openxla_nvgpu_pjrt -Xswiftc -static-stdlib`, or install "
                "the package with `pip install ./python`)"
            )

    if SETUP.library is None:
        # JAX must still start (the package tests run without the plugin).
        os.environ["JAX_PLATFORMS"] = "cpu"
        return SETUP

    # Make `import jax_plugins.nvgpu` work from the source tree when it is not installed;
    # PYTHONPATH carries it to the subprocess tests.
    if not _package_importable():
        sys.path.insert(0, str(PYTHON_DIR))
        importlib.invalidate_caches()
        _prepend_env_path("PYTHONPATH", str(PYTHON_DIR))
    _prepend_env_path("PYTHONPATH", str(Path(__file__).resolve().parent))

    platforms = [p for p in os.environ.get("JAX_PLATFORMS", "").split(",") if p]
    if not platforms:
        platforms = [PLATFORM, "cpu"]
    for needed in (PLATFORM, "cpu"):
        if needed not in platforms:
            platforms.append(needed)
    os.environ["JAX_PLATFORMS"] = ",".join(platforms)
    return SETUP


def diagnose_library(path: str | None) -> str:
    """Why a plugin library may not load: dlopen's error, or a missing GetPjrtApi."""
    import ctypes

    if not path:
        return "no library"
    try:
        lib = ctypes.CDLL(path)
    except OSError as err:
        return f"dlopen failed: {err}"
    if not hasattr(lib, "GetPjrtApi"):
        return f"{path} loads but does not export GetPjrtApi"
    return (f"{path} loads and exports GetPjrtApi; see the 'Jax plugin configuration error' "
            "logged above for what went wrong in jax_plugins.nvgpu.initialize() or the PJRT client")


# ---------------------------------------------------------------------------------------
# Devices


def nv_device():
    """The device under test: the plugin's first device (the CPU device in self-check)."""
    import jax

    if SELF_CHECK:
        return jax.devices("cpu")[0]
    return jax.devices(PLATFORM)[0]


def cpu_device():
    """JAX's own CPU device: the reference every result is compared with."""
    import jax

    return jax.devices("cpu")[0]


# ---------------------------------------------------------------------------------------
# Tolerances and comparison


def tolerance(dtype, *, transcendental: bool = False) -> tuple[float, float] | None:
    """(rtol, atol) for a floating dtype; None means compare exactly."""
    import jax.numpy as jnp
    import numpy as np

    dtype = np.dtype(dtype)
    if not jnp.issubdtype(dtype, jnp.inexact):
        return None
    if dtype == jnp.bfloat16:
        return (2e-2, 2e-2)
    if dtype == np.float16:
        return (1e-2, 1e-2)
    if dtype == np.float64 or dtype == np.complex128:
        return (1e-9, 1e-12) if transcendental else (1e-12, 1e-14)
    # float32 / complex64
    return (1e-4, 1e-5) if transcendental else (1e-5, 1e-6)


def assert_trees_close(actual, expected, *, rtol=None, atol=None, transcendental=False,
                       label: str = "") -> None:
    """Same tree structure, dtypes and shapes; values equal (ints, bools) or close (floats)."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    a_leaves, a_tree = jax.tree_util.tree_flatten(actual)
    e_leaves, e_tree = jax.tree_util.tree_flatten(expected)
    assert a_tree == e_tree, f"{label}: tree structure {a_tree} != {e_tree}"
    for i, (a, e) in enumerate(zip(a_leaves, e_leaves)):
        where = f"{label} output leaf {i}"
        a = np.asarray(a)
        e = np.asarray(e)
        assert a.dtype == e.dtype, f"{where}: dtype {a.dtype} != {e.dtype}"
        assert a.shape == e.shape, f"{where}: shape {a.shape} != {e.shape}"
        tol = tolerance(a.dtype, transcendental=transcendental)
        if tol is None:
            np.testing.assert_array_equal(a, e, err_msg=where)
            continue
        r = tol[0] if rtol is None else rtol
        t = tol[1] if atol is None else atol
        if jnp.issubdtype(a.dtype, jnp.complexfloating):
            a64, e64 = a.astype(np.complex128), e.astype(np.complex128)
        else:
            a64, e64 = a.astype(np.float64), e.astype(np.float64)
        np.testing.assert_allclose(a64, e64, rtol=r, atol=t, equal_nan=True, err_msg=where)


# ---------------------------------------------------------------------------------------
# Running


def run_on(device, fn: Callable, *args, jit_kwargs: dict | None = None, check_placement=True):
    """Puts `args` (numpy arrays as they are: strides, dtypes) on `device`, runs
    `jax.jit(fn)` there and returns the outputs copied to the host (numpy)."""
    import jax

    placed = jax.device_put(args, device)
    out = jax.jit(fn, **(jit_kwargs or {}))(*placed)
    out = jax.block_until_ready(out)
    if check_placement:
        for leaf in jax.tree_util.tree_leaves(out):
            if isinstance(leaf, jax.Array):
                assert leaf.devices() == {device}, (
                    f"output on {leaf.devices()}, expected {device}")
    return jax.device_get(out)


def check(fn: Callable, *args, rtol=None, atol=None, transcendental=False,
          jit_kwargs: dict | None = None, label: str | None = None) -> Any:
    """Runs `fn` under jit on the device under test and on JAX's CPU backend; asserts the
    outputs agree (per-dtype tolerances, see tolerance()); returns the plugin's outputs."""
    name = label or getattr(fn, "__name__", repr(fn))
    expected = run_on(cpu_device(), fn, *args, jit_kwargs=jit_kwargs)
    actual = run_on(nv_device(), fn, *args, jit_kwargs=jit_kwargs)
    assert_trees_close(actual, expected, rtol=rtol, atol=atol, transcendental=transcendental,
                       label=name)
    return actual


def rand(shape, dtype, *, seed: int = 0, low=-2.0, high=2.0):
    """Deterministic host data of any dtype (numpy array)."""
    import jax.numpy as jnp
    import numpy as np

    rng = np.random.default_rng(seed + 7919 * len(shape) + sum(shape))
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if jnp.issubdtype(dtype, jnp.integer):
        info = np.iinfo(dtype)
        lo, hi = max(int(low * 10), info.min), min(int(high * 10), info.max)
        if lo >= hi:
            lo, hi = 0, min(20, info.max)
        return rng.integers(lo, hi + 1, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)

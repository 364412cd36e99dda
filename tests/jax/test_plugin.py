"""The plugin is what JAX runs on: discovered, named `nvgpu`, distinct from JAX's CPU."""

from __future__ import annotations

import os

import jax
import numpy as np
import pytest

import harness

pytestmark = pytest.mark.skipif(harness.SELF_CHECK, reason="self-check mode has no plugin")


def test_platform_registered_and_devices():
    devices = jax.devices(harness.PLATFORM)
    assert devices, "the nvgpu backend has no devices"
    for d in devices:
        assert d.platform == harness.PLATFORM, f"{d!r} reports platform {d.platform!r}"
        assert d.device_kind
    assert jax.device_count(harness.PLATFORM) == len(devices)
    assert jax.local_devices(backend=harness.PLATFORM) == devices


def test_device_under_test_is_not_the_cpu_backend():
    """Guards against a vacuous pass: the comparisons must be plugin against CPU."""
    nv, cpu = harness.nv_device(), harness.cpu_device()
    assert nv != cpu
    assert nv.client is not cpu.client
    assert nv.client.platform == harness.PLATFORM


def test_default_backend_is_nvgpu_when_listed_first():
    if os.environ.get("JAX_PLATFORMS", "").split(",")[0] != harness.PLATFORM:
        pytest.skip("JAX_PLATFORMS does not list nvgpu first")
    assert jax.default_backend() == harness.PLATFORM
    out = jax.jit(lambda a: a + 1)(np.float32(1))  # uncommitted input: default device
    assert out.devices() == {jax.devices(harness.PLATFORM)[0]}


def test_plugin_loaded_from_expected_library():
    from jax_plugins import nvgpu

    assert nvgpu.library_path() == harness.SETUP.library


def test_device_kind_matches_requested_device():
    """NVGPU_TEST_DEVICE/NVGPU_DEVICE=cpu must run on the CPU reference backend, cuda on the
    GPU; the device description says which (printed for the log)."""
    d = harness.nv_device()
    print(f"nvgpu device: {d!r}, kind {d.device_kind!r}, NVGPU_DEVICE="
          f"{os.environ.get('NVGPU_DEVICE', '(unset)')}")
    assert isinstance(d.device_kind, str) and d.device_kind


def test_module_main_lists_devices():
    """`python -m jax_plugins.nvgpu` (the installation check in docs/jax.md) finds the library
    and lists the nvgpu devices."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "jax_plugins.nvgpu"], capture_output=True,
                          text=True, timeout=300, env=dict(os.environ))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"library: {harness.SETUP.library}" in proc.stdout, proc.stdout
    assert "device: " in proc.stdout and f"platform='{harness.PLATFORM}'" in proc.stdout

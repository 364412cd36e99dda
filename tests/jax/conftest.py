"""pytest set-up of the JAX plugin suite (see harness.py for the environment variables).

Every test runs a function under `jax.jit` on the nvgpu plugin and on JAX's CPU backend and
compares the results. When the plugin library cannot be found, every test that needs it is
skipped with a loud banner (or fails, with NVGPU_TEST_REQUIRE_PLUGIN=1); the tests of the
Python package itself (test_package.py, marked `no_plugin`) still run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

SETUP = harness.configure_environment()

import pytest  # noqa: E402

BANNER = "!" * 88


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "no_plugin: the test does not need the plugin library (package tests)")
    if SETUP.missing_reason and harness.REQUIRE_PLUGIN:
        raise pytest.UsageError(
            f"NVGPU_TEST_REQUIRE_PLUGIN=1 but the nvgpu PJRT plugin was not found: "
            f"{SETUP.missing_reason}")


def pytest_report_header(config):
    import jax

    lines = [f"jax {jax.__version__}, JAX_PLATFORMS={os.environ.get('JAX_PLATFORMS', '')!r}"]
    if harness.SELF_CHECK:
        lines += [BANNER, "NVGPU_TEST_SELF_CHECK=1: the 'nvgpu' device is JAX's CPU device; "
                  "this run tests the tests, NOT the plugin", BANNER]
    elif SETUP.missing_reason:
        lines += [BANNER, "nvgpu PJRT plugin NOT FOUND: the plugin tests are SKIPPED",
                  SETUP.missing_reason, BANNER]
    else:
        lines.append(f"nvgpu plugin: {SETUP.library} ({SETUP.library_source}), "
                     f"NVGPU_DEVICE={os.environ.get('NVGPU_DEVICE', '(unset)')}")
    return lines


def pytest_sessionstart(session):
    """Fails the run at once, with the reason, when the plugin is there but JAX cannot start
    it (rather than failing every test with the same 'Unknown backend')."""
    if harness.SELF_CHECK or SETUP.missing_reason:
        return
    import jax

    try:
        jax.devices(harness.PLATFORM)
    except Exception as err:  # noqa: BLE001
        pytest.exit(f"{BANNER}\nthe nvgpu PJRT plugin {SETUP.library} did not initialize: {err}\n"
                    f"{harness.diagnose_library(SETUP.library)}\n{BANNER}", returncode=3)


def pytest_collection_modifyitems(config, items):
    if not SETUP.missing_reason:
        return
    skip = pytest.mark.skip(reason=f"nvgpu PJRT plugin not found: {SETUP.missing_reason}")
    for item in items:
        if "no_plugin" not in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if harness.SELF_CHECK:
        terminalreporter.write_line(BANNER, yellow=True, bold=True)
        terminalreporter.write_line(
            "SELF-CHECK MODE (NVGPU_TEST_SELF_CHECK=1): CPU compared with CPU; the nvgpu "
            "plugin was NOT tested", yellow=True, bold=True)
        terminalreporter.write_line(BANNER, yellow=True, bold=True)
    elif SETUP.missing_reason:
        terminalreporter.write_line(BANNER, red=True, bold=True)
        terminalreporter.write_line(
            f"nvgpu PJRT plugin NOT FOUND, its tests were skipped: {SETUP.missing_reason}",
            red=True, bold=True)
        terminalreporter.write_line(BANNER, red=True, bold=True)


@pytest.fixture(scope="session")
def nv():
    """The device under test (the nvgpu plugin's first device)."""
    return harness.nv_device()


@pytest.fixture(scope="session")
def cpu():
    """JAX's CPU device, the reference."""
    return harness.cpu_device()

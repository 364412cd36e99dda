"""`python -m jax_plugins.nvgpu`: says which plugin library JAX would load and lists
the ``nvgpu`` devices (exit status 1 when the plugin cannot be loaded)."""

from __future__ import annotations

import os
import sys


def main() -> int:
    from . import __version__, client_options, library_path, PluginLibraryNotFoundError

    print(f"openxla-nvgpu-pjrt {__version__}")
    try:
        print(f"library: {library_path()}")
        print(f"client options: {client_options()}")
    except (PluginLibraryNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    os.environ.setdefault("JAX_PLATFORMS", "nvgpu")
    import jax

    try:
        devices = jax.devices("nvgpu")
    except Exception as err:  # noqa: BLE001 - report whatever JAX raised
        print(f"error: JAX could not initialize the nvgpu backend: {err}", file=sys.stderr)
        return 1
    print(f"jax {jax.__version__}")
    for device in devices:
        print(f"device: {device!r} kind={device.device_kind!r} platform={device.platform!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

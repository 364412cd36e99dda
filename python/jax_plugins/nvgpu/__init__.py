"""JAX PJRT plugin for the openxla-nvgpu StableHLO compiler (platform ``nvgpu``).

JAX finds this module in two ways (see ``jax._src.xla_bridge.discover_pjrt_plugins``):
it lives in the ``jax_plugins`` namespace package, and the distribution advertises it
under the ``jax_plugins`` entry-point group. JAX then calls :func:`initialize`, which
registers the shared library ``libopenxla_nvgpu_pjrt.so`` (it exports ``GetPjrtApi``)
under the name ``nvgpu``. The library is only ``dlopen``-ed here; the PJRT client is
created later, when JAX first asks for the ``nvgpu`` backend.

Environment variables (read when JAX initializes its backends):

``NVGPU_PJRT_LIBRARY``
    Path of the plugin library to load instead of the copy installed in this package
    (for example ``.build/release/libopenxla_nvgpu_pjrt.so`` of a source checkout).
``NVGPU_DEVICE`` = ``auto`` | ``cuda`` | ``cpu``
    Where the plugin runs programs: ``cuda`` on the GPU, ``cpu`` on the CPU reference
    backend, ``auto`` (the plugin's default) on CUDA when a GPU is usable, else on the
    CPU. Passed to the PJRT client as the create option ``device``; unset passes nothing.
``NVGPU_PJRT_PRIORITY``
    Backend priority given to JAX (default 400, above CPU): with ``JAX_PLATFORMS``
    unset, the highest-priority backend that initializes becomes JAX's default.

Run ``python -m jax_plugins.nvgpu`` to print what would be loaded and the devices.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Mapping

from .version import __version__

__all__ = [
    "PLUGIN_NAME",
    "LIBRARY_NAME",
    "PluginLibraryNotFoundError",
    "library_path",
    "client_options",
    "initialize",
    "__version__",
]

logger = logging.getLogger(__name__)

PLUGIN_NAME = "nvgpu"
LIBRARY_NAME = "libopenxla_nvgpu_pjrt.so"
DEFAULT_PRIORITY = 400
DEVICE_CHOICES = ("auto", "cuda", "cpu")


class PluginLibraryNotFoundError(FileNotFoundError):
    """The plugin library could not be found."""


def library_path(environ: Mapping[str, str] | None = None) -> str:
    """Returns the absolute path of the plugin library that :func:`initialize` loads.

    ``NVGPU_PJRT_LIBRARY`` wins when set; otherwise the copy installed next to this
    file. Raises :class:`PluginLibraryNotFoundError` with what to do when neither exists.
    """
    env = os.environ if environ is None else environ
    override = env.get("NVGPU_PJRT_LIBRARY", "").strip()
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise PluginLibraryNotFoundError(
                f"NVGPU_PJRT_LIBRARY={override!r}: no such file. Point it at a built "
                f"{LIBRARY_NAME} (SwiftPM writes it to "
                "`$(swift build -c release --show-bin-path)/" + LIBRARY_NAME + "`), "
                "or unset it to use the copy installed with this package."
            )
        return str(path.resolve())
    path = Path(__file__).resolve().with_name(LIBRARY_NAME)
    if path.is_file():
        return str(path)
    raise PluginLibraryNotFoundError(
        f"The nvgpu PJRT plugin library {LIBRARY_NAME} is not in {path.parent}: this "
        "copy of the jax_plugins.nvgpu package was installed without it (for example "
        "straight from the source tree). Install the package with `pip install ./python` "
        "from the openxla-nvgpu repository (it builds the library with SwiftPM) or from a "
        "binary wheel, or set NVGPU_PJRT_LIBRARY to the path of a built library."
    )


def client_options(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The PJRT client create options derived from the environment (see module doc)."""
    env = os.environ if environ is None else environ
    options: dict[str, str] = {}
    device = env.get("NVGPU_DEVICE", "").strip().lower()
    if device:
        if device not in DEVICE_CHOICES:
            raise ValueError(
                f"NVGPU_DEVICE={env.get('NVGPU_DEVICE')!r}: expected one of "
                f"{', '.join(DEVICE_CHOICES)}"
            )
        options["device"] = device
    return options


def _priority(environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    raw = env.get("NVGPU_PJRT_PRIORITY", "").strip()
    if not raw:
        return DEFAULT_PRIORITY
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"NVGPU_PJRT_PRIORITY={raw!r}: expected an integer") from None


def initialize() -> None:
    """Registers the ``nvgpu`` PJRT plugin with JAX (JAX calls this at start-up)."""
    path = library_path()
    options = client_options()
    priority = _priority()
    from jax._src import xla_bridge  # imported lazily: JAX imports this module itself

    logger.debug("registering PJRT plugin %s from %s with options %s", PLUGIN_NAME, path, options)
    xla_bridge.register_plugin(
        PLUGIN_NAME, priority=priority, library_path=path, options=options
    )

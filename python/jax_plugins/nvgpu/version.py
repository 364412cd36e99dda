"""The one place that states the version of the openxla-nvgpu-pjrt package.

pyproject.toml reads it (``[tool.setuptools.dynamic]``) and so do
scripts/build_wheel.sh and scripts/release.sh, which name their artifacts with it.
"""

__version__ = "0.1.0"

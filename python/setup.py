"""The wheel's tag: a wheel that carries the server binary (src/mock_bedrock/bin/mock-bedrock, put
there by scripts/build-wheel) runs on one platform only, so it is tagged py3-none-<platform> (any
Python 3, no ABI: the package has no extension module, only an executable); without the binary it
is a pure wheel that runs the server found on PATH. Everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools before 70.1
    from wheel.bdist_wheel import bdist_wheel

BINARY = Path(__file__).parent / "src" / "mock_bedrock" / "bin" / "mock-bedrock"


class BinaryDistribution(Distribution):
    """With the binary, the package installs into platlib (the platform's folder), where auditwheel
    repairs it, as a package with an extension module would."""

    def has_ext_modules(self):
        return BINARY.exists()


class PlatformWheel(bdist_wheel):
    def get_tag(self):
        python, abi, platform = super().get_tag()
        return ("py3", "none", platform) if BINARY.exists() else (python, abi, platform)


setup(distclass=BinaryDistribution, cmdclass={"bdist_wheel": PlatformWheel})

"""hipectrial: a multicentre oncology trial run end to end from one protocol file."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hipectrial")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]

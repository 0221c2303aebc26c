"""hipectrial: a multicentre oncology trial run end to end from one protocol file."""

from typing import TYPE_CHECKING

__all__ = ["__version__"]

if TYPE_CHECKING:
    __version__: str


def __getattr__(name: str) -> str:
    # The version is read from the installed metadata on first use: importlib.metadata costs
    # tens of milliseconds, which every `import hipectrial.…` would pay (CLI start-up).
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("hipectrial")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found

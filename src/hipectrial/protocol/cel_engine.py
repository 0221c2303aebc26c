"""The CEL engine: the compiled extension module of the ``common-expression-language`` package.

The protocol compiles and evaluates CEL through the extension ``cel.cel`` alone. The
package's ``__init__`` also imports its interactive command-line tool (``cel.cli``: typer,
prompt_toolkit, pygments, rich panels), which costs about 0.1 s at every start-up of a
bedside calculator and is never used here. So the extension is loaded from the installed
package without running that ``__init__``; it is registered as ``cel.cel`` in
``sys.modules``, so a later ``import cel`` (by anyone) finds and reuses the same module (an
extension module is initialised once per process). Where ``cel.cel`` is already loaded,
that module is used.

>>> engine.evaluate("1 + 2")
3
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import TYPE_CHECKING

__all__ = ["engine"]

_NAME = "cel.cel"


def _load_extension() -> ModuleType:
    loaded = sys.modules.get(_NAME)
    if loaded is not None:
        return loaded
    package = importlib.util.find_spec("cel")  # finds the package without importing it
    spec = None
    if package is not None and package.submodule_search_locations is not None:
        spec = importlib.machinery.PathFinder.find_spec(_NAME, list(package.submodule_search_locations))
    if spec is None or spec.loader is None:
        raise ImportError("the CEL extension (package common-expression-language) is not installed",
                          name=_NAME)
    module = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[_NAME]
        raise
    return module


if TYPE_CHECKING:
    from cel import cel as engine
else:
    engine = _load_extension()

"""Lazy re-exports for package faces (PEP 562), so that importing one submodule does not
import its siblings.

A package face (``hipectrial.clinical``, ``hipectrial.design``, ``hipectrial.analysis``)
names what callers use; importing ``hipectrial.design.boin`` runs ``design/__init__.py``
first, and an eager face would import SciPy for a calculator that needs none. A face
therefore declares ``{module: names}`` and installs the module ``__getattr__`` and
``__dir__`` returned by :func:`lazy_exports`, under ``if not TYPE_CHECKING:`` so that mypy
sees the names only through the face's ``TYPE_CHECKING`` imports (and a typo in a caller's
import is still an error). ``tests/test_faces.py`` checks that the lists agree and that
every name resolves.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping

__all__ = ["lazy_exports"]


class _Face(types.ModuleType):
    """A face module whose exports may share a name with a submodule.

    ``hipectrial.analysis.cox`` is both a function the face exports and the module
    ``analysis/cox.py``; importing the module makes the import system bind it on the
    package, which would hide the function from ``from hipectrial.analysis import cox``.
    Such a binding is skipped: the submodule stays reachable through ``sys.modules`` and
    ``from hipectrial.analysis.cox import …``, as with an eager face that imports the
    function after its module.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if (isinstance(value, types.ModuleType) and value.__name__ == f"{self.__name__}.{name}"
                and name in self.__dict__.get("__all__", ())):
            return
        super().__setattr__(name, value)


def lazy_exports(
    package: str, exports: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of a face that re-exports lazily.

    Call it from the face's ``__init__`` after ``__all__`` is set.

    Parameters
    ----------
    package : str
        The face's ``__name__``. Its module receives each name on first use (so a name goes
        through ``__getattr__`` once) and keeps its exports when a submodule of the same
        name is imported.
    exports : Mapping[str, tuple[str, ...]]
        Absolute submodule name -> the names re-exported from it.

    Returns
    -------
    tuple
        ``(__getattr__, __dir__)`` for the face's module namespace.

    Raises
    ------
    ValueError
        If a name is exported from two modules, or the names differ from ``__all__``.
    """
    face = sys.modules[package]
    where: dict[str, str] = {}
    for module, names in exports.items():
        for name in names:
            if name in where:
                raise ValueError(f"{package}: {name!r} is exported from both {where[name]} and {module}")
            where[name] = module
    declared = getattr(face, "__all__", None)
    if declared is None or sorted(declared) != sorted(where):
        raise ValueError(f"{package}: __all__ must list exactly the lazily exported names")
    face.__class__ = _Face

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(face, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(face)) | set(where))

    return __getattr__, __dir__

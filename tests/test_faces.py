"""The package faces ``hipectrial.clinical``, ``hipectrial.design`` and ``hipectrial.analysis``:
every name they list resolves to the object of the module that defines it, mypy sees the
same names (the ``TYPE_CHECKING`` imports), and importing a face imports none of the
modules behind it (:mod:`hipectrial._lazy`)."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import hipectrial.design
from hipectrial._lazy import lazy_exports

FACES = ["hipectrial.clinical", "hipectrial.design", "hipectrial.analysis"]


def _fresh(code: str) -> object:
    """Run ``code`` in a new interpreter; it prints one JSON document, returned here."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _type_checking_imports(face: str) -> dict[str, str]:
    """name -> module of the ``from … import …`` statements under ``if TYPE_CHECKING:``."""
    path = Path(importlib.import_module(face).__file__ or "")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.dump(statement)
                for alias in statement.names:
                    found[alias.asname or alias.name] = statement.module or ""
    return found


@pytest.mark.parametrize("face", FACES)
def test_type_checking_imports_name_the_same_modules_as_the_lazy_table(face):
    module = importlib.import_module(face)
    table = {name: where for where, names in module._EXPORTS.items() for name in names}
    assert _type_checking_imports(face) == table
    assert sorted(module.__all__) == sorted(table)


@pytest.mark.parametrize("face", FACES)
def test_every_exported_name_resolves_to_its_modules_object(face):
    module = importlib.import_module(face)
    for where, names in module._EXPORTS.items():
        defining = importlib.import_module(where)
        for name in names:
            assert getattr(module, name) is getattr(defining, name), f"{face}.{name}"


@pytest.mark.parametrize("face", FACES)
def test_every_exported_name_resolves_in_a_fresh_interpreter_and_appears_in_dir(face):
    code = (f"import json, {face} as f\n"
            "bad = [n for n in f.__all__ if getattr(f, n, None) is None]\n"
            "print(json.dumps({'bad': bad, 'missing_in_dir': sorted(set(f.__all__) - set(dir(f)))}))")
    assert _fresh(code) == {"bad": [], "missing_in_dir": []}


@pytest.mark.parametrize(
    ("face", "forbidden"),
    [("hipectrial.clinical", ["hipectrial.clinical.recist", "hipectrial.clinical.dosing.prescribe", "numpy"]),
     ("hipectrial.design", ["hipectrial.design.simon", "scipy", "numpy"]),
     ("hipectrial.analysis", ["hipectrial.analysis.trial_analysis", "pandas", "matplotlib", "statsmodels",
                              "scipy", "numpy"])],
)
def test_importing_a_face_imports_none_of_the_modules_behind_it(face, forbidden):
    code = f"import json, sys, {face}\nprint(json.dumps(sorted(set({forbidden!r}) & set(sys.modules))))"
    assert _fresh(code) == []


def test_importing_the_boin_rules_does_not_import_numpy_scipy_or_the_simulator():
    code = ("import json, sys, hipectrial.design.boin\n"
            "print(json.dumps(sorted({'numpy', 'scipy', 'hipectrial.design.boin_sim'} & set(sys.modules))))")
    assert _fresh(code) == []


@pytest.mark.parametrize(("face", "name"), [("hipectrial.analysis", "cox"), ("hipectrial.analysis", "logrank")])
def test_a_function_named_like_its_module_is_exported_after_the_module_is_imported(face, name):
    # The import system binds a submodule on its package; the face keeps the function.
    code = (f"import json, importlib, {face} as f\n"
            f"module = importlib.import_module('{face}.{name}')\n"
            f"print(json.dumps([f.{name} is module.{name}, callable(f.{name})]))")
    assert _fresh(code) == [True, True]


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'boin_boundary'"):
        hipectrial.design.boin_boundary  # noqa: B018
    with pytest.raises(ImportError, match="cannot import name 'kaplan_meyer'"):
        from hipectrial.analysis import kaplan_meyer  # noqa: F401


def test_a_name_exported_from_two_modules_is_refused(monkeypatch):
    monkeypatch.setitem(sys.modules, "fake_face", type(sys)("fake_face"))
    sys.modules["fake_face"].__all__ = ["f"]
    with pytest.raises(ValueError, match="'f' is exported from both a and b"):
        lazy_exports("fake_face", {"a": ("f",), "b": ("f",)})


def test_an_all_that_differs_from_the_table_is_refused(monkeypatch):
    monkeypatch.setitem(sys.modules, "fake_face", type(sys)("fake_face"))
    sys.modules["fake_face"].__all__ = ["f", "g"]
    with pytest.raises(ValueError, match="__all__ must list exactly"):
        lazy_exports("fake_face", {"a": ("f",)})


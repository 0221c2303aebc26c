"""FrozenValues: a read-only mapping that the binding cache may find by the object alone,
and only when nothing inside it can change."""

from __future__ import annotations

import pickle

import pytest

from hipectrial.protocol import Expression, FrozenValues, Scope, Truth, ValueType, Variable
from hipectrial.protocol import bound as bound_module

SCOPE_VARIABLES = [
    Variable("anc", ValueType.DECIMAL, "10^9/L"),
    Variable("sites", ValueType.MULTI_CHOICE, codes=("liver", "lung", "bone")),
]


def test_reads_like_the_mapping_it_copies() -> None:
    source = {"anc": 1.2, "age": 61}
    v = FrozenValues(source)
    source["anc"] = 9.9  # the copy does not follow the original
    assert v["anc"] == 1.2
    assert v.get("platelets") is None
    assert v.get("x", 0) == 0
    assert list(v) == ["anc", "age"]
    assert len(v) == 2
    assert "age" in v
    assert dict(v.items()) == {"anc": 1.2, "age": 61}
    assert v == {"age": 61, "anc": 1.2}
    assert v == FrozenValues({"anc": 1.2, "age": 61})
    assert v != {"anc": 1.2}
    assert FrozenValues() == {}


def test_cannot_be_changed_or_hashed() -> None:
    v = FrozenValues({"anc": 1.2})
    with pytest.raises(TypeError):
        v["anc"] = 2.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        v.pop("anc")  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        hash(v)


def test_pickles_to_an_equal_copy() -> None:
    v = FrozenValues({"anc": 1.2, "sites": ["liver"]})
    back = pickle.loads(pickle.dumps(v))
    assert back == v
    assert type(back) is FrozenValues
    assert back.immutable is False


def test_immutable_only_when_every_value_is_of_an_immutable_type() -> None:
    assert FrozenValues({"anc": 1.2, "n": 3, "s": "x", "none": None}).immutable
    assert not FrozenValues({"sites": ["liver"]}).immutable


def test_one_binding_serves_every_expression_on_the_same_values(monkeypatch: pytest.MonkeyPatch) -> None:
    binds: list[object] = []
    real = bound_module.bind_all
    monkeypatch.setattr(bound_module, "bind_all", lambda *a: binds.append(a) or real(*a))
    scope = Scope(SCOPE_VARIABLES)
    values = FrozenValues({"anc": 1.2})
    assert scope.truth(Expression("anc >= 1.5"), values).truth is Truth.FALSE
    assert scope.truth(Expression("anc < 1.5"), values).truth is Truth.TRUE
    assert scope.truth(Expression("anc >= 1.0"), values).truth is Truth.TRUE
    assert len(binds) == 1


def test_a_list_inside_is_bound_again_after_it_changes() -> None:
    scope = Scope(SCOPE_VARIABLES)
    sites = ["liver"]
    values = FrozenValues({"sites": sites})
    assert scope.truth(Expression("'lung' in sites"), values).truth is Truth.FALSE
    sites.append("lung")  # a list can change in place: no cached binding may hide it
    assert scope.truth(Expression("'lung' in sites"), values).truth is Truth.TRUE

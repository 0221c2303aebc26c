"""read_located_yaml: the one located-error style for every YAML file (protocol, scenario)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from hipectrial.protocol import read_located_yaml


class _Small(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rate: float


def test_pydantic_errors_point_at_the_offending_line() -> None:
    doc = read_located_yaml("name: x\nrate: high\nrat: 0.1\n", "s.yaml")
    assert doc.problems == []
    with pytest.raises(ValidationError) as caught:
        _Small.model_validate({k: v for k, v in doc.mapping().items() if k != "name"})
    problems = {p.path: (p.line, p.column, p.message) for p in doc.validation_problems(caught.value)}
    assert problems["rate"][:2] == (2, 7)
    assert "got 'high'" in problems["rate"][2]
    assert problems["rat"] == (3, 1, "unknown key (not part of the file's schema; check its spelling)")


def test_a_duplicate_key_is_a_problem() -> None:
    doc = read_located_yaml("a: 1\nb: 2\na: 3\n", "d.yaml")
    assert [(p.path, p.line) for p in doc.problems] == [("a", 3)]
    assert "first at line 1" in doc.problems[0].message


@pytest.mark.parametrize(("text", "phrase"), [("- 1\n- 2\n", "must be a YAML mapping"),
                                              ("", "the file is empty"),
                                              ("a: [1,\n", "YAML syntax error")])
def test_not_a_mapping_is_a_problem_not_an_exception(text: str, phrase: str) -> None:
    doc = read_located_yaml(text, "n.yaml")
    assert len(doc.problems) == 1
    assert phrase in doc.problems[0].message
    assert doc.problems[0].file == "n.yaml"

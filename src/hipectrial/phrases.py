"""Sentences the core composes for people, with what they say as data.

A result that explains itself in a sentence (why an eligibility criterion is unknown, why
registration waits) carries the sentence in English and, beside it, a :class:`Phrase`: a
code and named parameters, so that a shell can word the same thing in another language
(the EDC's Chinese pages) without reading the English. The English is composed from the
phrase too, by :func:`english` with one template per code, so the two cannot say different
things.

A parameter is text (an id, a number, an ISO 8601 date), a nested phrase (a reason given
inside a reason; an optional part of a sentence, ``""`` when absent), or a tuple of these
(a list, said joined by commas).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Union

ParamValue = Union[str, "Phrase", tuple["ParamValue", ...]]
Params = tuple[tuple[str, ParamValue], ...]


@dataclass(frozen=True, slots=True)
class Phrase:
    """What a sentence says: ``code`` (a member of a module's reason ``StrEnum``) and its
    parameters by name, in the order the English names them."""

    code: str
    params: Params = ()

    def param(self, name: str) -> ParamValue:
        """The parameter ``name``; ``KeyError`` when the phrase has none."""
        for key, value in self.params:
            if key == name:
                return value
        raise KeyError(name)


def english(phrase: Phrase, templates: Mapping[str, str],
            render: Callable[[str, str], str] | None = None) -> str:
    """``phrase`` in English: its code's template (``str.format`` fields named after the
    parameters) filled with each parameter: text as it is, or as ``render(name, text)``
    says (a dose level id said with its dose…); a nested phrase in English by the same
    templates; a tuple joined by ``", "``.

    Raises ``KeyError`` for a code without a template or a parameter the template needs
    and the phrase lacks.

    >>> english(Phrase("missing", (("names", ("anc", "platelets")),)),
    ...         {"missing": "unknown: missing {names}"})
    'unknown: missing anc, platelets'
    """

    def said(name: str, value: ParamValue) -> str:
        if isinstance(value, Phrase):
            return english(value, templates, render)
        if isinstance(value, tuple):
            return ", ".join(said(name, v) for v in value)
        return render(name, value) if render is not None and value else value

    return templates[phrase.code].format(**{name: said(name, value) for name, value in phrase.params})

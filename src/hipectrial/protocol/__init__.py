"""The protocol as code: the pydantic model of a trial protocol, its YAML loader and CEL.

>>> from hipectrial.protocol import load_protocol
>>> load_protocol().study.id
'HIPEC-PD1-SOX'
"""

from hipectrial.protocol.expressions import Expression, Truth, ValueType, Variable, Verdict
from hipectrial.protocol.frozen import FrozenValues
from hipectrial.protocol.loader import (
    dump_protocol,
    load_protocol,
    parse_protocol,
    seed_protocol_path,
)
from hipectrial.protocol.located_yaml import LocatedYaml, read_located_yaml
from hipectrial.protocol.model import SCHEMA_VERSION, Cohort, EligibilityCriterion, Protocol, Study
from hipectrial.protocol.scope import Scope

__all__ = [
    "SCHEMA_VERSION",
    "Cohort",
    "EligibilityCriterion",
    "Expression",
    "FrozenValues",
    "LocatedYaml",
    "Protocol",
    "Scope",
    "Study",
    "Truth",
    "ValueType",
    "Variable",
    "Verdict",
    "dump_protocol",
    "load_protocol",
    "parse_protocol",
    "read_located_yaml",
    "seed_protocol_path",
]

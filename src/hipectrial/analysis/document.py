"""Result objects as JSON-ready values: deterministic, every number kept.

Dataclasses become objects with their fields in declaration order; enums their values;
dates ISO 8601 text; Decimals and floats numbers (a non-finite float ``null``); tuples lists;
mappings objects with keys as text, in sorted order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


def to_jsonable(value: object) -> JsonValue:
    """``value`` as JSON-ready data.

    >>> import datetime as dt
    >>> to_jsonable({"b": (1, Decimal("2.5")), "a": dt.date(2025, 1, 2), "c": float("nan")})
    {'a': '2025-01-02', 'b': [1, 2.5], 'c': None}
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        items = {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
        return dict(sorted(items.items()))
    if isinstance(value, list | tuple | set | frozenset):
        items_list = [to_jsonable(v) for v in value]
        return sorted(items_list, key=str) if isinstance(value, set | frozenset) else items_list
    raise TypeError(f"cannot write {type(value).__name__} as JSON")

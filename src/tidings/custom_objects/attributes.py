"""Typed attribute values of custom object instances: checking what a request sends, rendering what we answer.

The spec types every instance attribute value as a string, and the official SDKs send and parse
them as strings, so a value is accepted either as its JSON type or as a string that spells it
exactly ("42" for an integer, "true" for a boolean), stored as its JSON type, and answered as a
string. Datetimes are Unix seconds (an ISO-8601 string is accepted too).
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from tidings.core.errors import TidingsError, found, invalid
from tidings.core.ids import is_integer_text
from tidings.core.limits import MAX_TEXT_ATTRIBUTE_LENGTH

INSTANCE_DATA_TYPES = ("string", "integer", "decimal", "boolean", "datetime")
REFERENCE = "reference"
DATA_TYPES = (*INSTANCE_DATA_TYPES, REFERENCE)
# What a type's reference attributes can be carried by.
OWNER_TYPES = ("contact", "conversation")
# Attributes every instance has; a type cannot declare them again.
BUILT_IN = frozenset(
    {"id", "type", "external_id", "external_created_at", "external_updated_at", "created_at", "updated_at"}
)

_ARTICLE = {"integer": "an integer", "decimal": "a decimal", "boolean": "a boolean", "datetime": "a datetime"}
_DECIMAL = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_MAX_STRING = MAX_TEXT_ATTRIBUTE_LENGTH


def describe(data_type: str) -> str:
    """'a string', 'an integer'...: how error messages name a data type."""
    return _ARTICLE.get(data_type, f"a {data_type}")


def wrong_type(attribute: str, data_type: str, type_identifier: str) -> TidingsError:
    return invalid(
        f"Custom attribute '{attribute}' of {type_identifier} must be {describe(data_type)}",
        f"custom_attributes.{attribute}",
    )


def unknown_attribute(attribute: str, type_identifier: str) -> TidingsError:
    return invalid(
        f"Custom attribute '{attribute}' does not exist on {type_identifier}", f"custom_attributes.{attribute}"
    )


def coerce(value: Any, data_type: str) -> Any:
    """The stored form of `value` for `data_type`; raises ValueError when it is not one."""
    if data_type == "string":
        if not isinstance(value, str) or len(value) > _MAX_STRING:
            raise ValueError
        return value
    if data_type == "integer":
        return _integer(value)
    if data_type == "decimal":
        return _decimal(value)
    if data_type == "boolean":
        return _boolean(value)
    if data_type == "datetime":
        return _datetime(value)
    raise ValueError


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, str) and is_integer_text(value.strip(), signed=True):
        return int(value.strip())
    raise ValueError


def _decimal(value: Any) -> float | int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        number = float(value.strip())
    else:
        raise ValueError
    if not math.isfinite(number):
        raise ValueError
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError


def _datetime(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str):
        text = value.strip()
        if is_integer_text(text):
            return int(text)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            raise ValueError
        return int(parsed.timestamp())
    raise ValueError


def render(value: Any) -> str:
    """The wire form of a stored value: always a string, as the spec types it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def merge(
    current: dict[str, Any], given: dict[str, Any], declared: dict[str, str], type_identifier: str
) -> dict[str, Any]:
    """`current` with `given` applied (null removes a value); every given name and value is checked first."""
    merged = dict(current)
    for attribute, value in given.items():
        data_type = found(declared.get(attribute), unknown_attribute(attribute, type_identifier))
        if value is None:
            merged.pop(attribute, None)
            continue
        try:
            merged[attribute] = coerce(value, data_type)
        except ValueError:
            raise wrong_type(attribute, data_type, type_identifier) from None
    return merged

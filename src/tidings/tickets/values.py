"""Ticket attribute values: checked against the ticket type's attributes, stored typed, rendered back.

A value is stored as JSON (what the API shows) beside typed copies search compares in SQL.
"""

from __future__ import annotations

import mimetypes
import posixpath
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from tidings.core.errors import TidingsError, invalid
from tidings.core.ids import is_integer_text
from tidings.core.limits import MAX_TEXT_ATTRIBUTE_LENGTH


def extra_attributes(names: list[str]) -> TidingsError:
    return invalid(f"Extra attributes provided that are not found on ticket type: {', '.join(names)}", names[0])


def missing_required(names: list[str]) -> TidingsError:
    # Intercom's message, exactly; the attributes are named in `field`.
    return invalid("Missing required ticket attributes", ", ".join(names))


def _bad(attribute: Any, expected: str) -> TidingsError:
    return invalid(f"Ticket attribute {attribute['name']} must be {expected}", attribute["name"])


def _timestamp(attribute: Any, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if is_integer_text(value, signed=True):
            return int(value)
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
        except ValueError:
            pass
    raise _bad(attribute, "a UNIX timestamp or an ISO 8601 date")


def file_object(url: str, name: str | None = None) -> dict[str, Any]:
    path = urlparse(url).path
    return {
        "type": "upload",
        "name": name or posixpath.basename(path) or "file",
        "url": url,
        "content_type": mimetypes.guess_type(path)[0] or "application/octet-stream",
    }


def _files(attribute: Any, value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    files = []
    for item in items:
        if isinstance(item, str) and urlparse(item).scheme in ("http", "https"):
            files.append(file_object(item))
        elif isinstance(item, dict) and isinstance(item.get("url"), str):
            files.append(file_object(item["url"], item.get("name")))
        else:
            raise _bad(attribute, "a list of file URLs")
    multiple = (attribute["input_options"] or {}).get("allow_multiple_values", False)
    if len(files) > 1 and not multiple:
        raise _bad(attribute, "a single file")
    return files


def _list_option(attribute: Any, value: Any) -> dict[str, Any]:
    """A list value names an option by its id (as the spec says) or, leniently, by its label."""
    for option in (attribute["input_options"] or {}).get("list_options", []):
        if value in (option["id"], option["label"]):
            return option
    raise _bad(attribute, "the id of one of its list options")


def value_row(attribute: Any, value: Any) -> dict[str, Any]:
    """The stored row for one attribute value, after checking it against the attribute's data type."""
    row: dict[str, Any] = {
        "attribute_id": attribute["id"],
        "value": None,
        "text_value": None,
        "option_id": None,
        "number_value": None,
        "bool_value": None,
    }
    if value is None:
        return row
    data_type = attribute["data_type"]
    if data_type == "string":
        if not isinstance(value, str):
            raise _bad(attribute, "a string")
        if len(value) > MAX_TEXT_ATTRIBUTE_LENGTH:
            raise _bad(attribute, f"at most {MAX_TEXT_ATTRIBUTE_LENGTH} characters")
        row.update(value=value, text_value=value)
    elif data_type == "list":
        option = _list_option(attribute, value)
        row.update(value=option["label"], text_value=option["label"], option_id=option["id"])
    elif data_type == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(attribute, "an integer")
        row.update(value=value, number_value=float(value))
    elif data_type == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(attribute, "a number")
        row.update(value=value, number_value=float(value))
    elif data_type == "boolean":
        if not isinstance(value, bool):
            raise _bad(attribute, "a boolean")
        row.update(value=value, bool_value=value)
    elif data_type == "datetime":
        stamp = _timestamp(attribute, value)
        row.update(value=stamp, number_value=float(stamp))
    elif data_type == "files":
        files = _files(attribute, value)
        row.update(value=files, text_value=" ".join(f["name"] for f in files))
    return row


def value_rows(by_name: dict[str, Any], given: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for every given attribute; unknown names are refused together, as Intercom does."""
    unknown = [name for name in given if name not in by_name]
    if unknown:
        raise extra_attributes(unknown)
    return [value_row(by_name[name], value) for name, value in given.items()]


def check_required(by_name: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    filled = {row["attribute_id"] for row in rows if row["value"] not in (None, "", [])}
    missing = [
        a["name"] for a in by_name.values() if a["required_to_create"] and not a["archived"] and a["id"] not in filled
    ]
    if missing:
        raise missing_required(missing)


def carried_value(old_attribute: Any, new_attribute: Any, stored: Any) -> dict[str, Any] | None:
    """The value an attribute of the new type takes over from the same-named, same-typed old one."""
    if old_attribute["data_type"] != new_attribute["data_type"] or stored["value"] is None:
        return None
    try:
        return value_row(new_attribute, stored["value"])
    except TidingsError:
        # A list value whose label the new attribute lacks does not carry over.
        return None


def display(attribute: Any, value: Any) -> tuple[Any, Any]:
    """The (id, label) pair of a ticket part's `updated_attribute_data.value`."""
    if value["value"] is None:
        return None, ""
    if attribute["data_type"] == "list":
        return value["option_id"], value["value"]
    if attribute["data_type"] == "files":
        return list(range(1, len(value["value"]) + 1)), [f["name"] for f in value["value"]]
    shown = str(value["value"]).lower() if isinstance(value["value"], bool) else str(value["value"])
    return shown, shown

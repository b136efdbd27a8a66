"""The Intercom-Version header: the spec's enum, `Unstable` as an alias of `Preview`."""

from __future__ import annotations

from tidings.config import INTERCOM_VERSIONS
from tidings.core.errors import INTERCOM_VERSION_INVALID


def check_version(value: str | None) -> None:
    if value is None or value in INTERCOM_VERSIONS:
        return
    raise INTERCOM_VERSION_INVALID(
        f"The requested version '{value}' is not a valid Intercom-Version", "Intercom-Version"
    )


def effective_version(value: str | None, default: str) -> str:
    """The version a request is served at: the header, else the default; `Unstable` means `Preview`."""
    version = value or default
    return "Preview" if version == "Unstable" else version

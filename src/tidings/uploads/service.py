"""Keeping uploaded files and naming their URLs."""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from tidings.core import clock
from tidings.core.errors import invalid
from tidings.core.uow import UnitOfWork
from tidings.uploads import storage

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The body limit of a route that takes a file as base64: one file of the documented size, plus 1 MiB
# for the rest of the body (the default limit, 10 MB, would refuse a file from 7.4 MiB).
MAX_BODY_WITH_FILE = 4 * -(-MAX_UPLOAD_BYTES // 3) + 1024 * 1024
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


@dataclass(frozen=True, slots=True)
class DecodedFile:
    name: str
    content_type: str
    data: bytes


def decode_file(name: str, content_type: str, data: str, field: str) -> DecodedFile:
    """A file sent as base64, checked before anything is written: 400 when it is not base64 or too big."""
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"{field}.data must be base64", f"{field}.data") from None
    if len(raw) > MAX_UPLOAD_BYTES:
        raise invalid(f"{field} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB", f"{field}.data")
    safe_name = _UNSAFE_NAME.sub("_", name).strip(" .") or "file"
    return DecodedFile(name=safe_name[:255], content_type=content_type.strip()[:255], data=raw)


async def store(uow: UnitOfWork, file: DecodedFile, base_url: str) -> str:
    """Keep the file; its public URL."""
    key = secrets.token_urlsafe(24)
    await storage.insert_upload(
        uow,
        {
            "key": key,
            "name": file.name,
            "content_type": file.content_type,
            "size": len(file.data),
            "data": file.data,
            "created_at": clock.now(),
        },
    )
    return f"{base_url.rstrip('/')}/_tidings/uploads/{key}/{quote(file.name)}"

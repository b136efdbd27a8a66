"""Password hashing with the standard library's scrypt (memory-hard; no extra dependency)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# 16 MiB of memory per hash: slow for an attacker, about 50 ms here.
_N, _R, _P = 2**14, 8, 1
MIN_LENGTH, MAX_LENGTH = 8, 256


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 1024 * 1024)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        # Work as long as a real check, so timing does not tell which emails have a password.
        hash_password(password)
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), maxmem=64 * 1024 * 1024
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)

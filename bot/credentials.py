"""Secrets at rest: tracker tokens and webhook secrets, encrypted with TRADEOFF_SECRET_KEY.

Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`; several comma-separated keys make a
MultiFernet, which encrypts with the first and decrypts with any, so a key can be rotated:
put the new key first and keep the old one after it; every secret the bot writes from then
on (a connect, a reconnect) uses the new key, and the old one can go once each connection
has been reconnected.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

SECRET_KEY_VARIABLE = "TRADEOFF_SECRET_KEY"  # noqa: S105 - its name, not a value


class SecretKeyMissing(Exception):
    """No key to encrypt with; str() is the one line to show."""

    def __init__(self) -> None:
        super().__init__(
            f"{SECRET_KEY_VARIABLE} is not set: tracker credentials are stored encrypted with "
            "it; make one with 'tradeoff secret-key'"
        )


class SecretKeyInvalid(Exception):
    """A key that is not a Fernet key; str() names the variable, never the value."""


class CannotDecrypt(Exception):
    """Stored secrets that none of the configured keys opens (a key was dropped too soon)."""


def new_secret_key() -> str:
    return Fernet.generate_key().decode("ascii")


def parse_secret_keys(text: str | None) -> tuple[str, ...]:
    """The keys in TRADEOFF_SECRET_KEY, checked; raises SecretKeyInvalid naming which one."""
    keys = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise SecretKeyInvalid(
                f"{SECRET_KEY_VARIABLE} key #{position} is not a Fernet key (32 url-safe "
                "base64 bytes); make one with 'tradeoff secret-key'"
            ) from exc
    return keys


class SecretBox:
    """Encrypts with the first key, decrypts with any of them."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise SecretKeyMissing()
        self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise CannotDecrypt(
                f"stored tracker credentials cannot be decrypted with {SECRET_KEY_VARIABLE}; "
                "was a key removed before its secrets were re-encrypted?"
            ) from exc

    def rotate(self, sealed: str) -> str:
        """The same secret, encrypted again with the first key."""
        return self._fernet.rotate(sealed.encode("ascii")).decode("ascii")

"""The service's Ed25519 signing key: made on first use, kept in a PEM file of mode 0600.

The key is an unencrypted PKCS#8 PEM file, created on first use by whichever
process gets there first (an exclusive link, so that two workers starting
together cannot end up with two keys).  A lost key is replaced by a new one:
checkpoints record the public key that signed them, so old ones keep verifying.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

log = logging.getLogger("conflict_status.checkpoints")


def key_id(public_raw: bytes) -> str:
    """A short name of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKey:
    """The service's Ed25519 key."""

    private: Ed25519PrivateKey
    path: Path | None = None

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def public_key(self) -> str:
        return base64.b64encode(self.public_raw).decode("ascii")

    @property
    def key_id(self) -> str:
        return key_id(self.public_raw)

    @property
    def public_pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )

    def signature(self, data: bytes) -> str:
        """The base64 Ed25519 signature of ``data``."""
        return base64.b64encode(self.private.sign(data)).decode("ascii")


def load_or_create_key(path: Path) -> SigningKey:
    """The key in ``path``, made first (mode 0600) when there is none.

    A missing file means a new key: old checkpoints keep verifying with the
    public key each records.  A file that exists but cannot be read as a key is
    an error, never silently replaced.
    """
    try:
        return _load(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd, temporary = tempfile.mkstemp(prefix=".signing-key-", dir=path.parent)  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)  # fails if another process made the key meanwhile: use theirs
            log.warning(  # a first start, or a lost key: either way, one to back up
                "made a new signing key %s in %s; keep a copy (checkpoints signed by earlier keys still verify)",
                _load(path).key_id,
                path,
            )
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)
    return _load(path)


def _load(path: Path) -> SigningKey:
    data = path.read_bytes()
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("the signing key %s is readable by others (mode %o); make it 0600", path, mode)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError as e:
        raise ValueError(f"{path} does not hold a PEM private key") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} holds a key that is not Ed25519")
    return SigningKey(key, path)

"""C2SP signed notes: tlog-checkpoint bodies signed with Ed25519, and verifier keys in vkey form.

A signed note (C2SP ``signed-note``) is a text that ends with a newline, a blank
line, and signature lines ``— <key name> <base64 of key id || signature>``,
where the key id of an Ed25519 key is the first four bytes of
SHA-256(key name || 0x0A || 0x01 || public key) and the signature covers the
text.  A verifier key (``vkey``) is ``<name>+<key id as 8 hex digits>+<base64
of 0x01 || public key>``.  A checkpoint (C2SP ``tlog-checkpoint``) is a note
whose text is the log's origin, the tree size in decimal and the root hash in
base64, one a line.  Written from the specifications, so that tools of that
ecosystem (Go's ``golang.org/x/mod/sumdb/note``, for one) read them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from events.vocabulary.errors import DomainError

ED25519 = b"\x01"
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class NoteError(DomainError):
    """A note, a checkpoint or a verifier key cannot be read, or does not verify."""


def valid_name(name: str) -> bool:
    """A key name (and so our origin): not empty, no white space, no plus sign (C2SP signed-note)."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name) and not _CONTROL.search(name)


def key_id(name: str, public: bytes) -> bytes:
    """The 4-byte id of an Ed25519 key under ``name``."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


@dataclass(frozen=True)
class VerifierKey:
    """An Ed25519 public key under a name, as a signed note names its signer."""

    name: str
    public: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public)

    @property
    def vkey(self) -> str:
        """The key in C2SP vkey form."""
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(ED25519 + self.public).decode()}"

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """A key from its vkey form; ``NoteError`` says what is wrong."""
        parts = text.strip().split("+", 2)  # the name and id hold no plus sign; base64 may
        if len(parts) != 3:
            raise NoteError("a verifier key reads <name>+<key id>+<base64 key>")
        name, hex_id, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise NoteError("the verifier key's key is not base64") from None
        if not valid_name(name) or len(raw) != 33 or raw[:1] != ED25519:
            raise NoteError("the verifier key is not a named Ed25519 key (algorithm 0x01 and 32 bytes)")
        key = cls(name, raw[1:])
        if key.key_id.hex() != hex_id.lower():
            raise NoteError("the verifier key's id does not match its name and key")
        return key

    def signature_holds(self, note: SignedNote) -> bool:
        """Whether the note carries a signature of this key over its text that verifies."""
        public = Ed25519PublicKey.from_public_bytes(self.public)
        for name, kid, signature in note.signatures:
            if name == self.name and kid == self.key_id:
                try:
                    public.verify(signature, note.text.encode())
                except InvalidSignature:
                    return False
                return True
        return False


def sign(text: str, name: str, private: Ed25519PrivateKey) -> str:
    """The signed note of ``text`` (which ends with a newline) by the key ``private`` named ``name``."""
    if not text.endswith("\n") or "\n\n" in text or _CONTROL.search(text) or not valid_name(name):
        raise NoteError(
            "a note's text ends with a newline and holds no blank line nor control character, "
            "and a key name has no space or plus sign"
        )
    public = VerifierKey(name, _raw_public(private))
    signature = private.sign(text.encode())
    return f"{text}\n{SIGNATURE_PREFIX}{name} {base64.b64encode(public.key_id + signature).decode()}\n"


def verifier_of(name: str, private: Ed25519PrivateKey) -> VerifierKey:
    """The verifier key of a private key under ``name``."""
    return VerifierKey(name, _raw_public(private))


def _raw_public(private: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class SignedNote:
    """A note's text and its signatures (name, 4-byte key id, signature bytes)."""

    text: str
    signatures: tuple[tuple[str, bytes, bytes], ...]

    @classmethod
    def parse(cls, note: str) -> SignedNote:
        """Read a signed note; ``NoteError`` says what is malformed."""
        if _CONTROL.search(note):
            raise NoteError("a note holds no control characters but newlines")
        split = note.rfind("\n\n")
        if split < 0 or not note.endswith("\n"):
            raise NoteError("a signed note is its text, a blank line, then signature lines, each ending in a newline")
        text, block = note[: split + 1], note[split + 2 :]
        signatures = []
        for line in block[:-1].split("\n"):
            if not line.startswith(SIGNATURE_PREFIX):
                raise NoteError(f"a signature line starts with an em dash and a space: {line[:40]!r}")
            name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
            try:
                raw = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise NoteError(f"the signature of {name} is not base64") from None
            if not valid_name(name) or len(raw) < 5:
                raise NoteError("a signature line names its key and holds a key id and a signature")
            signatures.append((name, raw[:4], raw[4:]))
        return cls(text, tuple(signatures))


@dataclass(frozen=True)
class TreeHead:
    """A checkpoint's body: the log's origin, its tree size and root hash (C2SP tlog-checkpoint)."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def from_text(cls, text: str) -> TreeHead:
        """The head a checkpoint's text states (extension lines, if any, are ignored)."""
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
            raise NoteError("a checkpoint's text is the origin, the tree size and the root hash, one a line")
        origin, size, root = lines[:3]
        if not _DECIMAL.fullmatch(size):
            raise NoteError(f"a checkpoint's tree size is a decimal number, not {size[:30]!r}")
        try:
            digest = base64.b64decode(root, validate=True)
        except (binascii.Error, ValueError):
            digest = b""
        if len(digest) != 32:
            raise NoteError("a checkpoint's root hash is the base64 of 32 bytes")
        return cls(origin, int(size), digest)


def read_checkpoint(note: str, key: VerifierKey) -> TreeHead:
    """The head a checkpoint signed by ``key`` states; ``NoteError`` when it is malformed or not so signed."""
    parsed = SignedNote.parse(note)
    if not key.signature_holds(parsed):
        raise NoteError(f"the checkpoint carries no valid signature by the key {key.name}+{key.key_id.hex()}")
    return TreeHead.from_text(parsed.text)

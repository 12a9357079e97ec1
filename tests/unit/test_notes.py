"""C2SP signed notes and vkeys: what is read, what is refused, and what no longer verifies."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.audit.notes import NoteError, SignedNote, TreeHead, VerifierKey, read_checkpoint, sign, verifier_of

ORIGIN = "news.example/log"
KEY = Ed25519PrivateKey.generate()


def checkpoint(size: int = 7) -> str:
    return sign(TreeHead(ORIGIN, size, bytes(range(32))).text(), ORIGIN, KEY)


def test_a_signed_checkpoint_reads_back_under_its_vkey() -> None:
    vkey = verifier_of(ORIGIN, KEY).vkey
    assert VerifierKey.parse(vkey) == verifier_of(ORIGIN, KEY)
    assert read_checkpoint(checkpoint(), VerifierKey.parse(vkey)) == TreeHead(ORIGIN, 7, bytes(range(32)))


def test_a_checkpoint_whose_text_changed_or_that_another_key_signed_does_not_verify() -> None:
    key = verifier_of(ORIGIN, KEY)
    with pytest.raises(NoteError, match="no valid signature"):
        read_checkpoint(checkpoint().replace("\n7\n", "\n8\n", 1), key)
    with pytest.raises(NoteError, match="no valid signature"):
        read_checkpoint(checkpoint(), verifier_of(ORIGIN, Ed25519PrivateKey.generate()))
    with pytest.raises(NoteError, match="no valid signature"):
        read_checkpoint(checkpoint(), verifier_of("other.example/log", KEY))


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("news.example/log\n7\nAAAA\n", "blank line"),
        ("news.example/log\n7\n\n— news.example/log AAAA\n", "key id and a signature"),
        ("news.example/log\n7\n\n-- news.example/log AAAAAAAAAA==\n", "em dash"),
        ("news.example/log\n7\x07\n\n— news.example/log AAAAAAAAAA==\n", "control characters"),
    ],
)
def test_a_malformed_note_is_refused_saying_what_is_wrong(note: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        SignedNote.parse(note)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("news.example/log\n7\n", "origin, the tree size and the root hash"),
        ("news.example/log\n07\nAAAA\n", "decimal number"),
        ("news.example/log\n7\nAAAA\n", "32 bytes"),
    ],
)
def test_a_checkpoint_text_that_is_not_origin_size_and_root_is_refused(text: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        TreeHead.from_text(text)


@pytest.mark.parametrize(
    "vkey",
    ["no plus signs", "a+b", "name+00000000+AQ==", "na me+00000000+" + "A" * 44, f"{ORIGIN}+00000000+{'A' * 44}"],
)
def test_a_vkey_that_is_not_a_named_ed25519_key_with_its_id_is_refused(vkey: str) -> None:
    with pytest.raises(NoteError):
        VerifierKey.parse(vkey)


def test_a_key_name_with_a_space_or_plus_or_a_text_with_a_blank_line_is_not_signed() -> None:
    for text, name in (("a\n", "bad name"), ("a\n", "a+b"), ("a\n\nb\n", ORIGIN), ("no newline", ORIGIN)):
        with pytest.raises(NoteError):
            sign(text, name, KEY)

"""Reading a preload directory: order, nesting, sidecars, and refusal of bad files and escaping symlinks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from elektromail.config import ConfigError
from elektromail.preload import read_preload_dir


def write(path: Path, content: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def test_fixtures_in_file_name_order_with_nested_mailboxes(tmp_path: Path) -> None:
    write(tmp_path / "alice" / "INBOX" / "b.eml", "Subject: b\r\n\r\n")
    write(tmp_path / "alice" / "INBOX" / "a.eml", "Subject: a\r\n\r\n")
    write(tmp_path / "alice" / "Archive" / "2024" / "old.eml", "Subject: old\r\n\r\n")
    write(tmp_path / "bob" / "INBOX" / "notes.txt", "ignored")
    write(tmp_path / "bob" / "INBOX" / "x.eml", "Subject: x\r\n\r\n")
    fixtures = read_preload_dir(str(tmp_path))
    assert [(f.user, f.mailbox, f.parsed.raw) for f in fixtures] == [
        ("alice", "Archive/2024", b"Subject: old\r\n\r\n"),
        ("alice", "INBOX", b"Subject: a\r\n\r\n"),
        ("alice", "INBOX", b"Subject: b\r\n\r\n"),
        ("bob", "INBOX", b"Subject: x\r\n\r\n"),
    ]


def test_sidecar_sets_flags_and_internal_date(tmp_path: Path) -> None:
    write(tmp_path / "u" / "INBOX" / "m.eml", "Subject: m\r\n\r\n")
    write(
        tmp_path / "u" / "INBOX" / "m.eml.meta.json",
        '{"flags": ["\\\\Seen", "$Work"], "internal_date": "2020-01-02T03:04:05Z"}',
    )
    (fixture,) = read_preload_dir(str(tmp_path))
    assert fixture.flags == ("\\Seen", "$Work")
    assert fixture.internal_date == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sidecar", "reason"),
    [
        ("{not json", "malformed"),
        ('{"flags": "\\\\Seen"}', "$.flags"),
        ('{"flags": ["two words"]}', "$.flags[0]"),
        ('{"internal_date": "2020-01-02T03:04:05"}', "$.internal_date"),
        ('{"colour": "red"}', "colour"),
    ],
)
def test_bad_sidecar_names_the_file(tmp_path: Path, sidecar: str, reason: str) -> None:
    write(tmp_path / "u" / "INBOX" / "m.eml", "Subject: m\r\n\r\n")
    bad = write(tmp_path / "u" / "INBOX" / "m.eml.meta.json", sidecar)
    with pytest.raises(ConfigError) as caught:
        read_preload_dir(str(tmp_path))
    message = str(caught.value)
    assert message.startswith("ELEKTROMAIL_PRELOAD_DIR:")
    assert str(bad) in message
    assert reason in message


def test_sidecar_without_its_message_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "u" / "INBOX" / "gone.eml.meta.json", "{}")
    with pytest.raises(ConfigError, match=r"gone\.eml\.meta\.json has no gone\.eml"):
        read_preload_dir(str(tmp_path))


def test_message_outside_a_mailbox_folder_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "u" / "stray.eml", "Subject: s\r\n\r\n")
    with pytest.raises(ConfigError, match=r"stray\.eml must be inside a mailbox folder"):
        read_preload_dir(str(tmp_path))


def test_unreadable_file_names_the_file(tmp_path: Path) -> None:
    # A dangling link cannot be read even by root (a chmod 0 file could be).
    (tmp_path / "u" / "INBOX").mkdir(parents=True)
    (tmp_path / "u" / "INBOX" / "m.eml").symlink_to(tmp_path / "u" / "INBOX" / "missing")
    with pytest.raises(ConfigError, match=r"cannot read .*m\.eml: No such file"):
        read_preload_dir(str(tmp_path))


def test_a_directory_named_like_a_message_is_not_a_file_read(tmp_path: Path) -> None:
    (tmp_path / "u" / "INBOX" / "odd.eml").mkdir(parents=True)
    write(tmp_path / "u" / "INBOX" / "odd.eml" / "inner.eml", "Subject: inner\r\n\r\n")
    (fixture,) = read_preload_dir(str(tmp_path))
    assert fixture.mailbox == "INBOX/odd.eml"


@pytest.mark.parametrize("link", ["file", "mailbox", "user"])
def test_symlink_leaving_the_directory_is_refused(tmp_path: Path, link: str) -> None:
    root = tmp_path / "preload"
    outside = tmp_path / "outside"
    write(outside / "secret.eml", "Subject: secret\r\n\r\n")
    write(root / "u" / "INBOX" / "ok.eml", "Subject: ok\r\n\r\n")
    if link == "file":
        (root / "u" / "INBOX" / "evil.eml").symlink_to(outside / "secret.eml")
    elif link == "mailbox":
        (root / "u" / "Evil").symlink_to(outside)
    else:
        (root / "evil").symlink_to(tmp_path)
    with pytest.raises(ConfigError, match="points outside the directory"):
        read_preload_dir(str(root))


def test_symlink_inside_the_directory_is_followed(tmp_path: Path) -> None:
    write(tmp_path / "u" / "INBOX" / "real.eml", "Subject: real\r\n\r\n")
    (tmp_path / "u" / "INBOX" / "zlink.eml").symlink_to(tmp_path / "u" / "INBOX" / "real.eml")
    assert len(read_preload_dir(str(tmp_path))) == 2


def test_symlink_loop_inside_the_directory_stops(tmp_path: Path) -> None:
    write(tmp_path / "u" / "INBOX" / "m.eml", "x")
    (tmp_path / "u" / "INBOX" / "loop").symlink_to(tmp_path / "u" / "INBOX")
    with pytest.raises(ConfigError, match="nested more than"):
        read_preload_dir(str(tmp_path))


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a directory"):
        read_preload_dir(str(tmp_path / "nope"))

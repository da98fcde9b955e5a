"""Preloaded messages ("fixtures" in the docs; not pytest fixtures): ``ELEKTROMAIL_PRELOAD_DIR`` holds
``<user>/<mailbox>/*.eml`` to store at start.

Nested folders name nested mailboxes (``alice/Archive/2024/a.eml`` goes to ``Archive/2024``). A file may
have a ``<file>.eml.meta.json`` sidecar with ``flags`` and ``internal_date``. Messages are appended in
file-name order per mailbox; users and mailboxes are created as needed.

Everything is read and checked before anything is stored, so a bad sidecar or an unreadable file stops
start-up (``ConfigError`` naming the file) with the store untouched. Nothing outside the directory is
read: a symlink whose target leaves it is refused.

The fixtures read at start are the baseline that ``/reset`` restores. On a persistent store that already
holds them (a restart), a fixture counts as present when its mailbox already holds a message with the
same bytes, and is not stored again; this needs no bookkeeping from the store backend.
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, NamedTuple

import msgspec

from elektromail.config import ConfigError
from elektromail.mail.message import ParsedMessage
from elektromail.store import Store, StoreError
from elektromail.store.model import HIERARCHY_SEPARATOR
from elektromail.store.provenance import PRELOAD, Delivery, Provenance

SETTING = "ELEKTROMAIL_PRELOAD_DIR"
MESSAGE_SUFFIX = ".eml"
SIDECAR_SUFFIX = ".eml.meta.json"
# RFC 9051 9: a flag is an atom (a keyword), system flags begin with a backslash.
FLAG_PATTERN = r'^\\?[^\x00-\x20\x7f(){%*"\\\]]+$'
Flag = Annotated[str, msgspec.Meta(pattern=FLAG_PATTERN, max_length=255)]
# Deeper than any real mailbox tree; stops a symlink loop inside the directory.
MAX_DEPTH = 32


class Sidecar(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    flags: list[Flag] = []
    internal_date: Annotated[datetime, msgspec.Meta(tz=True)] | None = None


@functools.cache
def _sidecar_decoder() -> msgspec.json.Decoder[Sidecar]:
    import msgspec.json  # on first use: most runs have no fixtures, and it costs start-up time

    return msgspec.json.Decoder(Sidecar)


class PreloadedMessage(NamedTuple):
    """One message of the preload directory, read and checked, to be stored in ``user``'s ``mailbox``."""

    user: str
    mailbox: str
    parsed: ParsedMessage
    flags: tuple[str, ...]
    internal_date: datetime | None
    path: str


def _inside(root: str, path: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def _refuse_escape(root: str, path: str) -> str:
    """The real path of ``path``, or ConfigError when it resolves outside the preload directory."""
    real = os.path.realpath(path)
    if not _inside(root, real):
        raise ConfigError(f"{SETTING}: {path} points outside the directory (to {real}); refused")
    return real


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        raise ConfigError(f"{SETTING}: cannot read {path}: {error.strerror}") from None


def _mailbox_messages(root: str, user: str, folder: str, mailbox: str, depth: int) -> list[PreloadedMessage]:
    if depth > MAX_DEPTH:
        raise ConfigError(f"{SETTING}: {folder} is nested more than {MAX_DEPTH} levels deep")
    try:
        names = sorted(os.listdir(folder))
    except OSError as error:
        raise ConfigError(f"{SETTING}: cannot read {folder}: {error.strerror}") from None
    fixtures: list[PreloadedMessage] = []
    present = set(names)
    for name in names:
        path = os.path.join(folder, name)
        real = _refuse_escape(root, path)
        if os.path.isdir(real):
            fixtures.extend(_mailbox_messages(root, user, path, f"{mailbox}{HIERARCHY_SEPARATOR}{name}", depth + 1))
        elif name.endswith(SIDECAR_SUFFIX):
            if name[: -len(".meta.json")] not in present:
                raise ConfigError(f"{SETTING}: {path} has no {name[: -len('.meta.json')]} beside it")
        elif name.endswith(MESSAGE_SUFFIX):
            fixtures.append(_fixture(root, user, mailbox, path, name + ".meta.json" in present))
    return fixtures


def _fixture(root: str, user: str, mailbox: str, path: str, has_sidecar: bool) -> PreloadedMessage:
    raw = _read(path)
    sidecar = Sidecar()
    if has_sidecar:
        sidecar_path = path + ".meta.json"
        _refuse_escape(root, sidecar_path)
        try:
            sidecar = _sidecar_decoder().decode(_read(sidecar_path))
        except msgspec.DecodeError as error:
            raise ConfigError(f"{SETTING}: {sidecar_path}: {error}") from None
    return PreloadedMessage(user, mailbox, ParsedMessage(raw), tuple(sidecar.flags), sidecar.internal_date, path)


def read_preload_dir(directory: str) -> list[PreloadedMessage]:
    """Every fixture under ``directory``, checked, in the order they are to be stored."""
    if not os.path.isdir(directory):
        raise ConfigError(f"{SETTING}: {directory} is not a directory")
    root = os.path.realpath(directory)
    fixtures: list[PreloadedMessage] = []
    for user in sorted(os.listdir(root)):
        user_path = os.path.join(root, user)
        real = _refuse_escape(root, user_path)
        if not os.path.isdir(real):
            if user.endswith(MESSAGE_SUFFIX):
                raise ConfigError(f"{SETTING}: {user_path} must be inside <user>/<mailbox>/")
            continue
        for mailbox in sorted(os.listdir(real)):
            mailbox_path = os.path.join(user_path, mailbox)
            mailbox_real = _refuse_escape(root, mailbox_path)
            if os.path.isdir(mailbox_real):
                fixtures.extend(_mailbox_messages(root, user, mailbox_path, mailbox, 1))
            elif mailbox.endswith(MESSAGE_SUFFIX):
                raise ConfigError(f"{SETTING}: {mailbox_path} must be inside a mailbox folder of {user}")
    return fixtures


async def store_preloaded(store: Store, fixtures: list[PreloadedMessage], skip_present: bool) -> int:
    """Store the fixtures; with ``skip_present`` leave out those already stored. Returns how many were added."""
    # Per mailbox, how many copies of each message are already there (only when asked: a restart).
    already: dict[int, Counter[bytes]] = {}
    added = 0
    for fixture in fixtures:
        account = await store.ensure_account(fixture.user)
        mailbox = account.mailbox(fixture.mailbox)
        try:
            if mailbox is None:
                mailbox = await store.create_mailbox(account, fixture.mailbox)
            elif skip_present:
                copies = already.get(mailbox.id)
                if copies is None:
                    copies = already[mailbox.id] = Counter(message.raw for message in mailbox.messages)
                if copies[fixture.parsed.raw] > 0:
                    copies[fixture.parsed.raw] -= 1
                    continue
            arrival = Provenance(delivery=Delivery(protocol=PRELOAD, received_at=datetime.now(UTC)))
            await store.append(mailbox, fixture.parsed, fixture.flags, fixture.internal_date, provenance=arrival)
        except StoreError as error:
            raise ConfigError(f"{SETTING}: {fixture.path}: {error}") from None
        added += 1
    return added

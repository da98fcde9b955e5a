"""One frozen, typed configuration built from environment variables and command-line flags.

A single table of settings drives the environment names, the flags and the ``--help`` text, so the three
can never disagree. Every bad value raises :class:`ConfigError` with one line naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import msgspec


class ConfigError(Exception):
    """A setting has a value that cannot be used; the message names the setting and the problem."""


class UserSpec(msgspec.Struct, frozen=True):
    """A seed account from ``ELEKTROMAIL_USERS``."""

    name: str
    password: str
    email: str | None = None


class Config(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the server needs to start. Build it with :func:`load_config` or directly in tests."""

    users: tuple[UserSpec, ...] = (UserSpec("user", "pass"),)
    auth_disabled: bool = False
    db: str | None = None
    http_token: str | None = None
    preload_dir: str | None = None
    dsn_rules: str | None = None
    smtp_port: int = 2525
    imap_port: int = 1143
    http_port: int | None = None
    bind_addr: str = "0.0.0.0"
    smtp_auth_required: bool = False
    smtp_strict: bool = False
    max_message_size: int = 25 * 1024 * 1024
    max_recipients: int = 100
    smtp_idle_timeout: float = 300.0
    imap_idle_timeout: float = 1800.0
    tls_disabled: bool = False
    tls_dir: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_hostnames: tuple[str, ...] = ()
    http_allowed_hosts: tuple[str, ...] = ()
    smtps_port: int | None = None
    imaps_port: int | None = None
    log_level: str = "info"
    transcripts: bool = True
    transcript_sessions: int = 1000
    transcript_kib: int = 256


# --- value parsers: each takes the raw text and returns the typed value or raises ValueError(reason) ---

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ValueError(f"{text!r} is not a boolean (use 1/true/yes or 0/false/no)")


def parse_port(text: str) -> int:
    try:
        port = int(text.strip(), 10)
    except ValueError:
        raise ValueError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"{port} is out of range (0-65535)")
    return port


def parse_positive_int(text: str) -> int:
    try:
        value = int(text.strip(), 10)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise ValueError(f"{value} must be greater than zero")
    return value


def parse_seconds(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise ValueError(f"{value} must be greater than zero")
    return value


def parse_users(text: str) -> tuple[UserSpec, ...]:
    """``user:pass`` or ``user:email:pass`` entries, comma-separated."""
    users: list[UserSpec] = []
    seen: set[str] = set()
    claimed: set[str] = set()  # an address routes to one user
    for entry in text.split(","):
        entry = entry.strip()
        if not entry:
            continue
        parts = entry.split(":")
        if len(parts) == 2:
            name, password = parts
            email: str | None = None
        elif len(parts) == 3:
            name, email, password = parts
            if "@" not in email:
                raise ValueError(f"entry {entry!r}: {email!r} is not an email address")
        else:
            raise ValueError(f"entry {entry!r} must be user:password or user:email:password")
        if not name:
            raise ValueError(f"entry {entry!r} has an empty user name")
        if not password:
            raise ValueError(f"entry {entry!r} has no password")
        if name.lower() in seen:
            raise ValueError(f"user {name!r} is listed twice")
        seen.add(name.lower())
        if email is not None:
            if email.lower() in claimed:
                raise ValueError(f"email address {email!r} is given to two users")
            claimed.add(email.lower())
        users.append(UserSpec(name, password, email))
    if not users:
        raise ValueError("no users given")
    return tuple(users)


def parse_text(text: str) -> str:
    return text


def parse_optional_text(text: str) -> str | None:
    return text or None


def parse_names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def parse_log_level(text: str) -> str:
    level = text.strip().lower()
    if level not in {"debug", "info", "warning", "error"}:
        raise ValueError(f"{text!r} is not one of debug, info, warning, error")
    return level


class Setting(msgspec.Struct, frozen=True):
    """One configurable value: its field, environment variable, flag, parser and help text."""

    field: str
    env: str
    flag: str
    parse: Callable[[str], Any]
    default_text: str
    help: str
    is_switch: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("smtp_port", "SMTP_PORT", "--smtp-port", parse_port, "2525", "SMTP listen port (0 = any free port)"),
    Setting("imap_port", "IMAP_PORT", "--imap-port", parse_port, "1143", "IMAP listen port (0 = any free port)"),
    Setting("http_port", "HTTP_PORT", "--http-port", parse_port, "unset (off)", "HTTP control plane port"),
    Setting("bind_addr", "BIND_ADDR", "--bind", parse_text, "0.0.0.0", "address every listener binds to"),
    Setting(
        "users",
        "ELEKTROMAIL_USERS",
        "--users",
        parse_users,
        "user:pass",
        "seed accounts: user:pass or user:email:pass, comma-separated",
    ),
    Setting(
        "auth_disabled",
        "ELEKTROMAIL_AUTH_DISABLED",
        "--auth-disabled",
        parse_bool,
        "false",
        "accept any user name and password (1/true/yes)",
        is_switch=True,
    ),
    Setting(
        "smtp_auth_required",
        "ELEKTROMAIL_SMTP_AUTH_REQUIRED",
        "--smtp-auth-required",
        parse_bool,
        "false",
        "SMTP clients must AUTH before MAIL FROM",
        is_switch=True,
    ),
    Setting(
        "smtp_strict",
        "ELEKTROMAIL_SMTP_STRICT",
        "--smtp-strict",
        parse_bool,
        "false",
        "refuse what a strict MTA refuses: lines over 998 octets, bare LF or CR, undeclared 8-bit, no Date/From",
        is_switch=True,
    ),
    Setting("db", "ELEKTROMAIL_DB", "--db", parse_optional_text, "unset (in memory)", "SQLite database file"),
    Setting(
        "http_token",
        "ELEKTROMAIL_HTTP_TOKEN",
        "--http-token",
        parse_optional_text,
        "unset",
        "bearer token the HTTP control plane requires",
    ),
    Setting(
        "preload_dir",
        "ELEKTROMAIL_PRELOAD_DIR",
        "--preload-dir",
        parse_optional_text,
        "unset",
        "directory of <user>/<mailbox>/*.eml fixtures loaded at start and by /reset",
    ),
    Setting(
        "dsn_rules",
        "ELEKTROMAIL_DSN_RULES",
        "--dsn-rules",
        parse_optional_text,
        "unset",
        "JSON list of delivery and fault rules (reject, bounce, accept, tempfail, greylist, delay, disconnect)",
    ),
    Setting(
        "max_message_size",
        "ELEKTROMAIL_MAX_MESSAGE_SIZE",
        "--max-message-size",
        parse_positive_int,
        "26214400",
        "largest message accepted by SMTP DATA and IMAP APPEND, in octets",
    ),
    Setting(
        "max_recipients",
        "ELEKTROMAIL_MAX_RECIPIENTS",
        "--max-recipients",
        parse_positive_int,
        "100",
        "recipients accepted per SMTP message",
    ),
    Setting(
        "smtp_idle_timeout",
        "ELEKTROMAIL_SMTP_TIMEOUT",
        "--smtp-timeout",
        parse_seconds,
        "300",
        "seconds an SMTP client may stay silent before 421",
    ),
    Setting(
        "imap_idle_timeout",
        "ELEKTROMAIL_IMAP_TIMEOUT",
        "--imap-timeout",
        parse_seconds,
        "1800",
        "seconds an IMAP client may stay silent before BYE",
    ),
    Setting(
        "tls_disabled",
        "ELEKTROMAIL_TLS_DISABLED",
        "--tls-disabled",
        parse_bool,
        "false",
        "do not offer STARTTLS",
        is_switch=True,
    ),
    Setting(
        "tls_dir",
        "ELEKTROMAIL_TLS_DIR",
        "--tls-dir",
        parse_optional_text,
        "unset (memory only)",
        "directory where the generated certificate is kept across restarts",
    ),
    Setting("tls_cert", "ELEKTROMAIL_TLS_CERT", "--tls-cert", parse_optional_text, "unset", "PEM certificate to use"),
    Setting("tls_key", "ELEKTROMAIL_TLS_KEY", "--tls-key", parse_optional_text, "unset", "PEM private key to use"),
    Setting(
        "tls_hostnames",
        "ELEKTROMAIL_TLS_HOSTNAMES",
        "--tls-hostnames",
        parse_names,
        "unset",
        "extra names for the generated certificate, comma-separated",
    ),
    Setting(
        "http_allowed_hosts",
        "ELEKTROMAIL_HTTP_ALLOWED_HOSTS",
        "--http-allowed-hosts",
        parse_names,
        "unset",
        "extra Host names the HTTP port answers when bound to loopback, comma-separated",
    ),
    Setting("smtps_port", "SMTPS_PORT", "--smtps-port", parse_port, "unset (off)", "implicit-TLS SMTP port"),
    Setting("imaps_port", "IMAPS_PORT", "--imaps-port", parse_port, "unset (off)", "implicit-TLS IMAP port"),
    Setting("log_level", "ELEKTROMAIL_LOG_LEVEL", "--log-level", parse_log_level, "info", "log verbosity"),
    Setting(
        "transcripts",
        "ELEKTROMAIL_TRANSCRIPTS",
        "--transcripts",
        parse_bool,
        "on",
        "record every SMTP and IMAP session for GET /sessions, secrets masked (off: record nothing)",
    ),
    Setting(
        "transcript_sessions",
        "ELEKTROMAIL_TRANSCRIPT_SESSIONS",
        "--transcript-sessions",
        parse_positive_int,
        "1000",
        "sessions whose transcripts are kept; the oldest are dropped",
    ),
    Setting(
        "transcript_kib",
        "ELEKTROMAIL_TRANSCRIPT_KIB",
        "--transcript-kib",
        parse_positive_int,
        "256",
        "KiB one transcript may hold before it is truncated",
    ),
)

SETTINGS_BY_FLAG: dict[str, Setting] = {setting.flag: setting for setting in SETTINGS}


def load_config(environ: Mapping[str, str] | None = None, flags: Mapping[str, str] | None = None) -> Config:
    """Build the configuration: defaults, then environment variables, then flags (flags win).

    ``flags`` maps a flag such as ``--smtp-port`` to its raw text.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.env in env:
            values[setting.field] = _parse(setting, env[setting.env], setting.env)
    for flag, text in (flags or {}).items():
        flag_setting = SETTINGS_BY_FLAG.get(flag)
        if flag_setting is None:
            raise ConfigError(f"{flag}: unknown option")
        values[flag_setting.field] = _parse(flag_setting, text, flag)
    config = Config(**values)
    _check_consistency(config)
    return config


def _parse(setting: Setting, text: str, source: str) -> Any:
    try:
        return setting.parse(text)
    except ValueError as error:
        raise ConfigError(f"{source}: {error}") from None


def _check_consistency(config: Config) -> None:
    if (config.tls_cert is None) != (config.tls_key is None):
        raise ConfigError("ELEKTROMAIL_TLS_CERT and ELEKTROMAIL_TLS_KEY must be set together")


def help_lines() -> Sequence[str]:
    """One block per setting for ``--help``: flag, environment variable, default, meaning."""
    lines = []
    for setting in SETTINGS:
        value = "" if setting.is_switch else " VALUE"
        lines.append(f"  {setting.flag}{value}")
        lines.append(f"      env {setting.env} (default: {setting.default_text})")
        lines.append(f"      {setting.help}")
    return lines

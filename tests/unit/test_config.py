"""Configuration: defaults, environment variables, flags over variables, and one clear error per bad value."""

from __future__ import annotations

import pytest

from elektromail.cli import help_text, parse_flags
from elektromail.config import SETTINGS, Config, ConfigError, UserSpec, load_config


def test_defaults_match_documentation() -> None:
    config = load_config({})
    assert config.smtp_port == 2525
    assert config.imap_port == 1143
    assert config.http_port is None
    assert config.bind_addr == "0.0.0.0"
    assert config.users == (UserSpec("user", "pass"),)
    assert config.auth_disabled is False
    assert config.db is None


def test_environment_values_are_typed() -> None:
    config = load_config(
        {
            "SMTP_PORT": "3025",
            "IMAP_PORT": "3143",
            "HTTP_PORT": "8080",
            "BIND_ADDR": "127.0.0.1",
            "ELEKTROMAIL_USERS": "admin:admin@example.com:secret, demo:demo",
            "ELEKTROMAIL_AUTH_DISABLED": "YES",
            "ELEKTROMAIL_DB": "/tmp/mail.db",
            "ELEKTROMAIL_HTTP_TOKEN": "t0ken",
            "ELEKTROMAIL_PRELOAD_DIR": "/fixtures",
            "ELEKTROMAIL_DSN_RULES": "[]",
        }
    )
    assert (config.smtp_port, config.imap_port, config.http_port) == (3025, 3143, 8080)
    assert config.bind_addr == "127.0.0.1"
    assert config.users == (UserSpec("admin", "secret", "admin@example.com"), UserSpec("demo", "demo"))
    assert config.auth_disabled is True
    assert config.db == "/tmp/mail.db"
    assert config.http_token == "t0ken"
    assert config.preload_dir == "/fixtures"
    assert config.dsn_rules == "[]"


def test_flags_override_environment() -> None:
    config = load_config({"SMTP_PORT": "3025", "ELEKTROMAIL_AUTH_DISABLED": "0"}, {"--smtp-port": "4025"})
    assert config.smtp_port == 4025
    flags = parse_flags(["--auth-disabled", "--imap-port=4143", "--users", "a:b"])
    config = load_config({"ELEKTROMAIL_AUTH_DISABLED": "0"}, flags)
    assert config.auth_disabled is True
    assert config.imap_port == 4143
    assert config.users == (UserSpec("a", "b"),)


@pytest.mark.parametrize(
    ("env", "value", "reason"),
    [
        ("SMTP_PORT", "abc", "not a port number"),
        ("SMTP_PORT", "70000", "out of range"),
        ("IMAP_PORT", "-1", "out of range"),
        ("HTTP_PORT", "http", "not a port number"),
        ("SMTPS_PORT", "99999", "out of range"),
        ("IMAPS_PORT", "x", "not a port number"),
        ("ELEKTROMAIL_USERS", "alice", "must be user:password"),
        ("ELEKTROMAIL_USERS", "alice:", "has no password"),
        ("ELEKTROMAIL_USERS", ":secret", "empty user name"),
        ("ELEKTROMAIL_USERS", "a:b:c:d", "must be user:password"),
        ("ELEKTROMAIL_USERS", "a:not-an-address:pw", "not an email address"),
        ("ELEKTROMAIL_USERS", "a:x,A:y", "listed twice"),
        ("ELEKTROMAIL_USERS", " , ", "no users"),
        ("ELEKTROMAIL_AUTH_DISABLED", "maybe", "not a boolean"),
        ("ELEKTROMAIL_SMTP_AUTH_REQUIRED", "sure", "not a boolean"),
        ("ELEKTROMAIL_TLS_DISABLED", "2", "not a boolean"),
        ("ELEKTROMAIL_MAX_MESSAGE_SIZE", "big", "not a whole number"),
        ("ELEKTROMAIL_MAX_RECIPIENTS", "0", "greater than zero"),
        ("ELEKTROMAIL_SMTP_TIMEOUT", "soon", "not a number"),
        ("ELEKTROMAIL_LOG_LEVEL", "loud", "not one of"),
    ],
)
def test_bad_value_names_the_variable(env: str, value: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({env: value})
    message = str(caught.value)
    assert message.startswith(f"{env}: ")
    assert reason in message
    assert "\n" not in message


def test_bad_flag_names_the_flag() -> None:
    with pytest.raises(ConfigError, match=r"^--smtp-port: 'x' is not a port number$"):
        load_config({}, parse_flags(["--smtp-port", "x"]))
    with pytest.raises(ConfigError, match="--nope: unknown option"):
        parse_flags(["--nope"])
    with pytest.raises(ConfigError, match="--imap-port: needs a value"):
        parse_flags(["--imap-port"])


def test_cert_and_key_go_together() -> None:
    with pytest.raises(ConfigError, match="ELEKTROMAIL_TLS_CERT and ELEKTROMAIL_TLS_KEY"):
        load_config({"ELEKTROMAIL_TLS_CERT": "/cert.pem"})


def test_help_explains_every_setting() -> None:
    text = help_text()
    for setting in SETTINGS:
        assert setting.flag in text
        assert setting.env in text
        assert f"(default: {setting.default_text})" in text


def test_config_is_frozen() -> None:
    config = Config()
    with pytest.raises(AttributeError):
        config.smtp_port = 1  # type: ignore[misc]


def test_smtp_strict_from_environment_and_flag() -> None:
    assert load_config({}).smtp_strict is False
    assert load_config({"ELEKTROMAIL_SMTP_STRICT": "yes"}).smtp_strict is True
    assert load_config({"ELEKTROMAIL_SMTP_STRICT": "1"}, parse_flags([])).smtp_strict is True
    assert load_config({}, parse_flags(["--smtp-strict"])).smtp_strict is True
    with pytest.raises(ConfigError, match="ELEKTROMAIL_SMTP_STRICT"):
        load_config({"ELEKTROMAIL_SMTP_STRICT": "sometimes"})


def test_transcript_settings() -> None:
    defaults = load_config({})
    assert (defaults.transcripts, defaults.transcript_sessions, defaults.transcript_kib) == (True, 1000, 256)
    assert load_config({"ELEKTROMAIL_TRANSCRIPTS": "off"}).transcripts is False
    assert load_config({}, parse_flags(["--transcripts", "off"])).transcripts is False
    limited = load_config({"ELEKTROMAIL_TRANSCRIPT_SESSIONS": "10", "ELEKTROMAIL_TRANSCRIPT_KIB": "4"})
    assert (limited.transcript_sessions, limited.transcript_kib) == (10, 4)
    with pytest.raises(ConfigError, match="ELEKTROMAIL_TRANSCRIPT_KIB"):
        load_config({"ELEKTROMAIL_TRANSCRIPT_KIB": "0"})

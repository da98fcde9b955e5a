"""What the plugin says when something is wrong: mail that never left the application, mail sent to
another address, a URL or token that cannot work, a blocking wait in an async test, and failures that show
the test's code rather than the plugin's."""

from __future__ import annotations

import socket

import pytest

from tests.integration.plugin_runs import SEND, run, url_of
from tests.integration.process import ServerProcess

pytest_plugins = ["pytester"]
pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]


def test_a_wait_for_mail_the_app_kept_to_itself_names_the_test_modes(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_swallowed="""
def test_the_framework_kept_the_mail(mailbox):
    pass  # an application in a framework's test mode: it sends nothing over SMTP
    mailbox.wait(subject="Welcome", timeout=0.5)
"""
    )
    result = run(inner)
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "did not arrive at t" in output
    assert "the server stored no mail at all while this test ran" in output
    assert 'settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"' in output
    assert "MAIL_SUPPRESS_SEND = False" in output
    assert "Is it sending to 127.0.0.1:" in output


def test_a_wait_for_mail_sent_elsewhere_names_where_it_went(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_misspelt=SEND
        + """
def test_the_app_misspelt_the_address(mailbox):
    send(mailbox, "Welcome", to="someone.else@example.com")
    mailbox.wait(subject="Welcome", timeout=0.5)
"""
    )
    result = run(inner)
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "meanwhile the server stored mail for other users only" in output
    assert "someone.else@example.com (user someone.else): 'Welcome' from 'app@example.com'" in output


def test_a_failure_shows_the_tests_code_not_the_plugins(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_trace="""
def test_waits_in_vain(mailbox):
    mailbox.wait(subject="never", timeout=0.2)
"""
    )
    result = run(inner)
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert 'mailbox.wait(subject="never", timeout=0.2)' in output
    assert "elektromail/testing/" not in output
    assert "def wait(" not in output


def test_a_blocking_wait_in_an_async_test_says_to_use_wait_async(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_async="""
async def test_blocks_its_own_loop(mailbox):
    mailbox.wait(subject="never", timeout=0.2)
"""
    )
    result = run(inner)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*use `await mailbox.wait_async(...)`*"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_a_url_without_scheme_is_a_usage_error_at_once(inner: pytest.Pytester) -> None:
    inner.makepyfile(test_any="def test_needs_mail(mailbox):\n    pass\n")
    result = run(inner, "--elektromail-url=mail:8080")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--elektromail-url: 'mail:8080' is not an HTTP URL*http://*"])


def test_an_unreachable_server_fails_in_one_line_naming_the_url_and_its_source(
    inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("ELEKTROMAIL_URL", url)
    inner.makepyfile(test_any="def test_needs_mail(mailbox):\n    pass\n")
    result = run(inner, "--elektromail-ready-timeout=1")
    result.assert_outcomes(errors=1)
    output = result.stdout.str()
    wanted = f"elektromail at {url} (from $ELEKTROMAIL_URL) not ready after 1 s; last attempt: ConnectError"
    # The error section holds the message as a line of its own; the short summary repeats it after the
    # test id (in full when pytest sees a CI environment, cut to the terminal width elsewhere).
    assert len([line for line in output.splitlines() if line.startswith(wanted)]) == 1
    assert "Traceback" not in output
    assert "elektromail/testing/" not in output
    assert "def connect(" not in output


def test_a_server_with_a_token_asked_without_one_says_so(inner: pytest.Pytester, external: ServerProcess) -> None:
    inner.makepyfile(test_any="def test_needs_mail(mailbox):\n    pass\n")
    result = run(inner, f"--elektromail-url={url_of(external)}", "--elektromail-ready-timeout=2")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*(from --elektromail-url) answers /healthz without its listeners: is a token needed?*"]
    )

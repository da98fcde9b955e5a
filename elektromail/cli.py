"""Command line: ``elektromail [run] [flags]``, ``elektromail healthcheck``, ``elektromail version``.

Every bad setting ends the process with one line on stderr naming it, and exit code 2.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

from elektromail import __version__
from elektromail.config import SETTINGS, SETTINGS_BY_FLAG, Config, ConfigError, help_lines, load_config

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

USAGE = """\
usage: elektromail [run] [OPTIONS]
       elektromail healthcheck [--host HOST] [--wait SECONDS] [OPTIONS]
       elektromail version | --version

A test mail server: SMTP in, IMAP4rev2 out, HTTP control plane, one process, no setup.
Every option can also be given as an environment variable; an option wins over its variable.

commands:
  run           start the server (the default)
  healthcheck   exit 0 when every configured listener answers, 1 otherwise; --host checks
                the server on another host (default: this one, on BIND_ADDR), --wait keeps
                trying for that many seconds (default 0: one try)
  version       print the version

options:
  -h, --help    show this text
"""


def help_text() -> str:
    return USAGE + "\n".join(help_lines()) + "\n"


def parse_flags(args: Sequence[str]) -> dict[str, str]:
    """``--flag value``, ``--flag=value`` and bare switches into a flag -> text mapping."""
    flags: dict[str, str] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        name, eq, value = arg.partition("=")
        setting = SETTINGS_BY_FLAG.get(name)
        if setting is None:
            raise ConfigError(f"{name}: unknown option (see elektromail --help)")
        if eq:
            flags[name] = value
        elif setting.is_switch:
            flags[name] = "true"
        else:
            index += 1
            if index >= len(args):
                raise ConfigError(f"{name}: needs a value")
            flags[name] = args[index]
        index += 1
    return flags


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if any(arg in ("-h", "--help") for arg in args) or args[:1] == ["help"]:
        sys.stdout.write(help_text())
        return EXIT_OK
    if args[:1] in (["version"], ["--version"], ["-V"]):
        print(f"elektromail {__version__}")
        return EXIT_OK
    command = "run"
    if args and not args[0].startswith("-"):
        command = args.pop(0)
    if command not in ("run", "healthcheck"):
        print(f"elektromail: unknown command {command!r} (see elektromail --help)", file=sys.stderr)
        return EXIT_USAGE
    if command == "healthcheck":
        return check_health(args)
    try:
        config = load_config(flags=parse_flags(args))
    except ConfigError as error:
        print(f"elektromail: {error}", file=sys.stderr)
        return EXIT_USAGE
    return run(config)


def check_health(args: list[str]) -> int:
    from elektromail.healthcheck import healthcheck, parse_healthcheck_options

    try:
        host, wait, rest = parse_healthcheck_options(args)
        config = load_config(flags=parse_flags(rest))
    except ConfigError as error:
        print(f"elektromail: {error}", file=sys.stderr)
        return EXIT_USAGE
    return healthcheck(config, host, wait)


def run(config: Config) -> int:
    logging.basicConfig(
        level=config.log_level.upper(), format="%(asctime)s elektromail %(levelname)s %(message)s", stream=sys.stderr
    )
    from elektromail.server import new_event_loop

    try:
        with asyncio.Runner(loop_factory=new_event_loop) as runner:
            runner.run(serve(config))
    except ConfigError as error:
        print(f"elektromail: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    return EXIT_OK


async def serve(config: Config) -> None:
    """Run until SIGTERM or SIGINT, then stop gracefully."""
    from elektromail.server import Server

    server = Server(config)
    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    log = logging.getLogger("elektromail")

    def on_signal(signum: signal.Signals) -> None:
        if server.lifecycle.stopping:  # a second signal changes nothing: the graceful stop is bounded
            log.info("%s: already stopping", signum.name)
            return
        stop_requested.set()

    # Before start: the ready line tells supervisors they may signal, so the handlers must be in place by
    # then (a signal during start-up stops the server as soon as it is up).
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    await server.start()
    await stop_requested.wait()
    log.info("stopping")
    await server.stop()


__all__ = ["SETTINGS", "main"]

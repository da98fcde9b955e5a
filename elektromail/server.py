"""The supervisor: builds the store, starts every listener, and owns a graceful stop.

``Server`` is also the public embedding API::

    async with Server(Config(smtp_port=0, imap_port=0)) as server:
        smtplib.SMTP("127.0.0.1", server.smtp_port) ...

and :class:`ServerThread` runs the same thing on a background thread for synchronous tests.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from elektromail.config import Config, ConfigError
from elektromail.context import Lifecycle, LifecycleState, ServerContext
from elektromail.delivery import Delivery, RuleError, parse_rules
from elektromail.numeric_bind import bind_numeric
from elektromail.preload import PreloadedMessage, read_preload_dir, store_preloaded
from elektromail.store import Store, StoreError
from elektromail.tls import TlsProvider, tls_wanted

if TYPE_CHECKING:
    import ssl

log = logging.getLogger("elektromail")

# RFC-agnostic grace period: sessions get BYE/421 and this long to go before transports are aborted.
SHUTDOWN_GRACE_SECONDS = 3.0

ProtocolFactory = Callable[[], asyncio.BaseProtocol]


class ListeningSocket:
    """One listening socket: which protocol, which setting chose its port, and the bound port."""

    def __init__(
        self, name: str, setting: str, port: int, factory: ProtocolFactory, implicit_tls: bool = False
    ) -> None:
        self.name = name
        self.setting = setting
        self.requested_port = port
        self.factory = factory
        self.implicit_tls = implicit_tls
        self.server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self.server is not None, "listener not started"
        port: int = self.server.sockets[0].getsockname()[1]
        return port


async def open_store(config: Config) -> Store:
    """The in-memory store, or the SQLite-backed one when ``ELEKTROMAIL_DB`` is set."""
    if config.db is not None:
        from elektromail.store.sqlite import open_sqlite_store

        return await open_sqlite_store(config.db)
    return Store()


async def close_journal(store: Store) -> None:
    """Flush and close a persistent backend (the in-memory one has nothing to close)."""
    await store.journal.close()


def build_delivery(config: Config, store: Store) -> Delivery:
    try:
        return Delivery.from_config(config, store)
    except RuleError as error:
        raise ConfigError(f"ELEKTROMAIL_DSN_RULES: {error}") from None


def build_tls(config: Config) -> TlsProvider | None:
    """The TLS provider, its files checked (errors stop start-up), or None when TLS is off entirely."""
    if not tls_wanted(config):
        return None
    provider = TlsProvider(config)
    provider.prepare()
    return provider


async def release(store: Store, tls: TlsProvider | None) -> None:
    """Wait for background TLS generation and close the store's journal."""
    if tls is not None:
        await tls.close()
    await close_journal(store)


async def seed_users(context: ServerContext) -> None:
    """Create the configured users that do not exist yet (a persistent store may already hold them)."""
    for spec in context.config.users:
        account = context.store.account(spec.name)
        try:
            if account is None:
                await context.store.add_user(spec.name, spec.password, spec.email)
            elif account.password != spec.password or (spec.email and account.email != spec.email):
                await context.store.update_user(account, spec.password, spec.email)
        except StoreError as error:  # a stored user, created over HTTP, already has the address
            raise ConfigError(f"ELEKTROMAIL_USERS: {error}") from None


class Server:
    """One elektromail server: SMTP, IMAP and (optionally) HTTP over one event loop and one store."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config if config is not None else Config()
        self.context: ServerContext | None = None
        self.lifecycle = Lifecycle()
        self.listeners: list[ListeningSocket] = []
        self._http: Any = None  # the HttpService, when HTTP_PORT is set (imported only then)
        self.preloaded: list[PreloadedMessage] = []  # the preloaded baseline that reset() restores

    @property
    def ready(self) -> bool:
        """Every listener is up, and no stop has begun (``lifecycle.state`` says which state it is in)."""
        return self.lifecycle.ready

    def listener_ports(self) -> dict[str, int]:
        return {listener.name: listener.port for listener in self.listeners if listener.server is not None}

    # ---------------------------------------------------------------- ports, for embedding

    def port(self, name: str) -> int:
        for listener in self.listeners:
            if listener.name == name:
                return listener.port
        # Off unless configured (HTTP_PORT, SMTPS_PORT, IMAPS_PORT) or not started yet: say so, not KeyError.
        raise LookupError(f"this server has no {name} listener: it is off (see {name}_PORT) or not started")

    @property
    def smtp_port(self) -> int:
        return self.port("SMTP")

    @property
    def imap_port(self) -> int:
        return self.port("IMAP")

    @property
    def http_port(self) -> int:
        return self.port("HTTP")

    @property
    def store(self) -> Store:
        assert self.context is not None, "server not started"
        return self.context.store

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        config = self.config
        store = await open_store(config)
        loop = asyncio.get_running_loop()
        tls: TlsProvider | None = None
        try:
            delivery, tls = build_delivery(config, store), build_tls(config)
            self.context = context = ServerContext(config, store, delivery, tls, self.lifecycle)
            await self._prepare(context)
            self.listeners = self._listener_plan(context)
            for listener in self.listeners:
                await self._bind(loop, listener)
        except BaseException:
            await self._close_listeners()
            if self._http is not None:
                self._http.close()
            await release(store, tls)  # a persistent store holds a lock and a thread: release them
            self.lifecycle.advance(LifecycleState.STOPPED)
            raise
        for listener in self.listeners:
            log.info("%s listening on %s:%d", listener.name, config.bind_addr, listener.port)
        self.lifecycle.advance(LifecycleState.READY)
        # The loop is named so that a frozen build that lost uvloop shows it at once.
        log.info("elektromail ready (event loop: %s)", type(loop).__module__.partition(".")[0])
        if tls is not None and config.tls_dir is not None:
            # A certificate kept in a directory is there to be read and trusted by other processes
            # before they connect: make it now, in the background, rather than on first use.
            tls.begin()

    async def _prepare(self, context: ServerContext) -> None:
        """The store's start state: seed users and preloaded messages, before the first socket opens."""
        # Read (and check) the preloaded messages before touching the store, so a bad one changes nothing.
        if context.config.preload_dir is not None:
            self.preloaded = read_preload_dir(context.config.preload_dir)
        # A store that already holds data was persisted: messages stored by an earlier run stay single.
        had_data = bool(context.store.accounts())
        await seed_users(context)
        if self.preloaded:
            added = await store_preloaded(context.store, self.preloaded, skip_present=had_data)
            log.info("preloaded %d of %d fixture messages", added, len(self.preloaded))

    async def reset(self) -> None:
        """Back to the start state: the seed users, the preloaded fixtures and the configured rules."""
        store = self.store
        await store.clear()
        assert self.context is not None
        self.context.delivery.rules = parse_rules(self.config.dsn_rules)  # checked at start
        await seed_users(self.context)
        await store_preloaded(store, self.preloaded, skip_present=False)

    def _listener_plan(self, context: ServerContext) -> list[ListeningSocket]:
        from elektromail.imap.engine.connection import imap_factory
        from elektromail.smtp.connection import smtp_factory
        from elektromail.smtp.settings import SmtpSettings

        config = context.config
        plan = [
            ListeningSocket("SMTP", "SMTP_PORT", config.smtp_port, smtp_factory(SmtpSettings(context))),
            ListeningSocket("IMAP", "IMAP_PORT", config.imap_port, imap_factory(context)),
        ]
        if config.http_port is not None:
            # Imported only when enabled: Starlette and uvicorn add to start-up time.
            from elektromail.http.service import HttpService

            self._http = HttpService(context, self)
            plan.append(ListeningSocket("HTTP", "HTTP_PORT", config.http_port, self._http.factory()))
        if config.smtps_port is not None:
            smtps = smtp_factory(SmtpSettings(context, implicit_tls=True))
            plan.append(ListeningSocket("SMTPS", "SMTPS_PORT", config.smtps_port, smtps, True))
        if config.imaps_port is not None:
            plan.append(ListeningSocket("IMAPS", "IMAPS_PORT", config.imaps_port, imap_factory(context, True), True))
        return plan

    async def _bind(self, loop: asyncio.AbstractEventLoop, listener: ListeningSocket) -> None:
        ssl_context = None
        if listener.implicit_tls:
            assert self.context is not None and self.context.tls is not None
            ssl_context = (await self.context.tls.material()).context
        try:
            listener.server = await self._listen(loop, listener, ssl_context)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ConfigError(f"{listener.setting}: port {listener.requested_port} is already in use") from None
            if error.errno == errno.EACCES:
                raise ConfigError(f"{listener.setting}: permission denied for port {listener.requested_port}") from None
            raise ConfigError(f"BIND_ADDR: cannot listen on {self.config.bind_addr}: {error.strerror}") from None

    async def _listen(
        self, loop: asyncio.AbstractEventLoop, listener: ListeningSocket, ssl_context: ssl.SSLContext | None
    ) -> asyncio.Server:
        host, port = self.config.bind_addr, listener.requested_port
        sock = bind_numeric(host, port)
        if sock is None:  # a name: the loop resolves it, and may bind every address it has
            return await loop.create_server(
                listener.factory, host, port, reuse_address=True, backlog=1024, ssl=ssl_context
            )
        try:
            return await loop.create_server(listener.factory, sock=sock, backlog=1024, ssl=ssl_context)
        except BaseException:
            sock.close()
            raise

    async def stop(self, timeout: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Close listeners, say goodbye to every session, wait for them (bounded), close the store."""
        context = self.context
        if context is None:
            return
        if self.lifecycle.stopping:  # stopped already, or another caller is stopping it: wait for that
            await self.lifecycle.wait_stopped()
            return
        self.lifecycle.advance(LifecycleState.STOPPING)
        await self._close_listeners()
        if self._http is not None:
            self._http.close()
        context.connections.shutdown_all()
        if not await context.connections.wait_empty(timeout):
            log.warning("%d sessions did not close in time", len(context.connections))
        await release(context.store, context.tls)
        self.lifecycle.advance(LifecycleState.STOPPED)
        log.info("elektromail stopped")

    async def _close_listeners(self) -> None:
        # Only the listening sockets close here: open sessions are ended by stop() with BYE/421.
        # (Server.wait_closed() would also wait for those sessions on Python 3.12+.)
        for listener in self.listeners:
            if listener.server is not None:
                listener.server.close()

    async def wait_stopped(self) -> None:
        await self.lifecycle.wait_stopped()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop when it is installed, the standard loop otherwise."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class ServerThread:
    """Runs a :class:`Server` on its own event loop in a background thread, for synchronous code.

    ::

        with ServerThread(Config(smtp_port=0, imap_port=0)) as server:
            smtplib.SMTP("127.0.0.1", server.smtp_port)
    """

    def __init__(self, config: Config | None = None, start_timeout: float = 10.0) -> None:
        self.server = Server(config)
        self._start_timeout = start_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name="elektromail", daemon=True)
        self._thread.start()
        if not self._ready.wait(self._start_timeout):
            raise TimeoutError("elektromail did not start in time")
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        loop = new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.server.start())
        except BaseException as error:
            self._error = error
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_until_complete(self.server.wait_stopped())
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def call(self, coroutine_factory: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Run a coroutine on the server's loop and return its result (for tests that touch the store)."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine_factory(), self._loop).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is None or self._thread is None or not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result(timeout)
        self._thread.join(timeout)

    @property
    def smtp_port(self) -> int:
        return self.server.smtp_port

    @property
    def imap_port(self) -> int:
        return self.server.imap_port

    @property
    def http_port(self) -> int:
        return self.server.http_port

    def port(self, name: str) -> int:
        """The bound port of a listener by protocol name: SMTP, IMAP, HTTP, SMTPS, IMAPS."""
        return self.server.port(name)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

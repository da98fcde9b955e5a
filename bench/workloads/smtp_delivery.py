"""Sending mail: Postfix's ``smtp-source`` and a small asyncio SMTP/LMTP client."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time

from bench.model import Endpoint, WrongAnswer

SENDER = "sender@example.com"


def smtp_source(endpoint: Endpoint, messages: int, length: int, *session_options: str) -> float:
    """Send ``messages`` of ``length`` octets with smtp-source, check they all arrived; return seconds."""
    assert endpoint.smtp is not None
    before = endpoint.count()
    command = ["smtp-source", *session_options, "-m", str(messages), "-l", str(length)]
    command += ["-f", SENDER, "-t", endpoint.recipient, f"127.0.0.1:{endpoint.smtp}"]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise WrongAnswer(f"smtp-source failed ({completed.returncode}): {completed.stderr.strip()[:200]}")
    after = endpoint.count()
    if before is not None and after is not None and after - before != messages:
        raise WrongAnswer(f"{messages} messages sent, {after - before} stored")
    return elapsed


class Sender:
    """One SMTP (or LMTP) connection that sends messages one after another."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, lmtp: bool) -> None:
        self.reader, self.writer, self.lmtp = reader, writer, lmtp

    @classmethod
    async def connect(cls, endpoint: Endpoint) -> Sender:
        lmtp = endpoint.smtp is None
        port = endpoint.lmtp if lmtp else endpoint.smtp
        assert port is not None
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sender = cls(reader, writer, lmtp)
        await sender.reply()
        writer.write(b"LHLO bench\r\n" if lmtp else b"EHLO bench\r\n")
        await sender.reply()
        return sender

    async def reply(self) -> bytes:
        while True:
            line = await self.reader.readline()
            if not line:
                raise WrongAnswer("the server closed the connection")
            if line[3:4] != b"-":
                return line

    async def envelope(self, recipient: str) -> None:
        self.writer.write(b"MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n" % (SENDER.encode(), recipient.encode()))
        for expected in (b"250", b"250", b"354"):
            line = await self.reply()
            if not line.startswith(expected):
                raise WrongAnswer(f"expected {expected.decode()}, got {line[:100]!r}")

    async def send(self, recipient: str, message: bytes) -> float:
        """Send one message; returns the moment its end of DATA left (perf_counter)."""
        await self.envelope(recipient)
        self.writer.write(message)
        await self.writer.drain()
        sent = time.perf_counter()
        self.writer.write(b".\r\n")
        line = await self.reply()
        if not line.startswith(b"250"):
            raise WrongAnswer(f"end of DATA: {line[:100]!r}")
        return sent

    async def refused(self, recipient: str, size: int) -> bytes:
        """Send a message of ``size`` octets in 64 KiB writes; returns the server's reply to it."""
        await self.envelope(recipient)
        # Lines of 1,000 octets with their CRLF, the most RFC 5321 4.5.3.1.6 allows: longer ones would be
        # refused for their length (as aiosmtpd does, holding nothing) rather than for the message's size.
        line = b"x" * 998 + b"\r\n"
        chunk = b"Subject: too big\r\n\r\n" + line * 65
        for _ in range(size // len(chunk)):
            self.writer.write(chunk)
            await self.writer.drain()
        self.writer.write(b".\r\n")
        return await self.reply()

    async def close(self) -> None:
        self.writer.write(b"QUIT\r\n")
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()

"""Every server the bench knows, elektromail's package first (every ratio is against it)."""

from __future__ import annotations

from bench.model import Peer
from bench.peers import dovecot, elektromail, pymap, smtp_servers

REFERENCE = elektromail.PACKAGE_PEER
ALL_PEERS: list[Peer] = [*elektromail.PEERS, *smtp_servers.PEERS, *dovecot.PEERS, *pymap.PEERS]

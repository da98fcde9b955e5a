"""Session transcripts: what every SMTP and IMAP session said and heard, bounded and with secrets masked."""

from __future__ import annotations

from elektromail.transcripts.recorder import Transcript, UnrecordedTranscript
from elektromail.transcripts.registry import Transcripts

__all__ = ["Transcript", "Transcripts", "UnrecordedTranscript"]

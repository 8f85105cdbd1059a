"""Journal backends: one ordered, append-only log of events per mall, read by service day."""

from server.journal.base import Journal, JournalConflict, JournalError

__all__ = ["Journal", "JournalConflict", "JournalError"]

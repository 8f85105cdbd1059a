"""Refusals the domain gives, each with a message a person can act on.

The HTTP layer maps the kind to a status code; the domain knows nothing of HTTP.
"""

from __future__ import annotations


class Refusal(Exception):
    kind = "conflict"

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.kind


class NotFound(Refusal):
    kind = "not_found"


class Conflict(Refusal):
    """The floor is not in a state where this makes sense (wrong ticket or counter state)."""

    kind = "conflict"


class Unavailable(Refusal):
    """The service cannot take a ticket now: closed, or its daily quota is used up."""

    kind = "unavailable"


class Invalid(Refusal):
    """The request itself makes no sense, whatever the state."""

    kind = "invalid"

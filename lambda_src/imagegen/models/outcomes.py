"""What became of one queue message: the worker handler turns each outcome into what it asks
of SQS (delete it, bring it back later, or let it reach the dead-letter queue)."""

from __future__ import annotations

from dataclasses import dataclass

from imagegen.models.errors import ImageServiceError


@dataclass(frozen=True)
class Done:
    """Finished, or nothing (left) to do: the message is deleted."""


@dataclass(frozen=True)
class RetryAfter:
    """Failed for now: the message comes back after `seconds`."""

    seconds: int
    error: ImageServiceError


@dataclass(frozen=True)
class DeadLetter:
    """Failed on its last delivery (or no delivery is left to finish it): on to the dead-letter queue."""

    reason: str


@dataclass(frozen=True)
class Unreadable:
    """Not a message the worker understands: on to the dead-letter queue at once."""

    reason: str


DONE = Done()
Outcome = Done | RetryAfter | DeadLetter | Unreadable

"""The Lab's clock: real time by default, or frozen and moved by hand."""

from __future__ import annotations

import time as _time
from datetime import UTC, datetime


class Clock:
    """Drives TOTP checks, ``aws:CurrentTime``, MFA age and token expiry.

    Real time unless frozen; ``advance`` moves it forward either way, so a
    notebook can show a session expiring without waiting an hour.
    :meth:`follow_real_time` makes it the wall clock again, as a phone's
    authenticator app sees it.
    """

    def __init__(self) -> None:
        self._frozen_at: float | None = None
        self._offset = 0.0

    def time(self) -> float:
        """Now, in epoch seconds."""
        if self._frozen_at is not None:
            return self._frozen_at
        return _time.time() + self._offset

    def now(self) -> datetime:
        """Now, as an aware UTC datetime."""
        return datetime.fromtimestamp(self.time(), UTC)

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds``; returns the new time."""
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds
        return self.time()

    def freeze(self, at: float | datetime | None = None) -> float:
        """Stop the clock at ``at`` (epoch seconds or datetime), or now."""
        if isinstance(at, datetime):
            at = at.timestamp()
        self._frozen_at = self.time() if at is None else float(at)
        return self._frozen_at

    def unfreeze(self) -> None:
        """Let the clock run again from where it stands (it may stay behind
        or ahead of the wall clock; see :meth:`follow_real_time`)."""
        if self._frozen_at is not None:
            self._offset = self._frozen_at - _time.time()
            self._frozen_at = None

    def follow_real_time(self) -> float:
        """Be the wall clock from now on: not frozen, not moved.

        A phone's authenticator app computes its codes from the real time, so
        the Lab accepts them only while its clock is the real one. Returns
        the time now.
        """
        self._frozen_at = None
        self._offset = 0.0
        return self.time()

    @property
    def frozen(self) -> bool:
        """True while the clock is frozen."""
        return self._frozen_at is not None

    @property
    def real(self) -> bool:
        """True while the clock is the wall clock (not frozen, not moved)."""
        return self._frozen_at is None and self._offset == 0.0

    def describe(self) -> str:
        """The clock's state in words: frozen at a moment, real time, or off by some seconds."""
        if self._frozen_at is not None:
            return f"frozen at {self.now():%Y-%m-%d %H:%M:%S} UTC"
        if self._offset == 0.0:
            return "real time"
        ahead = "ahead of" if self._offset > 0 else "behind"
        return f"running {abs(self._offset):.0f} seconds {ahead} real time"

    def __repr__(self) -> str:
        return f"Clock({self.describe()})"

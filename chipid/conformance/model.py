"""Result types of the conformance suite: outcomes, measurements, case and suite results.

A conformance case is a named check of one clause of ICAO 9303, ISO/IEC 7816-4 or ISO/IEC 14443-4 run
against a reader and card. Its result is one of four outcomes (JUnit's vocabulary):

* ``PASS``: the reader/card behaved as the clause requires;
* ``FAIL``: it did not (the message says how);
* ``SKIP``: the case could not apply (prerequisite missing, a documented reader/card limitation, a
  teammate module not installed); the reason says which;
* ``ERROR``: an unexpected exception stopped the case (its type and message are kept).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chipid.conformance.context import CaseContext

__all__ = ["Case", "CaseResult", "Environment", "Measurement", "Outcome", "SuiteResult"]


class Outcome(enum.Enum):
    """The result of one conformance case."""

    PASS = "PASS"  # noqa: S105 - an outcome, not a password
    FAIL = "FAIL"
    SKIP = "SKIP"
    ERROR = "ERROR"


@dataclass(frozen=True)
class Case:
    """One entry of the conformance catalogue.

    Attributes:
        id: stable identifier, ``"<GROUP>-<nnn>"`` (``"SEL-004"``).
        title: one-line purpose.
        clause: the specification clause checked (``"ISO/IEC 7816-4:2005 §7.1.1"``).
        prerequisites: what the case needs (``"access key"``, ``"EF.CardAccess"``...).
        run: the check; records measurements on the context and signals SKIP/FAIL through it.
    """

    id: str
    title: str
    clause: str
    prerequisites: tuple[str, ...]
    run: Callable[[CaseContext], None] = field(repr=False, compare=False)

    @property
    def group(self) -> str:
        """The group prefix of the ID (``"SEL"`` for ``"SEL-004"``)."""
        return self.id.split("-", 1)[0]


@dataclass(frozen=True)
class Measurement:
    """A named numeric figure measured by a case (``"throughput", 10240.0, "B/s"``)."""

    name: str
    value: float
    unit: str


@dataclass(frozen=True)
class CaseResult:
    """What one case found.

    Attributes:
        case: the catalogue entry that ran.
        outcome: PASS / FAIL / SKIP / ERROR.
        message: why (failure description, skip reason, exception text); a short note on PASS.
        duration_s: wall-clock time of the case, sessions included.
        measurements: figures measured (throughput, latency percentiles...).
        details: free-form lines (status words seen, suites tried...), never secrets.
        latencies_ms: per-APDU round-trip times of the case, in order, for charts.
        trace: the case's APDU trace, secrets redacted (ciphertext under secure messaging), kept for
            failed and errored cases only (empty otherwise).
    """

    case: Case
    outcome: Outcome
    message: str
    duration_s: float
    measurements: tuple[Measurement, ...] = ()
    details: tuple[str, ...] = ()
    latencies_ms: tuple[float, ...] = ()
    trace: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.case.id


@dataclass(frozen=True)
class Environment:
    """Where the suite ran.

    Attributes:
        reader: the reader's name (or the transport's class name when it has none).
        atr: the card's ATR as read from the first connection (empty when none was read).
        chipid_version: version of the chipid package.
        python_version: interpreter version.
        platform: operating system description.
        started_at: UTC start time, ISO 8601.
        device_under_test: what is being tested, as the operator describes it (card model, batch, reader).
        operator: who ran the suite.
    """

    reader: str
    atr: bytes
    chipid_version: str
    python_version: str
    platform: str
    started_at: str
    device_under_test: str = ""
    operator: str = ""


@dataclass(frozen=True)
class SuiteResult:
    """The results of one conformance run, in catalogue order."""

    environment: Environment
    results: tuple[CaseResult, ...]
    duration_s: float

    def count(self, outcome: Outcome) -> int:
        """How many cases ended with ``outcome``."""
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def ok(self) -> bool:
        """True when no case failed or errored (skips allowed)."""
        return self.count(Outcome.FAIL) == 0 and self.count(Outcome.ERROR) == 0

    @property
    def passed(self) -> bool:
        """Alias of :attr:`ok` (the CLI's exit status)."""
        return self.ok

    def failures_first(self) -> tuple[CaseResult, ...]:
        """FAIL and ERROR results first, then the others, each in catalogue order."""
        bad = (Outcome.FAIL, Outcome.ERROR)
        return tuple(r for r in self.results if r.outcome in bad) + tuple(
            r for r in self.results if r.outcome not in bad)

    def result(self, case_id: str) -> CaseResult:
        """The result of one case by ID. Raises KeyError when it did not run."""
        for r in self.results:
            if r.id == case_id:
                return r
        raise KeyError(case_id)

"""Run conformance cases against a reader and card and collect a :class:`SuiteResult`.

Cases are independent: each gets a fresh :class:`CaseContext` whose connections come from the transport
factory and are closed when the case ends. One case's failure or unexpected exception is recorded and the
suite goes on.
"""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone

import chipid
from chipid.conformance.catalogue import CATALOGUE, select_cases
from chipid.conformance.context import AccessKeyLike, CaseContext, CaseFailed, CaseSkipped
from chipid.conformance.model import Case, CaseResult, Environment, Outcome, SuiteResult
from chipid.conformance.thresholds import DEFAULT_THRESHOLDS, Thresholds
from chipid.errors import ParseError, SecureMessagingError
from chipid.transport.base import Transport

__all__ = ["ProgressCallback", "run_case", "run_suite"]

ProgressCallback = Callable[[CaseResult, int, int], None]
"""Called after each case with (result, index from 1, number of cases)."""


def _reader_name(transport: Transport) -> str:
    for attr in ("reader_name", "reader", "name"):
        value = getattr(transport, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(transport).__name__


def _describe(err: BaseException) -> str:
    text = f"{type(err).__name__}: {err}"
    cause = err.__cause__
    if cause is not None:
        text += f" (caused by {type(cause).__name__}: {cause})"
    return text


def run_case(
    case: Case,
    transport_factory: Callable[[], Transport],
    keys: Sequence[AccessKeyLike],
    *,
    trust: object | None = None,
    sessions: int = 10,
    interactive: Callable[[str], None] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> CaseResult:
    """Run one case in its own context; never raises for a case's failure (only BaseExceptions pass).

    A :class:`SecureMessagingError` escaping a case (a chip response failed the reader's MAC/SSC checks)
    is a FAIL; any other unexpected exception is an ERROR. A failed or errored case keeps its redacted APDU
    trace.
    """
    ctx = CaseContext(transport_factory, keys, trust=trust, sessions=sessions, interactive=interactive,
                      thresholds=thresholds)
    start = time.perf_counter()
    try:
        case.run(ctx)
        outcome, message = Outcome.PASS, ctx.message
    except CaseSkipped as err:
        outcome, message = Outcome.SKIP, str(err)
    except CaseFailed as err:
        outcome, message = Outcome.FAIL, str(err)
    except SecureMessagingError as err:
        # A chip response that fails the reader's SM checks is the chip's non-conformance, not a crash.
        outcome, message = Outcome.FAIL, f"secure messaging: {_describe(err)}"
    except Exception as err:
        outcome, message = Outcome.ERROR, _describe(err)
    finally:
        ctx.close_all()
    return CaseResult(
        case=case,
        outcome=outcome,
        message=message,
        duration_s=time.perf_counter() - start,
        measurements=tuple(ctx.measurements),
        details=tuple(ctx.details),
        latencies_ms=tuple(round(x, 4) for x in ctx.latencies_ms),
        trace=tuple(ctx.trace) if outcome in (Outcome.FAIL, Outcome.ERROR) else (),
    )


def _environment(factory: Callable[[], Transport], reader: str | None, dut: str, operator: str) -> Environment:
    atr = b""
    name = reader or ""
    try:
        transport = factory()
        try:
            atr = transport.atr
            name = name or _reader_name(transport)
        finally:
            transport.close()
    except Exception as err:
        name = name or f"unavailable ({_describe(err)})"
    return Environment(
        reader=name,
        atr=atr,
        chipid_version=chipid.__version__,
        python_version=sys.version.split()[0],
        platform=platform.platform(),
        started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        device_under_test=dut,
        operator=operator,
    )


def run_suite(
    transport_factory: Callable[[], Transport],
    key: AccessKeyLike | Sequence[AccessKeyLike] | None,
    *,
    cases: Iterable[str] | None = None,
    trust: object | None = None,
    progress: ProgressCallback | None = None,
    sessions: int = 10,
    interactive: Callable[[str], None] | None = None,
    reader: str | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    case_factories: Mapping[str, Callable[[], Transport]] | None = None,
    device_under_test: str = "",
    operator: str = "",
) -> SuiteResult:
    """Run the conformance suite.

    Args:
        transport_factory: returns a fresh connection to the card each call (``PCSCTransport.open(...)``
            or ``SimTransport(chip)``); every case opens its own.
        key: the access key (``MRZKey`` / ``CANKey``), several keys (MRZ and CAN: both PACE passwords
            are exercised), or ``None`` (cases that need access SKIP).
        cases: case IDs or group prefixes (``["SEL", "BAC-001"]``); ``None`` runs the whole catalogue.
        trust: a ``chipid.pki.trust.TrustStore`` for the CSCA chain check (``None``: PA-002 SKIPs).
        progress: called after each case.
        sessions: number of sessions of the stability case STAB-001.
        interactive: shows a prompt to a human and returns once they acted (removal case REM-001);
            ``None`` on unattended runs.
        reader: reader name for the report (default: asked of the transport).
        thresholds: pass thresholds of the performance cases (defaults: ISO/IEC 14443 / ICAO figures,
            see :mod:`chipid.conformance.thresholds`).
        case_factories: a transport factory for particular cases by ID, e.g. a virtual chip that tears
            during REM-001 while the other cases run on an intact one.
        device_under_test: what is tested, for the report (card model, batch, reader).
        operator: who ran the suite, for the report.

    Returns:
        The results in catalogue order with timing and environment information.

    Raises:
        ParseError: an unknown case ID or group in ``cases``, or ``sessions`` < 1.
    """
    if sessions < 1:
        raise ParseError(f"sessions must be at least 1, got {sessions}", path="sessions")
    selected = CATALOGUE if cases is None else select_cases(cases)
    if key is None:
        keys: tuple[AccessKeyLike, ...] = ()
    elif isinstance(key, Sequence):
        keys = tuple(key)
    else:
        keys = (key,)
    started = time.perf_counter()
    environment = _environment(transport_factory, reader, device_under_test, operator)
    overrides = dict(case_factories or {})
    results: list[CaseResult] = []
    for index, case in enumerate(selected, start=1):
        result = run_case(
            case, overrides.get(case.id, transport_factory), keys, trust=trust, sessions=sessions,
            interactive=interactive, thresholds=thresholds,
        )
        results.append(result)
        if progress is not None:
            progress(result, index, len(selected))
    return SuiteResult(environment, tuple(results), time.perf_counter() - started)

"""PCSCTransport against a small fake of pyscard's reader/connection objects (no pcscd needed)."""

from __future__ import annotations

from typing import Any

import pytest
from smartcard.Exceptions import CardConnectionException, ListReadersException, NoCardException
from smartcard.pcsc.PCSCExceptions import EstablishContextException

from chipid.errors import CardRemovedError, NoCardError, NoReaderError, TransportError
from chipid.transport import pcsc

H = bytes.fromhex


class FakeConnection:
    def __init__(self, script: list[Any], present: bool = True) -> None:
        self.script = script  # items: (data, sw1, sw2) or an exception
        self.sent: list[bytes] = []
        self.present = present
        self.connected_with: int | None = None
        self.reconnects = 0
        self.disconnected = False
        self.mode: int | None = None
        self.busy = 0  # connects still refused with SCARD_E_SHARING_VIOLATION (another application holds it)

    def connect(self, protocol: int | None = None, mode: int | None = None) -> None:
        if not self.present:
            raise NoCardException("Unable to connect: No smart card inserted.", 0x8010000C)
        if self.busy:
            self.busy -= 1
            raise CardConnectionException("Unable to connect: Sharing violation.", hresult=0x8010000B)
        self.connected_with = protocol
        self.mode = mode

    def getATR(self) -> list[int]:
        return [0x3B, 0x88]

    def transmit(self, apdu: list[int]) -> tuple[list[int], int, int]:
        self.sent.append(bytes(apdu))
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        data, sw1, sw2 = item
        return list(data), sw1, sw2

    def reconnect(self, protocol: int | None = None, mode: int | None = None) -> None:
        self.reconnects += 1
        self.mode = mode

    def disconnect(self) -> None:
        if self.disconnected:
            raise CardConnectionException("already", hresult=0x80100003)
        self.disconnected = True


class FakeReader:
    def __init__(self, name: str, conn: FakeConnection) -> None:
        self.name, self.conn = name, conn

    def createConnection(self) -> FakeConnection:
        return self.conn

    def __str__(self) -> str:
        return self.name


def _install(monkeypatch: pytest.MonkeyPatch, readers: list[FakeReader] | Exception) -> None:
    def fake() -> list[FakeReader]:
        if isinstance(readers, Exception):
            raise readers
        return readers

    monkeypatch.setattr(pcsc, "_system_readers", fake)


def test_list_and_pick_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    a = FakeReader("ACS ACR122U PICC 00 00", FakeConnection([], present=False))
    b = FakeReader("Virtual PCD 00 01", FakeConnection([((), 0x90, 0x00)]))
    _install(monkeypatch, [a, b])
    assert pcsc.list_readers() == [str(a), str(b)]
    assert not pcsc.card_present("acr122")
    assert pcsc.card_present("Virtual PCD 00 01")
    b.conn.disconnected = False
    t = pcsc.PCSCTransport.open("virtual pcd")
    assert t.reader == str(b) and t.atr == H("3B88")
    assert b.conn.connected_with == 3  # T0 | T1
    t2 = pcsc.PCSCTransport.open(1, protocol="T1")
    assert t2.reader == str(b) and b.conn.connected_with == 2
    assert pcsc.PCSCTransport.open().reader == str(b)  # first reader with a card
    with pytest.raises(NoCardError):
        pcsc.PCSCTransport.open(0)
    with pytest.raises(NoReaderError):
        pcsc.PCSCTransport.open("omnikey")
    with pytest.raises(NoReaderError):
        pcsc.PCSCTransport.open(5)
    with pytest.raises(TransportError):
        pcsc.PCSCTransport.open(1, protocol="T15")


def test_no_service_and_no_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    _install(monkeypatch, EstablishContextException(0x8010001D))
    with pytest.raises(NoReaderError) as info:
        pcsc.list_readers()
    assert info.value.hresult == 0x8010001D
    _install(monkeypatch, ListReadersException(0x8010002E))
    assert pcsc.list_readers() == []
    with pytest.raises(NoReaderError):
        pcsc.PCSCTransport.open()


def test_wait_for_card(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = FakeConnection([], present=False)
    _install(monkeypatch, [FakeReader("R", conn)])
    calls = {"n": 0}

    def sleep(_: float) -> None:
        calls["n"] += 1
        conn.present = True

    monkeypatch.setattr(pcsc.time, "sleep", sleep)
    assert pcsc.PCSCTransport.open(wait=5).reader == "R"
    assert calls["n"] == 1


def test_t0_get_response_and_6c() -> None:
    conn = FakeConnection(
        [
            ((), 0x61, 0x04),
            (b"\x01\x02\x03\x04", 0x61, 0x02),
            (b"\x05\x06", 0x90, 0x00),
            ((), 0x6C, 0x12),
            (bytes(0x12), 0x90, 0x00),
        ]
    )
    t = pcsc.PCSCTransport(conn, "R")
    assert t.transmit(H("00B0000000")) == H("0102030405069000")
    assert conn.sent[1:] == [H("00C0000004"), H("00C0000002")]
    assert t.transmit(H("00B0000000")) == bytes(0x12) + H("9000")
    assert conn.sent[-1] == H("00B0000012")


def test_6c_on_case_3_is_not_reissued() -> None:
    conn = FakeConnection([((), 0x6C, 0x12)])
    t = pcsc.PCSCTransport(conn, "R")
    assert t.transmit(H("00A4020C02011E")) == H("6C12")


def test_endless_61_is_an_error() -> None:
    conn = FakeConnection([((), 0x61, 0x01)] * 300)
    with pytest.raises(TransportError, match="61xx"):
        pcsc.PCSCTransport(conn, "R").transmit(H("0084000008"))


@pytest.mark.parametrize(
    ("hresult", "cls"),
    [
        (0x80100069, CardRemovedError),
        (0x80100016, CardRemovedError),
        (0x80100068, CardRemovedError),
        (-0x7FEFFF97, CardRemovedError),  # 0x80100069 as a signed int
        (0x80100017, NoReaderError),
        (0x8010000C, NoCardError),
        (0x80100002, TransportError),
    ],
)
def test_transmit_error_mapping(hresult: int, cls: type[TransportError], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pcsc, "_card_left", lambda reader, grace_ms=1000: True)
    conn = FakeConnection([CardConnectionException("Failed to transmit", hresult=hresult)])
    t = pcsc.PCSCTransport(conn, "R")
    with pytest.raises(cls) as info:
        t.transmit(H("00B0000004"))
    assert type(info.value) is cls
    assert info.value.hresult == hresult & 0xFFFFFFFF
    assert isinstance(info.value.__cause__, CardConnectionException)


def test_reconnect_close_and_context() -> None:
    conn = FakeConnection([((), 0x90, 0x00)])
    with pcsc.PCSCTransport(conn, "R") as t:
        t.reconnect()
        assert conn.reconnects == 1
        assert t.transmit(H("00A4000C")) == H("9000")
    assert conn.disconnected
    t.close()  # second close: pyscard raises, we do not
    with pytest.raises(TransportError, match="closed"):
        t.transmit(H("00A4000C"))


@pytest.mark.parametrize("hresult", [0x80100016, 0x80100008])
def test_refused_extended_apdu_is_a_plain_transport_error(hresult: int) -> None:
    conn = FakeConnection(
        [
            CardConnectionException("Failed to transmit", hresult=hresult),
            CardConnectionException("Failed to transmit", hresult=0x80100069),
        ]
    )
    t = pcsc.PCSCTransport(conn, "R")
    with pytest.raises(TransportError) as info:
        t.transmit(H("00B00000001000"))  # extended Le
    assert type(info.value) is TransportError and info.value.hresult == hresult
    with pytest.raises(CardRemovedError):
        t.transmit(H("00B00000DF"))


@pytest.mark.parametrize(
    ("atr", "expected"),
    [
        ("3B858001807300004000", True),  # contactless ATR, card capabilities 00 00 40
        ("3B858001807300000000", False),
        ("3B8480018072C00000", None),  # only two capability bytes
        ("3B888001E1F35E1177818300", None),  # proprietary historical bytes
        ("3B028073", None),
        ("3B", None),
        ("3B8F80", None),  # truncated
    ],
)
def test_extended_length_from_atr(atr: str, expected: bool | None) -> None:
    """ISO/IEC 7816-4 §8.1.1.2.7: card capabilities, third software function byte, bit b7."""
    assert pcsc.extended_length_from_atr(H(atr)) is expected


def test_transport_exposes_atr_hint() -> None:
    class Conn(FakeConnection):
        def getATR(self) -> list[int]:
            return list(H("3B858001807300004000"))

    assert pcsc.PCSCTransport(Conn([]), "R").extended_length is True
    assert pcsc.PCSCTransport(FakeConnection([]), "R").extended_length is None


@pytest.mark.parametrize(("card_left", "cls"), [(True, CardRemovedError), (False, TransportError)])
def test_no_valid_response_asks_the_reader_whether_the_card_left(
    monkeypatch: pytest.MonkeyPatch, card_left: bool, cls: type[TransportError]
) -> None:
    """An answer shorter than SW1 SW2 (pyscard: hresult 0) is a removal only if the reader then says so."""
    asked: list[str] = []

    def fake_card_left(reader: str, grace_ms: int = 1000) -> bool:
        asked.append(reader)
        return card_left

    monkeypatch.setattr(pcsc, "_card_left", fake_card_left)
    conn = FakeConnection([CardConnectionException("Card returned no valid response", hresult=0)])
    t = pcsc.PCSCTransport(conn, "Reader 1")
    with pytest.raises(TransportError) as info:
        t.transmit(H("00B0000004"))
    assert type(info.value) is cls
    assert asked == ["Reader 1"]


def test_cards_are_opened_exclusively(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10 point 9: exclusive access, so no other program can break this read's SM session."""
    from smartcard.scard import SCARD_SHARE_EXCLUSIVE, SCARD_SHARE_SHARED

    conn = FakeConnection([])
    _install(monkeypatch, [FakeReader("Virtual PCD 00 00", conn)])
    t = pcsc.PCSCTransport.open()
    assert conn.mode == SCARD_SHARE_EXCLUSIVE
    t.reconnect()
    assert conn.mode == SCARD_SHARE_EXCLUSIVE
    pcsc.PCSCTransport.open(exclusive=False)
    assert conn.mode == SCARD_SHARE_SHARED


@pytest.mark.parametrize(("busy", "opens"), [(1, True), (2, False), (5, False)])
def test_card_in_use_is_retried_once_then_card_in_use_error(monkeypatch: pytest.MonkeyPatch, busy: int,
                                                             opens: bool) -> None:
    from chipid.errors import CardInUseError

    conn = FakeConnection([])
    conn.busy = busy
    _install(monkeypatch, [FakeReader("Virtual PCD 00 00", conn)])
    if opens:
        assert pcsc.PCSCTransport.open(in_use_retry=0.01).reader == "Virtual PCD 00 00"
        return
    with pytest.raises(CardInUseError, match="in use by another application") as err:
        pcsc.PCSCTransport.open(in_use_retry=0.01)
    assert err.value.hresult == 0x8010000B
    assert conn.busy == busy - 2  # one try and one retry


def test_sharing_violation_during_transmit_is_card_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    from chipid.errors import CardInUseError

    conn = FakeConnection([CardConnectionException("Sharing violation", hresult=0x8010000B)])
    _install(monkeypatch, [FakeReader("Virtual PCD 00 00", conn)])
    with pytest.raises(CardInUseError):
        pcsc.PCSCTransport.open().transmit(H("00A4040C07A0000002471001"))


def test_reset_with_the_card_still_present_is_card_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10 point 9: a reset by another application (shared mode) loses the SM session: CardInUseError."""
    from chipid.errors import CardInUseError

    monkeypatch.setattr(pcsc, "_card_left", lambda reader, grace_ms=1000: False)
    conn = FakeConnection([CardConnectionException("Card was reset", hresult=0x80100068)])
    with pytest.raises(CardInUseError, match="another application"):
        pcsc.PCSCTransport(conn, "R").transmit(H("00B0000004"))

"""VpcdBridge against a fake vpcd (a local listener speaking the vpcd framing); no pcscd needed."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from chipid.sim import Faults, VirtualChip
from chipid.sim.chip import ATR
from chipid.sim.profile import CardProfile
from chipid.sim.vpcd import VpcdBridge


class FakeVpcd:
    """The reader side of the vpcd protocol: 2-byte big-endian length, then the payload."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(5)
        self.port = self.server.getsockname()[1]
        self.conn: socket.socket | None = None

    def accept(self) -> None:
        self.conn, _ = self.server.accept()
        self.conn.settimeout(5)

    def send(self, payload: bytes) -> None:
        assert self.conn is not None
        self.conn.sendall(len(payload).to_bytes(2, "big"))  # vpcd writes length and payload apart
        self.conn.sendall(payload)

    def recv(self) -> bytes:
        assert self.conn is not None
        head = self._exact(2)
        return self._exact(int.from_bytes(head, "big"))

    def _exact(self, n: int) -> bytes:
        assert self.conn is not None
        data = b""
        while len(data) < n:
            chunk = self.conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError("bridge closed the connection")
            data += chunk
        return data

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.server.close()


@pytest.fixture
def fake() -> Iterator[FakeVpcd]:
    server = FakeVpcd()
    yield server
    server.close()


def test_power_atr_and_apdus(fake: FakeVpcd, app_d_profile: CardProfile) -> None:
    chip = VirtualChip(app_d_profile)
    with VpcdBridge(chip, port=fake.port, retry_s=0.05) as bridge:
        fake.accept()
        assert bridge.wait_connected(5)
        fake.send(b"\x01")  # power on: no answer
        fake.send(b"\x04")  # get ATR
        assert fake.recv() == ATR
        fake.send(bytes.fromhex("00A4020C02011C"))
        assert fake.recv() == b"\x90\x00"
        fake.send(bytes.fromhex("00B0000004"))
        assert fake.recv() == app_d_profile.files["EF.CardAccess"][:4] + b"\x90\x00"
        fake.send(b"\x00")  # power off
        assert bridge.apdus == 2
    assert not chip.powered


def test_remove_and_insert_reconnects(fake: FakeVpcd, app_d_profile: CardProfile) -> None:
    with VpcdBridge(VirtualChip(app_d_profile), port=fake.port, retry_s=0.05) as bridge:
        fake.accept()
        assert bridge.wait_connected(5)
        bridge.remove_card()
        with pytest.raises(OSError):  # ConnectionError (EOF) or a reset
            fake.recv()
        assert not bridge.connected
        bridge.insert_card()
        fake.accept()
        fake.send(b"\x04")
        assert fake.recv() == ATR
        assert bridge.connections == 2


def test_tear_drops_the_connection(fake: FakeVpcd, app_d_profile: CardProfile) -> None:
    with VpcdBridge(VirtualChip(app_d_profile, faults=Faults(tear_after=1)), port=fake.port, retry_s=0.05) as bridge:
        fake.accept()
        fake.send(b"\x01")
        fake.send(bytes.fromhex("00A4000C00"))
        assert fake.recv() == b"\x90\x00"
        with pytest.raises(OSError):  # the second APDU meets a torn card (reset link)
            fake.send(bytes.fromhex("00A4000C00"))
            fake.recv()
        bridge.insert_card()
        fake.accept()
        fake.send(bytes.fromhex("00A4000C00"))
        assert fake.recv() == b"\x90\x00"


def test_reconnects_when_vpcd_restarts(fake: FakeVpcd, app_d_profile: CardProfile) -> None:
    with VpcdBridge(VirtualChip(app_d_profile), port=fake.port, retry_s=0.05) as bridge:
        fake.accept()
        assert fake.conn is not None
        fake.conn.close()  # vpcd went away
        fake.accept()  # the bridge comes back by itself
        fake.send(b"\x04")
        assert fake.recv() == ATR
        assert bridge.connections >= 2

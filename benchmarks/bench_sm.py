"""Host cost of secure messaging per APDU: protect one READ BINARY and unprotect its 0xDF-byte answer.

Run: python -m pytest benchmarks/bench_sm.py --benchmark-enable
"""

from __future__ import annotations

from typing import Any

import pytest

from chipid.iso7816.apdu import CommandAPDU
from chipid.iso7816.tlv import decode_tlv, encode_tlv, iter_tlv
from chipid.sm.channel import SMKeys, protect_command, unprotect_response
from tests.sm.sm_chip_side import chip_wrap

KEYS = {
    "3DES": SMKeys("3DES", bytes(range(16)), bytes(range(16, 32))),
    "AES-128": SMKeys("AES", bytes(range(16)), bytes(range(16, 32))),
}
SSC = 0x1234
READ = CommandAPDU(0x00, 0xB0, 0x12, 0x34, ne=0xDF)


@pytest.mark.parametrize("name", list(KEYS))
def test_bench_sm_read_binary_roundtrip(benchmark: Any, name: str) -> None:
    keys = KEYS[name]
    response = chip_wrap(keys, SSC + 1, bytes(range(0xDF)), 0x9000)

    def one_apdu() -> bytes:
        protect_command(keys, SSC, READ)
        return unprotect_response(keys, SSC + 1, response)

    assert one_apdu()[:-2] == bytes(range(0xDF))
    benchmark(one_apdu)


def test_bench_tlv_parse_dg_like(benchmark: Any) -> None:
    inner = b"".join(encode_tlv(0x5F00 + i, bytes(30)) for i in range(40))
    data = encode_tlv(0x61, encode_tlv(0x5F1F, bytes(90)) + inner)

    def parse() -> int:
        _, value, _ = decode_tlv(data)
        return sum(1 for _ in iter_tlv(value))

    assert parse() == 41
    benchmark(parse)

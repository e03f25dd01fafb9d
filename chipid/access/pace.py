"""PACE sequencing: MSE:Set AT and the GENERAL AUTHENTICATE chain (ICAO 9303-11 §4.4).

The pure computations live in :mod:`chipid.access.pace_crypto` (GM, tokens),
:mod:`chipid.access.pace_im` (IM) and :mod:`chipid.access.pace_cam` (CAM); this module
only exchanges the data objects of §4.4.5 table 4:

1. ``7C 00`` -> ``7C{80 z}``  (encrypted nonce)
2. ``7C{81 mapping data}`` -> ``7C{82 mapping data}``  (GM/CAM: public keys; IM: t / empty)
3. ``7C{83 PK_IFD}`` -> ``7C{84 PK_IC}``  (key agreement on the mapped generator)
4. ``7C{85 T_IFD}`` -> ``7C{86 T_IC [87 CAR] [88 CAR] [8A A_IC]}``  (last command, no chaining)

Every received key is validated; a wrong password surfaces as 6300 from the chip or as
a token mismatch, both :class:`~chipid.errors.PACEError`.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from chipid.access import pace_crypto as pc
from chipid.access.kdf import session_keys
from chipid.access.keys import AccessKey
from chipid.access.pace_cam import decrypt_cam_data
from chipid.access.pace_domain import Domain, domain_parameters
from chipid.access.pace_im import map_integrated
from chipid.ecc.arith import Curve
from chipid.errors import PACEError, ParseError, SecureMessagingError, StatusWordError, UnsupportedError
from chipid.iso7816 import commands
from chipid.iso7816.apdu import ResponseAPDU
from chipid.iso7816.tlv import decode_tlv, encode_tlv, iter_tlv
from chipid.sm.channel import SecureChannel, SMKeys
from chipid.transport.base import Transport

__all__ = ["PACEResult", "perform_pace"]


@dataclass(frozen=True, repr=False)
class PACEResult:
    """What a successful PACE run yields.

    Attributes:
        channel: the secure channel (SSC 0) wrapping the transport.
        protocol: the dotted PACE OID used.
        parameter_id: the standardised domain parameter id.
        chip_public_key: PK_DH,IC, the chip's ephemeral key-agreement public key (encoded).
        chip_mapping_key: PK_Map,IC (encoded) for GM and CAM; None for IM. CAM
            verification needs it (:func:`chipid.access.pace_cam.verify_cam`).
        cam_data: CA_IC, the decrypted chip authentication data (CAM only), to be checked
            against the chip's static key once Passive Authentication has run.
        cars: certification authority references from DO'87' / DO'88', if any.
    """

    channel: SecureChannel
    protocol: str
    parameter_id: int | None
    chip_public_key: bytes
    chip_mapping_key: bytes | None = None
    cam_data: bytes | None = None
    cars: tuple[bytes, ...] = ()

    def __repr__(self) -> str:
        return f"PACEResult(protocol={self.protocol!r}, parameter_id={self.parameter_id!r})"


class _Session:
    """One PACE run's I/O helpers (transport + error mapping)."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def send(self, apdu: bytes, ins: int, step: str) -> bytes:
        try:
            return ResponseAPDU.from_bytes(self.transport.transmit(apdu)).check(ins).data
        except StatusWordError as err:
            raise PACEError(f"{step} refused by the chip: {err}", step=step) from err
        except ParseError as err:
            raise PACEError(f"{step}: malformed response", step=step) from err

    def general_authenticate(self, dynamic: bytes, step: str, *, last: bool = False) -> dict[int, bytes]:
        raw = self.send(commands.general_authenticate(dynamic, last=last).to_bytes(), 0x86, step)
        try:
            tag, value, rest = decode_tlv(raw, path=f"GENERAL AUTHENTICATE ({step})")
            if tag != 0x7C or rest:
                raise ParseError("response is not one DO'7C'", path=f"GENERAL AUTHENTICATE ({step})")
            return dict(iter_tlv(value, path=f"GENERAL AUTHENTICATE ({step}) > 7C"))
        except ParseError as err:
            raise PACEError(f"{step}: malformed dynamic authentication data", step=step) from err


def _need(objects: dict[int, bytes], tag: int, step: str) -> bytes:
    if tag not in objects:
        raise PACEError(f"{step}: DO'{tag:02X}' missing from the chip's response", step=step)
    return objects[tag]


def perform_pace(
    transport: Transport,
    key: AccessKey,
    *,
    protocol: str,
    parameter_id: int | None,
    rng: Callable[[int], bytes] = os.urandom,
    ephemeral_keys: Sequence[int] | None = None,
    send_parameter_id: bool = True,
) -> PACEResult:
    """Run PACE (ICAO 9303-11 §4.4) and return the secure channel and the chip's data.

    Args:
        transport: the (plain) transport to the chip.
        key: an MRZ key or a CAN.
        protocol: dotted PACE OID from the chip's PACEInfo.
        parameter_id: standardised domain parameter id (§9.5.1), e.g. 13 for CCCD.
        rng: randomness for ephemeral keys and the IM nonce t.
        ephemeral_keys: private keys to use instead of ``rng`` (worked-example replay):
            the mapping key (GM/CAM) then the key-agreement key.
        send_parameter_id: include DO'84' (parameter id) in MSE:Set AT; required by the
            spec only when ambiguous, but some chips always expect it.

    Raises:
        PACEError: the chip refused a step (6300 for a wrong password), sent malformed or
            invalid data (bad point, value outside the subgroup), or a token mismatched.
        UnsupportedError: unknown protocol OID or domain parameter id.
        TransportError: the link failed.
    """
    algorithm = pc.pace_algorithm(protocol)
    if parameter_id is None:
        raise UnsupportedError("PACE without a standardised domain parameter id is not supported",
                               oid=protocol)
    domain = domain_parameters(parameter_id)
    if isinstance(domain, Curve) != (algorithm.agreement == "ECDH"):
        raise UnsupportedError(f"parameter id {parameter_id} does not fit {protocol}", oid=protocol)
    keys: Iterator[int] = iter(ephemeral_keys or ())
    session = _Session(transport)

    def next_private(dom: Domain) -> int:
        given = next(keys, None)
        return pc.generate_private_key(dom, rng) if given is None else given

    mse = commands.mse_set_at(algorithm.oid_bytes, key_ref=key.password_ref,
                              private_key_ref=parameter_id if send_parameter_id else None)
    session.send(mse.to_bytes(), 0x22, "MSE:Set AT")

    step = "encrypted nonce"
    z = _need(session.general_authenticate(b"", step), 0x80, step)
    try:
        s = pc.decrypt_nonce(pc.password_key(key, algorithm), z, algorithm)
    except ParseError as err:
        raise PACEError(f"{step}: {err}", step=step) from err

    step = "map nonce"
    chip_map: bytes | None = None
    try:
        if algorithm.mapping == "IM":
            t = rng(16 if algorithm.cipher == "3DES" else algorithm.key_bits // 8)
            session.general_authenticate(encode_tlv(0x81, t), step)
            mapped = map_integrated(domain, s, t, algorithm)
        else:
            sk_map = next_private(domain)
            pk_map = pc.public_key(domain, sk_map)
            mapping_data = encode_tlv(0x81, pc.encode_public_key(domain, pk_map))
            answer = session.general_authenticate(mapping_data, step)
            chip_map = _need(answer, 0x82, step)
            chip_map_key = pc.decode_public_key(domain, chip_map)
            if chip_map_key == pk_map:
                raise PACEError(f"{step}: the chip echoed our public key", step=step)
            mapped = pc.map_generic(domain, s, pc.agree(domain, sk_map, chip_map_key))

        step = "key agreement"
        sk = next_private(mapped)
        pk = pc.public_key(mapped, sk)
        answer = session.general_authenticate(encode_tlv(0x83, pc.encode_public_key(mapped, pk)), step)
        chip_raw = _need(answer, 0x84, step)
        chip_pk = pc.decode_public_key(mapped, chip_raw)
        if chip_pk == pk:
            raise PACEError(f"{step}: the chip echoed our public key (§4.4.1 3d)", step=step)
        ks_enc, ks_mac = session_keys(pc.shared_secret(mapped, sk, chip_pk), algorithm.cipher,
                                      algorithm.key_bits)

        step = "mutual authentication"
        token = pc.auth_token(ks_mac, algorithm, mapped, chip_pk)
        answer = session.general_authenticate(encode_tlv(0x85, token), step, last=True)
        expected = pc.auth_token(ks_mac, algorithm, mapped, pk)
        if not hmac.compare_digest(_need(answer, 0x86, step), expected):
            raise PACEError("the chip's authentication token T_IC does not verify", step=step)
        cam_data = None
        if algorithm.mapping == "CAM":
            cam_data = decrypt_cam_data(ks_enc, _need(answer, 0x8A, step))
    except (ParseError, SecureMessagingError) as err:
        raise PACEError(f"{step}: {err}", step=step) from err

    cars = tuple(answer[tag] for tag in (0x87, 0x88) if tag in answer)
    channel = SecureChannel(transport, SMKeys(algorithm.cipher, ks_enc, ks_mac), 0)
    return PACEResult(channel, protocol, parameter_id, chip_raw, chip_map, cam_data, cars)

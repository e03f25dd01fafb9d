"""PACE Chip Authentication Mapping data (ICAO 9303-11 §4.4.3.5).

With PACE-CAM the chip appends DO'8A' to the last GENERAL AUTHENTICATE response:
A_IC = E(KS_Enc, CA_IC) with CA_IC = SK_IC^-1 · SK_Map,IC mod n, encoded with FE2OS on
the byte length of the group order (§4.4.5.6), padded with ISO/IEC 9797-1 method 2
(§4.4.3.5.3) and AES-CBC encrypted with IV = E(KS_Enc, -1) (§4.4.3.5.4). The terminal
decrypts it and checks PK_Map,IC = KA(CA_IC, PK_IC) (§4.4.3.5.2) with the chip's static
key PK_IC from DG14 / EF.CardSecurity, once Passive Authentication has vouched for it.
"""

from __future__ import annotations

from chipid.access.pace_domain import domain_parameters
from chipid.ecc.arith import Curve
from chipid.errors import ParseError, SecureMessagingError, UnsupportedError
from chipid.sm.aes import aes_cbc_decrypt, aes_cbc_encrypt, aes_ecb_encrypt
from chipid.sm.padding import pad, unpad

__all__ = ["decrypt_cam_data", "encrypt_cam_data", "verify_cam", "verify_cam_encoded"]

_MINUS_ONE = b"\xff" * 16


def decrypt_cam_data(ks_enc: bytes, encrypted: bytes) -> bytes:
    """Recover CA_IC from the Encrypted Chip Authentication Data A_IC (DO'8A').

    Raises:
        ParseError: not whole AES blocks, or bad padding (wrong key or tampered data).
    """
    if not encrypted or len(encrypted) % 16:
        raise ParseError("encrypted chip authentication data is not whole AES blocks",
                         path="GENERAL AUTHENTICATE > DO'8A'")
    iv = aes_ecb_encrypt(ks_enc, _MINUS_ONE)
    try:
        return unpad(aes_cbc_decrypt(ks_enc, encrypted, iv))
    except SecureMessagingError as err:
        raise ParseError("bad padding in chip authentication data",
                         path="GENERAL AUTHENTICATE > DO'8A'") from err


def encrypt_cam_data(ks_enc: bytes, ca_ic: bytes) -> bytes:
    """A_IC = E(KS_Enc, CA_IC): the chip side of :func:`decrypt_cam_data`."""
    iv = aes_ecb_encrypt(ks_enc, _MINUS_ONE)
    return aes_cbc_encrypt(ks_enc, pad(ca_ic, 16), iv)


def verify_cam(curve: Curve, ca_ic: bytes, chip_static_key: tuple[int, int],
               mapping_key: tuple[int, int]) -> bool:
    """Check PK_Map,IC = KA(CA_IC, PK_IC, D_IC) (ICAO 9303-11 §4.4.3.5.2).

    Args:
        curve: the static (unmapped) domain parameters.
        ca_ic: the decrypted chip authentication data.
        chip_static_key: PK_IC, the chip's static CA public key (validated here).
        mapping_key: PK_Map,IC, the chip's mapping public key from the GM phase.

    Returns:
        True when the chip proved knowledge of SK_IC.
    """
    scalar = int.from_bytes(ca_ic, "big")
    if not 0 < scalar < curve.n:
        return False
    try:
        static = curve.validate(chip_static_key)
    except ParseError:
        return False
    return curve.multiply(scalar, static) == mapping_key


def verify_cam_encoded(parameter_id: int, ca_ic: bytes, mapping_key: bytes, chip_static_key: bytes) -> bool:
    """:func:`verify_cam` on encoded inputs, for the verification layer.

    Args:
        parameter_id: the PACE standardised domain parameter id (``PACEResult.parameter_id``).
        ca_ic: ``PACEResult.cam_data``.
        mapping_key: ``PACEResult.chip_mapping_key`` (uncompressed point).
        chip_static_key: PK_IC as an uncompressed point (the subjectPublicKey of the
            ChipAuthenticationPublicKeyInfo in DG14 / EF.CardSecurity).

    Returns:
        True when CA_IC · PK_IC = PK_Map,IC; False for any mismatch or invalid input.
    """
    try:
        curve = domain_parameters(parameter_id)
        if not isinstance(curve, Curve):
            return False
        return verify_cam(curve, ca_ic, curve.decode_point(chip_static_key), curve.decode_point(mapping_key))
    except (ParseError, UnsupportedError):
        return False

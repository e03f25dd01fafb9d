"""Standardised PACE domain parameters (ICAO 9303-11 §9.5.1) and the DH group type.

Parameter ids 0-2 are the RFC 5114 MODP groups with prime-order subgroups, 8-18 the
NIST (FIPS 186-4) and Brainpool (RFC 5639) prime curves, taken from the one curve
table :mod:`chipid.ecc.curves`; ids 3-7 and 19-31 are reserved. The MODP constants were
exported from OpenSSL (``openssl genpkey -genparam -pkeyopt dh_rfc5114:N``), which
carries them from RFC 5114, and the tests check them against ``cryptography``.
"""

from __future__ import annotations

from dataclasses import dataclass

from chipid.ecc.arith import Curve
from chipid.ecc.curves import curve_by_name
from chipid.errors import ParseError, UnsupportedError
from chipid.lds.oids import STANDARDIZED_PARAMETER_NAMES

__all__ = ["DHGroup", "Domain", "domain_parameters"]


@dataclass(frozen=True)
class DHGroup:
    """A MODP group: prime ``p``, generator ``g`` of the subgroup of prime order ``q``."""

    name: str
    p: int
    g: int
    q: int

    @property
    def size(self) -> int:
        """Byte length of a group element (public keys and shared secrets use it)."""
        return (self.p.bit_length() + 7) // 8

    def with_generator(self, g: int) -> DHGroup:
        """Return the group with ``g`` (validated) as generator."""
        return DHGroup(self.name, self.p, self.validate(g), self.q)

    def validate(self, y: int) -> int:
        """Return ``y`` if it lies in the order-q subgroup and is not 0, 1 or p - 1.

        Raises:
            ParseError: out of range, trivial, or outside the subgroup (small-subgroup check).
        """
        if not 1 < y < self.p - 1:
            raise ParseError("DH value out of range (must be 1 < y < p-1)", path=f"{self.name} value")
        if pow(y, self.q, self.p) != 1:
            raise ParseError("DH value is not in the prime-order subgroup", path=f"{self.name} value")
        return y

    def encode(self, y: int) -> bytes:
        """Big-endian encoding of a group element on the byte length of ``p``."""
        return y.to_bytes(self.size, "big")

    def decode(self, data: bytes) -> int:
        """Decode and validate a group element.

        Raises:
            ParseError: wrong length or an invalid element.
        """
        if not data or len(data) > self.size:
            raise ParseError(f"expected at most {self.size} bytes", path=f"{self.name} value")
        return self.validate(int.from_bytes(data, "big"))


Domain = Curve | DHGroup
"""Either kind of PACE domain."""


def domain_parameters(parameter_id: int) -> Domain:
    """The standardised domain parameters with this id (ICAO 9303-11 §9.5.1, table 30).

    Raises:
        UnsupportedError: a reserved or proprietary id.
    """
    if parameter_id in _DH_GROUPS:
        return _DH_GROUPS[parameter_id]
    if parameter_id in _CURVES:
        return _CURVES[parameter_id]
    raise UnsupportedError(f"standardised domain parameter id {parameter_id} is not defined")


def _h(text: str) -> int:
    return int(text, 16)


_DH_GROUPS: dict[int, DHGroup] = {
    0: DHGroup(  # RFC 5114 §2.1 1024-bit MODP group with 160-bit prime order subgroup
        "RFC 5114 2.1 1024-bit",
        p=_h(
            "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E"
            "2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738"
            "FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371"
        ),
        g=_h(
            "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F"
            "5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F53"
            "1DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5"
        ),
        q=_h("F518AA8781A8DF278ABA4E7D64B7CB9D49462353"),
    ),
    1: DHGroup(  # RFC 5114 §2.2 2048-bit MODP group with 224-bit prime order subgroup
        "RFC 5114 2.2 2048-bit",
        p=_h(
            "AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C40"
            "7BA1DF15EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B"
            "7AD5B7D0B6C12207C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130"
            "BC8985DB1602E714415D9330278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387"
            "315D75E198C641A480CD86A1B9E587E8BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF"
            "4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71CF9DE5384E71B81C0AC4DFFE0C10E64F"
        ),
        g=_h(
            "AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01"
            "A70C4AFAAB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348B"
            "B8A762D0521BC98AE247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45"
            "D6F834566E3025E316A330EFBB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DD"
            "D9E263E4770589EF6AA21E7F5F2FF381B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE"
            "9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC017981BC087F2A7065B384B890D3191F2BFA"
        ),
        q=_h("801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB"),
    ),
    2: DHGroup(  # RFC 5114 §2.3 2048-bit MODP group with 256-bit prime order subgroup
        "RFC 5114 2.3 2048-bit",
        p=_h(
            "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF45"
            "61B2AA3016C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C0"
            "22E0B1EF4275BF7B6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1"
            "CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E514056425"
            "1CCACB83E6B486F6B3CA3F7971506026C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375"
            "D7014103A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597"
        ),
        g=_h(
            "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4A"
            "AC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2"
            "DDF463E5E9EC144B777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2"
            "767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9"
            "B7D2BBD2DF016199ECD06E1557CD0915B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D"
            "1DB246C32F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659"
        ),
        q=_h("8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3"),
    ),
}

_CURVES: dict[int, Curve] = {pid: curve_by_name(name) for pid, name in STANDARDIZED_PARAMETER_NAMES.items() if pid >= 8}
"""Ids 8-18: the named curves of :mod:`chipid.ecc.curves`, by the names of 9303-11 §9.5.1 table 6."""

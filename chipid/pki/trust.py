"""The CSCA trust store: master lists, ICAO PKD LDIF, PEM/DER files and folders, CRLs, link certificates.

ICAO 9303-12 §5 (PKI), §8 (distribution: PKD, master lists, CRLs). Trust anchors are the CSCA certificates
loaded; link certificates (a new CSCA key certified by the old one, §5.5.1) count as issuers only when they
verify against an anchor. Issuers are found by authorityKeyIdentifier -> subjectKeyIdentifier, then by
issuer name compared tolerantly (:mod:`chipid.pki.names`).

Where trust comes from (issue 10 point 5): every anchor records its provenance (:class:`AnchorTrust`).

* A self-signed CSCA certificate added directly (a file or folder the operator chose) is ``INDEPENDENT``.
* A master list adds anything only when its CMS signature verifies *and* its signer is a Master List Signer
  (not self-signed, not a CA, no foreign extendedKeyUsage) issued by a CSCA of the signer's own country that
  is already an anchor or is listed in the master list itself (as the ICAO PKD's national lists are built).
  Its CSCAs are ``INDEPENDENT`` when that issuing CSCA is an independent anchor, otherwise
  ``SELF_CONSISTENT``: the list vouches only for itself. Self-consistent anchors never make a later list
  "trusted".
* LDIF ``userCertificate`` / ``cACertificate`` values never become anchors: Document Signer certificates
  are kept only to find a SOD's signer, CA certificates only as link candidates (used when an anchor
  verifies them); a self-signed CA there is ignored (and noted).
* ``strict`` (the ``--strict-trust`` option) makes Passive Authentication accept only ``INDEPENDENT``
  anchors; a DS under a self-consistent anchor is then NOT_PERFORMED (verdict INCOMPLETE).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path

from chipid.errors import ASN1_ERRORS, ChipIDError, ParseError
from chipid.pki.certs import CRL, Certificate, load_certificate, load_crl, signed_by
from chipid.pki.ldif import parse_ldif
from chipid.pki.masterlist import MasterList, parse_master_list, verify_master_list

__all__ = [
    "AnchorTrust", "MasterListLoad", "Revocation", "RevocationStatus", "TrustAnchor", "TrustStore", "default_store_dir",
]

_CERT_SUFFIXES = {".pem", ".der", ".cer", ".crt", ".cacert"}
_CRL_SUFFIXES = {".crl"}
_ML_SUFFIXES = {".ml", ".p7s", ".p7b", ".bin"}
_LDIF_SUFFIXES = {".ldif"}
_COUNTRY_OID = "2.5.4.6"
_MAX_CANDIDATES = 4
MASTER_LIST_SIGNER_EKU = "2.23.136.1.1.3"
"""id-icao-cscaMasterListSigningKey (ICAO 9303-12 §7.1.1, Master List Signer extendedKeyUsage)."""


class RevocationStatus(str, Enum):
    GOOD = "GOOD"
    REVOKED = "REVOKED"
    UNKNOWN = "UNKNOWN"


class AnchorTrust(str, Enum):
    """What an anchor's trust rests on."""

    INDEPENDENT = "independent"
    """Added directly by the operator, or listed in a master list signed under an independent anchor."""
    SELF_CONSISTENT = "self_consistent_list"
    """Only a master list whose signer chains to a CSCA inside that same list vouches for it."""


@dataclass(frozen=True)
class TrustAnchor:
    """One anchor (or anchor-verified link certificate) with its provenance, for listings and reports.

    Attributes:
        certificate: the CSCA (or link) certificate.
        trust: :class:`AnchorTrust`.
        source: where it came from (a path, ``"masterlist"``, an LDIF entry...).
        basis: one sentence saying why it is trusted.
        link: a link certificate (verified with another anchor) rather than a self-signed CSCA.
    """

    certificate: Certificate
    trust: AnchorTrust
    source: str
    basis: str
    link: bool = False

    @property
    def independent(self) -> bool:
        return self.trust is AnchorTrust.INDEPENDENT

    @property
    def country(self) -> str | None:
        return country_of(self.certificate)


def country_of(cert: Certificate) -> str | None:
    """The countryName of a certificate's subject, upper case."""
    value = next((v for oid, v in cert.subject if oid == _COUNTRY_OID), None)
    return value.upper() if value is not None else None


@dataclass(frozen=True)
class Revocation:
    """Revocation status of a certificate with the reason (which CRL, or why none was usable)."""

    status: RevocationStatus
    reason: str


@dataclass(frozen=True)
class MasterListLoad:
    """What loading one master list did.

    Attributes:
        added: CSCA certificates added to the store.
        signature_valid: the list's CMS signature verifies with its embedded signer certificate.
        signer_trusted: that signer was issued by an *independent* anchor that was in the store before.
        reason: one sentence for logs and reports.
        trust: the provenance given to its certificates (``None`` when nothing could be added).
    """

    added: int
    signature_valid: bool
    signer_trusted: bool
    reason: str
    trust: AnchorTrust | None = None


def _is_ca(cert: Certificate) -> bool:
    usage = cert.key_usage
    return cert.is_ca or (usage is not None and "key_cert_sign" in usage) or (usage is None and cert.self_issued)


def _self_signed(cert: Certificate) -> bool:
    """A self-issued certificate whose key identifiers say it certifies its own key (else its self-signature).

    A link certificate has the same name but AKI != SKI: never an anchor. The self-signature of an anchor adds
    no trust (RFC 5280 §6.1.1 (d): an anchor is a name and a key); it is verified only when the identifiers are
    missing, so loading a large master list costs no signature check per certificate.
    """
    if not cert.self_issued:
        return False
    if cert.aki is not None and cert.ski is not None:
        return cert.aki == cert.ski
    return signed_by(cert, cert)


@dataclass
class TrustStore:
    """CSCA anchors, link certificates, known Document Signer certificates and CRLs.

    Attributes:
        anchors: self-signed CSCA certificates (see :meth:`trust_anchors` for their provenance).
        links: other CA certificates; used only when an anchor verifies them.
        document_signers: known DS certificates (to find a SOD's signer; never trusted by themselves).
        crls: CRLs; used only when a trusted key of their CSCA verifies them.
        notes: what loading did (skipped files, refused lists...).
        strict: accept only ``INDEPENDENT`` anchors in Passive Authentication.
    """

    anchors: list[Certificate] = field(default_factory=list)
    links: list[Certificate] = field(default_factory=list)
    document_signers: list[Certificate] = field(default_factory=list)
    crls: list[CRL] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    strict: bool = False
    _provenance: dict[bytes, TrustAnchor] = field(default_factory=dict, repr=False, compare=False)
    _link_cache: tuple[tuple[int, int, int], list[Certificate]] | None = field(
        default=None, repr=False, compare=False
    )

    def __len__(self) -> int:
        return len(self.anchors)

    @classmethod
    def from_paths(cls, *paths: str | Path, strict: bool = False) -> TrustStore:
        """A store loaded from files and folders (see :meth:`load_path`)."""
        store = cls(strict=strict)
        for path in paths:
            store.load_path(path)
        return store

    # ------------------------------------------------------------------ provenance
    def trust_anchors(self) -> tuple[TrustAnchor, ...]:
        """Every anchor, then every anchor-verified link certificate, with its provenance."""
        anchors = tuple(self.anchor_info(a) for a in self.anchors)
        links = tuple(self.anchor_info(link) for link in self._verified_links())
        return tuple(a for a in anchors + links if a is not None)

    def anchor_info(self, cert: Certificate) -> TrustAnchor | None:
        """The provenance of an anchor or of an anchor-verified link certificate; ``None`` if neither."""
        known = self._provenance.get(cert.der)
        if known is not None:
            return known
        if any(link.der == cert.der for link in self._verified_links()):
            return self._link_info(cert)
        return None

    def _link_info(self, link: Certificate) -> TrustAnchor:
        signers = [a for a in self._candidates(link, self.anchors) if signed_by(link, a)]
        infos = [self._provenance[a.der] for a in signers if a.der in self._provenance]
        best = next((i for i in infos if i.independent), infos[0] if infos else None)
        trust = best.trust if best is not None else AnchorTrust.SELF_CONSISTENT
        basis = f"link certificate verified with {best.certificate.subject_text}" if best else "link certificate"
        info = TrustAnchor(link, trust, best.source if best else "link", basis, link=True)
        return info

    def _record(self, cert: Certificate, trust: AnchorTrust, source: str, basis: str) -> None:
        known = self._provenance.get(cert.der)
        if known is not None and (known.independent or trust is AnchorTrust.SELF_CONSISTENT):
            return  # keep the stronger (or first) provenance
        self._provenance[cert.der] = TrustAnchor(cert, trust, source, basis)

    # ------------------------------------------------------------------ loading
    def _add(self, cert: Certificate, target: list[Certificate]) -> None:
        if all(c.der != cert.der for c in target):
            target.append(cert)

    def add_certificate(self, data: bytes | Certificate, *, source: str = "file") -> Certificate:
        """Add one certificate (PEM or DER) the operator chose: a self-signed CA becomes an ``INDEPENDENT``
        anchor, another CA (e.g. a link certificate, signed by the previous CSCA key) a link, anything else a
        known Document Signer certificate.

        Raises:
            ParseError: not a usable certificate.
        """
        return self._add_certificate(data, source=source, trust=AnchorTrust.INDEPENDENT, basis=f"added from {source}")

    def _add_certificate(
        self, data: bytes | Certificate, *, source: str, trust: AnchorTrust | None, basis: str
    ) -> Certificate:
        """``trust=None``: the certificate may not become an anchor (LDIF entries)."""
        cert = data if isinstance(data, Certificate) else load_certificate(data, path=source)
        try:
            ca = _is_ca(cert)
            self_signed = ca and _self_signed(cert)
        except ChipIDError:
            raise
        except ASN1_ERRORS as err:
            raise ParseError(f"certificate extensions cannot be read: {err}", path=source) from err
        if not ca:
            self._add(cert, self.document_signers)
        elif not self_signed:
            self._add(cert, self.links)
        elif trust is None:
            self.notes.append(f"{source}: self-signed CA {cert.subject_text} ignored (not an anchor from here)")
        else:
            self._add(cert, self.anchors)
            self._record(cert, trust, source, basis)
        return cert

    def add_crl(self, data: bytes, *, source: str = "file") -> CRL:
        """Add a CRL (PEM or DER). Its signature is checked against its CSCA when used."""
        crl = load_crl(data, path=source)
        if all(c.der != crl.der for c in self.crls):
            self.crls.append(crl)
        return crl

    def _list_signer_issuer(self, parsed: MasterList) -> tuple[Certificate | None, str]:
        """The CSCA that issued the list's signer (an anchor first, then one listed), or why there is none."""
        signer = parsed.signer
        if signer is None:
            return None, "no signer certificate"
        try:
            eku = signer.extended_key_usage
            if signer.self_issued or _is_ca(signer):
                return None, f"signer {signer.subject_text} is a CA certificate, not a Master List Signer"
        except ASN1_ERRORS as err:
            return None, f"signer certificate extensions cannot be read: {err}"
        if eku is not None and MASTER_LIST_SIGNER_EKU not in eku:
            return None, f"signer extendedKeyUsage {sorted(eku)} is not id-icao-cscaMasterListSigningKey"
        country = country_of(signer)
        for pool in (self.anchors, parsed.certificates):
            # at most a few candidates (AKI match first): a list of 1000 look-alikes costs 4 checks, not 1000
            for issuer in self._candidates(signer, pool)[:_MAX_CANDIDATES]:
                if (
                    country_of(issuer) == country
                    and _is_ca(issuer)
                    and _self_signed(issuer)
                    and signed_by(signer, issuer)
                ):
                    return issuer, ""
        return None, f"signer {signer.subject_text} was not issued by a CSCA of its country {country}"

    def load_master_list(
        self, data: bytes, *, require_trusted_signer: bool = False, source: str = "masterlist"
    ) -> MasterListLoad:
        """Add the CSCAs of a CMS-signed CscaMasterList (OID 2.23.136.1.1.2), under the rules of the module
        docstring (signature valid, signer issued by a CSCA of its country, provenance recorded).

        Args:
            data: the DER master list.
            require_trusted_signer: add nothing unless the signer's CSCA is an independent anchor.
            source: where the list came from, for notes and provenance.

        Raises:
            ParseError: not a master list.
        """
        parsed: MasterList = parse_master_list(data, path=source, verify=False)
        issuer, why = self._list_signer_issuer(parsed)
        if issuer is not None:
            parsed = verify_master_list(parsed)  # the signer's key is vouched for by a CSCA: now check it
        valid = issuer is not None and parsed.signature_valid
        info = self._provenance.get(issuer.der) if issuer is not None else None
        signer_trusted = info is not None and info.independent
        trust = AnchorTrust.INDEPENDENT if signer_trusted else AnchorTrust.SELF_CONSISTENT
        added = 0
        if issuer is None:
            reason = f"{source}: not loaded: {why}"
        elif not valid:
            check = parsed.signer_check
            reason = f"{source}: not loaded: signature not verified ({check.reason if check else 'no signer'})"
        elif require_trusted_signer and not signer_trusted:
            reason = (
                f"{source}: not loaded: signature valid, but the signer chains only to "
                f"{'a CSCA inside the list itself' if info is None else 'a CSCA from another self-consistent list'}"
                " (self-consistent, not independently trusted)"
            )
        else:
            assert parsed.signer is not None
            if signer_trusted:
                basis = f"master list {source} signed under independently trusted CSCA {issuer.subject_text}"
                reason = f"{source}: signature valid, signer trusted"
            else:
                basis = f"master list {source} vouches only for itself (signer issued by {issuer.subject_text})"
                reason = (
                    f"{source}: signature valid; the signer chains only to "
                    f"{'a CSCA inside the list itself' if info is None else 'a self-consistent anchor'}"
                    " (self-consistent, not independently trusted)"
                )
            before = len(self.anchors) + len(self.links)
            for cert in parsed.certificates:
                try:
                    if _is_ca(cert):
                        self._add_certificate(cert, source=source, trust=trust, basis=basis)
                except ParseError as err:
                    self.notes.append(f"{source}: skipped {cert.subject_text}: {err}")
            added = len(self.anchors) + len(self.links) - before
        if parsed.skipped:
            reason += f"; {len(parsed.skipped)} unparsable certificate(s) skipped"
        self.notes.append(reason)
        return MasterListLoad(added, valid, signer_trusted, reason, trust if added else None)

    def load_ldif(self, data: str | bytes, *, source: str = "ldif") -> int:
        """Load an ICAO PKD LDIF file (userCertificate;binary, pkdMasterListContent / CscaMasterListData,
        certificateRevocationList;binary, cACertificate;binary). Returns the number of objects loaded.

        Certificates from LDIF never become anchors (see the module docstring); master lists follow
        :meth:`load_master_list`."""
        count = 0
        for i, (attribute, value) in enumerate(parse_ldif(data, path=source)):
            where = f"{source} > entry value {i}"
            if attribute in ("usercertificate", "cacertificate"):
                self._add_certificate(value, source=where, trust=None, basis="")
            elif attribute == "certificaterevocationlist":
                self.add_crl(value, source=where)
            elif attribute in ("pkdmasterlistcontent", "cscamasterlistdata"):
                self.load_master_list(value, source=where)
            else:
                continue
            count += 1
        return count

    def load_path(self, path: str | Path) -> int:
        """Load a file, or every recognised file of a folder (recursively), by suffix. Returns a count."""
        root = Path(path)
        files: Iterable[Path] = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        count = 0
        for file in files:
            suffix = file.suffix.lower()
            try:
                if suffix in _CERT_SUFFIXES:
                    self.add_certificate(file.read_bytes(), source=str(file))
                elif suffix in _CRL_SUFFIXES:
                    self.add_crl(file.read_bytes(), source=str(file))
                elif suffix in _ML_SUFFIXES:
                    self.load_master_list(file.read_bytes(), source=str(file))
                elif suffix in _LDIF_SUFFIXES:
                    count += self.load_ldif(file.read_bytes(), source=str(file)) - 1
                else:
                    continue
            except ParseError as err:
                if not root.is_dir():
                    raise
                self.notes.append(f"skipped {file}: {err}")
                continue
            count += 1
        return count

    # ------------------------------------------------------------------ lookup
    def _candidates(self, cert: Certificate, pool: Iterable[Certificate]) -> list[Certificate]:
        pool = list(pool)
        aki = cert.aki
        by_key = [c for c in pool if aki is not None and c.ski == aki]
        by_name = [c for c in pool if c.subject == cert.issuer and c not in by_key]
        return by_key + by_name

    def issuers_of(self, cert: Certificate) -> list[Certificate]:
        """Possible issuers of ``cert``: anchors and anchor-verified link certificates, best match first.

        Matching is by AKI/SKI first, then by normalised issuer name. The caller still verifies the
        signature: this is a lookup, not a validation.
        """
        return self._candidates(cert, [*self.anchors, *self._verified_links()])

    def _verified_links(self) -> list[Certificate]:
        """Link certificates whose signature verifies with an anchor (cached until the store grows)."""
        state = (len(self.anchors), len(self.links), len(self._provenance))
        if self._link_cache is None or self._link_cache[0] != state:
            verified = [
                link
                for link in self.links
                if any(signed_by(link, anchor) for anchor in self._candidates(link, self.anchors))
            ]
            self._link_cache = (state, verified)
        return self._link_cache[1]

    def keys_of_csca(self, issuer: Certificate) -> list[Certificate]:
        """Every trusted key of the CSCA that ``issuer`` belongs to: anchors and verified link certificates
        with the same subject name (its keys before and after rollover, ICAO 9303-12 §5.5.1)."""
        pool = [*self.anchors, *self._verified_links()]
        same = [c for c in pool if c.subject == issuer.subject]
        return [issuer, *(c for c in same if c.der != issuer.der)]

    def revocation(self, cert: Certificate, issuer: Certificate, *, at: datetime | None = None) -> Revocation:
        """Whether the CRLs of ``issuer``'s CSCA revoke ``cert`` (ICAO 9303-12 §7.1.4).

        A CRL counts when any trusted key of that CSCA verifies it (:meth:`keys_of_csca`: after a key
        rollover the new key signs the CRLs that revoke DS certificates of the old one). Others are ignored
        (and said so). A serial on any valid CRL is REVOKED; otherwise GOOD if a valid CRL is current at
        ``at`` (nextUpdate not passed), else UNKNOWN (outdated CRL).
        """
        relevant = [c for c in self.crls if c.issuer == issuer.subject]
        if not relevant:
            return Revocation(RevocationStatus.UNKNOWN, f"no CRL from {issuer.subject_text}")
        keys = self.keys_of_csca(issuer)
        valid = [c for c in relevant if any(signed_by(c, key) for key in self._crl_keys(c, keys))]
        if not valid:
            return Revocation(RevocationStatus.UNKNOWN, "CRL signature does not verify with a CSCA key; ignored")
        for crl in valid:
            if cert.serial_number in crl.revoked_serials:
                return Revocation(RevocationStatus.REVOKED, f"serial {cert.serial_number:x} revoked by CSCA CRL")
        current = [c for c in valid if at is None or c.next_update is None or c.next_update >= at]
        if not current:
            latest = max(c.next_update for c in valid if c.next_update is not None)
            return Revocation(
                RevocationStatus.UNKNOWN, f"CSCA CRL outdated (nextUpdate {latest:%Y-%m-%d}); not listed on it"
            )
        return Revocation(RevocationStatus.GOOD, f"not on {len(current)} current CRL(s) of the CSCA")

    @staticmethod
    def _crl_keys(crl: CRL, keys: list[Certificate]) -> list[Certificate]:
        """The CSCA keys to try on a CRL: the one its AKI names first (one signature check in the usual case)."""
        named = [k for k in keys if crl.aki is not None and k.ski == crl.aki]
        return named + [k for k in keys if k not in named]


def default_store_dir() -> Path:
    """The local CSCA store that ``chipid trust add`` fills and ``chipid read`` / ``verify`` / ``serve`` use when no
    trust path is given: ``$CHIPID_TRUST_DIR``, else ``$XDG_DATA_HOME/chipid/trust``, else
    ``~/.local/share/chipid/trust``."""
    env = os.environ.get("CHIPID_TRUST_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "chipid" / "trust"

"""The CSCA trust store: master lists, ICAO PKD LDIF, PEM/DER files and folders, CRLs, link certificates.

ICAO 9303-12 §5 (PKI), §8 (distribution: PKD, master lists, CRLs). Trust anchors are the CSCA certificates
loaded; link certificates (a new CSCA key certified by the old one, §5.5.1) count as issuers only when they
verify against an anchor. Issuers are found by authorityKeyIdentifier -> subjectKeyIdentifier, then by
issuer name compared tolerantly (:mod:`chipid.pki.names`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path

from chipid.errors import ParseError
from chipid.pki.certs import CRL, Certificate, load_certificate, load_crl, signed_by
from chipid.pki.ldif import parse_ldif
from chipid.pki.masterlist import MasterList, parse_master_list

__all__ = ["MasterListLoad", "Revocation", "RevocationStatus", "TrustStore"]

_CERT_SUFFIXES = {".pem", ".der", ".cer", ".crt", ".cacert"}
_CRL_SUFFIXES = {".crl"}
_ML_SUFFIXES = {".ml", ".p7s", ".p7b", ".bin"}
_LDIF_SUFFIXES = {".ldif"}


class RevocationStatus(str, Enum):
    GOOD = "GOOD"
    REVOKED = "REVOKED"
    UNKNOWN = "UNKNOWN"


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
        signer_trusted: that signer chains to an anchor that was in the store before this list.
        reason: one sentence for logs and reports.
    """

    added: int
    signature_valid: bool
    signer_trusted: bool
    reason: str


@dataclass
class TrustStore:
    """CSCA anchors, link certificates, known Document Signer certificates and CRLs."""

    anchors: list[Certificate] = field(default_factory=list)
    links: list[Certificate] = field(default_factory=list)
    document_signers: list[Certificate] = field(default_factory=list)
    crls: list[CRL] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _link_cache: tuple[tuple[int, int], list[Certificate]] | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.anchors)

    @classmethod
    def from_paths(cls, *paths: str | Path) -> TrustStore:
        """A store loaded from files and folders (see :meth:`load_path`)."""
        store = cls()
        for path in paths:
            store.load_path(path)
        return store

    # ------------------------------------------------------------------ loading
    def add_certificate(self, data: bytes | Certificate, *, source: str = "file") -> Certificate:
        """Add one certificate (PEM or DER): a self-signed CA becomes an anchor, another CA (e.g. a link
        certificate, self-issued but signed by the previous CSCA key) a link, anything else a known
        Document Signer certificate."""
        cert = data if isinstance(data, Certificate) else load_certificate(data, path=source)
        usage = cert.key_usage
        if cert.is_ca or (usage is not None and "key_cert_sign" in usage) or (usage is None and cert.self_issued):
            self_signed = cert.self_issued and signed_by(cert, cert)
            target = self.anchors if self_signed else self.links
        else:
            target = self.document_signers
        if all(c.der != cert.der for c in target):
            target.append(cert)
        return cert

    def add_crl(self, data: bytes, *, source: str = "file") -> CRL:
        """Add a CRL (PEM or DER). Its signature is checked against its CSCA when used."""
        crl = load_crl(data, path=source)
        if all(c.der != crl.der for c in self.crls):
            self.crls.append(crl)
        return crl

    def load_master_list(
        self, data: bytes, *, require_trusted_signer: bool = False, source: str = "masterlist"
    ) -> MasterListLoad:
        """Add the CSCAs of a CMS-signed CscaMasterList (OID 2.23.136.1.1.2).

        The list's own signature is verified with its embedded signer certificate; the signer is trusted
        when it chains to an anchor already in the store. With ``require_trusted_signer`` an untrusted or
        invalid list adds nothing; otherwise its certificates are added and the outcome is recorded in
        :attr:`notes` (the caller decides whether an unverified list is acceptable).
        """
        parsed: MasterList = parse_master_list(data, path=source)
        signer_trusted = parsed.signer is not None and any(
            signed_by(parsed.signer, issuer) for issuer in self.issuers_of(parsed.signer)
        )
        valid = parsed.signature_valid
        if valid and signer_trusted:
            reason = f"{source}: signature valid, signer trusted"
        elif (
            valid
            and parsed.signer is not None
            and any(signed_by(parsed.signer, c) for c in self._candidates(parsed.signer, parsed.certificates))
        ):
            reason = (
                f"{source}: signature valid; the signer chains only to a CSCA inside the list itself "
                "(self-consistent, not independently trusted)"
            )
        elif valid:
            reason = f"{source}: signature valid but the signer does not chain to a trusted CSCA"
        else:
            check = parsed.signer_check
            reason = f"{source}: signature not verified ({check.reason if check else 'no signer certificate'})"
        added = 0
        if not require_trusted_signer or (valid and signer_trusted):
            before = len(self.anchors) + len(self.links)
            for cert in parsed.certificates:
                self.add_certificate(cert, source=source)
            added = len(self.anchors) + len(self.links) - before
        if parsed.skipped:
            reason += f"; {len(parsed.skipped)} unparsable certificate(s) skipped"
        self.notes.append(reason)
        return MasterListLoad(added, valid, signer_trusted, reason)

    def load_ldif(self, data: str | bytes, *, source: str = "ldif") -> int:
        """Load an ICAO PKD LDIF file (userCertificate;binary, pkdMasterListContent / CscaMasterListData,
        certificateRevocationList;binary, cACertificate;binary). Returns the number of objects loaded."""
        count = 0
        for i, (attribute, value) in enumerate(parse_ldif(data, path=source)):
            where = f"{source} > entry value {i}"
            if attribute in ("usercertificate", "cacertificate"):
                self.add_certificate(value, source=where)
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
        state = (len(self.anchors), len(self.links))
        if self._link_cache is None or self._link_cache[0] != state:
            verified = [
                link
                for link in self.links
                if any(signed_by(link, anchor) for anchor in self._candidates(link, self.anchors))
            ]
            self._link_cache = (state, verified)
        return self._link_cache[1]

    def revocation(self, cert: Certificate, issuer: Certificate, *, at: datetime | None = None) -> Revocation:
        """Whether ``issuer``'s CRLs revoke ``cert`` (ICAO 9303-12 §7.1.4).

        CRLs whose signature does not verify with ``issuer``'s key are ignored (and said so). A serial on
        any valid CRL is REVOKED; otherwise GOOD if a valid CRL is current at ``at`` (nextUpdate not
        passed), else UNKNOWN (outdated CRL).
        """
        relevant = [c for c in self.crls if c.issuer == issuer.subject and (c.aki is None or c.aki == issuer.ski)]
        if not relevant:
            return Revocation(RevocationStatus.UNKNOWN, f"no CRL from {issuer.subject_text}")
        valid = [c for c in relevant if signed_by(c, issuer)]
        if not valid:
            return Revocation(RevocationStatus.UNKNOWN, "CRL signature does not verify with the CSCA key; ignored")
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

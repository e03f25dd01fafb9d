"""CardProfile: everything one virtual card holds (file contents, secrets, the issuing PKI).

On disk a profile is a directory (format documented in :meth:`CardProfile.save`)::

    manifest.json        {"format": "chipid-card-profile/1", "files": {name: file}, "secrets": {...},
                          "holder": {...}, "csca": [file, ...], "crls": [file, ...],
                          "file_ids": {name: "011F"} (optional: files under another FID)}
    EF.COM.bin, DG1.bin, ... EF.ATR_INFO.bin   raw file contents ('/' in a name becomes '_')
    aa_key.der, ca_key.der                     PKCS#8 DER private keys (when present)
    csca_0.der ...                             the CSCA certificate(s), DER
    crl_0.der ...                              their CRL(s), DER

The directory holds SECRETS (MRZ key fields, CAN, chip private keys) of a synthetic card:
never point it at real document data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from chipid.access.keys import CANKey, MRZKey
from chipid.errors import ParseError
from chipid.pki.trust import TrustStore

__all__ = ["CardProfile"]

_FORMAT = "chipid-card-profile/1"


@dataclass(frozen=True)
class CardProfile:
    """The personalised content and secrets of one virtual card (``repr`` shows no secret).

    Attributes:
        files: file contents keyed by LDS name (``"EF.CardAccess"``, ``"EF.COM"``, ``"DG1"``...).
        document_number: the MRZ document number (the BAC/PACE-MRZ key field).
        date_of_birth: YYMMDD.
        date_of_expiry: YYMMDD.
        can: the card access number (6 digits).
        aa_private_key: PKCS#8 DER of the Active Authentication key (DG15 holds the public key).
        ca_private_key: PKCS#8 DER of the Chip Authentication key (DG14 holds the public key).
        ca_key_id: the CA key id advertised in DG14, if any.
        csca_certificates: DER certificates of the CSCA(s) that issued the DS of the SOD.
        crls: DER CRLs of those CSCAs (so revocation can be checked too).
        holder: free-form facts about the synthetic holder (ID number, name...) for tests.
        file_ids: files stored under another FID than the LDS table's (then without a short EF
            identifier), e.g. ``{"EF.SOD": 0x011F}`` for a chip that misplaces its SOD.
    """

    files: dict[str, bytes] = field(repr=False)
    document_number: str = field(repr=False)
    date_of_birth: str = field(repr=False)
    date_of_expiry: str = field(repr=False)
    can: str = field(repr=False)
    aa_private_key: bytes | None = field(default=None, repr=False)
    ca_private_key: bytes | None = field(default=None, repr=False)
    ca_key_id: int | None = None
    csca_certificates: tuple[bytes, ...] = field(default=(), repr=False)
    crls: tuple[bytes, ...] = field(default=(), repr=False)
    holder: dict[str, str] = field(default_factory=dict, repr=False)
    file_ids: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        name = self.holder.get("full_name", "?")
        aa, ca = self.aa_private_key is not None, self.ca_private_key is not None
        return f"CardProfile({len(self.files)} files, holder={name!r}, aa={aa}, ca={ca})"

    def mrz_key(self) -> MRZKey:
        """The MRZ access key (document number, date of birth, date of expiry) of this card."""
        return MRZKey(self.document_number, self.date_of_birth, self.date_of_expiry)

    def can_key(self) -> CANKey:
        """The card access number key of this card."""
        return CANKey(self.can)

    def trust_store(self) -> TrustStore:
        """A trust store holding this card's test CSCA certificate(s) and their CRLs."""
        store = TrustStore()
        for cert in self.csca_certificates:
            store.add_certificate(cert, source="virtual card profile")
        for crl in self.crls:
            store.add_crl(crl, source="virtual card profile")
        return store

    def with_files(self, **changes: bytes) -> CardProfile:
        """A copy with some files replaced (keyword names use ``_`` for ``.``: ``EF_COM=...``)."""
        files = dict(self.files)
        for key, value in changes.items():
            files[key.replace("EF_", "EF.", 1) if key.startswith("EF_") else key] = value
        return replace(self, files=files)

    def save(self, path: str | Path) -> Path:
        """Write the profile as a directory (created if needed). Returns the directory."""
        root = Path(path)
        root.mkdir(parents=True, exist_ok=True)
        names: dict[str, str] = {}
        for name, data in sorted(self.files.items()):
            filename = name.replace("/", "_") + ".bin"
            (root / filename).write_bytes(data)
            names[name] = filename
        secrets: dict[str, object] = {
            "document_number": self.document_number,
            "date_of_birth": self.date_of_birth,
            "date_of_expiry": self.date_of_expiry,
            "can": self.can,
            "ca_key_id": self.ca_key_id,
        }
        for key, blob in (("aa_private_key", self.aa_private_key), ("ca_private_key", self.ca_private_key)):
            if blob is not None:
                filename = key.replace("_private", "") + ".der"
                (root / filename).write_bytes(blob)
                secrets[key] = filename
        csca = []
        for i, cert in enumerate(self.csca_certificates):
            (root / f"csca_{i}.der").write_bytes(cert)
            csca.append(f"csca_{i}.der")
        crls = []
        for i, crl in enumerate(self.crls):
            (root / f"crl_{i}.der").write_bytes(crl)
            crls.append(f"crl_{i}.der")
        manifest = {
            "format": _FORMAT,
            "files": names,
            "secrets": secrets,
            "holder": self.holder,
            "csca": csca,
            "crls": crls,
        }
        if self.file_ids:
            manifest["file_ids"] = {name: f"{fid:04X}" for name, fid in sorted(self.file_ids.items())}
        (root / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
        return root

    @classmethod
    def load(cls, path: str | Path) -> CardProfile:
        """Read a profile directory written by :meth:`save`. Raises ParseError when it is not one."""
        root = Path(path)
        try:
            manifest = json.loads((root / "manifest.json").read_text())
        except (OSError, ValueError) as err:
            raise ParseError(f"cannot read the manifest: {err}", path=f"{root}/manifest.json") from err
        if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
            raise ParseError(f"not a {_FORMAT} manifest", path=f"{root}/manifest.json")
        try:
            secrets = manifest["secrets"]
            files = {name: (root / fn).read_bytes() for name, fn in manifest["files"].items()}

            def blob(key: str) -> bytes | None:
                fn = secrets.get(key)
                return None if fn is None else (root / fn).read_bytes()

            return cls(
                files=files,
                document_number=str(secrets["document_number"]),
                date_of_birth=str(secrets["date_of_birth"]),
                date_of_expiry=str(secrets["date_of_expiry"]),
                can=str(secrets["can"]),
                aa_private_key=blob("aa_private_key"),
                ca_private_key=blob("ca_private_key"),
                ca_key_id=secrets.get("ca_key_id"),
                csca_certificates=tuple((root / fn).read_bytes() for fn in manifest.get("csca", [])),
                crls=tuple((root / fn).read_bytes() for fn in manifest.get("crls", [])),
                holder={str(k): str(v) for k, v in manifest.get("holder", {}).items()},
                file_ids={str(k): int(str(v), 16) for k, v in manifest.get("file_ids", {}).items()},
            )
        except (OSError, KeyError, TypeError, AttributeError, ValueError) as err:
            raise ParseError(f"incomplete profile: {err!r}", path=f"{root}/manifest.json") from err

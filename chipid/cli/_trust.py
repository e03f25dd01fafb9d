"""Trust anchors for the CLI: ``--trust`` paths and the default local store, loaded by content, with provenance.

Every file is recognised by what it holds, not by its name: a CRL saved as ``crl_0.der`` is loaded as a CRL, a
PEM bundle of several certificates gives them all. Certificates and CRLs load first, LDIF next, master lists last,
so a master list's signer can chain to a national CSCA given beside it ("list signer verified"). Each anchor keeps
where it came from; every file that is not used is listed with the reason, never dropped silently.

The default store (used by ``chipid read`` / ``verify`` when no ``--trust`` is given; filled by ``chipid trust
add``) is ``$CHIPID_TRUST_DIR``, else ``$XDG_DATA_HOME/chipid/trust``, else ``~/.local/share/chipid/trust``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem

from chipid.cli._exit import EXIT_ERROR, CLIError, check_paths
from chipid.errors import ParseError
from chipid.pki.certs import Certificate, load_certificate, load_crl
from chipid.pki.masterlist import parse_master_list
from chipid.pki.trust import AnchorTrust, TrustStore, default_store_dir

__all__ = ["SOURCES_FILE", "Anchor", "TrustLoad", "classify", "default_store_dir", "load_trust", "store_sources"]

SOURCES_FILE = "sources.json"
MAX_FILE_BYTES = 512 * 1024 * 1024  # the whole ICAO PKD LDIF is ~100 MB
_ORDER = {"certificate": 0, "crl": 0, "ldif": 1, "masterlist": 2}


@dataclass(frozen=True)
class Anchor:
    """One trusted CSCA and why it is trusted.

    Attributes:
        certificate: the CSCA certificate.
        source: the file it came from (for the default store: where it was added from).
        how: ``"certificate file"``, ``"LDIF"`` or ``"master list"``.
        list_signer: for a master list: ``"verified"`` (the list's signer chains to a CSCA trusted
            independently of the list), ``"self-consistent"`` (it chains only to a CSCA inside the list),
            ``"untrusted"`` (its signer chains to no known CSCA), ``"unverified"`` (no valid signature);
            ``None`` otherwise.
    """

    certificate: Certificate
    source: str
    how: str
    list_signer: str | None = None

    @property
    def country(self) -> str:
        value = self.certificate.asn1.subject.native.get("country_name")
        return str(value) if value else "?"


@dataclass
class TrustLoad:
    """A loaded store and the account of how it was built."""

    store: TrustStore = field(default_factory=TrustStore)
    anchors: list[Anchor] = field(default_factory=list)
    loaded: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _pem_kind(data: bytes) -> str | None:
    try:
        blocks = list(pem.unarmor(data, multiple=True))
    except (ValueError, TypeError):
        return None
    kinds = {str(name) for name, _, _ in blocks}
    if kinds and kinds <= {"CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"}:
        return "certificate"
    if kinds == {"X509 CRL"}:
        return "crl"
    if kinds and kinds <= {"CMS", "PKCS7"}:
        return "masterlist"
    return None


def classify(data: bytes, name: str = "") -> str | None:
    """What a trust file holds: ``"certificate"``, ``"crl"``, ``"masterlist"``, ``"ldif"``, or None."""
    head = data[:64].lstrip()
    if name.lower().endswith(".ldif") or head.startswith((b"dn:", b"version:", b"#")):
        return "ldif"
    if pem.detect(data):
        return _pem_kind(data)
    for kind, loader in (("certificate", load_certificate), ("crl", load_crl)):
        try:
            loader(data)
        except ParseError:
            continue
        return kind
    try:
        parse_master_list(data)
    except ParseError:
        return None
    return "masterlist"


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.name != SOURCES_FILE)
    return [path]


def store_sources(directory: Path) -> dict[str, Any]:
    """The default store's index: stored file name -> {"source", "added", "kind"} (empty if none)."""
    try:
        data = json.loads((directory / SOURCES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _load_one(result: TrustLoad, file: Path, kind: str, data: bytes, shown: str) -> str:
    store = result.store
    before = {c.der for c in store.anchors}
    how, signer = {"certificate": "certificate file", "crl": "CRL", "ldif": "LDIF"}.get(kind, "master list"), None
    if kind == "certificate":
        blocks = [bytes(der) for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        for block in blocks:
            store.add_certificate(block, source=shown)
        what = f"{len(blocks)} certificate(s)"
    elif kind == "crl":
        crl = store.add_crl(data, source=shown)
        what = f"CRL of {crl.asn1.issuer.human_friendly}"
    elif kind == "ldif":
        what = f"LDIF: {store.load_ldif(data, source=shown)} object(s)"
    else:
        load = store.load_master_list(data, source=shown)
        if not load.signature_valid:
            signer = "unverified"
        elif load.trust is None:
            signer = "untrusted"
        else:  # the provenance the store recorded for the list's certificates (chipid.pki.trust.AnchorTrust)
            signer = "verified" if load.trust is AnchorTrust.INDEPENDENT else "self-consistent"
        what = f"master list: {load.added} new CSCA(s); {load.reason.removeprefix(shown + ': ')}"
    result.anchors.extend(Anchor(c, shown, how, signer) for c in store.anchors if c.der not in before)
    return what


def load_trust(paths: list[Path], *, store: TrustStore | None = None, names: dict[str, Any] | None = None,
               option: str = "--trust") -> TrustLoad:
    """Load trust files and folders (recognised by content) into ``store`` (a new one by default).

    Args:
        paths: files or folders; a path that does not exist is a usage error (exit 64).
        store: a store to add to (e.g. the virtual card's test CSCA).
        names: for the default store: stored file name -> index entry (shown as the source).
        option: the option named in error messages.

    Raises:
        CLIError: a path does not exist (64), or a single file given by name is not usable (3).
    """
    result = TrustLoad(store if store is not None else TrustStore())
    for anchor in result.store.anchors:
        result.anchors.append(Anchor(anchor, "virtual card profile", "certificate file"))
    pending: list[tuple[int, Path, str, bytes, bool]] = []
    check_paths(paths, option)
    for path in paths:
        for file in _files(path):
            try:
                size = file.stat().st_size
                data = file.read_bytes() if size <= MAX_FILE_BYTES else b""
            except OSError as err:
                result.skipped.append((str(file), f"unreadable: {err.strerror or err}"))
                continue
            kind = classify(data, file.name) if data else None
            if kind is None:
                reason = ("larger than 512 MiB" if size > MAX_FILE_BYTES
                          else "not a certificate, CRL, CSCA master list or LDIF")
                if not path.is_dir():
                    raise CLIError(f"{option} {file}: {reason}", code=EXIT_ERROR)
                result.skipped.append((str(file), reason))
                continue
            pending.append((_ORDER[kind], file, kind, data, path.is_dir()))
    for _, file, kind, data, in_folder in sorted(pending, key=lambda item: item[0]):
        entry = (names or {}).get(file.name)
        shown = str(entry.get("source", file)) if isinstance(entry, dict) else str(file)
        try:
            result.loaded.append((shown, _load_one(result, file, kind, data, shown)))
        except ParseError as err:
            if not in_folder:
                raise CLIError(f"{option} {file}: {err}", code=EXIT_ERROR) from err
            result.skipped.append((str(file), str(err)))
    return result

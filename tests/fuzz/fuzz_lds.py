"""atheris harness for every LDS parser (not collected by pytest: the name starts with fuzz_).

The first input byte picks the parser, the rest is its input. Any exception other than ParseError is a
finding. See tests/fuzz/README.md for the command.
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    from chipid.document import Document
    from chipid.errors import ParseError
    from chipid.lds.com import parse_com
    from chipid.lds.dg1 import parse_dg1
    from chipid.lds.dg2 import parse_dg2
    from chipid.lds.dg3 import parse_dg3, parse_finger_record
    from chipid.lds.dg7 import parse_dg7
    from chipid.lds.dg11 import parse_dg11
    from chipid.lds.dg12 import parse_dg12
    from chipid.lds.dg13_vn import parse_dg13
    from chipid.lds.dg15 import parse_dg15
    from chipid.lds.face import parse_face_record
    from chipid.lds.face39794 import parse_face_39794
    from chipid.lds.mrz import MRZ
    from chipid.lds.security_infos import parse_card_security, parse_security_infos


def _mrz(data: bytes) -> object:
    return MRZ.parse(data.decode("latin-1"))


def _document(data: bytes) -> object:
    doc = Document.from_files({"DG13": data, "DG1": data, "DG2": data, "DG14": data, "EF.COM": data})
    return doc.to_json(photo="omit")


PARSERS = (
    parse_security_infos, parse_com, parse_dg1, parse_dg2, parse_dg3, parse_dg7, parse_dg11, parse_dg12,
    parse_dg13, parse_dg15, parse_face_record, parse_face_39794, parse_finger_record, _mrz, _document,
    parse_card_security,
)  # fmt: skip


def test_one_input(data: bytes) -> None:
    if not data:
        return
    parser = PARSERS[data[0] % len(PARSERS)]
    with contextlib.suppress(ParseError):
        parser(data[1:])


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

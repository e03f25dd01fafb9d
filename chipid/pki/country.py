"""Binding a document's issuing State to the country of its CSCA (issue 10 point 4).

The MRZ (DG1) names the issuing State or organisation with an ICAO 9303-3 §5 three-letter code; a CSCA
certificate names its country with the two-letter ``countryName`` of ISO 3166-1 (ICAO 9303-12 §7.1.1, the
subject and issuer of CSCA and Document Signer certificates). A Document Signer issued by the CSCA of one
State must never vouch for a document of another, so the CSCA's country must be one of the codes that
:func:`csca_countries` returns for the document's issuing State.

Special cases (ICAO 9303-3 §5 tables A and B, with what national PKIs put in countryName):

* ``D`` is Germany (its MRZ code is the single letter, padded ``D<<``): CSCA country ``DE``.
* ``UTO`` (Utopia) is the fictional State of ICAO specimens: ``UT`` (specimen CSCAs) or ``UTO``.
* ``GBD``, ``GBN``, ``GBO``, ``GBP``, ``GBS`` (British nationals of various kinds) map to ``GB``;
  ``RKS`` (Kosovo) to ``XK``.
* Organisations (9303-3 table B) have no ISO 3166 code. Each matches its own three-letter code, and the
  two-letter code its CSCA uses where that is unambiguous: ``EUE`` (European Union) -> ``EU``;
  ``UNO``/``UNA``/``UNK`` (United Nations, its agencies, UNMIK) -> ``UN``; ``XOM`` (Sovereign Military
  Order of Malta) -> ``XO``; ``XPO`` (Interpol) -> ``XP``; ``XBA`` -> ``XB``; ``XIM`` -> ``XI``;
  ``XMP`` -> ``XM``; ``XDC`` -> ``XD``. ``XCC`` (Caribbean Community), ``XCE``, ``XCO``, ``XEC`` and
  ``XES`` share a two-letter prefix, so they match only their own code. The ``X?`` two-letter codes are
  ISO's user-assigned range: no State's CSCA carries them (``XK`` is Kosovo's, and only ``RKS`` maps to it).
* Nationality-only codes (``XXA`` stateless, ``XXB``/``XXC`` refugees, ``XXX`` unspecified) and unknown
  codes are never issuing States: no CSCA matches them.
"""

from __future__ import annotations

__all__ = ["csca_countries", "normalize_issuing_state"]

# ISO 3166-1 alpha-3 -> alpha-2, as pairs "AAA:AA" (the ICAO 9303-3 table A codes of States).
_ISO = """
ABW:AW AFG:AF AGO:AO AIA:AI ALA:AX ALB:AL AND:AD ARE:AE ARG:AR ARM:AM ASM:AS ATA:AQ ATF:TF ATG:AG AUS:AU
AUT:AT AZE:AZ BDI:BI BEL:BE BEN:BJ BES:BQ BFA:BF BGD:BD BGR:BG BHR:BH BHS:BS BIH:BA BLM:BL BLR:BY BLZ:BZ
BMU:BM BOL:BO BRA:BR BRB:BB BRN:BN BTN:BT BVT:BV BWA:BW CAF:CF CAN:CA CCK:CC CHE:CH CHL:CL CHN:CN CIV:CI
CMR:CM COD:CD COG:CG COK:CK COL:CO COM:KM CPV:CV CRI:CR CUB:CU CUW:CW CXR:CX CYM:KY CYP:CY CZE:CZ DEU:DE
DJI:DJ DMA:DM DNK:DK DOM:DO DZA:DZ ECU:EC EGY:EG ERI:ER ESH:EH ESP:ES EST:EE ETH:ET FIN:FI FJI:FJ FLK:FK
FRA:FR FRO:FO FSM:FM GAB:GA GBR:GB GEO:GE GGY:GG GHA:GH GIB:GI GIN:GN GLP:GP GMB:GM GNB:GW GNQ:GQ GRC:GR
GRD:GD GRL:GL GTM:GT GUF:GF GUM:GU GUY:GY HKG:HK HMD:HM HND:HN HRV:HR HTI:HT HUN:HU IDN:ID IMN:IM IND:IN
IOT:IO IRL:IE IRN:IR IRQ:IQ ISL:IS ISR:IL ITA:IT JAM:JM JEY:JE JOR:JO JPN:JP KAZ:KZ KEN:KE KGZ:KG KHM:KH
KIR:KI KNA:KN KOR:KR KWT:KW LAO:LA LBN:LB LBR:LR LBY:LY LCA:LC LIE:LI LKA:LK LSO:LS LTU:LT LUX:LU LVA:LV
MAC:MO MAF:MF MAR:MA MCO:MC MDA:MD MDG:MG MDV:MV MEX:MX MHL:MH MKD:MK MLI:ML MLT:MT MMR:MM MNE:ME MNG:MN
MNP:MP MOZ:MZ MRT:MR MSR:MS MTQ:MQ MUS:MU MWI:MW MYS:MY MYT:YT NAM:NA NCL:NC NER:NE NFK:NF NGA:NG NIC:NI
NIU:NU NLD:NL NOR:NO NPL:NP NRU:NR NZL:NZ OMN:OM PAK:PK PAN:PA PCN:PN PER:PE PHL:PH PLW:PW PNG:PG POL:PL
PRI:PR PRK:KP PRT:PT PRY:PY PSE:PS PYF:PF QAT:QA REU:RE ROU:RO RUS:RU RWA:RW SAU:SA SDN:SD SEN:SN SGP:SG
SGS:GS SHN:SH SJM:SJ SLB:SB SLE:SL SLV:SV SMR:SM SOM:SO SPM:PM SRB:RS SSD:SS STP:ST SUR:SR SVK:SK SVN:SI
SWE:SE SWZ:SZ SXM:SX SYC:SC SYR:SY TCA:TC TCD:TD TGO:TG THA:TH TJK:TJ TKL:TK TKM:TM TLS:TL TON:TO TTO:TT
TUN:TN TUR:TR TUV:TV TWN:TW TZA:TZ UGA:UG UMI:UM UKR:UA URY:UY USA:US UZB:UZ VAT:VA VCT:VC VEN:VE VGB:VG
VIR:VI VNM:VN VUT:VU WLF:WF WSM:WS YEM:YE ZAF:ZA ZMB:ZM ZWE:ZW
"""

_SPECIAL: dict[str, frozenset[str]] = {
    "D": frozenset({"DE"}),
    "UTO": frozenset({"UT", "UTO"}),
    "GBD": frozenset({"GB"}),
    "GBN": frozenset({"GB"}),
    "GBO": frozenset({"GB"}),
    "GBP": frozenset({"GB"}),
    "GBS": frozenset({"GB"}),
    "RKS": frozenset({"XK"}),
    "EUE": frozenset({"EU", "EUE"}),
    "UNO": frozenset({"UN", "UNO"}),
    "UNA": frozenset({"UN", "UNA"}),
    "UNK": frozenset({"UN", "UNK"}),
    "XOM": frozenset({"XO", "XOM"}),
    "XPO": frozenset({"XP", "XPO"}),
    "XBA": frozenset({"XB", "XBA"}),
    "XIM": frozenset({"XI", "XIM"}),
    "XMP": frozenset({"XM", "XMP"}),
    "XDC": frozenset({"XD", "XDC"}),
    "XCC": frozenset({"XCC"}),
    "XCE": frozenset({"XCE"}),
    "XCO": frozenset({"XCO"}),
    "XEC": frozenset({"XEC"}),
    "XES": frozenset({"XES"}),
}

_TABLE: dict[str, frozenset[str]] = {
    pair[:3]: frozenset({pair[4:]}) for pair in _ISO.split()
} | _SPECIAL


def normalize_issuing_state(code: str) -> str:
    """The MRZ issuing-State field without filler and spaces, upper case (``"D<<"`` -> ``"D"``)."""
    return code.replace("<", "").strip().upper()


def csca_countries(issuing_state: str) -> frozenset[str]:
    """The countryName values (upper case) a CSCA may carry to issue documents of ``issuing_state``.

    Args:
        issuing_state: the ICAO three-letter code from the MRZ (filler ``<`` allowed).

    Returns:
        The accepted codes; empty when the code is unknown or names no issuing authority (then no CSCA matches,
        and the caller reports the mismatch).
    """
    return _TABLE.get(normalize_issuing_state(issuing_state), frozenset())

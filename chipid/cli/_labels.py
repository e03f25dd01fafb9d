"""Labels for the clerk's screen: English (default) or Vietnamese (``--lang vi``, dates dd/mm/yyyy)."""

from __future__ import annotations

from datetime import date
from typing import Any

__all__ = ["LANGS", "Labels"]

LANGS = ("en", "vi")

_VI_FIELDS = {
    "id_number": "Số định danh cá nhân",
    "full_name": "Họ, chữ đệm và tên",
    "date_of_birth": "Ngày sinh",
    "sex": "Giới tính",
    "nationality": "Quốc tịch",
    "ethnicity": "Dân tộc",
    "religion": "Tôn giáo",
    "place_of_origin": "Quê quán",
    "place_of_residence": "Nơi thường trú",
    "identifying_marks": "Đặc điểm nhận dạng",
    "date_of_issue": "Ngày cấp",
    "date_of_expiry": "Có giá trị đến",
    "father": "Họ tên cha",
    "mother": "Họ tên mẹ",
    "parents": "Cha mẹ",
    "spouse": "Vợ/chồng",
    "old_id_number": "Số CMND cũ",
    "document_number": "Số giấy tờ",
}
_VERDICTS = {
    "en": {"GENUINE": "GENUINE", "NOT_GENUINE": "NOT GENUINE", "INCOMPLETE": "INCOMPLETE"},
    "vi": {"GENUINE": "HỢP LỆ", "NOT_GENUINE": "KHÔNG HỢP LỆ", "INCOMPLETE": "CHƯA XÁC MINH ĐỦ"},
}
_WORDS = {
    "en": {"holder": "Holder (from {source})", "verification": "Verification", "verdict": "Verdict",
           "access": "Access control", "no_holder": "No holder data (DG1 and DG13 unreadable)",
           "unknown": "holder unknown"},
    "vi": {"holder": "Chủ thẻ (từ {source})", "verification": "Kiểm tra", "verdict": "Kết luận",
           "access": "Kiểm soát truy cập", "no_holder": "Không đọc được thông tin chủ thẻ (DG1 và DG13)",
           "unknown": "không rõ chủ thẻ"},
}


class Labels:
    """The words and date format of one language."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang if lang in LANGS else "en"

    def field(self, name: str) -> str:
        if self.lang == "vi":
            return _VI_FIELDS.get(name, name.replace("_", " "))
        return name.replace("_", " ")

    def word(self, key: str, **values: str) -> str:
        return _WORDS[self.lang][key].format(**values)

    def verdict(self, value: str) -> str:
        return _VERDICTS[self.lang].get(value, value)

    def value(self, value: Any) -> str:
        """A holder value as shown: dates ISO (en) or dd/mm/yyyy (vi); lists joined with commas."""
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y") if self.lang == "vi" else value.isoformat()
        if isinstance(value, list | tuple):
            return ", ".join(map(str, value))
        return str(value)

    def summary(self, verdict: str, holder: Any) -> str:
        """``GENUINE — Đặng Thu Dung, 001090000001``: the line a clerk reads first."""
        who = [str(v) for v in (getattr(holder, "full_name", None),
                                getattr(holder, "id_number", None) or getattr(holder, "document_number", None)) if v]
        return f"{self.verdict(verdict)} — {', '.join(who) if who else self.word('unknown')}"

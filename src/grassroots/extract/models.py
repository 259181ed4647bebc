""""Dân vận khéo" models a report names individually (models.csv): name, owner, place, field.

A named model is a quoted title after "mô hình" ('Mô hình “Bánh xe tuyên truyền” của Đoàn xã tại
Thôn Mang Lùng 1', 'Mô hình của Mặt trận “Ngày thứ bảy, chủ nhật xanh” tại 07 thôn'), or a quoted
title in a list introduced by "mô hình ... như:". Counts ("230 mô hình") and the movement's own
name ('mô hình “Dân vận khéo”') are not named models. The field is classified from declared
keywords; it stays empty when no keyword fits (a missing field is better than a wrong one).
"""

from __future__ import annotations

import re

from grassroots.scan import finditer_at

# Field keywords, checked in this order on the folded name (and owner): first hit wins.
FIELD_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("culture_social", ("chất thải", "rác", "môi trường", "thu gom")),  # environment before economy
    ("defense_security", ("an ninh", "camera", "antt", "trật tự", "an toàn giao thông", "phòng cháy",
                          "tội phạm", "ma túy", "quốc phòng", "biên giới")),
    ("political_system", ("xây dựng đảng", "chi bộ", "đảng viên", "chính quyền", "hệ thống chính trị",
                          "cải cách hành chính", "một cửa", "tiếp dân", "dân chủ")),
    ("economic", ("sản xuất", "kinh tế", "thu nhập", "giảm nghèo", "làm giàu", "nuôi", "trồng trọt",
                  "chăn nuôi", "hợp tác xã", "vốn", "tiết kiệm", "ocop", "việc làm")),
    ("culture_social", ("môi trường", "rác", "văn hóa", "học sinh", "học tập", "tảo hôn", "hôn nhân",
                        "gia đình", "nhà văn hóa", "hoa", "xanh", "sạch", "đẹp", "tình thương", "gạo",
                        "khu dân cư", "đường", "giao thông nông thôn", "y tế", "sức khỏe", "thể thao", "trường")),
]

# The same keywords as one pattern per field: a literal alternation finds a match exactly when one
# of its words occurs, and the regex engine tries them all in one pass over the text.
_FIELD_PATTERNS = [(field, re.compile("|".join(map(re.escape, words)))) for field, words in FIELD_KEYWORDS]

_QUOTE = r"[“\"](?P<name>[^”\"]{3,140})[”\"]"
_MODEL = re.compile(
    rf"(?<![\w])(?i:m)ô hình(?:\s+(?:“?(?i:dân vận khéo)”?\s+)?)?(?:\s*của\s+(?P<owner_before>[^“\".\d]{{2,40}}?))?\s*{_QUOTE}"
)
_LIST_INTRO = re.compile(r"(?i:mô hình)[^.;:]{0,60}?(?:như|gồm|là)\s*:?\s*")
_LIST_ITEM = re.compile(rf"{_QUOTE}(?P<rest>[^“\";.]*)")
_OWNER = re.compile(r"^\s*(?:của|do)\s+(?P<owner>.+?)(?=\s+(?:tại|ở)\s+|,\s*(?:tại|ở)\s+|\s*$|\s*[,;(])")
_PLACE = re.compile(r"(?:^|\s)(?:tại|ở)\s+(?P<place>[^;().]+?)\s*(?:$|[;(.]|,\s*(?:giúp|nhằm|góp|vận động))")
_GENERIC = {"dân vận khéo", "dân vận khéo trong công tác dân vận chính quyền"}
_MO_HINH = ("mô hình",)  # where every _MODEL and _LIST_INTRO match starts (scan.finditer_at)
_TAIL_END = re.compile(r"[“\"]|;|\.(?!\d)")  # where the words after a model's title stop


def _clean(text: str) -> str:
    return " ".join(text.replace("*", "").split()).strip(" ,;:-–")


def classify_field(name: str, owner: str = "") -> str:
    low = f"{name} {owner}".lower()
    for field, pattern in _FIELD_PATTERNS:
        if pattern.search(low):  # any(w in low for w in words)
            return field
    return ""


def _owner_place(rest: str) -> tuple[str, str]:
    owner, place = "", ""
    m = _OWNER.match(rest)  # _OWNER is anchored at the start (^): match is its search
    if m:
        owner = _clean(m.group("owner"))
    p = _PLACE.search(rest) if "tại" in rest or "ở" in rest else None  # it needs one of them
    if p:
        place = _clean(p.group("place"))
    return owner, place


def extract_models(report_id: str, lines) -> list[dict]:
    rows: list[dict] = []
    seen: set[str] = set()

    def add(name, owner, place, line, start, quote):
        clean_name = _clean(name)
        key = clean_name.lower()
        if not clean_name or key in _GENERIC or key in seen or len(clean_name) < 3:
            return
        seen.add(key)
        rows.append({
            "report_id": report_id, "name": clean_name, "owner": owner, "place": place,
            "field": classify_field(clean_name, owner), "line": line.raw_line_at(start),
            "quote": quote[:300],
        })

    for line in lines:
        text = line.text
        # every row has a title after an opening quote (_QUOTE, _LIST_ITEM)
        if not ("“" in text or '"' in text):
            continue
        # "mô hình" in any case holds "ô" or "Ô" and "ì" or "Ì" (no other character lower-cases to
        # them): quick character tests before lower-casing the line.
        if not (("ô" in text or "Ô" in text) and ("ì" in text or "Ì" in text)):
            continue
        low = text.lower()
        if "mô hình" not in low:
            continue
        for m in finditer_at(_MODEL, text, low, _MO_HINH):
            name = m.group("name")
            tail_start = m.end()
            tail = text[tail_start:tail_start + 200]
            end = _TAIL_END.search(tail)  # the first piece of re.split(_TAIL_END, tail)
            if end:
                tail = tail[:end.start()]
            owner, place = _owner_place(tail)
            if m.group("owner_before"):
                owner = _clean(m.group("owner_before"))
            add(name, owner, place, line, m.start(), text[m.start():tail_start + len(tail)])
        for intro in finditer_at(_LIST_INTRO, text, low, _MO_HINH):
            for item in _LIST_ITEM.finditer(text, intro.end()):
                if item.start() - intro.end() > 400:
                    break
                owner, place = _owner_place(item.group("rest"))
                add(item.group("name"), owner, place, line, item.start(), item.group(0))
    return rows

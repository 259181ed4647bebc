""""Dân vận khéo" models a report names individually (models.csv): name, owner, place, field.

A named model is a quoted title after "mô hình" ('Mô hình “Bánh xe tuyên truyền” của Đoàn xã tại
Thôn Mang Lùng 1', 'Mô hình của Mặt trận “Ngày thứ bảy, chủ nhật xanh” tại 07 thôn'), or a quoted
title in a list introduced by "mô hình ... như:". Counts ("230 mô hình") and the movement's own
name ('mô hình “Dân vận khéo”') are not named models. The field is classified from declared
keywords; it stays empty when no keyword fits (a missing field is better than a wrong one).
"""

from __future__ import annotations

import functools
import re

from grassroots import ruleset
from grassroots.matcher import PatternSet


@functools.cache
def _field_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """The field keywords of rules/models.yml, one pattern per field in order (any keyword)."""
    return tuple((f["field"], re.compile("|".join(map(re.escape, f["keywords"]))))
                 for f in ruleset.load("models")["fields"])


@functools.cache
def _movement_names() -> frozenset[str]:
    return frozenset(ruleset.load("models")["movement_names"])


_QUOTE = r"[“\"](?P<name>[^”\"]{3,140})[”\"]"
_MODEL = re.compile(
    rf"(?<![\w])(?i:m)ô hình(?:\s+(?:“?(?i:dân vận khéo)”?\s+)?)?(?:\s*của\s+(?P<owner_before>[^“\".\d]{{2,40}}?))?\s*{_QUOTE}"
)
_LIST_INTRO = re.compile(r"(?i:mô hình)[^.;:]{0,60}?(?:như|gồm|là)\s*:?\s*")
_LIST_ITEM = re.compile(rf"{_QUOTE}(?P<rest>[^“\";.]*)")
_OWNER = re.compile(r"^\s*(?:của|do)\s+(?P<owner>.+?)(?=\s+(?:tại|ở)\s+|,\s*(?:tại|ở)\s+|\s*$|\s*[,;(])")
_PLACE = re.compile(r"(?:^|\s)(?:tại|ở)\s+(?P<place>[^;().]+?)\s*(?:$|[;(.]|,\s*(?:giúp|nhằm|góp|vận động))")
# Every _MODEL and _LIST_INTRO match holds "mô hình" (Hyperscan takes seconds to compile _MODEL
# itself): lines without it are not searched.
_MO_HINH = PatternSet([re.compile(r"(?i:mô hình)")])
_TAIL_END = re.compile(r"[“\"]|;|\.(?!\d)")  # where the words after a model's title stop


def _clean(text: str) -> str:
    return " ".join(text.replace("*", "").split()).strip(" ,;:-–")


def classify_field(name: str, owner: str = "") -> str:
    low = f"{name} {owner}".lower()
    for field, pattern in _field_patterns():
        if pattern.search(low):
            return field
    return ""


def _owner_place(rest: str) -> tuple[str, str]:
    owner, place = "", ""
    m = _OWNER.search(rest)
    if m:
        owner = _clean(m.group("owner"))
    p = _PLACE.search(rest)
    if p:
        place = _clean(p.group("place"))
    return owner, place


def extract_models(report_id: str, lines) -> list[dict]:
    rows: list[dict] = []
    seen: set[str] = set()

    def add(name, owner, place, line, start, quote):
        clean_name = _clean(name)
        key = clean_name.lower()
        if not clean_name or key in _movement_names() or key in seen or len(clean_name) < 3:
            return
        seen.add(key)
        rows.append({
            "report_id": report_id, "name": clean_name, "owner": owner, "place": place,
            "field": classify_field(clean_name, owner), "line": line.raw_line_at(start),
            "quote": quote[:300],
        })

    for line in lines:
        text = line.text
        if not _MO_HINH.may_match(text):
            continue
        for m in _MODEL.finditer(text):
            name = m.group("name")
            tail_start = m.end()
            tail = text[tail_start:tail_start + 200]
            tail = _TAIL_END.split(tail, maxsplit=1)[0]
            owner, place = _owner_place(tail)
            if m.group("owner_before"):
                owner = _clean(m.group("owner_before"))
            add(name, owner, place, line, m.start(), text[m.start():tail_start + len(tail)])
        for intro in _LIST_INTRO.finditer(text):
            for item in _LIST_ITEM.finditer(text, intro.end()):
                if item.start() - intro.end() > 400:
                    break
                owner, place = _owner_place(item.group("rest"))
                add(item.group("name"), owner, place, line, item.start(), item.group(0))
    return rows

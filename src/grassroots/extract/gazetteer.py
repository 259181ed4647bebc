"""Resolve administrative unit names against the `vietnamadminunits` gazetteer (offline).

Reports name their unit loosely: "huyện Triệu Sơn", "Kbang", "xã Ba Tô" with "huyện Ba Tơ", often
without the province. `resolve_unit` finds the unit in the legacy (63-province, pre-July-2025)
gazetteer, returns its legacy names and codes, and converts the legacy address to the units that
exist after the July 2025 reorganisation (34 provinces, no districts).

Matching rules
- Names are compared without diacritics first (so "Ba Tô" also finds "Ba Tơ", "Hoà" finds "Hòa"),
  with the package's alias keywords (older names) included; when several units match, the ones whose
  accented name is identical win.
- A unit type written in the text (xã, phường, thị trấn, huyện, quận, thị xã, thành phố, tỉnh)
  must agree with the gazetteer's type.
- A district named without its province is accepted only when the name is unique in the whole
  gazetteer; otherwise the result is unresolved and the note lists the candidates.

The package (and geopy/shapely, which it imports) is imported lazily inside functions, so importing
this module costs nothing. The first call loads the legacy table from the package's SQLite file and
the package's parser data (about 0.7-1 s on the development machine, mostly the package import);
later calls are cached.
"""

from __future__ import annotations

import functools

from grassroots.text import accent_key, ascii_key, tidy

__all__ = ["resolve_unit", "split_unit", "level_of_type", "load", "RESULT_KEYS"]

RESULT_KEYS = (
    "province", "district", "ward", "province_code", "district_code", "ward_code",
    "province_2025", "ward_2025", "resolved", "note",
)


@functools.cache
def _unit_types() -> tuple[tuple[tuple[str, str], ...], dict[str, str], tuple[str, ...]]:
    """From rules/lexicon.yml: (spelling, type) pairs longest first (so that "thành phố" wins
    over a bare name and "tp." over "tp"), the level of each type, and the central cities' keys."""
    from grassroots import ruleset

    lex = ruleset.load("lexicon")
    words = [(w, t["name"]) for t in lex["unit_types"] for w in (t["name"], *t.get("spellings", []))]
    levels = {t["name"]: t["level"] for t in lex["unit_types"]}
    return (tuple(sorted(words, key=lambda wt: len(wt[0]), reverse=True)), levels,
            tuple(ascii_key(city) for city in lex["central_cities"]))


def split_unit(name: str) -> tuple[str, str]:
    """("huyện", "Triệu Sơn") from "huyện Triệu Sơn"; ("", "Kbang") from a bare name."""
    name = tidy(name).strip(" ,.;:-")
    low = name.lower()
    for word, canonical in _unit_types()[0]:
        if low.startswith(word) and (len(low) == len(word) or not low[len(word)].isalnum()):
            return canonical, name[len(word):].strip(" .")
    return "", name


def level_of_type(unit_type: str, name: str = "") -> str:
    """Administrative level of a unit type: commune | district | province | ''."""
    _words, levels, central_cities = _unit_types()
    level = levels.get((unit_type or "").lower(), "")
    if level == "city":
        # "thành phố Hà Nội" is a province; "thành phố Pleiku" is a district-level city.
        return "province" if ascii_key(name).startswith(central_cities) else "district"
    return level


# --- the legacy table ----------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _legacy_rows() -> tuple[dict, ...]:
    """Every (province, district, ward) row of the legacy gazetteer, with match keys added."""
    import json

    from vietnamadminunits.database.main import query

    rows = query(
        "SELECT DISTINCT province, provinceShort, provinceKey, provinceCode, provinceKeywords, "
        "district, districtShort, districtType, districtKey, districtCode, districtKeywords, "
        "ward, wardShort, wardType, wardKey, wardCode, wardKeywords FROM admin_units_legacy"
    )
    # The keys of a unit depend on its keywords and short name only: a province or district is on
    # many rows (one per ward), so each distinct pair is worked out once.
    memo: dict[tuple[str, str], tuple[frozenset, str]] = {}
    out = []
    for r in rows:
        r = dict(r)
        for level in ("province", "district", "ward"):
            pair = (r.get(f"{level}Keywords") or "[]", r.get(f"{level}Short") or "")
            keys = memo.get(pair)
            if keys is None:
                words_json, short = pair
                keys = memo[pair] = (frozenset(json.loads(words_json)) | {ascii_key(short)} - {""}, accent_key(short))
            r[f"_{level}_keys"], r[f"_{level}_akey"] = keys
        out.append(r)
    return tuple(out)


def load() -> None:
    """Load the legacy table and its indexes now rather than at the first lookup (about 1.2 s,
    most of it importing vietnamadminunits): extraction calls it before its workers fork."""
    for level in ("province", "district", "ward"):
        _key_index(level)
    _province_rows()


def _type_ok(wanted: str, actual: str | None) -> bool:
    return not wanted or (actual or "").lower() == wanted


@functools.lru_cache(maxsize=4)
def _key_index(level: str) -> dict[str, list[int]]:
    """Inverted index over the full legacy table: match key -> row positions (in table order)."""
    index: dict[str, list[int]] = {}
    for pos, r in enumerate(_legacy_rows()):
        for k in r[f"_{level}_keys"]:
            index.setdefault(k, []).append(pos)
    return index


@functools.lru_cache(maxsize=1)
def _province_rows() -> dict[str, tuple[dict, ...]]:
    """The legacy table's rows grouped by province key (in table order)."""
    groups: dict[str, list[dict]] = {}
    for r in _legacy_rows():
        groups.setdefault(r["provinceKey"], []).append(r)
    return {k: tuple(v) for k, v in groups.items()}


def _match(rows, level: str, unit_type: str, name: str) -> list[dict]:
    """Rows whose unit at `level` has this name (diacritics-blind, aliases included) and type."""
    key = ascii_key(name)
    typed_key = ascii_key(f"{unit_type} {name}") if unit_type else ""
    if not key:
        return []
    if rows is _legacy_rows():
        # the whole table: look the keys up in the index instead of scanning ~10,000 rows
        index = _key_index(level)
        positions = sorted(set(index.get(key, ())) | set(index.get(typed_key, ()) if typed_key else ()))
        candidates = [rows[i] for i in positions]
    else:
        candidates = [r for r in rows if key in r[f"_{level}_keys"] or typed_key in r[f"_{level}_keys"]]
    hits = [
        r for r in candidates
        if level == "province" or _type_ok(unit_type, r.get(f"{level}Type"))
    ]
    # Prefer rows whose accented short name is identical ("Ba Tô" over "Ba Tơ" when both exist).
    akey = accent_key(name)
    exact = [r for r in hits if r[f"_{level}_akey"] == akey]
    return exact or hits


def _units(rows, level: str) -> dict[tuple, dict]:
    """Distinct units at a level among rows (keyed by their gazetteer keys)."""
    out: dict[tuple, dict] = {}
    for r in rows:
        ident = (r["provinceKey"],) if level == "province" else (
            (r["provinceKey"], r["districtKey"]) if level == "district"
            else (r["provinceKey"], r["districtKey"], r["wardKey"]))
        out.setdefault(ident, r)
    return out


def _label(r: dict, level: str) -> str:
    if level == "province":
        return r["provinceShort"]
    if level == "district":
        return f"{r['district']} ({r['provinceShort']})"
    return f"{r['ward']}, {r['district']} ({r['provinceShort']})"


# --- resolution ------------------------------------------------------------------------------------

def resolve_unit(locality: str, district: str = "", province: str = "", level: str = "") -> dict:
    """Resolve a report's unit against the legacy gazetteer and convert it to post-2025 units.

    locality: the report's own unit ("huyện Triệu Sơn", "xã Ba Tô", "tỉnh Kon Tum", or a bare name);
    district/province: its parents if known; level: commune | district | province (inferred from the
    unit type when empty). Returns the keys of RESULT_KEYS (names are short names without the unit
    type, codes as the package gives them, "" when unknown) plus district_type, ward_type and
    ward_2025_type (lower-case unit types). Never raises on bad input.
    """
    return dict(_resolve_given(locality, district, province, level))


@functools.lru_cache(maxsize=2048)
def _resolve_given(locality: str, district: str, province: str, level: str) -> tuple:
    """_resolve of the tidied arguments, cached on the arguments as given (no tidying again when a
    report repeats a lookup), as items: callers get a fresh dict each time."""
    try:
        out = _resolve(tidy(locality), tidy(district), tidy(province), (level or "").strip().lower())
    except Exception as exc:  # the gazetteer must never break metadata extraction
        out = _empty(f"gazetteer error: {type(exc).__name__}: {exc}")
    return tuple(out.items())


def _empty(note: str = "") -> dict:
    out = {k: "" for k in RESULT_KEYS}
    out.update(resolved=False, note=note, district_type="", ward_type="", ward_2025_type="")
    return out


def _resolve(locality: str, district: str, province: str, level: str) -> dict:
    ltype, lname = split_unit(locality)
    if not lname:
        return _empty("no locality given")
    if not level:
        level = level_of_type(ltype, lname)
    if level not in ("commune", "district", "province"):
        # An untyped name without a level: try district first (most reports), then province.
        for guess in ("district", "province", "commune"):
            out = _resolve(locality, district, province, guess)
            if out["resolved"]:
                out["note"] = (out["note"] + "; " if out["note"] else "") + f"level guessed as {guess}"
                return out
            if "ambiguous" in out["note"]:
                return out
        return _empty(f"{locality!r} not found in the legacy gazetteer at any level")

    rows = _legacy_rows()
    notes: list[str] = []

    # The province, when given, narrows the search; a province the gazetteer does not know is ignored.
    if level == "province":
        ptype, pname = ltype, lname
    else:
        ptype, pname = split_unit(province)
    prov_rows = rows
    if pname:
        hits = _units(_match(rows, "province", ptype, pname), "province")
        if len(hits) == 1:
            pkey = next(iter(hits))[0]
            prov_rows = _province_rows()[pkey]
        elif level == "province":
            return _empty(f"province {pname!r} not in the legacy gazetteer")
        else:
            notes.append(f"province {pname!r} not in the legacy gazetteer; ignored")

    if level == "province":
        return _finish(prov_rows[0], "province", notes, lname)

    # The district: the locality itself for a district report, the given parent for a commune.
    if level == "district":
        dtype, dname = ltype, lname
    else:
        dtype, dname = split_unit(district)
    dist_rows = prov_rows
    if dname:
        found = _match(prov_rows, "district", dtype, dname)
        if not found and prov_rows is not rows:
            found = _match(rows, "district", dtype, dname)
            if found:
                where = sorted({r["provinceShort"] for r in found})
                notes.append(f"{dtype + ' ' if dtype else ''}{dname} is not in {pname}; found in {', '.join(where)}")
        dists = _units(found, "district")
        if not dists:
            if level == "district":
                return _empty("; ".join(notes + [f"district {dname!r} not in the legacy gazetteer"]))
            notes.append(f"district {dname!r} not in the legacy gazetteer; ignored")
        elif level == "district":
            if len(dists) > 1:
                cands = "; ".join(sorted(_label(r, "district") for r in dists.values()))
                return _empty("; ".join(notes + [f"ambiguous district {dname!r}: {cands}"]))
            return _finish(next(iter(dists.values())), "district", notes, dname)
        else:
            keys = set(dists)
            dist_rows = [r for r in found if (r["provinceKey"], r["districtKey"]) in keys]

    # A commune: search within the district(s) found, then the province, then everywhere.
    wards: dict = {}
    scopes = [(dist_rows, "district")]
    if prov_rows is not dist_rows:
        scopes.append((prov_rows, "province"))
    if rows is not prov_rows:
        scopes.append((rows, "gazetteer"))
    for i, (scope, where) in enumerate(scopes):
        wards = _units(_match(scope, "ward", ltype, lname), "ward")
        if wards:
            if i:
                notes.append(f"{locality} not found in the given {scopes[0][1]}; searched the whole {where}")
            break
    if len(wards) == 1:
        ward = next(iter(wards.values()))
        if dname and accent_key(dname) != accent_key(ward["districtShort"] or ""):
            notes.append(f"district {dname!r} read as {ward['districtShort']!r}")
        return _finish(ward, "commune", notes, lname)
    if len(wards) > 1:
        cands = "; ".join(sorted(_label(r, "commune") for r in wards.values())[:8])
        more = f" (+{len(wards) - 8} more)" if len(wards) > 8 else ""
        partial = _partial_parent(dist_rows, prov_rows, rows)
        partial["note"] = "; ".join(notes + [f"ambiguous commune {lname!r}: {cands}{more}"])
        return partial
    partial = _partial_parent(dist_rows, prov_rows, rows)
    partial["note"] = "; ".join(notes + [f"commune {locality!r} not in the legacy gazetteer"])
    return partial


def _partial_parent(dist_rows, prov_rows, rows) -> dict:
    """An unresolved commune keeps whatever parent unit was found without doubt."""
    if dist_rows is not prov_rows and len(_units(dist_rows, "district")) == 1:
        out = _finish(dist_rows[0], "district", [])
    elif prov_rows is not rows:
        out = _finish(prov_rows[0], "province", [])
    else:
        return _empty()
    out["resolved"] = False
    return out


def _finish(row: dict, level: str, notes: list[str], given_name: str = "") -> dict:
    """Fill the result from one legacy row (cut at `level`) and convert it to post-2025 units."""
    out = _empty()
    out.update(province=row["provinceShort"] or "", province_code=row["provinceCode"] or "")
    parts = [row["province"]]
    if level in ("district", "commune"):
        out.update(district=row["districtShort"] or "", district_code=row["districtCode"] or "",
                   district_type=(row["districtType"] or "").lower())
        parts.insert(0, row["district"])
    if level == "commune" and row.get("ward"):
        out.update(ward=row["wardShort"] or "", ward_code=row["wardCode"] or "",
                   ward_type=(row["wardType"] or "").lower())
        parts.insert(0, row["ward"])
    out["resolved"] = True
    # A name found through one of the package's alias keywords (an older or newer name of the unit).
    given = {"province": given_name, "district": given_name, "commune": given_name}[level]
    short = out["ward" if level == "commune" else level]
    if given and ascii_key(given) != ascii_key(short):
        notes = notes + [f"{given!r} matched as an alias of {short!r}"]
    elif given and accent_key(given) != accent_key(short):
        notes = notes + [f"{given!r} matched {short!r} (diacritics differ)"]
    conv_note = _convert(", ".join(parts), row, out)
    out["note"] = "; ".join(notes + ([conv_note] if conv_note else []))
    return out


def _convert(address: str, row: dict, out: dict) -> str:
    """Post-2025 province (and ward) of a canonical legacy address; returns a note or ''."""
    from vietnamadminunits import ConvertMode, ParseMode, convert_address, parse_address

    # convert_address geocodes over the network when the legacy parse leaves a "street" part.
    # A canonical "ward, district, province" address leaves none; check before converting.
    old = parse_address(address, mode=ParseMode.LEGACY, keep_street=True, level=3)
    if old.street or old.province_key != row["provinceKey"]:
        return f"post-2025 conversion skipped: the package re-parses {address!r} differently"
    if out["ward"] and old.ward_key != row["wardKey"]:
        return f"post-2025 conversion skipped: the package re-parses {address!r} differently"
    new = convert_address(address, mode=ConvertMode.CONVERT_2025)
    out["province_2025"] = new.short_province or ""
    if new.ward:
        out["ward_2025"] = new.short_ward or ""
        out["ward_2025_type"] = (new.ward_type or "").lower()
    return ""

#!/usr/bin/env python3
"""Check a fixture corpus folder (raw/, sources.csv, gold_indicators.csv).

usage: python tools/check_gold.py tests/fixtures/real-dev [--codebook src/grassroots/rules/codebook.yml]

Checks
  1. every gold quote is a verbatim substring of its raw text (and says when it is not unique);
  2. every quote contains the gold value as printed: the value is rendered in the ways a report
     writes it ("1.134" or "1134" for 1134, "84,4" for 84.4, ",5"/"0,5" for 0.5, "03" for 3,
     ha for km2 values, multipliers for VND) and one of them must occur in the quote as a whole
     number (not inside a longer one); a zero may be written in words ("không", "0");
  3. every report_id in the gold file has raw/<id>.txt and a sources.csv row (and every raw file
     and source row is known to the other two);
  4. every URL in sources.csv is free according to ../shared/tools/reserved-url (skipped,
     with a note, when that tool is absent);
  5. every indicator code is declared under the `indicators` key of the codebook YAML;
  6. no duplicate (report_id, indicator) among non-ambiguous rows.
Works on the older format without the `ambiguous`/`note` columns (all rows then count as
non-ambiguous; the missing columns are reported as a note, not an error).
Exit status 1 when any error is found.
"""
import argparse
import csv
import os
import re
import subprocess
import sys
from decimal import Decimal, InvalidOperation

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESERVED_TOOL = os.path.join(os.path.dirname(REPO), "shared", "tools", "reserved-url")  # shared/ beside the clone


def load_codes(path):
    """Indicator codes: the keys directly under the top-level `indicators:` mapping."""
    try:
        import yaml  # type: ignore
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
        return set((data.get("indicators") or {}).keys())
    except ImportError:
        codes, inside = set(), False
        with open(path, encoding="utf-8") as f:
            for line in f:
                if re.match(r"^\S", line):
                    inside = line.startswith("indicators:")
                    continue
                m = re.match(r"^  ([A-Za-z_][\w.]*):\s*$", line)
                if inside and m:
                    codes.add(m.group(1))
        return codes


def group_thousands(int_part, sep):
    s = str(int_part)
    out = []
    while len(s) > 3:
        out.insert(0, s[-3:])
        s = s[:-3]
    out.insert(0, s)
    return sep.join(out)


def renderings(value):
    """Ways a report may print `value` (a Decimal)."""
    forms = set()
    v = value.normalize() if value != 0 else Decimal(0)
    sign, digits, exp = v.as_tuple()
    if exp >= 0:  # integer
        i = int(v)
        forms |= {str(i), group_thousands(i, "."), group_thousands(i, ","), group_thousands(i, " ")}
        forms |= {"0" + str(i), "00" + str(i)} if 0 <= i < 100 else set()
        # an integer value printed with decimal zeros ("5,0 %", "12.00")
        forms |= {f + sep + z for f in (str(i), group_thousands(i, ".")) for sep in ",." for z in ("0", "00")}
    else:
        txt = format(v, "f")
        ip, fp = txt.split(".")
        ipi = int(ip)
        for isep in {str(ipi), group_thousands(ipi, "."), group_thousands(ipi, ",")}:
            forms.add(isep + "," + fp)
            forms.add(isep + "." + fp)
        if ipi == 0:
            forms |= {"," + fp, "." + fp}
        # trailing zeros written in the report ("17,50")
        forms |= {f + "0" for f in list(forms)}
    return forms


def candidate_values(value, unit):
    """The value itself plus what was printed before normalisation (ha for km2, multipliers)."""
    cands = [value]
    if unit == "km2":
        cands.append(value * 100)  # written in ha
    if unit == "VND":
        for mult in (Decimal(10) ** 9, Decimal(10) ** 6, Decimal(10) ** 3):
            q = value / mult
            if q >= 1 or q == q.to_integral_value():
                cands.append(q)
    return cands


ZERO_WORDS = re.compile(r"\b(không|chưa|0)\b", re.IGNORECASE)


def number_in_quote(quote, value, unit):
    if value == 0 and ZERO_WORDS.search(quote):
        return True
    for cand in candidate_values(value, unit):
        for form in renderings(cand):
            # the rendering must stand as a whole number: no digit or digit-group glued around it
            pat = r"(?<![\d.,])" + re.escape(form) + r"(?![\d]|[.,]\d)"
            if re.search(pat, quote):
                return True
    return False


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.DictReader(f)
        return r.fieldnames or [], list(r)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder")
    ap.add_argument("--codebook", default=os.path.join(REPO, "src", "grassroots", "rules", "codebook.yml"))
    a = ap.parse_args(argv)
    errors, notes = [], []
    folder = a.folder.rstrip("/")

    gfields, gold = read_csv(os.path.join(folder, "gold_indicators.csv"))
    sfields, sources = read_csv(os.path.join(folder, "sources.csv"))
    raw_dir = os.path.join(folder, "raw")
    raw_ids = {os.path.splitext(n)[0] for n in os.listdir(raw_dir) if n.endswith(".txt")}
    has_amb = "ambiguous" in gfields
    if not has_amb:
        notes.append("gold_indicators.csv has no `ambiguous` column (older format): every row counts as non-ambiguous")
    if "note" not in gfields:
        notes.append("gold_indicators.csv has no `note` column (older format)")

    codes = load_codes(a.codebook)
    if not codes:
        errors.append(f"no indicator codes read from {a.codebook}")

    src_ids = {r["report_id"] for r in sources}
    texts = {}
    for rid in raw_ids:
        with open(os.path.join(raw_dir, rid + ".txt"), encoding="utf-8") as f:
            texts[rid] = f.read()

    for rid in sorted(raw_ids - src_ids):
        errors.append(f"{rid}: raw file without a sources.csv row")
    for rid in sorted(src_ids - raw_ids):
        errors.append(f"{rid}: sources.csv row without a raw file")
    seen_src = set()
    for r in sources:
        if r["report_id"] in seen_src:
            errors.append(f"{r['report_id']}: duplicate sources.csv row")
        seen_src.add(r["report_id"])

    seen = {}
    for n, row in enumerate(gold, start=2):
        rid, code = row["report_id"], row["indicator"]
        where = f"gold line {n} ({rid} {code})"
        amb = has_amb and str(row.get("ambiguous", "0")).strip() == "1"
        if has_amb and str(row.get("ambiguous", "")).strip() not in ("0", "1"):
            errors.append(f"{where}: ambiguous must be 0 or 1")
        if amb and not (row.get("note") or "").strip():
            errors.append(f"{where}: ambiguous row without a note")
        if rid not in raw_ids:
            errors.append(f"{where}: no raw/{rid}.txt")
            continue
        if rid not in src_ids:
            errors.append(f"{where}: no sources.csv row")
        if code not in codes:
            errors.append(f"{where}: code not declared under `indicators` in the codebook")
        quote, text = row["quote"], texts[rid]
        if quote not in text:
            errors.append(f"{where}: quote is not a verbatim substring of the text: {quote!r}")
        elif text.count(quote) > 1:
            notes.append(f"{where}: quote occurs {text.count(quote)} times in the text")
        try:
            value = Decimal(row["value"])
        except InvalidOperation:
            errors.append(f"{where}: value {row['value']!r} is not a number")
            continue
        if not number_in_quote(quote, value, row.get("unit", "")):
            errors.append(f"{where}: value {row['value']} not found as printed in the quote {quote!r}")
        den = (row.get("denominator") or "").strip()
        if den:
            try:
                d = Decimal(den)
                if not any(re.search(r"/\s*" + re.escape(f) + r"(?!\d)", quote) for f in renderings(d)):
                    errors.append(f"{where}: denominator {den} not found after a '/' in the quote")
            except InvalidOperation:
                errors.append(f"{where}: denominator {den!r} is not a number")
        if not amb:
            key = (rid, code)
            if key in seen:
                errors.append(f"{where}: duplicate non-ambiguous (report_id, indicator), first at line {seen[key]}")
            else:
                seen[key] = n

    urls = [r["url"] for r in sources if r.get("url")]
    if os.path.exists(RESERVED_TOOL):
        p = subprocess.run([RESERVED_TOOL], input="\n".join(urls), capture_output=True, text=True)
        for line in p.stdout.splitlines():
            if line.startswith("reserved"):
                errors.append("reserved URL in sources.csv: " + line.split(None, 1)[1])
        if p.returncode not in (0, 1):
            errors.append(f"reserved-url tool failed: {p.stderr.strip()}")
    else:
        notes.append(f"{RESERVED_TOOL} not found: reserved-URL check skipped")

    for n_ in notes:
        print("note:", n_)
    for e in errors:
        print("ERROR:", e)
    amb_rows = sum(1 for r in gold if has_amb and str(r.get("ambiguous", "0")).strip() == "1")
    print(f"{folder}: {len(raw_ids)} texts, {len(sources)} sources, {len(gold)} gold rows "
          f"({amb_rows} ambiguous), {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

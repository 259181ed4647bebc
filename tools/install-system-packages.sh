#!/usr/bin/env bash
# Debian packages that transcribing a corpus needs, installed with apt where possible.
#
#   tools/install-system-packages.sh [--ocr] [--office] [--corpus DIR] [--check]
#
#   --ocr         scanned PDFs and images: tesseract-ocr tesseract-ocr-vie (~30 MB)
#   --office      .doc .odt .rtf: libreoffice-writer-nogui (LibreOffice headless, ~260 MB)
#   --corpus DIR  decide from the files in DIR: images or PDFs with pages without a text layer
#                 -> --ocr; .doc/.odt/.rtf -> --office (.txt, .docx and text PDFs need nothing)
#   --check       only report; exit 1 when a package is missing
#
# As root with apt-get, missing packages are installed (apt-get update, then install without
# recommends). Otherwise the missing packages are printed and the script exits 1.
# .txt, .docx and text-layer PDFs need no system package (python-docx, pdfplumber, pypdfium2
# come from pip).
set -euo pipefail

OCR_PACKAGES=(tesseract-ocr tesseract-ocr-vie)
OFFICE_PACKAGES=(libreoffice-writer-nogui)

ocr=0 office=0 check=0 corpus=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ocr) ocr=1 ;;
    --office) office=1 ;;
    --check) check=1 ;;
    --corpus) corpus="${2:?--corpus needs a directory}"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "install-system-packages: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "$corpus" ]; then
  if [ -x "$here/.venv/bin/python" ]; then
    # exact: a text-layer PDF needs no OCR
    for flag in $("$here/.venv/bin/python" -m grassroots.transcribe.needs "$corpus"); do
      case "$flag" in --ocr) ocr=1 ;; --office) office=1 ;; esac
    done
  else
    # without the venv, by suffix: any PDF may be scanned
    while IFS= read -r -d '' f; do
      case "${f,,}" in
        *.pdf|*.png|*.jpg|*.jpeg|*.tif|*.tiff) ocr=1 ;;
        *.doc|*.odt|*.rtf) office=1 ;;
      esac
    done < <(find "$corpus" -type f -print0)
  fi
fi

wanted=()
[ "$ocr" = 1 ] && wanted+=("${OCR_PACKAGES[@]}")
[ "$office" = 1 ] && wanted+=("${OFFICE_PACKAGES[@]}")
if [ ${#wanted[@]} -eq 0 ]; then
  echo "install-system-packages: no system package needed"
  exit 0
fi

installed() {  # a Debian package, or (no dpkg) the program it brings
  if command -v dpkg-query >/dev/null 2>&1; then
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
  else
    case "$1" in
      tesseract-ocr) command -v tesseract >/dev/null 2>&1 ;;
      tesseract-ocr-vie) command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>&1 | grep -qx vie ;;
      libreoffice-*) command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 ;;
      *) return 1 ;;
    esac
  fi
}

missing=()
for p in "${wanted[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-system-packages: present: ${wanted[*]}"
  exit 0
fi
if [ "$check" = 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "install-system-packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install-system-packages: installed ${missing[*]}"
  exit 0
fi
echo "install-system-packages: missing Debian packages: ${missing[*]} (install them: sudo apt-get install --no-install-recommends ${missing[*]})"
exit 1

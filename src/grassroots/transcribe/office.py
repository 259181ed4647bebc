""".doc, .odt, .rtf: LibreOffice headless converts the file to .docx, read as a .docx.

``soffice --headless --convert-to docx --outdir TMP FILE`` with a throw-away user profile in
TMP (parallel conversions do not share a profile). Debian: libreoffice-writer-nogui.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

from grassroots.transcribe.core import Block, TranscribeError

TIMEOUT = 180
PACKAGE = "libreoffice-writer-nogui"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@functools.lru_cache(maxsize=1)
def version() -> str:
    exe = soffice()
    if exe is None:
        return "missing"
    try:
        out = subprocess.run([exe, "--headless", "--version"], capture_output=True, text=True,
                             timeout=120)
        words = out.stdout.split()
        return words[1] if len(words) > 1 else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def read_office(path: Path) -> list[list[Block]]:
    from grassroots.transcribe.docx import read_docx

    exe = soffice()
    if exe is None:
        raise TranscribeError(path, f"{path.suffix.lower()} files need LibreOffice: install the "
                                    f"Debian package {PACKAGE} (tools/install-system-packages.sh "
                                    "--office)")
    with tempfile.TemporaryDirectory(prefix="grassroots-office-") as tmp:
        profile = Path(tmp) / "profile"
        try:
            out = subprocess.run(
                [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                 "--convert-to", "docx", "--outdir", tmp, str(Path(path).resolve())],
                capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            raise TranscribeError(path, f"LibreOffice took more than {TIMEOUT} s to convert it") from e
        converted = Path(tmp) / (Path(path).stem + ".docx")
        if out.returncode != 0 or not converted.is_file():
            err = (out.stderr or out.stdout).strip().splitlines()
            raise TranscribeError(path, "LibreOffice could not convert it to .docx"
                                        + (f" ({err[-1]})" if err else ""))
        try:
            return read_docx(converted)
        except TranscribeError as e:
            raise TranscribeError(path, e.message) from e

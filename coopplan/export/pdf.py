"""PDF through LibreOffice: ``soffice --headless --convert-to pdf`` with a throw-away profile.

Each conversion runs in its own temporary folder with its own LibreOffice user profile
(``-env:UserInstallation``), so conversions can run side by side and never touch the
user's LibreOffice settings.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from coopplan.export import ExportError

SOFFICE_NAMES = ("soffice", "libreoffice")
TIMEOUT_S = 120
MIME = "application/pdf"


class PdfError(ExportError):
    """The PDF could not be made; the message is Italian and says what to do."""


def soffice_path() -> str | None:
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_available() -> bool:
    return soffice_path() is not None


def office_to_pdf(data: bytes, suffix: str = ".pptx") -> bytes:
    """Convert an office document (bytes of a .pptx by default) to PDF bytes."""
    soffice = soffice_path()
    if soffice is None:
        raise PdfError(
            "Per creare il PDF serve LibreOffice, che non è installato su questo computer: "
            "installa il pacchetto «libreoffice-impress» (su Debian: "
            "sudo apt-get install libreoffice-impress) e riprova. "
            "Il file PowerPoint si può comunque scaricare."
        )
    with tempfile.TemporaryDirectory(prefix="coopplan-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / f"documento{suffix}"
        source.write_bytes(data)
        profile = (folder / "profilo").as_uri()
        command = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            run = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)  # noqa: S603 - our own command
        except subprocess.TimeoutExpired as exc:
            raise PdfError(
                f"LibreOffice non ha finito entro {TIMEOUT_S} secondi: riprova fra poco."
            ) from exc
        target = source.with_suffix(".pdf")
        if run.returncode != 0 or not target.is_file():
            detail = run.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise PdfError(f"LibreOffice non è riuscito a creare il PDF. {detail[0]}".strip())
        return target.read_bytes()

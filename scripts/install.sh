#!/usr/bin/env bash
# Installs what coopplan needs on a fresh Debian machine.
#   bash scripts/install.sh         the dashboard (Python packages of requirements.txt)
#   bash scripts/install.sh --dev   plus the test tools and the system packages the tests use:
#                                   Chromium (browser tests), LibreOffice Impress and Calc, poppler
#                                   (PowerPoint -> PDF -> PNG checks), DejaVu and Liberation fonts,
#                                   zbar-tools (reads the QR codes back), nginx (several processes),
#                                   postgresql (the tests start a throwaway cluster: tests/pg.py),
#                                   npm and axe-core (accessibility audit, tests/browser/axe).
# Where: the active virtual environment; else ./.venv if it exists; else, when the system Python
# refuses pip ("externally-managed-environment", PEP 668), a new ./.venv; else python3 itself.
# Then run everything through scripts/python, which picks the same interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
python=$(project_python "$PWD")
if [ "$python" = python3 ] && ! in_venv python3 && externally_managed python3; then
  echo "Il Python di sistema è gestito dalla distribuzione: creo l'ambiente .venv"
  if ! python3 -m venv .venv 2>/dev/null; then
    rm -rf .venv  # Debian without python3-venv leaves a half-made folder
    apt_install python3-venv
    python3 -m venv .venv
  fi
  python=.venv/bin/python
fi
"$python" -m pip install --disable-pip-version-check -q -r requirements.txt
"$python" -m ui.precompress  # Streamlit's bundles as zopfli .gz, once (.cache/)
[ "${1:-}" = "--dev" ] || exit 0

"$python" -m pip install --disable-pip-version-check -q -r requirements-dev.txt
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v soffice >/dev/null || missing+=(libreoffice-impress)
# Calc: the oracle of the reader's differential test (tests/test_libreoffice_oracle.py).
dpkg -s libreoffice-calc >/dev/null 2>&1 || missing+=(libreoffice-calc)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# Liberation = Arial's metrics: LibreOffice renders the PowerPoint with the widths we measured.
[ -d /usr/share/fonts/truetype/liberation ] || missing+=(fonts-liberation)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi
# axe-core at the version pinned in its package-lock.json (tests/browser/test_a11y.py).
npm ci --prefix tests/browser/axe --no-audit --no-fund

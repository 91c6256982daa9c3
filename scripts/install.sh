#!/usr/bin/env bash
# Installs what coopplan needs on a fresh Debian machine.
#   bash scripts/install.sh         the dashboard (Python packages of requirements.txt)
#   bash scripts/install.sh --dev   plus the test tools and the system packages the tests use:
#                                   Chromium (browser tests), LibreOffice Impress and poppler
#                                   (PowerPoint -> PDF -> PNG checks), DejaVu and Liberation fonts.
# On a Debian whose system Python refuses pip ("externally-managed-environment"), first create
# and activate a virtual environment: python3 -m venv .venv && . .venv/bin/activate
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --disable-pip-version-check -q -r requirements.txt
[ "${1:-}" = "--dev" ] || exit 0

python3 -m pip install --disable-pip-version-check -q -r requirements-dev.txt
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v soffice >/dev/null || missing+=(libreoffice-impress)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# Liberation = Arial's metrics: LibreOffice renders the PowerPoint with the widths we measured.
[ -d /usr/share/fonts/truetype/liberation ] || missing+=(fonts-liberation)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

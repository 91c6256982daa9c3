# Shared by scripts/install.sh, scripts/python and scripts/serve.sh (sourced, not run).
# Which Python runs coopplan: the active virtual environment; else the project's .venv (which
# install.sh creates when the system Python is "externally managed", PEP 668: Debian 12,
# Ubuntu 24.04); else python3 (a Python that accepts pip, e.g. pyenv's).

in_venv() {  # $1 = an interpreter; true when it runs inside a virtual environment
  "$1" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)' 2>/dev/null
}

externally_managed() {  # $1 = an interpreter; true when its pip is refused (PEP 668 marker)
  "$1" -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'
}

project_python() {  # $1 = the project folder; prints the interpreter to use
  if in_venv python3; then
    echo python3
  elif [ -x "$1/.venv/bin/python" ]; then
    echo "$1/.venv/bin/python"
  else
    echo python3
  fi
}

apt_install() {  # Debian packages, with sudo unless root
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installo i pacchetti di sistema: $*"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@"
}

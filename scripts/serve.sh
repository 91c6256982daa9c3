#!/usr/bin/env bash
# Serves the dashboard to the local network (the assembly hall), on port $PORT (default 8501).
#   bash scripts/serve.sh                  one Streamlit process listening on every interface
#   bash scripts/serve.sh --processes N    N Streamlit processes on 127.0.0.1 (ports PORT+1 ...
#                                          PORT+N) behind nginx listening on every interface:
#                                          one Streamlit process uses one core (N = 1: one
#                                          process, still behind nginx).
# Environment: PORT; COOPPLAN_ADDRESS (default 0.0.0.0: every interface); COOPPLAN_STORE (one
# store for all processes); COOPPLAN_PUBLIC_URL (the address in the QR codes).
#   FORWARDED_ALLOW_IPS: the addresses of a proxy in front (e.g. 127.0.0.1 for the system nginx):
#   only from them is X-Forwarded-For believed (default: from nobody).
# nginx runs as the current user from a temporary folder (no root, no system configuration), with
# the limits of scripts/nginx/conf.py (docs/installazione.md, «Che cosa regge il server»). A
# Streamlit process that ends is started again (after 1, 2, 4 ... 30 s); nginx sends its viewers
# to the others meanwhile. Stops everything on Ctrl+C or SIGTERM, or if nginx ends.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

usage() {
  cat <<'EOF_USAGE'
Uso: bash scripts/serve.sh [--processes N]

Serve la dashboard alla rete locale (la sala dell'assemblea), sulla porta PORT (8501 se non indicata).
  bash scripts/serve.sh                 un processo, in ascolto su tutte le interfacce
  bash scripts/serve.sh --processes N   N processi dietro nginx (un processo usa un core)

Variabili d'ambiente:
  PORT                 la porta (predefinita 8501)
  COOPPLAN_ADDRESS     l'interfaccia su cui ascoltare (predefinita 0.0.0.0: tutte)
  COOPPLAN_STORE       l'archivio delle versioni (una cartella o un indirizzo postgresql://)
  COOPPLAN_PUBLIC_URL  l'indirizzo scritto nei QR code, se i telefoni non vedono quello del computer
  FORWARDED_ALLOW_IPS  gli indirizzi di un proxy davanti (per esempio 127.0.0.1)

Ctrl+C ferma tutto. Dettagli: docs/installazione.md.
EOF_USAGE
}

processes=""  # empty: one process, no nginx
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help|--aiuto) usage; exit 0 ;;
    --processes) processes="${2:-}"; shift 2 || true ;;
    --processes=*) processes="${1#*=}"; shift ;;
    *) echo "Opzione sconosciuta: $1 (uso: bash scripts/serve.sh [--processes N]; aiuto: --help)" >&2; exit 2 ;;
  esac
done
port="${PORT:-8501}"
address="${COOPPLAN_ADDRESS:-0.0.0.0}"
if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
  echo "PORT deve essere un numero tra 1 e 65535, non «$port»." >&2; exit 2
fi
if [ -n "$processes" ] && { ! [[ "$processes" =~ ^[0-9]+$ ]] || [ "$processes" -lt 1 ] || [ "$processes" -gt 64 ]; }; then
  echo "--processes vuole un numero tra 1 e 64, non «$processes»." >&2; exit 2
fi
export PORT="$port"  # the port phones use: read by coopplan.hall.links for the QR codes
python="$(project_python "$PWD")"
upload_mb="$("$python" -c 'from coopplan.workbook.schema import MAX_UPLOAD_MB; print(MAX_UPLOAD_MB)')"
streamlit=("$python" -m streamlit run app.py --server.headless true
  --server.fileWatcherType none --server.runOnSave false --browser.gatherUsageStats false
  --server.maxUploadSize "$upload_mb")
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # as many file handles as the system allows
# Streamlit's bundles compressed once with zopfli (ui/precompress.py; install.sh did it already
# unless Streamlit changed since): sent by nginx itself, or by the one process.
echo "Preparo i file di Streamlit compressi (la prima volta, dopo l'installazione, anche un minuto)..."
"$python" -m ui.precompress || echo "File di Streamlit non precompressi: li comprime il server." >&2
static="$("$python" -c 'from ui.precompress import cache_dir; print(cache_dir())')"

# The address phones open, or why there is none (a server on loopback only).
hall_line() {  # $1: how it is served, e.g. «(2 processi dietro nginx)»
  case "$address" in
    127.*|localhost|::1)
      echo "Dashboard solo per questo computer${1:+ $1}: http://localhost:$port/ (i telefoni" \
           "non la raggiungono: per la sala togli COOPPLAN_ADDRESS o usa 0.0.0.0)" ;;
    *) echo "Dashboard per la sala${1:+ $1}: $("$python" -c 'from coopplan.hall.links import hall_url; print(hall_url())')" ;;
  esac
}

if [ -z "$processes" ]; then
  hall_line
  export FORWARDED_ALLOW_IPS="${FORWARDED_ALLOW_IPS:-}"  # uvicorn's default believes 127.0.0.1
  exec "${streamlit[@]}" --server.address "$address" --server.port "$port"
fi

nginx="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$nginx" ] || { echo "Manca nginx: installarlo con  sudo apt-get install nginx" >&2; exit 2; }
dir="$(mktemp -d -t coopplan-serve.XXXXXX)"  # 0700: the token, the guesses and the config
pids=()
cleanup() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

# One cookie secret for all processes: a session's XSRF cookie is valid on each of them.
STREAMLIT_SERVER_COOKIE_SECRET="$("$python" -c 'import secrets; print(secrets.token_hex(32))')"
export STREAMLIT_SERVER_COOKIE_SECRET
# The processes believe a forwarded client address only with this token, which only nginx sends
# (anyone on the server can reach 127.0.0.1:PORT+i, nobody else can read the token); uvicorn
# itself believes no X-Forwarded-For. Wrong password guesses are counted in one file for all.
COOPPLAN_PROXY_TOKEN="$("$python" -c 'import secrets; print(secrets.token_hex(32))')"
export COOPPLAN_PROXY_TOKEN COOPPLAN_GUESSES_FILE="$dir/tentativi.json"
proxies="${FORWARDED_ALLOW_IPS:-}"  # an outer proxy (the system nginx): its addresses
export FORWARDED_ALLOW_IPS=""

supervise() {  # $1 = the process number, $2 = its port: started again whenever it ends
  local n="$1" p="$2" delay=1 started status
  trap 'kill $(jobs -p) 2>/dev/null; wait; exit 0' INT TERM
  while true; do
    started=$SECONDS
    "${streamlit[@]}" --server.address 127.0.0.1 --server.port "$p" &
    status=0
    wait $! || status=$?
    [ $((SECONDS - started)) -lt 60 ] || delay=1  # it had run a while: a fresh fault
    echo "Il processo $n (porta $p) si è fermato (codice $status): lo riavvio tra $delay s." >&2
    sleep "$delay" &
    wait $! || true
    delay=$((delay < 16 ? delay * 2 : 30))
  done
}

for i in $(seq 1 "$processes"); do
  supervise "$i" $((port + i)) &
  pids+=($!)
done
mkdir -p "$dir/temp"
conf=(--dir "$dir" --listen "$address:$port" --port "$port" --processes "$processes"
  --upload-mb "$upload_mb" --proxies "$proxies" --static "$static")
[ "$(id -u)" != 0 ] || conf+=(--as-root)  # as root, workers must still read $dir
[ -z "${COOPPLAN_SHOW_UPSTREAM:-}" ] || conf+=(--show-upstream)  # tests only
"$python" scripts/nginx/conf.py "${conf[@]}" > "$dir/nginx.conf"
"$nginx" -p "$dir" -c "$dir/nginx.conf" -e stderr &
pids+=($!)
hall_line "($processes processi dietro nginx)"
set +e
wait -n "${pids[@]}"
status=$?
echo "nginx si è fermato (codice $status): fermo i processi." >&2
exit "$status"

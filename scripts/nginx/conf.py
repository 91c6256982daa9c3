"""The nginx configuration of ``scripts/serve.sh --processes N`` (printed on stdout).

What the hall's server holds is decided here, and docs/installazione.md («Che cosa regge il
server») says the same numbers: connections and requests per client address, timeouts, the
upload limit (the same as Streamlit's and coopplan's), Italian pages for nginx's own errors, no
version in the ``Server`` header, no ``/_stcore/metrics`` from outside, and a dead process
skipped while ``serve.sh`` starts it again.
"""

from __future__ import annotations

import argparse
import os
import resource
from dataclasses import dataclass
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "errori"  # one static Italian page per error
GZIP = Path(__file__).resolve().parent / "gzip.conf"  # compression of what Streamlit sends plain

CONNECTIONS_PER_CLIENT = 100  # open requests and websockets of one address (a phone: 1-7)
REQUESTS_PER_SECOND = 100  # per address, sustained ...
REQUEST_BURST = 1000  # ... after a burst (a phone's first page load is ~40 requests)
HEADER_TIMEOUT = 10  # seconds to send a request's headers (an idle connection is closed)
BODY_TIMEOUT = 30  # seconds between two pieces of an upload
KEEPALIVE_TIMEOUT = 15  # seconds an idle keep-alive connection stays open
UPLOADS_PER_CLIENT = 4  # uploads of one address at once (each read whole by nginx first)
SEND_TIMEOUT = 30  # seconds between two pieces of an answer the client does not read
MAX_NOFILE = 65536  # file handles asked for nginx's worker, if the system allows as many
UPSTREAM_CONNECTIONS = 500  # at most to one Streamlit process (its file handles stay free)
FAIL_TIMEOUT = 3  # seconds a process that refused a connection is skipped
MULTIPART_MARGIN_MB = 1  # Streamlit accepts maxUploadSize + 1 MB of multipart framing
WILDCARD = {"*": ("0.0.0.0/0", "::/0")}  # uvicorn's «trust every proxy», in nginx's words
ERROR_PAGES = {
    400: "400",
    403: "403",
    404: "404",
    408: "400",
    413: "413",
    414: "400",
    429: "429",
} | {code: "502" for code in (500, 502, 503, 504)}


@dataclass(frozen=True)
class Setup:
    folder: Path  # serve.sh's temporary folder (nginx's prefix)
    listen: str  # address:port that phones reach
    ports: tuple[int, ...]  # the Streamlit processes, on 127.0.0.1
    upload_mb: int  # coopplan.workbook.schema.MAX_UPLOAD_MB, also Streamlit's server.maxUploadSize
    token: str  # sent to the processes: they believe X-Forwarded-For only with it
    proxies: tuple[str, ...] = ()  # an outer proxy whose X-Forwarded-For nginx believes
    show_upstream: bool = False  # tests only: say which process answered
    as_root: bool = False
    nofile: int = 1024  # the hard limit of file handles for nginx's worker
    static: Path | None = None  # ui/precompress.py's folder: Streamlit's bundles + zopfli .gz


def body_limit_mb(upload_mb: int) -> int:
    """nginx's client_max_body_size: the file limit plus Streamlit's multipart margin."""
    return upload_mb + MULTIPART_MARGIN_MB


def worker_connections(nofile: int) -> int:
    """Connections of nginx's one worker: two handles each (client and process), some spare."""
    return max(512, (min(nofile, MAX_NOFILE) - 64) // 2)


STATIC_MAX_AGE = 31536000  # the bundles' names carry their hash (as ui/server.py says)


def static_locations(setup: Setup) -> str:
    """Streamlit's JavaScript and CSS sent by nginx from the precompressed folder (the zopfli
    ``.gz`` to every browser that accepts gzip, the file itself to the others): no request
    for them reaches a Streamlit process. A file not in the folder goes to Streamlit."""
    if setup.static is None:
        return ""
    return f"""    location ~ "^/static/(js|css)/[A-Za-z0-9._-]+\\.(js|css)$" {{
      limit_conn coopplan_conn {CONNECTIONS_PER_CLIENT};
      limit_req zone=coopplan_req burst={REQUEST_BURST} nodelay;
      root "{setup.static}";
      types {{ text/javascript js; text/css css; }}
      gzip_static on;
      add_header Cache-Control "public, immutable, max-age={STATIC_MAX_AGE}";
      try_files $uri @streamlit_static;
    }}
    location @streamlit_static {{
      proxy_pass http://coopplan;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Coopplan-Proxy "{setup.token}";
      proxy_set_header Connection "";
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout http_502 http_503;
    }}
"""


def render(setup: Setup) -> str:
    nofile = min(setup.nofile, MAX_NOFILE)
    upstream_conns = min(UPSTREAM_CONNECTIONS, max(16, nofile // 4))
    servers = "".join(
        f"    server 127.0.0.1:{port} max_fails=1 fail_timeout={FAIL_TIMEOUT}s"
        f" max_conns={upstream_conns};\n"
        for port in setup.ports
    )
    proxies = [p for proxy in setup.proxies for p in WILDCARD.get(proxy, (proxy,))]
    real_ip = "".join(f"  set_real_ip_from {proxy};\n" for proxy in proxies)
    if real_ip:
        real_ip += "  real_ip_header X-Forwarded-For;\n  real_ip_recursive on;\n"
    error_pages = "".join(
        f"    error_page {code} /errori/{page}.html;\n" for code, page in ERROR_PAGES.items()
    )
    show = "      add_header X-Coopplan-Upstream $upstream_addr always;\n"
    folder = setup.folder
    gzip = GZIP
    return f"""# Generated by scripts/serve.sh (scripts/nginx/conf.py); removed when it stops.
{"user root;" if setup.as_root else ""}
worker_processes 1;
worker_rlimit_nofile {nofile};
daemon off;
pid "{folder}/nginx.pid";
error_log stderr warn;  # serve.sh's output (the journal under systemd): no file to fill
events {{ worker_connections {worker_connections(setup.nofile)}; }}
http {{
  access_log off;
  server_tokens off;
  include "{gzip}";
  client_body_temp_path "{folder}/temp/body";
  proxy_temp_path "{folder}/temp/proxy";
  fastcgi_temp_path "{folder}/temp/fastcgi";
  uwsgi_temp_path "{folder}/temp/uwsgi";
  scgi_temp_path "{folder}/temp/scgi";
  default_type text/html;
  charset utf-8;
{real_ip}
  # Per client address: open connections (a websocket counts while open) and requests.
  limit_conn_zone $binary_remote_addr zone=coopplan_conn:10m;
  limit_conn_zone $binary_remote_addr zone=coopplan_upload:1m;
  limit_req_zone $binary_remote_addr zone=coopplan_req:10m rate={REQUESTS_PER_SECOND}r/s;
  limit_conn_status 429;
  limit_req_status 429;
  limit_conn_log_level info;  # refusals are not logged (error_log is at warn)
  limit_req_log_level info;
  client_header_timeout {HEADER_TIMEOUT}s;
  client_body_timeout {BODY_TIMEOUT}s;
  keepalive_timeout {KEEPALIVE_TIMEOUT}s;
  send_timeout {SEND_TIMEOUT}s;
  reset_timedout_connection on;
  client_max_body_size {body_limit_mb(setup.upload_mb)}m;

  # Sticky sessions by client: a cookie set by nginx on the first answer (a random id), else
  # the request's own id. Every request of one browser then reaches the same process (its
  # websocket session, its uploads, its media files), and clients behind one address (a NAT,
  # a proxy, loopback) still spread over the processes, which ip_hash would not do.
  map $cookie_coopplan_client $coopplan_client {{
    "" $request_id;
    default $cookie_coopplan_client;
  }}
  map $cookie_coopplan_client $coopplan_set_cookie {{
    "" "coopplan_client=$request_id; Path=/; SameSite=Lax; HttpOnly";
    default "";
  }}
  map $http_upgrade $connection_upgrade {{
    default upgrade;
    "" close;
  }}
  upstream coopplan {{
    hash $coopplan_client consistent;
{servers}  }}
  server {{
    listen {setup.listen} backlog=4096;
{error_pages}
    location ^~ /errori/ {{
      internal;
      root "{PAGES.parent}";
    }}
    location ^~ /_stcore/metrics {{
      return 404;
    }}
{static_locations(setup)}    location / {{
      limit_conn coopplan_conn {CONNECTIONS_PER_CLIENT};
      limit_req zone=coopplan_req burst={REQUEST_BURST} nodelay;
      proxy_pass http://coopplan;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Coopplan-Proxy "{setup.token}";
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_connect_timeout 2s;
      # A process that refuses or drops a request before answering: the next one answers.
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
      proxy_next_upstream_timeout 10s;
      proxy_read_timeout 1d;  # a websocket stays open while the page is open
      proxy_send_timeout 1d;
      proxy_buffering off;
      proxy_request_buffering off;
      add_header Set-Cookie $coopplan_set_cookie always;
{show if setup.show_upstream else ""}    }}
    # Uploads: nginx reads the whole body first (at most client_max_body_size, a few per
    # address), so Streamlit's own refusals (403, 413) reach the client, in Italian too.
    location /_stcore/upload_file/ {{
      limit_conn coopplan_conn {CONNECTIONS_PER_CLIENT};
      limit_conn coopplan_upload {UPLOADS_PER_CLIENT};
      limit_req zone=coopplan_req burst={REQUEST_BURST} nodelay;
      proxy_pass http://coopplan;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Coopplan-Proxy "{setup.token}";
      proxy_intercept_errors on;
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout;
      proxy_request_buffering on;
      add_header Set-Cookie $coopplan_set_cookie always;
{show if setup.show_upstream else ""}    }}
  }}
}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--listen", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--processes", type=int, required=True)
    parser.add_argument("--upload-mb", type=int, required=True)
    parser.add_argument("--proxies", default="")
    parser.add_argument("--show-upstream", action="store_true")
    parser.add_argument("--as-root", action="store_true")
    parser.add_argument("--static", type=Path, default=None)
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    setup = Setup(
        folder=args.dir,
        listen=args.listen,
        ports=tuple(args.port + i for i in range(1, args.processes + 1)),
        upload_mb=args.upload_mb,
        token=os.environ["COOPPLAN_PROXY_TOKEN"],  # not on a command line: ps shows those
        proxies=tuple(p.strip() for p in args.proxies.split(",") if p.strip()),
        show_upstream=args.show_upstream,
        as_root=args.as_root,
        nofile=MAX_NOFILE if hard == resource.RLIM_INFINITY else hard,
        static=args.static if args.static and args.static.is_dir() else None,
    )
    print(render(setup))


if __name__ == "__main__":
    main()

"""Streamlit's JavaScript and CSS bundles compressed once, with zopfli, into a cache folder.

Zopfli writes ordinary gzip that every browser reads, 3–4 % smaller than gzip -9 (PlotlyChart.js:
1.365 KB instead of 1.415 KB), at a cost paid once per Streamlit version (about 15 s of CPU for
all its bundles), never while serving. The folder holds, for each ``static/js|css/NAME``, the
link ``NAME`` to Streamlit's file and ``NAME.gz``: the layout nginx's ``gzip_static`` reads
(scripts/nginx/conf.py), and ui/server.py's ``GzipStatic`` sends the same ``.gz`` in one process.

    scripts/python -m ui.precompress        (run by scripts/install.sh and scripts/serve.sh)
"""

from __future__ import annotations

import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE_ENV = "COOPPLAN_STATIC_CACHE"  # where the folder is (default: .cache/ in the project)
KINDS = ("js", "css")
ITERATIONS = 1  # zopfli's passes: 15 (its default) saves 1 KB more on 1,4 MB, at 3x the time


def static_root() -> Path:
    """Streamlit's build folder (the parent of ``static/js`` and ``static/css``)."""
    from streamlit import file_util

    return Path(file_util.get_static_dir()).resolve()


def cache_dir() -> Path:
    """One folder per Streamlit version: the bundles' names change with it."""
    import streamlit

    default = ROOT / ".cache" / f"streamlit-{streamlit.__version__}"
    return Path(os.environ.get(CACHE_ENV) or default)


def bundles(root: Path) -> list[Path]:
    """Streamlit's JavaScript and CSS files, relative to ``root``."""
    return sorted(
        path.relative_to(root)
        for kind in KINDS
        for path in (root / "static" / kind).glob(f"*.{kind}")
        if path.is_file()
    )


def compress_one(source: Path, target: Path) -> None:
    """``target`` (``NAME.gz``) made from ``source``; written whole or not at all."""
    import zopfli.gzip

    packed = zopfli.gzip.compress(source.read_bytes(), numiterations=ITERATIONS)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(fd)
    Path(temporary).write_bytes(packed)
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)


def link(source: Path, target: Path) -> None:
    if target.is_symlink() and target.resolve() == source:
        return
    temporary = target.with_name(f".{target.name}.link")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(source)
    os.replace(temporary, target)


def precompress(root: Path, cache: Path, jobs: int = 2) -> int:
    """Compress every bundle not yet in ``cache``; returns how many were made."""
    todo = []
    for relative in bundles(root):
        folder = cache / relative.parent
        folder.mkdir(parents=True, exist_ok=True)
        link(root / relative, cache / relative)
        packed = cache / f"{relative}.gz"
        if not packed.exists():
            todo.append((root / relative, packed))
    if todo:
        with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
            for future in [pool.submit(compress_one, source, target) for source, target in todo]:
                future.result()
    return len(todo)


def main() -> int:
    cache = cache_dir()
    made = precompress(static_root(), cache, jobs=min(2, os.cpu_count() or 1))
    if made:
        print(f"File di Streamlit compressi (zopfli): {made}, in {cache}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

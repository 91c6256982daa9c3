"""«Sala»: the deck of the plan in force as one light HTML page for the phones in the hall.

No streamlit: plain server-rendered HTML with a few lines of CSS and JavaScript, no outside
resource, all text from data escaped. The page holds every slide of the deck (the same deck as
«Presentazione»: coopplan.slides, with the «Dall'ultima assemblea» slides of coopplan.since) for
one filter; the script shows one slide at a time and follows the president through the tiny
state answer (``/sala/stato``). Without JavaScript every slide is shown, one under the other.

``page(params)`` answers a request: the page is built once per (plan version, filter) and kept
as bytes and gzip bytes with their ETag; the version in force is looked up on every request, so
a publish is seen by the next one.

One spelling of the filter in every address (``hall_query``): ``fonte`` and ``stato`` by name,
``pista`` by its title, as the dashboard's own filter writes it; a pista by code (``pista=P3``,
old links and QR codes) is still understood.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from coopplan import fmt, load_plan
from coopplan.plan import Plan
from coopplan.since import SinceReport, assembly_version, since_report, since_start, with_since
from coopplan.slides import Block, ChartSpec, Slide, TableSpec, build_deck
from coopplan.store.location import open_store
from coopplan.store.model import SHIPPED_WORKBOOK, StoreError, Version, VersionStore
from coopplan.workbook.schema import STATUSES

SOURCE, TRACK, STATUS, AGAINST = "fonte", "pista", "stato", "dal"
WORKBOOK_ENV = "COOPPLAN_WORKBOOK"
PAGE_ENTRIES = 32  # built pages kept: a few versions x the filters in use
PLAN_ENTRIES = 4
DASHBOARD_PATH = "/"  # the full dashboard, from «Sala»


# The filter ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HallFilter:
    """What the hall's deck shows: sources by name, pista by code, stati; ``against``: the
    version «Dall'ultima assemblea» compares with (None: the last assembly)."""

    sources: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    against: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.sources or self.tracks or self.statuses)

    def apply(self, plan: Plan) -> Plan:
        if not self.active:
            return plan
        return plan.filter(
            sources=self.sources or None,
            tracks=self.tracks or None,
            statuses=self.statuses or None,
        )


def track_code(plan: Plan, value: str) -> str | None:
    """The code of a pista named by its title (the one spelling) or by its code (old links)."""
    if value in plan.track_codes:
        return value
    by_title = {plan.track_title(code): code for code in plan.track_codes}
    return by_title.get(value)


def parse_filter(plan: Plan, params: Mapping[str, Sequence[str]]) -> HallFilter:
    """The filter of a query (``{"pista": ["Curare le risorse umane"]}``); values the plan does
    not know are left out, as the dashboard's own filter does."""
    sources = tuple(v for v in params.get(SOURCE, ()) if v in plan.source_names)
    tracks = tuple(c for v in params.get(TRACK, ()) if (c := track_code(plan, v)) is not None)
    statuses = tuple(v for v in params.get(STATUS, ()) if v in STATUSES)
    raw = next(iter(params.get(AGAINST, ())), "")
    against = int(raw) if raw.isdigit() else None
    return HallFilter(_unique(sources), _unique(tracks), _unique(statuses), against)


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def hall_query(plan: Plan, chosen: HallFilter) -> str:
    """The filter as the query string every address of the app uses: ``fonte=…&pista=<title>
    &stato=…`` (``dal=N`` when a comparison was chosen); '' for no filter."""
    pairs = [(SOURCE, v) for v in chosen.sources]
    pairs += [(TRACK, plan.track_title(c)) for c in chosen.tracks]
    pairs += [(STATUS, v) for v in chosen.statuses]
    if chosen.against is not None:
        pairs.append((AGAINST, str(chosen.against)))
    return urlencode(pairs)


def filter_label(
    plan: Plan, sources: Sequence[str], tracks: Sequence[str], statuses: Sequence[str]
) -> str:
    """'Fonte: Oneri di funzionamento · Stato: In corso': the filter, as slides and captions
    name it (pista by title)."""
    parts = []
    if sources:
        parts.append("Fonte: " + ", ".join(sources))
    if tracks:
        parts.append("Pista: " + ", ".join(plan.track_title(t) for t in tracks))
    if statuses:
        parts.append("Stato: " + ", ".join(statuses))
    return " · ".join(parts)


# The plan in force -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InForce:
    """The plan version in force: its content digest (the cache key), a loader of its bytes,
    and where it came from (the store and its version; None on one workbook)."""

    sha256: str
    read: Callable[[], bytes]
    name: str
    store: VersionStore | None = None
    version: Version | None = None


def in_force() -> InForce:
    """The version in force of the latest year (``COOPPLAN_STORE``), or the one workbook of
    ``COOPPLAN_WORKBOOK``. OSError / StoreError when it cannot be found."""
    workbook = os.environ.get(WORKBOOK_ENV)
    if workbook:
        data = Path(workbook).read_bytes()
        return InForce(hashlib.sha256(data).hexdigest(), lambda: data, Path(workbook).name)
    store = open_store()
    versions = store.versions()
    if not versions:  # an empty store: the dashboard seeds it with the shipped plan
        data = SHIPPED_WORKBOOK.read_bytes()
        return InForce(hashlib.sha256(data).hexdigest(), lambda: data, SHIPPED_WORKBOOK.name)
    listed = (getattr(store, "root", ""), tuple((v.number, v.sha256) for v in versions))
    kept = _in_force_kept.get("last")
    if kept is not None and kept[0] == listed:  # nothing published since: no file to check
        return kept[1]
    standing = store.standing()
    if standing.shown is None:
        raise StoreError(standing.message)
    shown = standing.shown
    found = InForce(
        shown.sha256,
        lambda: store.read(shown),
        f"piano_{shown.year}.xlsx",
        store,
        shown,
    )
    _in_force_kept["last"] = (listed, found)
    return found


# The versions listed when the version in force was last found (its files checked), and it.
_in_force_kept: dict[str, tuple[object, InForce]] = {}


_plans: OrderedDict[str, Plan] = OrderedDict()
_pages: OrderedDict[tuple[str, str], Built] = OrderedDict()
_lock = threading.Lock()


def plan_of(found: InForce) -> Plan:
    """The parsed plan of ``found``, parsed once per content."""
    with _lock:
        plan = _plans.get(found.sha256)
        if plan is not None:
            _plans.move_to_end(found.sha256)
            return plan
    result = load_plan(found.read(), name=found.name)
    if not result.ok or result.plan is None:
        raise StoreError(f"Il piano in vigore ({found.name}) non si può leggere.")
    with _lock:
        _plans[found.sha256] = result.plan
        while len(_plans) > PLAN_ENTRIES:
            _plans.popitem(last=False)
    return result.plan


# The page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """A built page: the bytes, gzip-compressed once, and its ETag."""

    body: bytes
    gzipped: bytes
    etag: str
    query: str


def page(params: Mapping[str, Sequence[str]]) -> Built:
    """«Sala» for the filter in ``params``, of the version in force (built once per version
    and filter). Raises OSError / StoreError when the plan in force cannot be read."""
    found = in_force()
    plan = plan_of(found)
    chosen = parse_filter(plan, params)
    query = hall_query(plan, chosen)
    key = (found.sha256, query)
    with _lock:
        built = _pages.get(key)
        if built is not None:
            _pages.move_to_end(key)
            return built
    built = build_page(found, plan, chosen, query)
    with _lock:
        _pages[key] = built
        while len(_pages) > PAGE_ENTRIES:
            _pages.popitem(last=False)
    return built


def hall_deck(found: InForce, plan: Plan, chosen: HallFilter) -> list[Slide]:
    """The deck «Presentazione» shows for this filter: build_deck of the filtered plan, with
    «Dall'ultima assemblea» when the store has a version to compare with."""
    view = chosen.apply(plan)
    label = filter_label(plan, chosen.sources, chosen.tracks, chosen.statuses)
    deck = build_deck(view, label, tuple(plan.source_names), "")
    try:
        report = since_for(found, chosen, view)
    except (OSError, StoreError):
        report = None
    return with_since(deck, report)


def since_for(found: InForce, chosen: HallFilter, view: Plan) -> SinceReport | None:
    """«Dall'ultima assemblea» as ui/changes.py makes it for the presentation: from version
    ``chosen.against`` (default: the last one marked as presented), filtered like ``view``."""
    if found.store is None or found.version is None:
        return None
    store, shown = found.store, found.version
    number = chosen.against if chosen.against is not None else assembly_version(store, shown)
    if number is None:
        return None
    start, old_label = since_start(store, number)
    old = chosen.apply(store.load(number))
    return since_report(old, view, start, f"{old_label} → versione {shown.number}")


def build_page(found: InForce, plan: Plan, chosen: HallFilter, query: str) -> Built:
    deck = hall_deck(found, plan, chosen)
    version = found.sha256[:16]
    body = render(deck, query=query, version=version).encode("utf-8")
    etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
    return Built(body, gzip.compress(body, compresslevel=9, mtime=0), etag, query)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def render(deck: Sequence[Slide], *, query: str, version: str) -> str:
    """The whole page: every slide as a <section>, the controls, the follow script."""
    slides = "".join(slide_section(s, i) for i, s in enumerate(deck, start=1))
    titles = json.dumps([s.title for s in deck], ensure_ascii=True)
    config = json.dumps({"query": query, "version": version, "total": len(deck)})
    dashboard = DASHBOARD_PATH + (f"?{query}" if query else "")
    heading = deck[0].title if deck else "Il piano"
    return (
        "<!doctype html>\n"
        '<html lang="it"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Sala – {_e(heading)}</title>"
        f"<style>{CSS}</style></head><body>"
        '<header class="masthead"><a class="full" href="'
        + _e(dashboard)
        + '">Apri la dashboard completa</a>'
        '<p id="stato" class="stato" role="status" aria-live="polite">'
        "Nessuna presentazione in corso: ecco la prima slide.</p></header>"
        f'<main id="slides">{slides}</main>'
        '<nav class="nav" aria-label="Slide" hidden>'
        '<button type="button" id="prev">‹ Indietro</button>'
        '<span id="num" class="num" aria-live="polite"></span>'
        '<button type="button" id="next">Avanti ›</button>'
        '<button type="button" id="join" hidden>Torna al presidente</button>'
        "</nav>"
        f'<script type="application/json" id="cfg">{config}</script>'
        f'<script type="application/json" id="titles">{_e_json(titles)}</script>'
        f"<script>{SCRIPT}</script></body></html>"
    )


def _e_json(text: str) -> str:
    """JSON inside <script>: no '</' can close the element (ensure_ascii keeps it ASCII)."""
    return text.replace("</", "<\\/")


def slide_section(slide: Slide, number: int) -> str:
    parts = [f"<h2>{_e(slide.title)}</h2>"]
    if slide.subtitle:
        parts.append(f'<p class="sub">{_e(slide.subtitle)}</p>')
    parts += [block_html(b) for b in slide.blocks]
    if slide.chart is not None:
        parts.append(chart_html(slide.chart))
    if slide.table is not None:
        grouped = slide.kind == "matrix"  # the deck names a project's pista once per group
        parts.append(table_html(slide.table, fill_down=(1,) if grouped else ()))
    if slide.footer:
        parts.append(f'<p class="foot">{_e(slide.footer)}</p>')
    return (
        f'<section class="slide" id="s{number}" data-n="{number}" '
        f'style="--accent:{_e(slide.accent)}" aria-label="Slide {number}">'
        + "".join(parts)
        + "</section>"
    )


def block_html(block: Block) -> str:
    parts = []
    if block.heading:
        parts.append(f"<h3>{_e(block.heading)}</h3>")
    if block.detail:
        parts.append(f'<p class="detail">{_e(block.detail)}</p>')
    for column in block.columns:
        if column.label:
            parts.append(f'<p class="label">{_e(column.label)}</p>')
        items = "".join(f"<li>{_e(line)}</li>" for line in column.lines)
        kind = "ul" if block.bullets else 'ul class="plain"'
        parts.append(f"<{kind}>{items}</ul>")
    return f'<div class="block">{"".join(parts)}</div>'


def chart_html(chart: ChartSpec) -> str:
    """The chart as labelled bars (text first: a phone reads the values, the bar shows size)."""
    top = max((v for s in chart.series for v in s.values), default=0.0) or 1.0
    rows = []
    for i, category in enumerate(chart.categories):
        for series in chart.series:
            value = series.values[i]
            shown = fmt.money(value) if chart.money else fmt.number(value, 0)
            name = category if len(chart.series) == 1 else f"{category} – {series.name}"
            color = (
                chart.point_colors[i]
                if chart.point_colors and len(chart.series) == 1
                else series.color
            )
            width = max(0.0, min(100.0, 100.0 * value / top))
            rows.append(
                f'<li><span class="what">{_e(name)}: <b>{_e(shown)}</b></span>'
                f'<span class="bar" style="width:{width:.1f}%;background:{_e(color)}"></span></li>'
            )
    return f'<figure class="chart"><figcaption>{_e(chart.title)}</figcaption><ul>{"".join(rows)}</ul></figure>'


def table_html(table: TableSpec, fill_down: Sequence[int] = ()) -> str:
    """A table as one card per row (a phone has no room for five columns). A blank cell of a
    ``fill_down`` column (named once per group on the projector) shows the value above it: a
    card stands alone."""
    cards = []
    above: dict[int, str] = {}
    for shown in table.rows:
        row = list(shown)
        for column in fill_down:
            if column < len(row):
                row[column] = row[column] or above.get(column, "")
                above[column] = row[column]
        head, *rest = row
        pairs = "".join(
            f"<div><dt>{_e(h)}</dt><dd>{_e(v)}</dd></div>"
            for h, v in zip(table.headers[1:], rest, strict=False)
        )
        cards.append(f'<li><p class="row">{_e(head)}</p><dl>{pairs}</dl></li>')
    return f'<ul class="cards">{"".join(cards)}</ul>'


CSS = (
    "*{box-sizing:border-box}"
    "body{margin:0;font:18px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#1A1A1A;background:#fff}"
    ".masthead{position:sticky;top:0;background:#1F4E79;color:#fff;padding:.4rem .8rem;z-index:1}"
    ".masthead a{color:#fff;font-weight:700}.stato{margin:.2rem 0 0;font-size:.95rem}"
    "main{padding:.2rem .9rem 5.5rem}"
    ".slide{border-top:6px solid var(--accent);padding:.6rem 0 1rem}"
    ".js .slide{display:none}.js .slide.on{display:block}"
    "h2{font-size:1.45rem;line-height:1.2;margin:.3rem 0}h3{font-size:1.1rem;margin:.8rem 0 .2rem}"
    ".sub{color:#4A4A4A;margin:.1rem 0 .6rem}.detail,.label{font-weight:700;margin:.4rem 0 .1rem}"
    "ul{padding-left:1.2rem;margin:.2rem 0}li{margin:.25rem 0}ul.plain{list-style:none;padding:0}"
    ".chart{margin:.8rem 0}.chart figcaption{font-weight:700}"
    ".chart ul{list-style:none;padding:0}.chart .what{display:block}"
    ".chart .bar{display:block;height:.7rem;border-radius:3px;min-width:2px}"
    ".cards{list-style:none;padding:0}.cards li{border:1px solid #BDBDBD;border-radius:8px;"
    "padding:.4rem .6rem;margin:.5rem 0}.row{font-weight:700;margin:0}"
    "dl{margin:.2rem 0 0;display:flex;flex-wrap:wrap;gap:.1rem 1rem}dl div{display:flex;gap:.3rem}"
    "dt{color:#4A4A4A}dd{margin:0;font-weight:700}"
    ".foot{color:#4A4A4A;font-size:.95rem}"
    ".nav{position:fixed;bottom:0;left:0;right:0;z-index:2;display:grid;gap:.4rem;"
    "grid-template-columns:1fr auto 1fr;align-items:center;background:#EEF2F7;"
    "padding:.5rem .6rem;border-top:1px solid #BDBDBD}"
    ".nav #prev{justify-self:start}.nav #next{justify-self:end}.nav button{white-space:nowrap}"
    ".nav button{font:inherit;min-height:48px;min-width:48px;padding:0 .6rem;border-radius:8px;"
    "border:1px solid #1F4E79;background:#fff;color:#1F4E79;font-weight:700}"
    ".nav #join{background:#1F4E79;color:#fff;grid-column:1/-1}"
    ".nav button:disabled{color:#555;border-color:#767676}"
    ".num{font-weight:700}"
)

# The follow script: server-sent events from /sala/eventi (one event per change; the browser
# reconnects by itself, and after a refusal every 4 s), else long polling of /sala/stato (the
# answer comes when the slide changes, or after a while with the same slide); on another filter
# or plan version the page reloads.
SCRIPT = r"""
(function(){
var cfg=JSON.parse(document.getElementById('cfg').textContent);
var titles=JSON.parse(document.getElementById('titles').textContent);
var d=document,el=d.documentElement,n=cfg.total;
el.className+=' js';d.querySelector('.nav').hidden=false;
var mine=1,pres=0,follow=true,tag='',running=false,st=d.getElementById('stato');
function show(k){k=Math.min(Math.max(k,1),n);var moved=k!==mine;var o=d.querySelector('.slide.on');if(o)o.classList.remove('on');
var s=d.getElementById('s'+k);if(s)s.classList.add('on');mine=k;
d.getElementById('num').textContent=k+' / '+n;
d.getElementById('prev').disabled=k<=1;d.getElementById('next').disabled=k>=n;
d.getElementById('join').hidden=follow||!running;say();if(moved)window.scrollTo(0,0);}
function say(){st.textContent=running?(follow?'Segui il presidente: slide\u00a0'+pres+' di\u00a0'+n+'.':
'Stai sfogliando da solo; il presidente è alla slide\u00a0'+pres+'.'):
(mine===1?'Nessuna presentazione in corso: ecco la prima slide.':
'Nessuna presentazione in corso: sfogli le slide da solo.');}
function where(s){var k=Math.min(Math.max(s.slide,1),n);if(titles[k-1]===s.title||!s.title)return k;
for(var i=0;i<n;i++){if(titles[i]===s.title)return i+1;}return k;}
function step(k){follow=false;show(mine+k);}
d.getElementById('prev').onclick=function(){step(-1);};
d.getElementById('next').onclick=function(){step(1);};
d.getElementById('join').onclick=function(){follow=true;show(pres||1);};
function apply(s){running=s.running;
if(s.plan&&s.plan!==cfg.version||running&&s.query!==cfg.query){
location.replace(location.pathname+(s.query?'?'+s.query:''));return false;}
pres=running?where(s):1;if(!running)follow=true;
if(follow)show(pres);else show(mine);return true;}
var wait=0;
function poll(){var x=new XMLHttpRequest();
x.open('GET',location.pathname.replace(/\/?$/,'/stato')+'?dopo='+encodeURIComponent(tag)+'&v='+cfg.version);
x.timeout=40000;
x.onload=function(){if(x.status===200){wait=0;var s=JSON.parse(x.responseText);tag=s.tag;if(apply(s))poll();}
else retry();};
x.onerror=x.ontimeout=retry;x.send();}
function retry(){wait=Math.min(wait*2||500,8000);setTimeout(poll,wait);}
function listen(){var es=new EventSource(location.pathname.replace(/\/?$/,'/eventi')+'?v='+cfg.version);
es.onmessage=function(e){var s=JSON.parse(e.data);tag=s.tag;if(!apply(s))es.close();};
es.onerror=function(){if(es.readyState===2)setTimeout(listen,4000);};}
show(1);if(window.EventSource)listen();else poll();
})();
"""

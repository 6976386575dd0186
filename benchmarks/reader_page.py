"""The reader page as a reader meets it, timed in Chromium on the opus-shaped model.

Starts ``streamlit run app.py`` on the model of ``opus_shape.py`` (random weights, the real
model's size and cost per token) with a fresh conversion cache, so the first visit pays the
one-time conversion as a first visit after installing does, and measures:

* the first visit to the seed article: time to the first German on screen, to the
  "preparing the model" message, to the first English sentence, and to the complete article;
  a second visit (the article from the server's shared results); then, the server warm, three
  texts it has not seen (six paragraphs each): time to their German, first English sentence and
  end, at the page's default beam;
* the tab stops on the seed article (inside the reader's rows, and in the whole reader);
* the bytes per redraw while a long document streams (``--paragraphs 150 400``): every
  WebSocket frame that carries a reader message, its rows, and, for comparison, the size of the
  whole document's message, which the page used to send on every redraw;
* screenshots at 1400 px and 390 px, light and dark, into ``--out``.

Usage (two cores, no sentence cache, no retries: what the numbers below assume)::

    OMP_NUM_THREADS=2 python benchmarks/reader_page.py --out artifacts/reader-bench
    OMP_NUM_THREADS=2 python benchmarks/reader_page.py --skip-visit --paragraphs 150 400

Timings depend on the machine and how busy it is: the load average is recorded beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tests.fixtures.browser import FIRST_VISIT_PROBE  # noqa: E402

CHROMIUM = os.environ.get("TRANSLATOR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
COMPLETE = ".bi-root[data-complete='true']"
LONG_WAIT = 3 * 3600 * 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(model: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "TRANSLATOR_MODEL": model,
        "TRANSLATOR_CACHE": "off",
        "TRANSLATOR_RETRY": "off",
        "TRANSLATOR_CT2_CACHE": tempfile.mkdtemp(prefix="reader-bench-ct2-"),
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start; see {log}")


def seconds(ms: float | None) -> float | None:
    return None if ms is None else round(ms / 1000, 2)


def visit(browser, url: str, out: Path, name: str) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.add_init_script(FIRST_VISIT_PROBE)
    page.goto(url)
    page.wait_for_selector(".bi-row .bi-de", timeout=LONG_WAIT)
    page.screenshot(path=str(out / f"{name}-first-screen-1400-light.png"))
    page.wait_for_selector(COMPLETE, timeout=LONG_WAIT)
    times = {k: seconds(v) for k, v in page.evaluate("window.__visit").items()}
    context.close()
    return times


def tab_stops(browser, url: str) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(COMPLETE, timeout=LONG_WAIT)
    counts = page.evaluate(
        """() => {
            const stops = root => [...root.querySelectorAll('*')]
                .filter(e => e.tabIndex >= 0 && !e.hidden && e.offsetParent !== null).length;
            return {rows: document.querySelectorAll('.bi-row').length,
                    sentences: document.querySelectorAll('.bi-s').length,
                    rows_tab_stops: stops(document.querySelector('.bi-grid')),
                    reader_tab_stops: stops(document.querySelector('.bi-root'))};
        }"""
    )
    context.close()
    return counts


def screenshots(browser, url: str, out: Path) -> list[str]:
    taken = []
    for width, height in ((1400, 1000), (390, 844)):
        for scheme in ("light", "dark"):
            context = browser.new_context(
                viewport={"width": width, "height": height},
                color_scheme=scheme,
                has_touch=width < 700,
            )
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector(COMPLETE, timeout=LONG_WAIT)
            page.locator(".bi-en .bi-s").nth(1).click()
            german = page.locator(".bi-de .bi-w").nth(12)
            german.hover()
            path = out / f"seed-{width}-{scheme}.png"
            page.screenshot(path=str(path))
            taken.append(str(path))
            context.close()
    return taken


def warm_new_text(browser, url: str, offset: int, paragraphs: int = 6) -> dict:
    """A warm server (model loaded, the seed article done) given a text it has not seen: the
    time from Translate to its German, to its first English sentence and to the whole text."""
    text = long_document(paragraphs, offset)
    first = text.split("\n\n")[0]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(COMPLETE, timeout=LONG_WAIT)
    page.get_by_text("Your German text").click()
    page.get_by_label("German text", exact=True).fill(text)
    started = time.monotonic()
    page.get_by_role("button", name="Translate").click()
    mine = "first => { const r = document.querySelector('.bi-row');"
    mine += " return r && r.querySelector('.bi-de').textContent === first"
    page.wait_for_function(mine + "; }", arg=first, timeout=LONG_WAIT)
    german_at = time.monotonic() - started
    page.wait_for_function(
        mine + " && r.querySelector('.bi-en .bi-s') !== null; }", arg=first, timeout=LONG_WAIT
    )
    english_at = time.monotonic() - started
    page.wait_for_function(
        mine + " && document.querySelector('.bi-root').dataset.complete === 'true'; }",
        arg=first,
        timeout=LONG_WAIT,
    )
    done_at = time.monotonic() - started
    context.close()
    return {
        "paragraphs": paragraphs,
        "seconds_to_german": round(german_at, 2),
        "seconds_to_first_english": round(english_at, 2),
        "seconds_to_complete": round(done_at, 2),
    }


def long_document(count: int, offset: int = 0) -> str:
    from opus_shape import german_sentences

    sentences = german_sentences(offset + 2 * count)[offset:]
    return "\n\n".join(f"{sentences[2 * i]} {sentences[2 * i + 1]}" for i in range(count))


def stream(browser, url: str, count: int, out: Path, beam: str) -> dict:
    """Bytes per redraw while a ``count``-paragraph document streams."""
    from translator.document import Document
    from translator.reader.payload import build_payload

    text = long_document(count)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    frames: list[tuple[float, int, dict]] = []

    def on_frame(payload) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode("utf-8")
        start = data.find(b'{"version": 2')
        if start < 0:
            return
        try:
            message, _ = json.JSONDecoder().raw_decode(data[start:].decode("utf-8", "replace"))
        except ValueError:
            return
        frames.append((time.monotonic(), len(data), message))

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    page.goto(url)
    page.wait_for_selector(COMPLETE, timeout=LONG_WAIT)
    if beam == "fast":
        page.get_by_text("Fast mode (greedy)").click()
        page.wait_for_function(
            "() => document.querySelector('.bi-root')?.dataset.complete === 'true'"
            " && !document.querySelector('.bi-stale')",
            timeout=LONG_WAIT,
        )
    page.get_by_text("Your German text").click()
    page.get_by_label("German text", exact=True).fill(text)
    started = time.monotonic()
    page.get_by_role("button", name="Translate").click()
    first = text.split("\n\n")[0]
    page.wait_for_function(
        "([n, first]) => document.querySelectorAll('.bi-row').length === n"
        " && document.querySelector('.bi-row .bi-de').textContent === first",
        arg=[count, first],
        timeout=LONG_WAIT,
    )
    german_at = time.monotonic() - started
    view = page.locator(".bi-root").get_attribute("data-view")
    page.wait_for_function(
        "v => { const r = document.querySelector('.bi-root');"
        " return r.dataset.view === v && r.dataset.complete === 'true'; }",
        arg=view,
        timeout=LONG_WAIT,
    )
    done_at = time.monotonic() - started
    with page.expect_download(timeout=600_000) as got:
        page.locator(".st-key-downloads").get_by_role("button", name="JSON").click()
    document = Document.from_json(Path(got.value.path()).read_text("utf-8"))
    page.screenshot(path=str(out / f"long-{count}-complete.png"))
    context.close()

    mine = [(size, m) for _, size, m in frames if m["view"] == view]
    redraws = [(size, m) for size, m in mine if m["rows"]]
    whole = len(json.dumps(build_payload(document, alternatives=True)).encode("utf-8"))
    sizes = [size for size, _ in redraws]
    return {
        "paragraphs": count,
        "sentences": sum(len(p.sentences) for p in document.paragraphs),
        "decoding": beam,
        "seconds_to_german": round(german_at, 2),
        "seconds_to_complete": round(done_at, 2),
        "messages": len(mine),
        "redraws_with_rows": len(redraws),
        "first_message_bytes (the German)": sizes[0] if sizes else None,
        "bytes_per_redraw_median": int(statistics.median(sizes[1:])) if sizes[1:] else None,
        "bytes_per_redraw_max": max(sizes[1:]) if sizes[1:] else None,
        "rows_per_redraw_max": max((len(m["rows"]) for _, m in redraws[1:]), default=0),
        "bytes_all_redraws": sum(sizes),
        "whole_document_message_bytes": whole,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="model folder (default: the opus-shaped model)")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "reader-bench")
    parser.add_argument("--paragraphs", type=int, nargs="*", default=[])
    parser.add_argument("--beam", choices=["default", "fast"], default="fast")
    parser.add_argument("--skip-visit", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if args.model:
        model = args.model
    else:
        from opus_shape import build_opus_shaped

        model = str(build_opus_shaped())
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "model": model,
        "threads": os.environ.get("OMP_NUM_THREADS", "all"),
        "load_average_at_start": os.getloadavg(),
    }
    process, url = start_server(model, args.out / "server.log")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            if not args.skip_visit:
                results["first_visit_seconds"] = visit(browser, url, args.out, "first")
                print("first visit:", results["first_visit_seconds"], flush=True)
                results["second_visit_seconds"] = visit(browser, url, args.out, "second")
                results["warm_server_new_text"] = [
                    warm_new_text(browser, url, offset) for offset in (4000, 4100, 4200)
                ]
                print("warm server, new text:", results["warm_server_new_text"], flush=True)
                results["seed_article"] = tab_stops(browser, url)
                results["screenshots"] = screenshots(browser, url, args.out)
                print("seed article:", results["seed_article"], flush=True)
            for count in args.paragraphs:
                measured = stream(browser, url, count, args.out, args.beam)
                results[f"stream_{count}"] = measured
                print(json.dumps(measured, indent=2), flush=True)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    results["load_average_at_end"] = os.getloadavg()
    name = "results-visit.json" if not args.paragraphs else "results-stream.json"
    (args.out / name).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

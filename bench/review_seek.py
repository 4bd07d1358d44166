"""Scrubbing the review page on a one-hour room in Chromium, side by side with a full replay.

Builds the same one-hour room as bench/playback.py (default 36,000 updates: one keystroke
each, 10 a second, two questions), opens its review page in Chromium as the owner, and
times, in the page:

- load: from navigation until the page is ready (fetching the log, decoding it, indexing
  who typed what, folding the in-memory checkpoints every 500 updates);
- scrub: `player.seek(t)` at random instants in random order, as dragging the scrubber does:
  the replay from the nearest checkpoint, the author colours and the editor's update;
- the replay alone at the same instants (`replay.seek`);
- the reference: the same instants replayed with Yjs into an empty document.

Both replays must give the same code at every instant compared. Prints medians, p95, max and
the ratio of medians (reference / replay).

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/review_seek.py [--updates 36000]

Needs a built frontend (`npm run build`, then `manage.py collectstatic`). Uses the database
in DATABASE_URL (it creates one room there).
"""

import argparse
import importlib.util
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.servers import DaphneServer  # noqa: E402

# The one-hour room of the server-side playback bench, so the two benches measure one room.
_spec = importlib.util.spec_from_file_location("playback_bench", ROOT / "bench" / "playback.py")
assert _spec and _spec.loader
playback_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(playback_bench)

MEASURE = """([instants, reference]) => {
  const { player, replay, log, replayFromScratch } = window.review;
  const names = log.texts.map((t) => t.text);
  const time = (f) => { const began = performance.now(); f(); return performance.now() - began; };
  const scrub = instants.map((t) => time(() => player.seek(t)));
  const positions = instants.map((t) => replay.positionAt(t));
  const alone = positions.map((p) => time(() => replay.seek(p)));
  const full = [];
  let same = 0;
  for (const p of positions.slice(0, reference)) {
    let expected;
    full.push(time(() => { expected = replayFromScratch(log.updates, p, names); }));
    replay.seek(p);
    if (names.every((n, i) => replay.text(n) === expected[i])) same++;
  }
  return { scrub, alone, full, same, updates: replay.length };
}"""


def pct(samples: list[float], q: float) -> float:
    return sorted(samples)[min(len(samples) - 1, int(q * len(samples)))]


def line(name: str, samples: list[float]) -> str:
    return (
        f"{name}, {len(samples)} instants: median {statistics.median(samples):.1f} ms, "
        f"p95 {pct(samples, 0.95):.1f} ms, max {max(samples):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=36_000)
    parser.add_argument("--instants", type=int, default=200)
    parser.add_argument("--reference", type=int, default=40, help="instants for the full replay")
    args = parser.parse_args()

    began = time.perf_counter()
    room, _texts, start = playback_bench.build_room(args.updates)
    print(f"room {room.id}: {args.updates} updates over one hour "
          f"(set-up {time.perf_counter() - began:.1f} s)")  # fmt: skip
    client = Client()
    client.force_login(room.owner)
    session = client.cookies["sessionid"].value
    rng = random.Random(7)
    start_ms = int(start.timestamp() * 1000)
    instants = [start_ms + rng.uniform(0, 3_600_000) for _ in range(args.instants)]

    server = DaphneServer(env={"DATABASE_URL": os.environ["DATABASE_URL"]}).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
            )
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": session, "url": server.http_url}])
            page = context.new_page()
            loading = time.perf_counter()
            page.goto(f"{server.http_url}/r/{room.id}/review/")
            page.wait_for_function("window.review && window.review.ready", timeout=120_000)
            load_ms = (time.perf_counter() - loading) * 1000
            result = page.evaluate(MEASURE, [instants, args.reference])
            browser.close()
    finally:
        server.stop()

    fast, full = result["alone"], result["full"]
    print(
        "\n".join(
            [
                f"load (fetch, decode, index, checkpoints) of {result['updates']} updates: "
                f"{load_ms:.0f} ms",
                line("scrub (replay + author colours + editor)", result["scrub"]),
                line("replay from the nearest checkpoint", fast),
                line("reference: replay from an empty document", full),
                f"ratio of medians (reference / replay): "
                f"{statistics.median(full) / statistics.median(fast):.1f}x; "
                f"same code at {result['same']} of {len(full)} compared instants",
            ]
        )
    )
    assert result["same"] == len(full), "the replays disagree"


if __name__ == "__main__":
    main()

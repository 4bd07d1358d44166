"""The cost of `editor.yupdate.check_ids` beside the document channel's pycrdt check.

Both checks run on the same updates in one run: a keystroke, a 600 KB paste (ASCII code,
and text with astral characters), and an hour of offline typing sent as one update when the
browser reconnects. The reference is `consumers.check_update`'s work: applying the update
to a scratch pycrdt Doc. Prints a Markdown table: microseconds per update (best of 5) and
the ratio check_ids / pycrdt.

    .venv/bin/python bench/update_checks.py
"""

import random
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pycrdt import Doc, Text  # noqa: E402

from editor.yupdate import check_ids  # noqa: E402

CODE = "def two_sum(numbers, target):\n    seen = {}\n    return None\n"


def typed(edits: Callable[[Text], None]) -> list[bytes]:
    """The updates a pycrdt doc emits for `edits` on its Y.Text, one per transaction."""
    doc = Doc()
    text = doc.get("code", type=Text)
    text.insert(0, CODE)
    updates: list[bytes] = []
    subscription = doc.observe(lambda event: updates.append(event.update))
    edits(text)
    doc.unobserve(subscription)
    return updates


def keystroke(text: Text) -> None:
    text.insert(len(CODE.encode()) - 1, "x")


def paste(chunk: str) -> Callable[[Text], None]:
    return lambda text: text.insert(0, chunk * (600_000 // len(chunk.encode())))


def offline_hour(text: Text) -> None:
    """36,000 keystrokes typed offline, in one transaction: what a reconnecting browser sends."""
    rng = random.Random(1)
    with text.doc.transaction():
        for _ in range(36_000):
            at = len(str(text).encode())
            if rng.random() < 0.1 and at > 1:
                del text[at - 1 : at]
            else:
                text.insert(at, rng.choice("abcdefghij (){}:\n"))


def pycrdt_check(update: bytes) -> None:
    Doc().apply_update(update)


def best_us(check: Callable[[bytes], None], update: bytes) -> float:
    timer = timeit.Timer(lambda: check(update))
    number, _ = timer.autorange()
    return min(timer.repeat(5, number)) / number * 1e6


def main() -> None:
    cases = {
        "keystroke": typed(keystroke)[0],
        "paste, 600 KB of code": typed(paste(CODE))[0],
        "paste, 600 KB with emoji": typed(paste("naïve 😀 café 𝔘𝔫𝔦 → ok\n"))[0],
        "offline hour, 36,000 keystrokes": typed(offline_hour)[0],
    }
    print("| update | bytes | check_ids µs | pycrdt check µs | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, update in cases.items():
        ours, reference = best_us(check_ids, update), best_us(pycrdt_check, update)
        ratio = ours / reference
        print(f"| {name} | {len(update):,} | {ours:,.1f} | {reference:,.1f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()

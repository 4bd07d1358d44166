"""Frames from browsers are unmasked as autobahn's own masker would (config.ws_unmask), also
when a frame's payload comes in pieces across reads."""

import os
import random
import subprocess
import sys
from pathlib import Path

from autobahn.websocket.xormasker import create_xor_masker as native_masker

from config import ws_unmask

ROOT = Path(__file__).resolve().parent.parent


def test_unmasking_gives_autobahns_bytes_however_the_payload_is_cut():
    rng = random.Random(7)
    for _ in range(3000):
        mask, size = os.urandom(4), rng.choice([0, 1, 3, 4, 5, 40, 125, 126, 1000, 4095, 5000])
        payload = os.urandom(size)
        cuts = sorted(rng.sample(range(size + 1), min(3, size + 1)))
        pieces = [payload[a:b] for a, b in zip([0, *cuts], [*cuts, size], strict=True)]
        ours, theirs = ws_unmask.create_xor_masker(mask, size), native_masker(mask, size)
        assert b"".join(ours.process(p) for p in pieces) == b"".join(
            theirs.process(p) for p in pieces
        )
        assert ours.pointer() == theirs.pointer() == size


def test_the_server_uses_it():
    """Checked in a process of its own: the server's entry point installs a Twisted reactor."""
    check = (
        "import config.drain; from autobahn.websocket import protocol; from config import"
        " ws_unmask; assert protocol.create_xor_masker is ws_unmask.create_xor_masker"
    )
    subprocess.run([sys.executable, "-c", check], cwd=ROOT, check=True, timeout=60)

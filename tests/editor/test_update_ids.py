"""Updates whose client ids or clocks the server's Yjs (pycrdt) would change silently are
refused; every update real Yjs or pycrdt writes gets through.

The updates refused here are encoded by hand (the encoder below writes Yjs's update format v1);
where it shows the danger, the same bytes are read by pycrdt and by real Yjs in node."""

import base64
import json
import shutil
import signal
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Map, Text, merge_updates

from editor.yupdate import MAX_NESTING, UnsafeUpdate, check_ids

SCRIPT = Path(__file__).with_name("yjs_updates.mjs")

# --- a tiny encoder of the update format v1 ---------------------------------------------------

STRING, JSON, TYPE, ANY = 4, 2, 7, 8  # struct kinds (content refs)


def var_uint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append(0x80 | n & 0x7F)
        n >>= 7
    return bytes(out + bytes([n]))


def string(s: str | bytes) -> bytes:
    raw = s.encode() if isinstance(s, str) else s
    return var_uint(len(raw)) + raw


def id_(client: int, clock: int) -> bytes:
    return var_uint(client) + var_uint(clock)


def root(name: str) -> bytes:
    """An item's parent: the root type of that name."""
    return var_uint(1) + string(name)


def item(
    content: bytes,
    kind: int = STRING,
    origin: tuple[int, int] | None = None,
    right_origin: tuple[int, int] | None = None,
    parent: bytes = root("t"),
    key: str | None = None,
) -> bytes:
    info = kind | (0x80 if origin else 0) | (0x40 if right_origin else 0) | (0x20 if key else 0)
    out = bytes([info])
    if origin:
        out += id_(*origin)
    if right_origin:
        out += id_(*right_origin)
    if not origin and not right_origin:
        out += parent + (string(key) if key else b"")
    return out + content


def block(client: int, clock: int, *structs: bytes) -> bytes:
    return var_uint(len(structs)) + var_uint(client) + var_uint(clock) + b"".join(structs)


def update(*blocks: bytes, deletes: dict[int, list[tuple[int, int]]] | None = None) -> bytes:
    out = var_uint(len(blocks)) + b"".join(blocks) + var_uint(len(deletes or {}))
    for client, ranges in (deletes or {}).items():
        out += var_uint(client) + var_uint(len(ranges))
        out += b"".join(var_uint(clock) + var_uint(length) for clock, length in ranges)
    return out


def any_item(value: bytes) -> bytes:
    """A Y.Map entry "k" in the root map "m" holding one lib0 `writeAny` value."""
    return update(block(7, 0, item(var_uint(1) + value, kind=ANY, parent=root("m"), key="k")))


def refused(data: bytes) -> str:
    with pytest.raises(UnsafeUpdate) as error:
        check_ids(data)
    return str(error.value)


# --- what pycrdt and real Yjs make of the same bytes ------------------------------------------


def pycrdt_reads(*updates: bytes) -> str:
    doc = Doc()
    text = doc.get("t", type=Text)
    for data in updates:
        doc.apply_update(data)
    return str(text)


def node(*args: str, stdin: str = "") -> Any:
    command = [shutil.which("node") or "node", str(SCRIPT), *args]
    done = subprocess.run(command, input=stdin.encode(), capture_output=True, check=True)
    return json.loads(done.stdout)


def yjs_reads(*updates: bytes) -> dict[str, str]:
    """{"text": Y.Text "t"} after Yjs applied the updates in turn, or {"error": message}."""
    return node("read", stdin=json.dumps([base64.b64encode(u).decode() for u in updates]))


@cache
def real_updates() -> dict[str, dict[str, Any]]:
    cases = node()
    for case in cases.values():
        case["updates"] = [base64.b64decode(u) for u in case["updates"]]
    return cases


# --- real updates are accepted ----------------------------------------------------------------

ALL_KINDS = {"GC", "Skip", "DeleteSet"} | {
    f"Item:Content{name}"
    for name in ("Deleted", "Binary", "String", "Embed", "Format", "Type", "Any", "Doc")
}


def test_every_update_real_yjs_writes_is_accepted():
    cases = {name: case for name, case in real_updates().items() if name != "xml hook"}
    refusals = {}
    for name, case in cases.items():
        for number, data in enumerate(case["updates"]):
            try:
                check_ids(data)
            except UnsafeUpdate as error:
                refusals[f"{name} #{number}"] = str(error)
    assert refusals == {}
    # Yjs's own decoder finds every struct and content kind (but legacy JSON) in them.
    assert set().union(*(case["kinds"] for case in cases.values())) == ALL_KINDS


TEXT_EDITS = st.lists(
    st.tuples(st.integers(0, 2), st.booleans(), st.integers(0, 10**6), st.text(max_size=6)),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(edits=TEXT_EDITS)
def test_every_update_pycrdt_writes_is_accepted(edits):
    docs = [Doc() for _ in range(3)]
    updates: list[bytes] = []
    _kept = [doc.observe(lambda event: updates.append(event.update)) for doc in docs]  # alive
    for who, insert, where, chars in edits:
        doc = docs[who]
        text = doc.get("t", type=Text)
        code = str(text)
        start = where % (len(code) + 1)
        # pycrdt's Text counts UTF-8 bytes
        at, end = (len(code[:i].encode()) for i in (start, start + len(chars) + 1))
        if insert:
            text.insert(at, chars)
        elif at < end:
            del text[at:end]
        if where % 4 == 0:  # now and then one doc catches up with another
            other = docs[(who + 1) % 3]
            other.apply_update(doc.get_update(other.get_state()))
    updates += [doc.get_update() for doc in docs] + [merge_updates(*updates or [b"\0\0"])]
    for data in updates:
        check_ids(data)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats()
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(values=st.dictionaries(st.text(max_size=4), JSON_VALUES | st.binary(max_size=4)))
def test_map_values_pycrdt_writes_are_accepted(values):
    doc = Doc()
    doc["m"] = Map(values)
    check_ids(doc.get_update())


# --- clocks and client ids out of range -------------------------------------------------------

CLOCKS = 2**32  # pycrdt keeps clocks (and the next clock) as 32 bits
CLIENTS = 2**53  # pycrdt keeps 53 bits of a client id, as does a JavaScript number


def test_a_clock_of_2_32_is_refused_though_pycrdt_takes_it_as_clock_0():
    data = update(block(7, CLOCKS, item(string("hi"))))
    assert "clock is 2**32 or more" in refused(data)
    # The danger: the server stores "hi" at clock 0 (a later joiner, the replay and the exports
    # show it), while a browser holds it back until clocks 0 .. 2**32 - 1 arrive: never.
    assert pycrdt_reads(data) == "hi"
    assert yjs_reads(data) == {"text": ""}


@pytest.mark.parametrize(
    "data",
    [
        update(block(7, 0, item(string("hi"), origin=(7, CLOCKS)))),
        update(block(7, 0, item(string("hi"), right_origin=(7, CLOCKS)))),
        update(block(7, 0, item(string("hi"), parent=var_uint(0) + id_(7, CLOCKS)))),
        update(block(7, CLOCKS)),
        update(deletes={7: [(CLOCKS, 1)]}),
    ],
    ids=["origin", "right origin", "parent", "struct block", "deleted range"],
)
def test_a_clock_of_2_32_anywhere_is_refused(data):
    assert "clock is 2**32 or more" in refused(data)


def test_a_deleted_clock_beyond_2_32_is_refused_though_pycrdt_deletes_a_wrapped_one():
    hello = update(block(7, 0, item(string("hello"))))
    delete = update(deletes={7: [(CLOCKS + 1, 1)]})
    assert "clock is 2**32 or more" in refused(delete)
    assert pycrdt_reads(hello, delete) == "hllo"  # clock 1, "e", is gone on the server only
    assert yjs_reads(hello, delete) == {"text": "hello"}


@pytest.mark.parametrize(
    ("clock", "structs"),
    [
        (CLOCKS - 1, [item(string("hi"))]),
        (CLOCKS - 3, [item(string("a")), item(string("bc"), origin=(7, CLOCKS - 3))]),
        (CLOCKS - 2, [item(string("😀"))]),  # two UTF-16 code units: ends at 2**32
        (1, [bytes([0]) + var_uint(CLOCKS - 1)]),  # GC
        (1, [bytes([10]) + var_uint(CLOCKS - 1)]),  # Skip
        (1, [item(var_uint(CLOCKS - 1), kind=1)]),  # Deleted content
        (CLOCKS - 2, [item(var_uint(2) + bytes([126, 126]), kind=ANY)]),
    ],
    ids=["string", "second struct", "astral", "GC", "Skip", "deleted", "any"],
)
def test_a_struct_ending_at_2_32_or_beyond_is_refused(clock, structs):
    assert "ends at clock 429496729" in refused(update(block(7, clock, *structs)))


def test_a_struct_ending_just_below_2_32_is_accepted_and_kept_by_pycrdt():
    data = update(block(7, CLOCKS - 3, item(string("😀"))))  # clocks 2**32 - 3 and - 2
    check_ids(data)
    assert pycrdt_reads(data) == "😀"


def test_a_deleted_range_ending_at_2_32_is_refused():
    assert "ends at clock 4294967296" in refused(update(deletes={7: [(CLOCKS - 2, 2)]}))
    check_ids(update(deletes={7: [(CLOCKS - 2, 1)]}))


@pytest.mark.parametrize(
    "data",
    [
        update(block(CLIENTS, 0, item(string("hi")))),
        update(block(7, 0, item(string("hi"), origin=(CLIENTS, 0)))),
        update(block(7, 0, item(string("hi"), right_origin=(CLIENTS, 0)))),
        update(block(7, 0, item(string("hi"), parent=var_uint(0) + id_(CLIENTS + 5, 0)))),
        update(deletes={CLIENTS: [(0, 1)]}),
    ],
    ids=["struct block", "origin", "right origin", "parent", "deleted range"],
)
def test_a_client_id_of_2_53_anywhere_is_refused(data):
    assert "client id is 2**53 or more" in refused(data)


def test_client_2_53_is_client_0_to_pycrdt_but_not_to_yjs():
    alice = update(block(0, 0, item(string("ab"))))
    mallory = update(block(CLIENTS, 0, item(string("xy"))))
    assert "client id" in refused(mallory)
    check_ids(update(block(CLIENTS - 1, 0, item(string("xy")))))
    # pycrdt takes mallory's "xy" for alice's "ab" (the same id): it drops it.
    assert pycrdt_reads(alice, mallory) == "ab"
    assert sorted(yjs_reads(alice, mallory)["text"]) == sorted("abxy")


# --- bytes that are not a whole update, or that the two sides read differently ----------------


def test_every_truncation_of_a_real_update_is_refused():
    cases = ("text edits", "astral characters", "map values", "xml")
    for name in [f"{case}, whole document" for case in cases] + ["subdocuments"]:
        for data in real_updates()[name]["updates"]:
            for end in range(len(data)):
                assert "truncated" in refused(data[:end]), (name, end)


def test_bytes_after_an_update_are_refused_though_pycrdt_ignores_them():
    data = real_updates()["text edits, whole document"]["updates"][0]
    for garbage in (b"\0", b"\x01\x07\x01\x00\x05"):
        assert "after the end of the update" in refused(data + garbage)
        Doc().apply_update(data + garbage)  # no error


@pytest.mark.parametrize(
    "data",
    [
        update(block(7, 0, item(string(b"h\xffi")))),
        update(block(7, 0, item(string("hi"), parent=root("t")[:1] + string(b"\xc0\xaf")))),
        any_item(bytes([118]) + var_uint(1) + string(b"\xed\xa0\x80") + bytes([126])),
    ],
    ids=["text", "root name", "object key"],
)
def test_invalid_utf8_is_refused_as_yjs_cannot_read_it(data):
    assert "not valid UTF-8" in refused(data)
    assert "error" in yjs_reads(data)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (update(block(7, 0, item(string("hi"), kind=0x14))), "unknown struct kind 20"),
        (update(block(7, 0, item(string("hi"), kind=11))), "unknown struct kind 11"),
        (update(block(7, 0, item(var_uint(15), kind=TYPE))), "unknown shared type 15"),
        (any_item(bytes([115])), "unknown value tag 115"),
    ],
    ids=["kind 20", "kind 11", "type 15", "any tag 115"],
)
def test_unknown_kinds_are_refused_as_yjs_cannot_read_them(data, problem):
    assert problem in refused(data)
    assert "error" in yjs_reads(data)


def test_kind_20_is_refused_though_pycrdt_reads_it_as_text():
    data = update(block(7, 0, item(string("hi"), kind=0x14)))
    assert "unknown struct kind" in refused(data)
    assert pycrdt_reads(data) == "hi"  # pycrdt looks at 4 bits of the kind, Yjs at 5


def test_a_parent_info_of_2_32_plus_1_is_refused_though_pycrdt_reads_it_as_1():
    data = update(block(7, 0, item(string("hi"), parent=var_uint(CLOCKS + 1) + string("t"))))
    assert "parent info is 2**32 or more" in refused(data)
    assert pycrdt_reads(data) == "hi"  # a root name to pycrdt, a parent id to Yjs


def test_an_integer_of_2_53_is_refused():
    # lib0 writes the sign and 6 bits first, then 7 bits a byte
    def var_int(n: int) -> bytes:
        return bytes([0x80 | n & 0x3F]) + var_uint(n >> 6)

    check_ids(any_item(bytes([125]) + var_int(2**53 - 1)))
    assert "integer is 2**53 or more" in refused(any_item(bytes([125]) + var_int(2**53)))


def test_json_content_is_refused_as_pycrdt_reads_one_string_more():
    """Yjs before v13 wrote JSON content; Yjs still reads it. pycrdt reads a string more."""
    json_item = item(var_uint(1) + string('"x"'), kind=JSON, parent=root("a"))
    data = update(block(7, 0, json_item))
    assert "JSON content" in refused(data)
    assert yjs_reads(data) == {"text": ""}
    with pytest.raises(ValueError, match="Cannot decode update"):
        pycrdt_reads(data)


def test_an_xml_hook_is_refused_as_pycrdt_does_not_read_its_name():
    typed, hooked = real_updates()["xml hook"]["updates"]
    check_ids(typed)
    assert "Y.XmlHook" in refused(hooked)
    # The hook's name is "" and the same transaction deleted the "a": pycrdt takes the name's
    # length for the end of the update and never sees the deletion.
    assert yjs_reads(typed, hooked) == {"text": "bc"}
    assert pycrdt_reads(typed, hooked) == "abc"


def nested(depth: int) -> bytes:
    return any_item(bytes([117, 1]) * depth + bytes([126]))


CRASH = """
import sys, threading
from pycrdt import Doc
data = sys.stdin.buffer.read()
threading.stack_size(8 * 1024 * 1024)  # a thread's stack on Linux by default
thread = threading.Thread(target=lambda: Doc().apply_update(data))
thread.start()
thread.join()
"""


def test_values_nested_too_deep_are_refused_before_they_crash_pycrdt():
    check_ids(nested(MAX_NESTING))
    assert f"nested more than {MAX_NESTING} deep" in refused(nested(MAX_NESTING + 1))
    deep = nested(100_000)  # 200 KB: under a frame's limit
    assert "nested" in refused(deep)
    crash = subprocess.run([sys.executable, "-c", CRASH], input=deep, capture_output=True)
    assert crash.returncode == -signal.SIGSEGV

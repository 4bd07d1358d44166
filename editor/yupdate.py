"""Refuse Yjs updates (format v1) that the server's Yjs and the browsers' Yjs read differently.

The server reads updates with pycrdt (Rust yrs), the browsers with Yjs (JavaScript). yrs reads
every number of an update as a 32-bit integer and wraps larger ones silently (a clock of 2**32
becomes 0), except client ids, which it cuts to 53 bits; JavaScript holds integers exactly up
to 2**53. Such an update is stored and relayed, and then a live watcher and the stored
document (a later joiner, the replay, the exports) disagree. `check_ids` walks every struct
and the delete set the way Yjs does (`readClientsStructRefs`, `readItemContent`,
`readDeleteSet`, lib0 `decoding`) and raises `UnsafeUpdate` on:
- a client id of 2**53 or more, a clock or any other number of 2**32 or more, a struct or a
  deleted range that ends at clock 2**32 or beyond (yrs keeps the next clock as 32 bits too);
- bytes that Yjs cannot read: truncated, trailing bytes, invalid UTF-8, unknown kinds;
- content that yrs lays out differently from Yjs, so that the two would read different
  structs from the same bytes: JSON content (written only by Yjs before v13; yrs reads one
  string more) and Y.XmlHook (yrs does not read its name);
- values nested deeper than `MAX_NESTING` (yrs recurses on them and overflows its stack),
  which is why this check must run before pycrdt sees the bytes.
"""

from typing import NoReturn

CLIENT_LIMIT = 2**53  # yrs keeps 53 bits of a client id, JavaScript numbers 53 bits
NUMBER_LIMIT = 2**32  # every other number: yrs reads it as u32
MAX_NESTING = 10_000  # Yjs in node cannot write deeper; pycrdt overflows 8 MB near 30,000

# The struct kinds of `readClientsStructRefs` (info & 31) and their content.
GC, DELETED, JSON, BINARY, STRING, EMBED, FORMAT, TYPE, ANY, DOC, SKIP = range(11)
HAS_ORIGIN, HAS_RIGHT_ORIGIN, HAS_PARENT_SUB = 0x80, 0x40, 0x20
XML_ELEMENT, XML_HOOK, LAST_TYPE = 3, 5, 6  # type refs: YArray 0 ... YXmlText 6
# lib0 readAny tags with nothing or a fixed number of bytes after them.
ANY_FIXED_SIZE = {127: 0, 126: 0, 124: 4, 123: 8, 122: 8, 121: 0, 120: 0}
ANY_INT, ANY_STRING, ANY_OBJECT, ANY_ARRAY, ANY_BYTES = 125, 119, 118, 117, 116


class UnsafeUpdate(ValueError):
    """An update that Yjs and the server's Yjs (pycrdt) would not read the same way."""


class UpdateReader:
    """Reads one update, checking each number as it goes, and noting which clocks of which
    clients the update builds on (`needs`)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.refs: dict[int, int] = {}  # client -> 1 + the highest clock referenced
        self.spans: dict[int, tuple[int, int]] = {}  # client -> the clocks its structs cover

    def fail(self, problem: str, at: int | None = None) -> NoReturn:
        raise UnsafeUpdate(f"{problem} (byte {self.pos if at is None else at})")

    # --- lib0 decoding ----------------------------------------------------------------------

    def read_u8(self) -> int:
        if self.pos >= len(self.data):
            self.fail("update truncated")
        self.pos += 1
        return self.data[self.pos - 1]

    def read_bytes(self, size: int) -> bytes:
        if self.pos + size > len(self.data):
            self.fail("update truncated")
        self.pos += size
        return self.data[self.pos - size : self.pos]

    def read_var_uint(self, what: str = "number", limit: int = NUMBER_LIMIT) -> int:
        data, start = self.data, self.pos
        if start < len(data) and data[start] < 0x80:  # one byte: most numbers
            self.pos += 1
            return data[start]
        value, shift = 0, 0
        for pos in range(start, len(data)):
            byte = data[pos]
            value |= (byte & 0x7F) << shift
            if byte < 0x80 or value >= limit:
                break
            shift += 7
        else:
            self.fail("update truncated", len(data))
        if value >= limit:
            self.fail(f"{what} is 2**{limit.bit_length() - 1} or more", start)
        self.pos = pos + 1
        return value

    def read_var_int(self) -> int:
        """lib0 writes integers of up to 31 bits; JavaScript holds 53 bits exactly."""
        start, byte = self.pos, self.read_u8()
        value, shift, negative = byte & 0x3F, 6, byte & 0x40
        while byte & 0x80:
            byte = self.read_u8()
            value |= (byte & 0x7F) << shift
            shift += 7
            if value >= CLIENT_LIMIT:
                self.fail("integer is 2**53 or more", start)
        return -value if negative else value

    def read_string(self) -> str:
        raw = self.read_bytes(self.read_var_uint("string length"))
        try:
            return raw.decode("utf-8")  # strict, like Yjs's TextDecoder({fatal: true})
        except UnicodeDecodeError:
            self.fail("string is not valid UTF-8", self.pos - len(raw))

    def read_any(self, count: int = 1) -> None:
        """Walks `count` lib0 `readAny` values, with a stack rather than recursion."""
        to_read = [count]  # per open array or object: the values still to read in it
        is_object = [False]
        while to_read:
            if to_read[-1] == 0:
                to_read.pop()
                is_object.pop()
                continue
            to_read[-1] -= 1
            if is_object[-1]:
                self.read_string()  # the key
            tag = self.read_u8()
            size = ANY_FIXED_SIZE.get(tag)
            if size is not None:
                if size:
                    self.read_bytes(size)
            elif tag == ANY_INT:
                self.read_var_int()
            elif tag == ANY_STRING:
                self.read_string()
            elif tag == ANY_BYTES:
                self.read_bytes(self.read_var_uint("buffer length"))
            elif tag in (ANY_OBJECT, ANY_ARRAY):
                if len(to_read) > MAX_NESTING:
                    self.fail(f"values nested more than {MAX_NESTING} deep")
                to_read.append(self.read_var_uint("length"))
                is_object.append(tag == ANY_OBJECT)
            else:
                self.fail(f"unknown value tag {tag}", self.pos - 1)

    # --- Yjs update format v1 ---------------------------------------------------------------

    def read_client(self) -> int:
        return self.read_var_uint("client id", CLIENT_LIMIT)

    def read_id(self) -> None:
        client = self.read_client()
        self.refer(client, self.read_var_uint("clock") + 1)

    def refer(self, client: int, upto: int) -> None:
        if upto > self.refs.get(client, 0):
            self.refs[client] = upto

    def read_update(self) -> None:
        for _ in range(self.read_var_uint("client count")):
            self.read_client_structs()
        self.read_delete_set()
        if self.pos != len(self.data):
            self.fail(f"{len(self.data) - self.pos} bytes after the end of the update")

    def read_client_structs(self) -> None:
        count = self.read_var_uint("struct count")
        client = self.read_client()
        clock = first = self.read_var_uint("clock")
        for _ in range(count):
            start, info = self.pos, self.read_u8()
            kind = info & 0x1F
            if kind in (GC, SKIP):
                length = self.read_var_uint("length")
            elif kind == JSON:
                self.fail(
                    "JSON content (Yjs before v13): the server's Yjs reads it differently", start
                )
            elif kind > SKIP:
                self.fail(f"unknown struct kind {kind}", start)
            else:
                length = self.read_item(info, kind)
            clock += length
            if clock >= NUMBER_LIMIT:
                self.fail(f"struct of client {client} ends at clock {clock}: 2**32 or more", start)
        self.spans[client] = (first, clock)

    def read_item(self, info: int, kind: int) -> int:
        """Reads an Item's origins, parent and content; returns its length in clocks."""
        if info & HAS_ORIGIN:
            self.read_id()
        if info & HAS_RIGHT_ORIGIN:
            self.read_id()
        if not info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN):
            if self.read_var_uint("parent info") == 1:
                self.read_string()  # the name of a root type
            else:
                self.read_id()
            if info & HAS_PARENT_SUB:
                self.read_string()
        return self.read_content(kind)

    def read_content(self, kind: int) -> int:
        if kind == DELETED:
            return self.read_var_uint("length")
        if kind == STRING:
            # Yjs counts a string in UTF-16 code units, as does yrs (an astral character: 2).
            return len(self.read_string().encode("utf-16-le")) // 2
        if kind == ANY:
            count = self.read_var_uint("length")
            self.read_any(count)
            return count
        if kind == BINARY:
            self.read_bytes(self.read_var_uint("buffer length"))
        elif kind == EMBED:
            self.read_string()  # a JSON text
        elif kind == FORMAT:
            self.read_string()  # the attribute
            self.read_string()  # its value, a JSON text
        elif kind == TYPE:
            self.read_type()
        elif kind == DOC:
            self.read_string()  # the guid
            self.read_any()  # the options
        return 1

    def read_type(self) -> None:
        start, ref = self.pos, self.read_var_uint("type")
        if ref == XML_HOOK:
            self.fail("Y.XmlHook: the server's Yjs does not read its name", start)
        if ref > LAST_TYPE:
            self.fail(f"unknown shared type {ref}", start)
        if ref == XML_ELEMENT:
            self.read_string()  # the node name

    def read_delete_set(self) -> None:
        for _ in range(self.read_var_uint("client count")):
            client = self.read_client()
            for _ in range(self.read_var_uint("range count")):
                start = self.pos
                end = self.read_var_uint("clock") + self.read_var_uint("length")
                if end >= NUMBER_LIMIT:
                    self.fail(
                        f"deleted range of client {client} ends at clock {end}: 2**32 or more",
                        start,
                    )
                self.refer(client, end)

    def needs(self) -> dict[int, int]:
        """For each client, how many of its clocks a document must hold before this update
        applies in full: what it builds on (origins, parents, deletions) that it does not
        carry itself, and each client's clocks before its first struct here."""
        needs = {client: first for client, (first, _) in self.spans.items() if first}
        for client, upto in self.refs.items():
            first, end = self.spans.get(client, (0, 0))
            if first < upto <= end:
                continue  # within the update's own structs
            if upto > needs.get(client, 0):
                needs[client] = upto
        return needs


def check_ids(update: bytes) -> dict[int, int]:
    """Raise UnsafeUpdate unless every client id, clock and length of this Yjs update (v1)
    reads the same in the browsers' Yjs and in the server's pycrdt, and nothing is left over.
    Returns what the update builds on (`UpdateReader.needs`)."""
    return check_ids_and_ends(update)[0]


def check_ids_and_ends(update: bytes) -> tuple[dict[int, int], dict[int, int]]:
    """`check_ids`, and for each client whose structs the update carries, the clock after
    them: a document that held its needs holds these clocks once it applies the update."""
    reader = UpdateReader(update)
    reader.read_update()
    return reader.needs(), {client: end for client, (_, end) in reader.spans.items()}


def read_state_vector(state: bytes) -> dict[int, int]:
    """A document's state vector (`Doc.get_state()`): each client's clock count."""
    reader = UpdateReader(state)
    clients = {}
    for _ in range(reader.read_var_uint("client count")):
        client = reader.read_client()
        clients[client] = reader.read_var_uint("clock")
    return clients

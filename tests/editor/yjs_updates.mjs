// Real Yjs updates (format v1) of every struct and content kind, for the update checks.
//
// usage: node yjs_updates.mjs
//   stdout: one JSON object {case: {updates: [base64...], kinds: [...]}}; `kinds` names what
//   Yjs's own decodeUpdate finds in the case's updates (GC, Skip, Item:ContentString, ...).
// usage: node yjs_updates.mjs read < updates
//   stdin: a JSON list of base64 updates, applied in turn to one fresh doc; stdout: what Yjs
//   makes of them: {text: the Y.Text "t"} or {error: the message Yjs threw}.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

// The frontend's own copies (CommonJS builds, so yjs is loaded exactly once).
const require = createRequire(new URL("../../frontend/package.json", import.meta.url));
const Y = require("yjs");

const base64 = (update) => Buffer.from(update).toString("base64");

/** Run `edit` on a fresh doc and collect the update of each of its transactions. */
const recorded = (edit, options = {}) => {
  const doc = new Y.Doc(options);
  const updates = [];
  doc.on("update", (update) => updates.push(update));
  edit(doc);
  return { doc, updates };
};

const cases = {};
const add = (name, updates) => {
  cases[name] = updates;
};

// Y.Text: keystrokes, a paste, deletions (delete sets), formatting, embeds.
{
  const { doc, updates } = recorded((doc) => {
    const text = doc.getText("t");
    for (const char of "def f():") text.insert(text.length, char);
    text.insert(4, "long_name_");
    text.delete(2, 5);
    text.insert(0, "# comment\n", { italic: true });
    text.format(2, 4, { bold: true, color: "#ff0000" });
    text.format(2, 2, { bold: null });
    text.insertEmbed(3, { image: "https://example.com/a.png" });
    text.insertEmbed(1, new Y.Map());
    text.delete(0, 3);
  });
  add("text edits, one update each", updates);
  add("text edits, whole document", [Y.encodeStateAsUpdate(doc)]);
}
add("text paste of 600 KB", recorded((doc) => doc.getText("t").insert(0, "x = 1\n".repeat(100_000))).updates);

// Astral characters count two UTF-16 units; splitting one pair makes Yjs write U+FFFD twice.
{
  const { doc, updates } = recorded((doc) => {
    const text = doc.getText("t");
    text.insert(0, "a😀b🎉c 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍👩‍👧‍👦 \u{10FFFF}");
    text.insert(3, "é");
    text.delete(5, 2);
    text.insert(1, "💥");
    text.insert(2, "|"); // between the two halves of 💥
  });
  add("astral characters, one update each", updates);
  add("astral characters, whole document", [Y.encodeStateAsUpdate(doc)]);
}

// Y.Map values of every lib0 readAny tag, a Uint8Array (ContentBinary), shared types.
{
  const values = {
    undefined: undefined,
    null: null,
    zero: 0,
    small: 42,
    negative: -42,
    int31: 2 ** 31 - 1,
    negativeInt31: -(2 ** 31 - 1),
    negativeZero: -0,
    largeInt: 2 ** 40, // float32 in lib0
    safeInt: Number.MAX_SAFE_INTEGER, // float64
    float32: 1.5,
    float64: 0.1,
    huge: 1e300,
    nan: NaN,
    infinity: -Infinity,
    bigint: 12345678901234567890n % 2n ** 63n,
    negativeBigint: -5n,
    true: true,
    false: false,
    string: "héllo 😀",
    emptyString: "",
    object: { a: 1, nested: { b: [1, "x", null, { c: true }] }, "": [] },
    emptyObject: {},
    array: [1, [2, [3, [4]]], "s", 2.5, false],
    emptyArray: [],
    bytesInAny: [new Uint8Array([0, 1, 255])],
  };
  const { doc, updates } = recorded((doc) => {
    const map = doc.getMap("m");
    for (const [key, value] of Object.entries(values)) map.set(key, value);
    map.set("binary", new Uint8Array([1, 2, 3]));
    map.set("nestedMap", new Y.Map([["k", "v"]]));
    map.set("nestedArray", Y.Array.from([1, 2]));
    map.set("nestedText", new Y.Text("inner"));
    map.set("small", 43); // overwritten value: deleted
    map.delete("string");
  });
  add("map values, one update each", updates);
  add("map values, whole document", [Y.encodeStateAsUpdate(doc)]);
}

// Y.Array: insert, push, delete, binary and nested types.
add(
  "array edits",
  recorded((doc) => {
    const array = doc.getArray("a");
    array.insert(0, [1, "two", { three: 3 }, null]);
    array.push([new Uint8Array([9]), new Y.Map(), Y.Array.from(["x"])]);
    array.insert(2, ["middle"]);
    array.delete(1, 2);
    array.unshift([-1]);
  }).updates,
);

// XML types: fragment, elements with attributes, text with formatting.
{
  const { doc, updates } = recorded((doc) => {
    const fragment = doc.getXmlFragment("x");
    const div = new Y.XmlElement("div");
    const text = new Y.XmlText("hello");
    fragment.insert(0, [div, new Y.XmlElement("p")]);
    div.setAttribute("class", "box");
    div.insert(0, [text, new Y.XmlElement("br")]);
    text.format(0, 2, { bold: true });
    div.removeAttribute("class");
  });
  add("xml, one update each", updates);
  add("xml, whole document", [Y.encodeStateAsUpdate(doc)]);
}

// A Y.XmlHook: Yjs writes its name, which yrs does not read. With the name "" and a deletion
// in the same transaction, yrs takes the name's length byte for the end of the update.
add(
  "xml hook",
  recorded((doc) => {
    doc.getText("t").insert(0, "abc");
    doc.transact(() => {
      doc.getText("t").delete(0, 1);
      doc.getXmlFragment("x").insert(0, [new Y.XmlHook("")]);
    });
  }).updates,
);

// Subdocuments: a Y.Doc inside a map, with and without options.
add(
  "subdocuments",
  recorded((doc) => {
    const map = doc.getMap("m");
    map.set("plain", new Y.Doc({ guid: "sub-1" }));
    map.set("loaded", new Y.Doc({ guid: "sub-2", autoLoad: true, gc: false, meta: { v: 1 } }));
  }).updates,
);

// Deleted shared types are garbage collected: GC structs and ContentDeleted.
{
  const { doc } = recorded((doc) => {
    const map = doc.getMap("m");
    const inner = new Y.Map();
    map.set("inner", inner);
    inner.set("a", "x".repeat(10));
    inner.set("b", [1, 2, 3]);
    map.delete("inner");
    doc.getText("t").insert(0, "abcdef");
    doc.getText("t").delete(1, 3);
  });
  add("garbage collected", [Y.encodeStateAsUpdate(doc)]);
}

// Several clients, with origins and right origins between them; state-vector diffs.
{
  const alice = new Y.Doc();
  const bob = new Y.Doc();
  bob.clientID = Number.MAX_SAFE_INTEGER; // the largest client id Yjs can write exactly
  alice.clientID = 2 ** 32 - 1;
  alice.getText("t").insert(0, "hello world");
  Y.applyUpdate(bob, Y.encodeStateAsUpdate(alice));
  const bobUpdates = [];
  bob.on("update", (update) => bobUpdates.push(update));
  bob.getText("t").insert(5, ", dear");
  bob.getText("t").delete(0, 2);
  bob.getText("t").insert(bob.getText("t").length, "!");
  Y.applyUpdate(alice, Y.encodeStateAsUpdate(bob, Y.encodeStateVector(alice)));
  alice.getText("t").insert(3, "😀");
  add("two clients, bob's updates", bobUpdates);
  add("two clients, state-vector diffs", [
    Y.encodeStateAsUpdate(alice, Y.encodeStateVector(bob)),
    Y.encodeStateAsUpdate(bob, Y.encodeStateVector(alice)),
    Y.diffUpdate(Y.encodeStateAsUpdate(alice), Y.encodeStateVector(new Y.Doc())),
    Y.diffUpdate(Y.encodeStateAsUpdate(alice), Y.encodeStateVector(bob)),
  ]);
  add("two clients, whole document", [Y.encodeStateAsUpdate(alice)]);
}

// Merged updates: a gap between one client's updates is written as a Skip struct.
{
  const { updates } = recorded((doc) => {
    const text = doc.getText("t");
    for (const word of ["one ", "two ", "three ", "four "]) text.insert(text.length, word);
    text.delete(0, 2);
  });
  add("merged updates", [
    Y.mergeUpdates(updates),
    Y.mergeUpdates([updates[0], updates[2]]), // clock gap: Skip
    Y.mergeUpdates([updates[1], updates[3], updates[4]]),
    Y.mergeUpdates([new Uint8Array([0, 0]), updates[2]]),
  ]);
}
add("empty update", [Y.encodeStateAsUpdate(new Y.Doc()), Y.mergeUpdates([])]);

/** The struct and content kinds Yjs itself reads in an update. */
const kindsOf = (update) => {
  const { structs, ds } = Y.decodeUpdate(update);
  const kinds = structs.map((s) =>
    s.constructor.name === "Item" ? `Item:${s.content.constructor.name}` : s.constructor.name,
  );
  if (ds.clients.size > 0) kinds.push("DeleteSet");
  return kinds;
};

if (process.argv[2] === "read") {
  const doc = new Y.Doc();
  let result;
  try {
    for (const encoded of JSON.parse(readFileSync(0, "utf8"))) {
      Y.applyUpdate(doc, Buffer.from(encoded, "base64"));
    }
    result = { text: doc.getText("t").toString() };
  } catch (error) {
    result = { error: String(error.message || error) };
  }
  process.stdout.write(JSON.stringify(result));
} else {
  const out = {};
  for (const [name, updates] of Object.entries(cases)) {
    out[name] = { updates: updates.map(base64), kinds: [...new Set(updates.flatMap(kindsOf))].sort() };
  }
  process.stdout.write(JSON.stringify(out));
}

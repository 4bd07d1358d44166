// The unmodified npm y-websocket WebsocketProvider, driven by a test through stdin/stdout.
//
// usage: node y_websocket_client.mjs SERVER_URL ROOM TOKEN ORIGIN TEXT_NAME
// stdin, one JSON object a line: {"op": "insert", "index": i, "value": s},
//   {"op": "delete", "index": i, "length": n}, {"op": "awareness", "state": {...}}
// stdout, one JSON object a line: {"type": "status" | "synced" | "text" | "awareness" |
//   "echo" | "closed", ...}
import { createRequire } from "node:module";
import readline from "node:readline";

// The frontend's own copies (CommonJS builds, so yjs is loaded exactly once).
const require = createRequire(new URL("../../frontend/package.json", import.meta.url));
const Y = require("yjs");
const { WebsocketProvider } = require("y-websocket");
const decoding = require("lib0/decoding");

const [serverUrl, room, token, origin, textName] = process.argv.slice(2);
const emit = (event) => process.stdout.write(JSON.stringify(event) + "\n");

const doc = new Y.Doc();
const text = doc.getText(textName);

// A browser sends its Origin; Node's WebSocket takes it as a header. Incoming awareness
// frames are reported so the test can see the server echo our own state back to us.
class BrowserLikeWebSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, { protocols, headers: { origin } });
    this.addEventListener("message", (event) => {
      const decoder = decoding.createDecoder(new Uint8Array(event.data));
      if (decoding.readVarUint(decoder) !== 1) return;
      const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
      const count = decoding.readVarUint(update);
      for (let i = 0; i < count; i++) {
        const clientId = decoding.readVarUint(update);
        decoding.readVarUint(update); // clock
        const state = JSON.parse(decoding.readVarString(update));
        if (clientId === doc.clientID) emit({ type: "echo", state });
      }
    });
  }
}

const provider = new WebsocketProvider(serverUrl, room, doc, {
  params: { token },
  WebSocketPolyfill: BrowserLikeWebSocket,
  disableBc: true,
});

provider.on("status", ({ status }) => emit({ type: "status", status }));
provider.on("sync", (synced) => synced && emit({ type: "synced" }));
provider.on("connection-close", (event) => event && emit({ type: "closed", code: event.code }));
text.observe(() => emit({ type: "text", value: text.toString() }));
provider.awareness.on("change", () => {
  const states = [];
  for (const [clientId, state] of provider.awareness.getStates()) {
    if (clientId !== doc.clientID) states.push({ clientId, state });
  }
  emit({ type: "awareness", states });
});
emit({ type: "client", clientId: doc.clientID });

const commands = readline.createInterface({ input: process.stdin });
commands.on("line", (line) => {
  const command = JSON.parse(line);
  if (command.op === "insert") text.insert(command.index, command.value);
  else if (command.op === "delete") text.delete(command.index, command.length);
  else if (command.op === "awareness") provider.awareness.setLocalState(command.state);
});
commands.on("close", () => {
  provider.destroy();
  process.exit(0);
});

// The candidate's waiting page before a scheduled interview: a countdown, and a check that
// this browser can reach the server, hold a live connection, load the editor and keep time.
import "./styles/base.css";

const root = document.getElementById("waiting")!;
const start = new Date(root.dataset.start ?? "").getTime();
const OPENS_BEFORE_MS = 5 * 60_000;
let offsetMs = 0; // server clock minus this browser's

function mark(check: string, ok: boolean, text: string): void {
  const li = root.querySelector<HTMLElement>(`[data-check="${check}"]`)!;
  li.dataset.state = ok ? "ok" : "failed";
  li.textContent = `${ok ? "✓" : "✗"} ${text}`;
}

function two(n: number): string {
  return String(n).padStart(2, "0");
}

function tick(): void {
  const left = start - OPENS_BEFORE_MS - (Date.now() + offsetMs);
  if (left <= 0) return location.reload();
  const s = Math.ceil((start - (Date.now() + offsetMs)) / 1000);
  const days = Math.floor(s / 86_400);
  const clock = `${two(Math.floor((s % 86_400) / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  document.getElementById("countdown")!.textContent = days ? `${days} d ${clock}` : clock;
  window.setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
}

async function checkHttp(): Promise<void> {
  try {
    const sent = Date.now();
    const response = await fetch("/healthz", { cache: "no-store" });
    const back = Date.now();
    mark("http", response.ok, response.ok ? `Server reached (${back - sent} ms)` : "The server answered with an error");
    const date = response.headers.get("Date");
    if (date) {
      offsetMs = new Date(date).getTime() + 500 - (sent + back) / 2; // Date has whole seconds
      const off = Math.abs(offsetMs);
      mark("clock", off < 30_000, off < 30_000 ? "Your clock is right" : `Your clock is ${Math.round(off / 1000)} s off; the countdown allows for it`);
    } else mark("clock", true, "Clock not checked");
  } catch {
    mark("http", false, "The server cannot be reached: check your network");
  }
}

function checkWebsocket(): void {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${proto}://${location.host}/ws/doc/${encodeURIComponent(root.dataset.room!)}`);
  const timeout = window.setTimeout(() => {
    mark("websocket", false, "No live connection: a firewall or proxy may block websockets");
    socket.close();
  }, 10_000);
  socket.onopen = () => {
    window.clearTimeout(timeout);
    mark("websocket", true, "Live connection works");
    socket.close();
  };
  socket.onerror = () => {
    window.clearTimeout(timeout);
    mark("websocket", false, "No live connection: a firewall or proxy may block websockets");
  };
}

async function checkEditor(): Promise<void> {
  try {
    const { EditorView } = await import("@codemirror/view");
    const host = document.createElement("div");
    host.hidden = true;
    document.body.append(host);
    new EditorView({ parent: host, doc: "print('hello')" }).destroy();
    host.remove();
    mark("editor", true, "The code editor loads");
  } catch {
    mark("editor", false, "The code editor did not load: try another browser");
  }
}

const startTime = document.getElementById("start-time");
if (startTime && !isNaN(start)) startTime.textContent = new Date(start).toLocaleString([], { dateStyle: "full", timeStyle: "short" });
void checkHttp().then(tick);
checkWebsocket();
void checkEditor();

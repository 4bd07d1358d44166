// The room page: wires the control channel, the shared document, the editor and the panels.
// Interviewer tools load as a separate chunk, only on interviewer screens.
import "./styles/base.css";
import "./styles/room.css";
import { ChatPanel } from "./chat";
import { colorFor } from "./colors";
import { connectionView, endedView } from "./connection";
import { SharedDoc } from "./doc";
import { byId } from "./dom";
import { SharedEditor } from "./editor";
import { guardLeaving } from "./leaveguard";
import { resizablePanes } from "./panes";
import { renderParticipants } from "./participants";
import { ControlClient, FINAL_CODES, type Frame } from "./protocol";
import { renderQuestion } from "./question";
import { mountRunPanel } from "./run/panel";
import { watchSignals } from "./signals";
import type { TimerState } from "./timer";
import { TimerBox } from "./timerbox";
import { seatId, type ChatMessage, type Participant, type Question, type RoomState } from "./types";

interface PageConfig {
  room: string;
  role: RoomState["you"]["role"];
  name: string;
  seat: number;
  kind: string;
}

function readJson<T>(id: string): T | null {
  const el = document.getElementById(id);
  return el?.textContent ? (JSON.parse(el.textContent) as T) : null;
}

const config = readJson<PageConfig>("room-config")!;
const wsBase = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;
const control = new ControlClient(`${wsBase}/ws/rooms/${encodeURIComponent(config.room)}/`);
const readOnly = config.role === "observer";
const shared = new SharedDoc(`${wsBase}/ws/doc`, { roomId: config.room, seat: config.seat, readOnly });
// Observers are silent: no cursor, no name in the editor (the server drops it anyway).
if (readOnly) shared.provider.awareness.setLocalState(null);
else shared.setUser({ name: config.name || config.role, ...colorFor(config.seat) });

const editor = new SharedEditor(byId("editor"), shared.doc, shared.provider.awareness, readOnly);
const timer = new TimerBox(byId("timer"), byId("times-up"), () => control.clock.now());
const chat = new ChatPanel(byId("chat-log"), byId<HTMLFormElement>("chat-form"), (text) =>
  control.send({ type: "chat.send", text }),
);
const questionEl = byId("question");
let participants: Participant[] = [];
let question: Question | null = null;

function showQuestion(q: Question | null): void {
  question = q;
  renderQuestion(questionEl, q, config.role);
  editor.bind(q ? q.text : null, q?.language ?? "text");
  byId("editor-lang").textContent = q && q.language !== "text" ? q.language : "";
  document.body.dataset.question = q ? String(q.id) : "";
}

let ended = false;
// Candidate and observer links die with the room; interviewers stay connected.
const closedToMe = () => ended && config.role !== "interviewer";
const leaveGuard = guardLeaving(() => !closedToMe() && shared.status.pendingEdits > 0);

let everConnected = false;

function drawConnection(): void {
  const view = closedToMe()
    ? endedView(shared.status)
    : connectionView(control.status, shared.status, navigator.onLine, everConnected);
  everConnected ||= view.state === "connected";
  const el = byId("conn");
  el.dataset.state = view.state;
  document.body.dataset.connection = view.state;
  byId("conn-label").textContent = view.label;
}

// Interviewers may take a person out of the room: their link and connections die at once.
const removePerson =
  config.role === "interviewer"
    ? (seat: number, name: string) => {
        if (confirm(`Remove ${name} from the room? Their link stops working.`)) control.send({ type: "seat.revoke", seat });
      }
    : undefined;
const drawPeople = () => renderParticipants(byId("participants"), participants, config.seat, removePerson);

function upsertParticipant(update: Participant): void {
  const id = seatId(update);
  const index = participants.findIndex((p) => seatId(p) === id);
  if (index >= 0) participants[index] = { ...participants[index], ...update };
  else participants.push(update);
  drawPeople();
}

function toast(text: string): void {
  const el = byId("toast");
  el.textContent = text;
  el.hidden = false;
  window.setTimeout(() => (el.hidden = true), 5000);
}

control.on("room.state", (f) => {
  const state = f as unknown as RoomState;
  // Pair practice can swap who interviews: the page for the new role is a different page.
  // Edits still pending are in the local copy and merge after the reload: no leave warning.
  if (state.you?.role && state.you.role !== config.role) {
    leaveGuard.allowLeaving();
    return location.reload();
  }
  participants = state.participants ?? [];
  drawPeople();
  showQuestion(state.question);
  timer.set(state.timer);
  chat.replace(state.chat ?? []);
  if (state.room?.status === "ended") roomEnded();
});
control.on("question.shown", (f) => showQuestion((f.question as Question | null) ?? null));
// The interviewer revealed a step (or went back): the same question, more (or less) of it.
control.on("question.step", (f) => {
  const q = f.question as Question | null;
  if (q && q.id === question?.id) showQuestion(q);
});
control.on("timer.state", (f) => timer.set(((f.timer as TimerState) ?? (f as unknown as TimerState)) || null));
control.on("chat.message", (f) => {
  const message = (f.message as ChatMessage) ?? (f as unknown as ChatMessage);
  chat.add(message, message.seat === config.seat);
});
control.on("presence", (f) => {
  if (Array.isArray(f.participants)) {
    participants = f.participants as Participant[];
    drawPeople();
  } else if (f.participant) upsertParticipant(f.participant as Participant);
  else upsertParticipant(f as unknown as Participant);
});
control.on("room.ended", () => roomEnded());
control.on("signal", (f) => {
  const who = participants.find((p) => seatId(p) === f.seat)?.name || "Someone";
  if (f.kind === "paste") chat.note(`${who} pasted ${f.chars} characters into the editor.`);
});
control.on("error", (f) => {
  // A refused chat message goes back in its box; "unavailable" means stored, just late.
  if (f.for === "chat.send" && f.code !== "unavailable") return chat.refused(String(f.message ?? "refused"));
  toast(String(f.message ?? f.code ?? "Something went wrong"));
});
control.on("connection.closed", (f) => {
  if (f.code === 4410) return roomEnded();
  if (f.code === 4403) return removed();
  const message = FINAL_CODES[f.code as number];
  if (message) toast(message);
});
control.onStatus(drawConnection);
shared.onStatus(drawConnection);
// A dead network can leave sockets looking open while nothing gets through: drop both
// channels when the browser says so (edits then wait as pending), and reconnect when back.
window.addEventListener("offline", () => {
  if (closedToMe()) return;
  control.drop();
  shared.provider.disconnect();
  drawConnection();
});
window.addEventListener("online", () => {
  if (closedToMe()) return;
  control.reconnectNow();
  shared.provider.connect();
  drawConnection();
});

/** This seat was removed (or its link replaced): say so for good, and stop knocking. */
function removed(): void {
  const banner = byId("removed");
  banner.hidden = false;
  control.close();
  shared.halt();
  chat.end();
  editor.freeze();
}

function roomEnded(): void {
  ended = true;
  document.body.dataset.ended = "true";
  byId("ended").hidden = false;
  chat.end();
  // The code is frozen as it stood at the end, for everyone.
  editor.freeze();
  // Candidate and observer links die with the room: stop knocking on the door.
  if (config.role !== "interviewer") {
    control.close();
    shared.halt();
  }
  drawConnection();
}

watchSignals(control, byId("editor"), config.room);
mountRunPanel({ control, host: byId("run-area"), role: config.role, seat: config.seat, getQuestion: () => question });
resizablePanes(document.querySelector<HTMLElement>(".room-grid")!, document.querySelector<HTMLElement>(".panel.side")!, document.querySelector<HTMLElement>(".panel.chat")!);

// In a practice pair the candidate steers the timer too (the server enforces who may).
if (config.role === "interviewer" || (config.kind === "pair" && config.role === "candidate")) {
  void import("./interviewer/tools").then((m) =>
    m.mountInterviewerTools({ control, config, timer, getQuestion: () => question, isInterviewer: config.role === "interviewer" }),
  );
}

// Exposed for the browser tests and for debugging from the console.
(window as unknown as { room: unknown }).room = { control, shared, editor, timer, send: (f: Frame) => control.send(f) };

// Render the server's first paint data (role-filtered) until the live state arrives.
const initial = readJson<Partial<RoomState>>("room-initial");
if (initial) {
  showQuestion(initial.question ?? null);
  timer.set(initial.timer ?? null);
}
drawConnection();
control.connect();

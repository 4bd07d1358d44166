// The review page: replay the interview's code at any instant, with its events, activity,
// notes and the scorecard. Everything comes from the interviewer-only API.
import "./styles/base.css";
import "./styles/review.css";
import { byId, h } from "./dom";
import { renderActivity, bucketEdits } from "./review/activity";
import { roomApi } from "./review/api";
import { CodeView } from "./review/codeview";
import { describeEvents, shownQuestionAt, type ReviewEvent } from "./review/events";
import { Player, type Speed } from "./review/player";
import { Replay, replayFromScratch } from "./review/replay";
import { mountScorecard, type Scorecard } from "./review/scorecard";
import { renderEventList, renderMarks } from "./review/timeline";
import { formatClock, momentHash, parseMoment, toMs } from "./review/time";
import { renderNotes } from "./review/notes";
import { recordingSpan } from "./review/span";
import { arrowKeysBetween } from "./review/tabs";
import { authorColor } from "./review/people";
import type { LogText, Transcript, UpdateLog } from "./review/types";

interface ReviewConfig {
  room: string;
  title: string;
  status: string;
}

const config = JSON.parse(byId("review-config").textContent!) as ReviewConfig;
const api = roomApi(config.room);

function mountSideTabs(): void {
  const tabs = byId("side-tabs");
  const names: [string, string][] = [
    ["events", "Events"],
    ["scorecard", "Scorecard"],
    ["notes", "Notes"],
  ];
  const buttons = names.map(([key, label]) =>
    h("button", { type: "button", role: "tab", id: `tab-btn-${key}`, class: "tab", "aria-controls": `tab-${key}`, onclick: () => select(key) }, label),
  );
  tabs.replaceChildren(...buttons);
  arrowKeysBetween(tabs, buttons);
  function select(key: string): void {
    names.forEach(([k], i) => {
      byId(`tab-${k}`).hidden = k !== key;
      buttons[i].setAttribute("aria-selected", String(k === key));
      buttons[i].tabIndex = k === key ? 0 : -1;
    });
  }
  select("events");
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Keys for the whole page, unless typing in a field or moving in the editor. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest(".cm-editor")) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !["range", "checkbox", "radio", "button"].includes(target.type);
}

async function main(): Promise<void> {
  mountSideTabs();
  const [log, transcript] = await Promise.all([api.updates<UpdateLog>(), api.transcript<Transcript>()]);
  const seats = new Map(log.seats.map((s) => [s.id, s]));
  const nameOf = (seat: number | null) => (seat === null ? "Starter code" : (seats.get(seat)?.name || seats.get(seat)?.role || `Seat ${seat}`));
  const colorOf = (seat: number | null) => authorColor(seat).color;
  // The event list names people by the role they had then (a pair room's peers swap).
  const nameThen = (seat: number | null, role: string) => (seat === null ? "The server" : seats.get(seat)?.name || role || `Seat ${seat}`);
  const events = describeEvents(transcript.events, nameThen, (seat) => seats.get(seat)?.role);
  const replay = new Replay(log.updates, {
    texts: log.texts.map((t) => t.text),
    checkpoints: log.checkpoints,
  });
  const roomEnd = toMs(log.ended_at);
  const { start, end } = recordingSpan(toMs(log.started_at), roomEnd, replay.times, events);
  const activityTimes = [...replay.times, ...events.map((e) => e.at)].sort((a, b) => a - b);
  const player = new Player(start, end, activityTimes, replay.times);
  byId("review-when").textContent = `${new Date(start).toLocaleString([], { dateStyle: "medium", timeStyle: "short" })} · ${formatClock(end - start)}`;
  if (!roomEnd) {
    // A live room: this is the recording so far; reloading fetches what happened since.
    byId("review-when").append(
      " · ",
      h("strong", { class: "live-note" }, "Live: recorded so far"),
      " ",
      h("button", { type: "button", class: "btn small link", onclick: () => location.reload() }, "Reload"),
    );
  }

  // The code: one tab per question, following the question on display unless one is picked.
  const editorHost = byId("review-editor");
  editorHost.replaceChildren();
  const code = new CodeView(editorHost);
  // A tab for each question that was shown or has code; planned but never used ones are noise.
  const shownIds = new Set(transcript.events.filter((e) => e.type === "question.shown").map((e) => e.data?.question));
  replay.seek(replay.length);
  const texts: LogText[] = log.texts.filter((t) => shownIds.has(t.question) || replay.text(t.text) !== "");
  const follow = byId<HTMLInputElement>("follow");
  const showAuthors = byId<HTMLInputElement>("show-authors");
  let picked: LogText | null = texts[0] ?? null;
  const tabHost = byId("question-tabs");
  const tabs = texts.map((text) =>
    h("button", { type: "button", role: "tab", class: "tab", "data-question": text.question, onclick: () => pick(text, true) }, text.title),
  );
  tabHost.replaceChildren(...tabs);
  arrowKeysBetween(tabHost, tabs);
  if (!texts.length) editorHost.prepend(h("p", { class: "empty" }, "No question was shown in this interview, so there is no code to replay."));

  function pick(text: LogText | null, byHand: boolean): void {
    if (byHand) follow.checked = false;
    picked = text;
    tabs.forEach((tab, i) => {
      const on = texts[i] === text;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    });
    if (byHand) draw(player.time);
  }
  follow.addEventListener("change", () => draw(player.time));
  showAuthors.addEventListener("change", () => draw(player.time));

  // Participants: colours, and how much each typed.
  const editsBySeat = new Map<number | null, number>();
  for (const seat of replay.seats) editsBySeat.set(seat, (editsBySeat.get(seat) ?? 0) + 1);
  const starterEdits = editsBySeat.get(null) ?? 0;
  byId("legend").replaceChildren(
    ...log.seats.map((s) =>
      h(
        "li",
        { class: "legend-item", "data-seat": s.id },
        h("span", { class: "swatch", style: `background:${colorOf(s.id)}`, "aria-hidden": "true" }),
        h("span", { class: "legend-name" }, s.name || s.role),
        h("span", { class: "muted" }, ` ${s.role} · ${plural(editsBySeat.get(s.id) ?? 0, "edit")}`),
      ),
    ),
    ...(starterEdits
      ? [h("li", { class: "legend-item", "data-seat": "" }, h("span", { class: "swatch", style: `background:${colorOf(null)}`, "aria-hidden": "true" }), h("span", { class: "legend-name" }, "Starter code"))]
      : []),
  );

  // The timeline.
  const scrub = byId<HTMLInputElement>("scrub");
  scrub.max = String(end - start);
  const jump = (e: ReviewEvent) => {
    player.pause();
    player.seek(e.at);
  };
  renderMarks(byId("marks") as unknown as SVGSVGElement, events, start, end, jump);
  const markEvent = renderEventList(byId<HTMLOListElement>("events"), events, start, colorOf, jump, document.querySelector<HTMLElement>(".side .side-body"));
  const signalsOnly = byId<HTMLInputElement>("signals-only");
  signalsOnly.addEventListener("change", () => byId("events").classList.toggle("signals-only", signalsOnly.checked));
  const signalCount = events.filter((e) => e.signal).length;
  byId("tab-btn-events").textContent = `Events (${events.length})`;
  if (signalCount) byId("tab-btn-events").append(h("span", { class: "signal-count", title: "Integrity signals" }, String(signalCount)));
  const activity = bucketEdits(replay.times, replay.seats, start, end);
  const markActivity = renderActivity(byId("activity"), activity, end, nameOf, (t) => player.seek(t));

  scrub.addEventListener("input", () => player.seek(start + Number(scrub.value)));
  const playButton = byId<HTMLButtonElement>("play");
  playButton.addEventListener("click", () => player.toggle());
  const speed = byId<HTMLSelectElement>("speed");
  const speedNote = byId("speed-note");
  const setSpeed = () => {
    player.speed = (speed.value === "realtime" ? "realtime" : Number(speed.value)) as Speed;
    speedNote.textContent = speed.value === "realtime" ? "as it happened, pauses included" : "faster, pauses over 5 s skipped";
  };
  speed.addEventListener("change", setSpeed);
  setSpeed();

  document.addEventListener("keydown", (ev) => {
    if (isTyping(ev.target) || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (ev.key === " " && !(ev.target instanceof HTMLButtonElement)) {
      ev.preventDefault();
      player.toggle();
    } else if (ev.key === "ArrowLeft" || ev.key === "ArrowRight") {
      if (ev.target instanceof HTMLElement && ev.target.closest("[role=tablist]")) return;
      ev.preventDefault();
      const direction = ev.key === "ArrowRight" ? 1 : -1;
      if (ev.shiftKey) player.seek(player.time + direction * 10_000);
      else player.stepEdit(direction);
    } else if (ev.key === "Home" || ev.key === "End") {
      if (ev.target instanceof HTMLElement && ev.target.closest("[role=tablist]")) return;
      ev.preventDefault();
      player.seek(ev.key === "Home" ? start : end);
    }
  });

  const posTime = byId("pos-time");
  byId("total-time").textContent = formatClock(end - start);
  const lastEditEl = byId("last-edit");
  const langEl = byId("code-lang");

  function draw(t: number): void {
    const position = replay.positionAt(t);
    replay.seek(position);
    if (follow.checked) {
      const shown = shownQuestionAt(transcript.events, t);
      const text = texts.find((x) => x.question === shown) ?? picked;
      if (text !== picked || !tabs.some((tab) => tab.getAttribute("aria-selected") === "true")) pick(text, false);
    }
    langEl.textContent = picked && picked.language !== "text" ? picked.language : "";
    if (picked) {
      const content = replay.text(picked.text);
      code.show(content, picked.language, showAuthors.checked ? replay.authors(picked.text) : null, nameOf, player.playing);
    }
    document.body.dataset.position = String(position);
    scrub.value = String(t - start);
    scrub.setAttribute("aria-valuetext", `${formatClock(t - start)} of ${formatClock(end - start)}`);
    posTime.textContent = formatClock(t - start);
    playButton.textContent = player.playing ? "Pause" : "Play";
    playButton.setAttribute("aria-pressed", String(player.playing));
    if (position > 0) {
      const seat = replay.seats[position - 1];
      const ago = t - replay.times[position - 1];
      const when = `${formatClock(replay.times[position - 1] - start)}${ago >= 1000 ? ` (${formatClock(ago)} ago)` : ""}`;
      lastEditEl.replaceChildren(
        h("span", { class: "swatch", style: `background:${colorOf(seat)}`, "aria-hidden": "true" }),
        seat === null ? `Starter code put in at ${when}` : `Last edit by ${nameOf(seat)} at ${when}`,
      );
    } else {
      lastEditEl.textContent = "No edits yet";
    }
    markEvent(t, player.playing);
    markActivity(t);
  }
  player.onChange(draw);
  // Open at the moment in the link (#t=12:34), else on the final code (what was written).
  const linked = parseMoment(location.hash);
  player.seek(linked !== null ? start + linked : end);
  // While paused, the address names the moment on screen, to share it.
  let shared = "";
  player.onChange((t) => {
    const hash = player.playing ? "" : momentHash(t - start);
    if (hash && hash !== shared) history.replaceState(null, "", (shared = hash));
  });
  window.addEventListener("hashchange", () => {
    const moment = parseMoment(location.hash);
    if (moment !== null && location.hash !== shared) player.seek(start + moment);
  });

  renderNotes(byId("notes"), transcript.notes, nameOf);
  const questions = texts.map((t) => ({ id: t.question, title: t.title }));
  for (const q of transcript.questions ?? []) if (!questions.some((x) => x.id === q.id)) questions.push({ id: q.id, title: q.title });
  api
    .scorecard<Scorecard>()
    .then((card) => mountScorecard(byId<HTMLFormElement>("scorecard"), api, card, questions))
    .catch((error: Error) => byId("scorecard").replaceChildren(h("p", { class: "error" }, `The scorecard could not be loaded: ${error.message}`)));

  // For tests and bench/review_seek.py: the player, its replay, the editor, and the raw log.
  Object.assign(window, { review: { player, replay, code, log, replayFromScratch, ready: true } });
}

main().catch((error: Error) => {
  const banner = byId("load-error");
  banner.textContent = `The recording could not be loaded: ${error.message}`;
  banner.hidden = false;
  byId("review-editor").replaceChildren();
});

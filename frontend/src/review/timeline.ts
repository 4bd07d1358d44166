// The scrubber with the events as marks above it, and the events list to jump from.
import { h } from "../dom";
import { runDetails, type RunEventData } from "../run/record";
import type { ReviewEvent } from "./events";
import { countAtOrBefore, formatClock } from "./time";

const SVG = "http://www.w3.org/2000/svg";

/** Left edge of instant `t` on the timeline, in percent. */
export function percentAt(t: number, start: number, end: number): number {
  if (end <= start) return 0;
  return Math.max(0, Math.min(100, ((t - start) / (end - start)) * 100));
}

/** Ticks for the events over the scrubber; integrity signals tall and red, on top. */
export function renderMarks(host: SVGSVGElement, events: ReviewEvent[], start: number, end: number, onPick: (e: ReviewEvent) => void): void {
  host.replaceChildren();
  const ordered = [...events.filter((e) => !e.signal), ...events.filter((e) => e.signal)];
  for (const event of ordered) {
    const x = `${percentAt(event.at, start, end)}%`;
    const mark = document.createElementNS(SVG, "g");
    mark.setAttribute("class", `mark kind-${event.kind}${event.signal ? " signal" : ""}`);
    const line = document.createElementNS(SVG, "line");
    for (const [k, v] of Object.entries({ x1: x, x2: x, y1: event.signal ? "0" : "40%", y2: "100%" })) line.setAttribute(k, v);
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${formatClock(event.at - start)} ${event.text}`;
    mark.append(line, title);
    if (event.signal) {
      const dot = document.createElementNS(SVG, "circle");
      for (const [k, v] of Object.entries({ cx: x, cy: "4", r: "4" })) dot.setAttribute(k, v);
      mark.append(dot);
    }
    mark.addEventListener("click", () => onPick(event));
    host.append(mark);
  }
}

/**
 * The list of events; returns a function that marks the latest one at or before `t` and, when
 * `reveal` (playing), scrolls it into view inside `scroller` only: never the page itself.
 */
export function renderEventList(
  host: HTMLOListElement,
  events: ReviewEvent[],
  start: number,
  nameColor: (seat: number | null) => string,
  onPick: (e: ReviewEvent) => void,
  scroller: HTMLElement | null = null,
): (t: number, reveal: boolean) => void {
  const items = events.map((event) =>
    h(
      "li",
      { class: `event kind-${event.kind}${event.signal ? " signal" : ""}`, "data-type": event.type },
      h(
        "button",
        { type: "button", class: "event-jump", onclick: () => onPick(event), title: "Jump to this moment" },
        h("time", { class: "event-time" }, formatClock(event.at - start)),
        h("span", { class: "event-dot", style: `background:${nameColor(event.seat)}`, "aria-hidden": "true" }),
        h("span", { class: "event-text" }, event.signal ? h("strong", { class: "signal-tag" }, "Signal ") : null, event.text),
        event.role ? h("span", { class: "event-role" }, event.role) : null,
      ),
      event.type === "run" ? runDetails((event.data ?? {}) as RunEventData) : null,
    ),
  );
  host.replaceChildren(...items);
  const times = events.map((e) => e.at);
  let current: HTMLElement | null = null;
  return (t: number, reveal: boolean) => {
    const index = countAtOrBefore(times, t) - 1;
    const item = index >= 0 ? items[index] : null;
    if (item === current) return;
    current?.removeAttribute("aria-current");
    item?.setAttribute("aria-current", "true");
    current = item;
    if (!reveal || !item || !scroller || scroller.scrollHeight <= scroller.clientHeight) return;
    const box = scroller.getBoundingClientRect();
    const row = item.getBoundingClientRect();
    if (row.height === 0) return; // the events tab is hidden
    if (row.top < box.top) scroller.scrollTop -= box.top - row.top + 8;
    else if (row.bottom > box.bottom) scroller.scrollTop += row.bottom - box.bottom + 8;
  };
}

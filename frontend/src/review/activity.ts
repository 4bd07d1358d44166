// The activity chart: edits per minute, stacked by participant, as SVG bars.
import { authorColor } from "./people";
import { formatClock } from "./time";

export interface Activity {
  start: number;
  bucketMs: number;
  /** seat -> edits in each bucket */
  perSeat: Map<number | null, number[]>;
  /** edits in each bucket, everyone together */
  totals: number[];
}

/** Count edits per bucket and seat between `start` and `end` (edits outside are clamped in). */
export function bucketEdits(
  times: readonly number[],
  seats: readonly (number | null)[],
  start: number,
  end: number,
  bucketMs = 60_000,
): Activity {
  const count = Math.max(1, Math.ceil((end - start) / bucketMs));
  const perSeat = new Map<number | null, number[]>();
  const totals = new Array<number>(count).fill(0);
  times.forEach((t, i) => {
    const bucket = Math.min(count - 1, Math.max(0, Math.floor((t - start) / bucketMs)));
    let row = perSeat.get(seats[i]);
    if (!row) perSeat.set(seats[i], (row = new Array<number>(count).fill(0)));
    row[bucket]++;
    totals[bucket]++;
  });
  return { start, bucketMs, perSeat, totals };
}

/** Spacing of the time axis' labels: a round number of minutes, at most about 8 labels. */
export function axisStep(spanMs: number): number {
  const minutes = [1, 2, 5, 10, 15, 30, 60, 120].find((m) => spanMs / (m * 60_000) <= 8) ?? 240;
  return minutes * 60_000;
}

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Draws the chart into `host`; returns a function that moves the "now" line. */
export function renderActivity(
  host: HTMLElement,
  activity: Activity,
  end: number,
  nameOf: (seat: number | null) => string,
  onPick: (t: number) => void,
): (t: number) => void {
  const span = Math.max(1, end - activity.start);
  const height = 60;
  const max = Math.max(1, ...activity.totals);
  const chart = svg("svg", { viewBox: `0 0 1000 ${height}`, preserveAspectRatio: "none", class: "activity-chart", role: "img" });
  const total = activity.totals.reduce((a, b) => a + b, 0);
  const busiest = activity.totals.indexOf(Math.max(...activity.totals));
  chart.setAttribute(
    "aria-label",
    total ? `${total} edits; busiest minute ${formatClock(busiest * activity.bucketMs)} with ${activity.totals[busiest]}` : "No edits",
  );
  const seats = [...activity.perSeat.keys()];
  activity.totals.forEach((sum, b) => {
    if (!sum) return;
    const x = ((b * activity.bucketMs) / span) * 1000;
    const w = Math.max(1, (Math.min(activity.bucketMs, span - b * activity.bucketMs) / span) * 1000 - 1.5);
    let y = height;
    const group = svg("g", { class: "bar" });
    const parts: string[] = [];
    for (const seat of seats) {
      const n = activity.perSeat.get(seat)![b];
      if (!n) continue;
      const h = (n / max) * (height - 2);
      y -= h;
      group.append(svg("rect", { x, y, width: w, height: h, fill: authorColor(seat).color, "data-seat": seat ?? "" }));
      parts.push(`${nameOf(seat)} ${n}`);
    }
    const title = svg("title", {});
    title.textContent = `${formatClock(b * activity.bucketMs)}–${formatClock((b + 1) * activity.bucketMs)}: ${parts.join(", ")}`;
    group.append(title);
    chart.append(group);
  });
  const now = svg("line", { x1: 0, x2: 0, y1: 0, y2: height, class: "now", "vector-effect": "non-scaling-stroke" });
  chart.append(now);
  chart.addEventListener("click", (ev) => {
    const box = chart.getBoundingClientRect();
    const fraction = (ev.clientX - box.left) / box.width;
    const bucket = Math.floor((fraction * span) / activity.bucketMs);
    onPick(activity.start + bucket * activity.bucketMs);
  });
  const axis = document.createElement("div");
  axis.className = "axis";
  axis.setAttribute("aria-hidden", "true");
  const step = axisStep(span);
  for (let t = 0; t <= span; t += step) {
    const label = document.createElement("span");
    label.textContent = formatClock(t);
    label.style.left = `${(t / span) * 100}%`;
    axis.append(label);
  }
  host.replaceChildren(chart, axis);
  return (t: number) => {
    const x = ((t - activity.start) / span) * 1000;
    now.setAttribute("x1", String(x));
    now.setAttribute("x2", String(x));
  };
}

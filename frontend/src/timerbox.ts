// The countdown on screen, redrawn right as each second turns over, so every screen
// flips to the same second together (to within their clock offsets).
import { timerView, type TimerState, type TimerView } from "./timer";

export class TimerBox {
  private state: TimerState | null = null;
  private last = "";
  private tick: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly el: HTMLElement,
    private readonly banner: HTMLElement,
    private readonly serverNow: () => number,
  ) {}

  set(state: TimerState | null): void {
    this.state = state;
    this.draw();
  }

  get current(): TimerState | null {
    return this.state;
  }

  view(): TimerView {
    return timerView(this.state, this.serverNow());
  }

  draw(): void {
    const view = this.view();
    clearTimeout(this.tick);
    if (view.phase === "running" || view.phase === "warning") {
      // The label shows whole seconds rounded up: it changes when remainingMs crosses n*1000.
      const untilNextSecond = view.remainingMs % 1000 || 1000;
      this.tick = setTimeout(() => this.draw(), untilNextSecond + 5);
    }
    const key = `${view.phase}|${view.label}`;
    if (key === this.last) return;
    this.last = key;
    this.el.textContent = view.label;
    this.el.dataset.phase = view.phase;
    this.el.setAttribute(
      "aria-label",
      view.phase === "expired" ? "Time's up" : view.phase === "idle" ? "Timer not started" : `${view.label} left${view.phase === "paused" ? ", paused" : ""}`,
    );
    this.banner.hidden = view.phase !== "expired";
  }
}

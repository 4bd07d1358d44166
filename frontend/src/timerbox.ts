// The countdown on screen, redrawn on every animation frame tick of a second.
import { timerView, type TimerState, type TimerView } from "./timer";

export class TimerBox {
  private state: TimerState | null = null;
  private last = "";

  constructor(
    private readonly el: HTMLElement,
    private readonly banner: HTMLElement,
    private readonly serverNow: () => number,
  ) {
    setInterval(() => this.draw(), 200);
  }

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

// Whether the participant is on the room's tab, as the transcript should hear it: a real loss
// of focus or visibility while the page stays open, and the return. A page being unloaded
// (reload, navigation, a pair's role swap) loses focus and visibility on its way out; that is a
// leave and a join of its connection, which the server records as such, never "left the tab".

/** A loss shorter than this is not reported: the blur that comes just before an unload, or a glance. */
export const FOCUS_GRACE_MS = 1500;

export interface FocusOptions {
  /** Sends a report; false when it could not go out (no connection), to be retried. */
  send: (focus: boolean) => boolean;
  isFocused: () => boolean;
  /** What the transcript last heard from this tab (kept across the tab's reloads). */
  reported?: boolean;
  onReported?: (focus: boolean) => void;
  graceMs?: number;
}

export class FocusReporter {
  private reported: boolean;
  /** What the transcript should hear: changes only on a real change seen by this page. */
  private wanted: boolean;
  private lossTimer: ReturnType<typeof setTimeout> | null = null;
  private unloading = false;

  constructor(private readonly options: FocusOptions) {
    // A new connection starts as focused on the server; a page opened or reloaded out of
    // sight has not left anything yet.
    this.reported = options.reported ?? true;
    this.wanted = this.reported;
  }

  /** Focus or visibility changed (focus, blur, visibilitychange). */
  changed(): void {
    if (this.unloading) return;
    if (this.options.isFocused()) {
      this.cancelLoss();
      this.want(true);
    } else if (this.lossTimer === null) {
      this.lossTimer = setTimeout(() => {
        this.lossTimer = null;
        if (!this.unloading && !this.options.isFocused()) this.want(false);
      }, this.options.graceMs ?? FOCUS_GRACE_MS);
    }
  }

  /** The page is going away (pagehide): nothing from here on is a signal. */
  unload(): void {
    this.unloading = true;
    this.cancelLoss();
  }

  /** The page came back from the back/forward cache. */
  resume(): void {
    this.unloading = false;
    this.changed();
  }

  /** A (re)connection: send what it missed while down, never a change of its own. */
  flush(): void {
    if (this.unloading || this.wanted === this.reported) return;
    if (this.options.send(this.wanted)) {
      this.reported = this.wanted;
      this.options.onReported?.(this.reported);
    }
  }

  private want(focus: boolean): void {
    this.wanted = focus;
    this.flush();
  }

  private cancelLoss(): void {
    if (this.lossTimer !== null) clearTimeout(this.lossTimer);
    this.lossTimer = null;
  }
}

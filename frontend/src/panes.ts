// Resizable panes on wide screens: drag (or arrow-key) the line between the question and the
// editor, or between the editor and the chat. Widths are remembered by this browser.

const KEY = "interview-room.panes";
const LIMITS = { side: [220, 760], chat: [200, 640] } as const;
type Pane = keyof typeof LIMITS;
type Widths = Partial<Record<Pane, number>>;

function read(): Widths {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "{}") as Widths;
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

function clamp(pane: Pane, px: number): number {
  const [low, high] = LIMITS[pane];
  return Math.round(Math.min(high, Math.max(low, px)));
}

export function resizablePanes(grid: HTMLElement, side: HTMLElement, chat: HTMLElement): void {
  const widths = read();
  const apply = () => {
    for (const pane of ["side", "chat"] as Pane[]) {
      const px = widths[pane];
      if (typeof px === "number" && Number.isFinite(px)) grid.style.setProperty(`--${pane}-w`, `${clamp(pane, px)}px`);
    }
    place();
  };
  const save = () => {
    try {
      localStorage.setItem(KEY, JSON.stringify(widths));
    } catch {
      // Private mode: the widths last for this page only.
    }
  };
  const handles = (["side", "chat"] as Pane[]).map((pane) => {
    const handle = document.createElement("div");
    handle.className = `pane-handle pane-handle-${pane}`;
    handle.setAttribute("role", "separator");
    handle.setAttribute("aria-orientation", "vertical");
    handle.setAttribute("aria-label", pane === "side" ? "Resize the question pane" : "Resize the chat pane");
    handle.tabIndex = 0;
    const width = () => (pane === "side" ? side : chat).getBoundingClientRect().width;
    const set = (px: number) => {
      widths[pane] = clamp(pane, px);
      apply();
    };
    handle.addEventListener("pointerdown", (down) => {
      down.preventDefault();
      handle.setPointerCapture(down.pointerId);
      const start = width();
      const move = (ev: PointerEvent) => set(start + (pane === "side" ? 1 : -1) * (ev.clientX - down.clientX));
      const up = () => {
        handle.removeEventListener("pointermove", move);
        handle.removeEventListener("pointerup", up);
        save();
      };
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", up);
    });
    handle.addEventListener("keydown", (ev) => {
      if (ev.key !== "ArrowLeft" && ev.key !== "ArrowRight") return;
      ev.preventDefault();
      const step = (ev.key === "ArrowRight" ? 24 : -24) * (pane === "side" ? 1 : -1);
      set(width() + step);
      save();
    });
    grid.append(handle);
    return handle;
  });
  function place(): void {
    const box = grid.getBoundingClientRect();
    const [sideHandle, chatHandle] = handles;
    if (!sideHandle) return;
    const s = side.getBoundingClientRect();
    const c = chat.getBoundingClientRect();
    sideHandle.style.left = `${s.right - box.left}px`;
    chatHandle.style.left = `${c.left - box.left - 10}px`;
  }
  window.addEventListener("resize", place);
  apply();
}

// Tabs as WAI-ARIA describes them: Left and Right move to the neighbouring tab and select it.

export function arrowKeysBetween(host: HTMLElement, tabs: HTMLButtonElement[]): void {
  host.addEventListener("keydown", (ev) => {
    const i = tabs.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0 || (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft")) return;
    ev.preventDefault();
    const next = tabs[(i + (ev.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    next.click();
  });
}

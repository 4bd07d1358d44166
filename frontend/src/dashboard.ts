// Dashboard: copy buttons for seat links, times shown in the viewer's own zone, and the kind
// of room following the chosen template (a pair-practice set makes a pair room).
import "./styles/base.css";
import "./styles/dashboard.css";

for (const button of document.querySelectorAll<HTMLButtonElement>("[data-copy]")) {
  button.addEventListener("click", async () => {
    const input = document.getElementById(button.dataset.copy!) as HTMLInputElement;
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      document.execCommand("copy");
    }
    const label = button.textContent;
    button.textContent = "Copied";
    window.setTimeout(() => (button.textContent = label), 1500);
  });
}

for (const el of document.querySelectorAll<HTMLTimeElement>("time[datetime]")) {
  const at = new Date(el.dateTime);
  if (!isNaN(at.getTime())) el.textContent = at.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

const templateSelect = document.getElementById("id_template") as HTMLSelectElement | null;
templateSelect?.addEventListener("change", () => {
  const kind = templateSelect.selectedOptions[0]?.dataset.kind;
  const radio = kind && document.querySelector<HTMLInputElement>(`input[name=kind][value="${kind}"]`);
  if (radio) radio.checked = true;
});

// The scheduled time is typed in the viewer's own zone and sent as an instant.
const local = document.getElementById("id_scheduled_local") as HTMLInputElement | null;
const instant = document.getElementById("id_scheduled_at") as HTMLInputElement | null;
local?.closest("form")?.addEventListener("submit", () => {
  const at = local.value ? new Date(local.value) : null;
  if (instant) instant.value = at && !isNaN(at.getTime()) ? at.toISOString() : "";
});

// Dashboard: copy buttons for seat links, and times shown in the viewer's own zone.
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

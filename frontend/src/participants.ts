// Who is in the room, online or not, and whether their tab is in front.
import { h } from "./dom";
import { colorFor } from "./colors";
import { seatId, type Participant } from "./types";

/** `remove`: given on interviewers' screens, a button per other person takes them out. */
export function renderParticipants(
  list: HTMLElement,
  participants: Participant[],
  me: number | undefined,
  remove?: (seat: number, name: string) => void,
): void {
  list.replaceChildren(
    ...participants.map((p) => {
      const id = seatId(p);
      const online = p.online !== false;
      const away = online && (p.focus === false || p.focused === false);
      const state = !online ? "offline" : away ? "away from the tab" : "online";
      // One seat open in two tabs (or two browsers) is worth knowing.
      const tabs = (p.tabs ?? 0) > 1 ? ` · ${p.tabs} tabs` : "";
      const label = `${p.name || p.role}${id === me ? " (you)" : ""}${tabs}`;
      return h(
        "li",
        { class: `person ${online ? "online" : "offline"}${away ? " away" : ""}`, title: `${label}: ${p.role}, ${state}` },
        h("span", { class: "dot", style: `background: ${colorFor(id ?? p.name).color}`, "aria-hidden": "true" }),
        h("span", { class: "name" }, label),
        h("span", { class: "visually-hidden" }, `, ${p.role}, ${state}`),
        remove && id !== undefined && id !== me
          ? h("button", { type: "button", class: "remove", "aria-label": `Remove ${p.name || p.role}`, title: "Remove from the room (their link stops working)", onclick: () => remove(id, p.name || p.role) }, "×")
          : null,
      );
    }),
  );
}

// Chat: the log (newest at the bottom, kept in view) and the send form.
import { h } from "./dom";
import { colorFor } from "./colors";
import type { ChatMessage } from "./types";

export const CHAT_MAX = 2000;

export class ChatPanel {
  private seen = new Set<string>();

  constructor(
    private readonly log: HTMLElement,
    form: HTMLFormElement,
    private readonly send: (text: string) => boolean,
  ) {
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const input = form.elements.namedItem("text") as HTMLTextAreaElement;
      const text = input.value.trim();
      if (!text) return;
      if (text.length > CHAT_MAX) return this.note(`Messages are limited to ${CHAT_MAX} characters.`);
      if (this.send(text)) input.value = "";
      else this.note("Not sent: reconnecting. Your message is still in the box.");
    });
    const input = form.elements.namedItem("text") as HTMLTextAreaElement;
    input.addEventListener("keydown", (ev) => {
      // Enter sends, Shift+Enter adds a line.
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
  }

  replace(messages: ChatMessage[]): void {
    this.seen.clear();
    this.log.replaceChildren();
    messages.forEach((m) => this.add(m));
  }

  add(message: ChatMessage): void {
    const key = message.id !== undefined ? `id:${message.id}` : `${message.at}|${message.seat}|${message.text}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const at = message.at !== undefined ? new Date(message.at) : null;
    const time = at && !isNaN(at.getTime()) ? at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
    const name = message.name || message.role || "someone";
    const who = h("span", { class: "who", style: `color: ${colorFor(message.seat ?? name).color}` }, name);
    const aside = message.to === "interviewers" ? h("span", { class: "aside" }, "to interviewers") : null;
    this.log.append(
      h("li", { class: "msg" }, h("div", { class: "meta" }, who, aside, h("time", {}, time)), h("div", { class: "text" }, message.text)),
    );
    this.log.scrollTop = this.log.scrollHeight;
  }

  note(text: string): void {
    this.log.append(h("li", { class: "msg system" }, text));
    this.log.scrollTop = this.log.scrollHeight;
  }
}

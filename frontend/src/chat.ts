// Chat: the log (newest at the bottom, kept in view) and the send form.
import { h } from "./dom";
import { colorFor } from "./colors";
import type { ChatMessage } from "./types";

export const CHAT_MAX = 2000;

export class ChatPanel {
  private seen = new Set<string>();
  private readonly input: HTMLTextAreaElement;
  /** The last message sent and not yet seen coming back: restored if the server refuses it. */
  private unconfirmed: string | null = null;
  private ended = false;

  constructor(
    private readonly log: HTMLElement,
    private readonly form: HTMLFormElement,
    private readonly send: (text: string) => boolean,
  ) {
    const input = form.elements.namedItem("text") as HTMLTextAreaElement;
    this.input = input;
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      if (this.ended) return this.note("Not sent: the interview has ended.");
      if (text.length > CHAT_MAX) return this.note(`Messages are limited to ${CHAT_MAX} characters.`);
      if (this.send(text)) {
        this.unconfirmed = text;
        input.value = "";
      } else this.note("Not sent: reconnecting. Your message is still in the box.");
    });
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

  /** The server refused the last message: put it back in the box (unless something new is
   * being typed there) and say why. */
  refused(reason: string): void {
    const text = this.unconfirmed;
    this.unconfirmed = null;
    if (text === null) return;
    if (!this.input.value.trim()) this.input.value = text;
    this.note(this.ended ? "Not sent: the interview has ended." : `Not sent: ${reason}. Your message is still in the box.`);
  }

  /** The room has ended: nobody talks any more, and the box says so. */
  end(): void {
    this.ended = true;
    this.input.disabled = true;
    this.input.placeholder = "The interview has ended";
    this.form.querySelector("button")?.setAttribute("disabled", "");
  }

  add(message: ChatMessage, mine = false): void {
    if (mine && message.text === this.unconfirmed) this.unconfirmed = null;
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

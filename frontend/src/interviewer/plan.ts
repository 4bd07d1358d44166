// The room's plan (questions in order, each shown or not) and the bank picker.
import { h } from "../dom";
import type { ControlClient } from "../protocol";
import { categoryName, type PlanItem, type Question } from "../types";

interface SearchHit {
  id: number;
  slug?: string;
  title: string;
  category: Question["category"];
  difficulty: string;
  language?: string;
  expected_minutes?: number;
  tags?: string[];
}

interface CategoryOption {
  slug: string;
  name: string;
}

export class PlanPanel {
  private items: PlanItem[] = [];
  private shownId: number | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly control: ControlClient,
    // The room this screen belongs to: a co-interviewer without an account searches through it.
    private readonly room: string,
  ) {
    const form = this.searchForm();
    root.append(
      h("h3", {}, "Plan"),
      h("ol", { class: "plan", id: "plan" }),
      h("h3", {}, "Find in the bank"),
      form,
      h("ul", { class: "hits", id: "hits", "aria-live": "polite" }),
      h("h3", {}, "Or write one now"),
      this.padForm(),
    );
    void this.loadCategories(form.querySelector<HTMLSelectElement>("#bank-category")!);
  }

  setPlan(items: PlanItem[]): void {
    this.items = items;
    this.draw();
  }

  setShown(question: Question | null): void {
    this.shownId = question?.id ?? null;
    this.draw();
  }

  private draw(): void {
    const list = this.root.querySelector<HTMLElement>("#plan")!;
    if (this.items.length === 0) {
      list.replaceChildren(h("li", { class: "muted" }, "The plan is empty: find a question below and show it."));
      return;
    }
    list.replaceChildren(
      ...this.items.map((item) => {
        const onShow = item.id === this.shownId;
        return h(
          "li",
          { class: `plan-item${onShow ? " on-show" : ""}` },
          h(
            "div",
            { class: "plan-text" },
            h("span", { class: "plan-title" }, item.title),
            h("span", { class: "muted" }, ` ${item.difficulty}${item.minutes ? ` · ${item.minutes} min` : ""}${item.shown && !onShow ? " · shown" : ""}`),
          ),
          item.pad
            ? h("button", { type: "button", class: "btn small", onclick: () => this.control.send({ type: "pad.save", question: item.id }), "aria-label": `Save ${item.title} to the bank` }, "Save to bank")
            : null,
          onShow
            ? h("span", { class: "chip live" }, "On display")
            : h("button", { type: "button", class: "btn small", onclick: () => this.show(item.id), "aria-label": `Show ${item.title}` }, item.shown ? "Show again" : "Show"),
        );
      }),
    );
  }

  private show(questionId: number): void {
    this.control.send({ type: "question.show", question: questionId });
  }

  /** A blank pad: a title, a language and (optionally) a prompt, shown to everyone at once. */
  private padForm(): HTMLFormElement {
    const title = h("input", { id: "pad-title", name: "title", maxlength: 200, required: true, placeholder: "e.g. Reverse a linked list" });
    const language = h(
      "select",
      { id: "pad-language", name: "language" },
      ...[
        ["python", "Python"],
        ["sql", "SQL"],
        ["javascript", "JavaScript"],
        ["typescript", "TypeScript"],
        ["text", "Plain text"],
      ].map(([value, label]) => h("option", { value }, label)),
    );
    const prompt = h("textarea", { id: "pad-prompt", name: "prompt", rows: 3, maxlength: 20000, placeholder: "The question, in Markdown (optional)" });
    const form = h(
      "form",
      { class: "pad-form" },
      h("label", { class: "field-label", for: "pad-title" }, "Pad title"),
      title,
      h("label", { class: "field-label", for: "pad-language" }, "Language"),
      language,
      h("label", { class: "field-label", for: "pad-prompt" }, "Prompt"),
      prompt,
      h("button", { type: "submit", class: "btn primary" }, "Open the pad"),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (!title.value.trim()) return title.focus();
      if (this.control.send({ type: "pad.create", title: title.value, language: language.value, prompt: prompt.value })) form.reset();
    });
    return form;
  }

  private searchForm(): HTMLFormElement {
    const form = h(
      "form",
      { class: "search", role: "search" },
      h("label", { class: "visually-hidden", for: "bank-q" }, "Search the question bank"),
      h("input", { id: "bank-q", name: "q", type: "search", placeholder: "Search questions…" }),
      h("label", { class: "visually-hidden", for: "bank-category" }, "Category"),
      h("select", { id: "bank-category", name: "category" }, h("option", { value: "" }, "Any category")),
      h("label", { class: "visually-hidden", for: "bank-difficulty" }, "Difficulty"),
      h(
        "select",
        { id: "bank-difficulty", name: "difficulty" },
        h("option", { value: "" }, "Any level"),
        h("option", { value: "easy" }, "Easy"),
        h("option", { value: "medium" }, "Medium"),
        h("option", { value: "hard" }, "Hard"),
      ),
      h("button", { type: "submit", class: "btn" }, "Search"),
    );
    let timer = 0;
    const run = () => void this.search(form);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      run();
    });
    // Typing waits for a pause; choosing from a list searches at once.
    form.addEventListener("change", (ev) => {
      if (ev.target instanceof HTMLSelectElement) run();
    });
    form.addEventListener("input", (ev) => {
      if (ev.target instanceof HTMLSelectElement) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 250);
    });
    return form;
  }

  private async loadCategories(select: HTMLSelectElement): Promise<void> {
    try {
      const response = await fetch(`/questions/categories?${new URLSearchParams({ room: this.room })}`, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const body = (await response.json()) as { results?: CategoryOption[] };
      select.append(...(body.results ?? []).map((c) => h("option", { value: c.slug }, c.name)));
    } catch {
      // The search still works across every category.
    }
  }

  private async search(form: HTMLFormElement): Promise<void> {
    const params = new URLSearchParams(new FormData(form) as unknown as Record<string, string>);
    params.set("room", this.room);
    const hits = this.root.querySelector<HTMLElement>("#hits")!;
    let results: SearchHit[];
    try {
      const response = await fetch(`/questions/search?${params}`, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      const body = await response.json();
      results = (Array.isArray(body) ? body : (body.results ?? body.questions ?? [])) as SearchHit[];
    } catch {
      hits.replaceChildren(h("li", { class: "muted" }, "The search did not answer; try again."));
      return;
    }
    if (results.length === 0) {
      hits.replaceChildren(h("li", { class: "muted" }, "No question matches."));
      return;
    }
    const planned = new Set(this.items.map((i) => i.id));
    hits.replaceChildren(
      ...results.slice(0, 30).map((hit) =>
        h(
          "li",
          { class: "hit" },
          h(
            "div",
            { class: "plan-text" },
            h("span", { class: "plan-title" }, hit.title),
            h("span", { class: "muted" }, ` ${categoryName(hit.category)} · ${hit.difficulty}${hit.expected_minutes ? ` · ${hit.expected_minutes} min` : ""}`),
          ),
          planned.has(hit.id) ? h("span", { class: "muted" }, "In plan") : null,
          // Showing a question that is not in the plan appends it to the plan first.
          h("button", { type: "button", class: "btn small primary", onclick: () => this.show(hit.id), "aria-label": `Show ${hit.title} now` }, "Show now"),
        ),
      ),
    );
  }
}

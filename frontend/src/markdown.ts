// Question prompts are Markdown written by interviewers; sanitised before they touch the DOM.
import DOMPurify from "dompurify";
import { marked } from "marked";

export function renderMarkdown(source: string): string {
  return DOMPurify.sanitize(marked.parse(source ?? "", { async: false }) as string);
}

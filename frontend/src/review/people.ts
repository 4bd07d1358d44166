// Colours of the people whose edits the review shows; starter code (nobody's typing) is grey.
import { colorFor } from "../colors";

const STARTER = { color: "#868e96", colorLight: "#868e9633" };

export function authorColor(seat: number | null): { color: string; colorLight: string } {
  return seat === null ? STARTER : colorFor(seat);
}

import { bestOffset } from "./clock";

// Placeholder entry point until the room page lands.
console.debug("server clock offset", bestOffset([]));

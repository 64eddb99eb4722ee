export { createTestNotarizer } from "./test-notarizer.js";
export type { SignSessionOptions, TestNotarizer } from "./test-notarizer.js";

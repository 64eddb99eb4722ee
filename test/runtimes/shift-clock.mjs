// Preloaded into `next start` by test/nextjs.test.ts (NODE_OPTIONS=--import): moves Date.now by
// CLOCK_OFFSET_MS, so that the real production token (past its expiry) is checked at a time it was valid.
const offset = Number(process.env.CLOCK_OFFSET_MS ?? "0");
const realNow = Date.now;
if (offset !== 0) Date.now = () => realNow() + offset;

/** Test helpers for the bot framework: one whole unit and holdings rich enough for any test trade. */
import { type Holdings, toUnits } from "../../src/sdk/bots/index.js";

export const ONE = toUnits(1);
export const rich: Holdings = { base: toUnits(100), quote: toUnits(1_000_000), coin: ONE };

// Log queries that cover the whole chain, narrowed only when the node says they match too much.
import { batch } from "./rpc.js";

/**
 * The log search covers the whole chain (each query goes through the node's address or
 * topic index, so its cost is the logs it matches, not the blocks); a query that matches
 * more logs than the node returns at once is asked again for the last blocks only.
 */
export const RETRY_WINDOWS = [10_000, 200];
/** `weft_getLogs`'s refusals that a narrower range can cure: too costly, too many logs. */
const TOO_MUCH = new Set([-32020, -32021]);

/**
 * Runs `queries` (`weft_getLogs` filters from block 0 to `head`) in one batch. A query the
 * node refuses as too costly or matching too many logs is asked again over the last
 * `RETRY_WINDOWS` blocks, the next window after another such refusal. Any other refusal is
 * not a matter of range (the node busy, a bad filter): the query is given up, and returned
 * in `refused` with its error, so the page can say its list is incomplete.
 *
 * @example
 *   const { logs, narrowed, refused, window } = await logsNarrowing([{ fromBlock: 0, toBlock: head, address }], head);
 */
export async function logsNarrowing(queries, head, send = batch) {
  const logs = [];
  const refused = [];
  let asked = queries;
  let narrowed = 0;
  let window = 0;
  for (const blocks of [undefined, ...RETRY_WINDOWS]) {
    if (asked.length === 0) break;
    if (blocks !== undefined) {
      window = blocks;
      asked = asked.map((q) => ({ ...q, fromBlock: Math.max(0, head - blocks + 1) }));
      if (narrowed === 0) narrowed = asked.length;
    }
    const answers = await send(asked.map((q) => ["weft_getLogs", [q]]));
    const again = [];
    answers.forEach((answer, i) => {
      if (!answer.error) logs.push(...answer.result);
      else if (TOO_MUCH.has(answer.error.code)) again.push(asked[i]);
      else refused.push(answer.error);
    });
    asked = again;
  }
  for (const q of asked)
    refused.push({ code: -32021, message: `too many logs even in the last ${window} blocks`, query: q });
  return { logs, narrowed, refused, window };
}

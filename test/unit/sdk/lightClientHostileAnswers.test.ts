/**
 * A node's `weft_getEpochLinks` answer is JSON from anyone: `trustedSetAt` refuses every
 * malformed answer with a typed `LightClientError`, never a crash (before: items that were
 * not objects, links that were null, numbers or objects threw TypeErrors, and an object
 * link skipped the decoder's checks).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createClient } from "../../../src/sdk/client/client.js";
import { genesisValidators, LightClientError, trustedSetAt } from "../../../src/sdk/client/lightClient.js";
import { stakesGenesisJson } from "../../helpers/validators.js";

const CHAIN = 1337n;

function genesisSet() {
  const json = stakesGenesisJson(CHAIN, [1000n, 1000n, 1000n, 1000n], { activeSize: 4, epochLength: 5n });
  return genesisValidators(JSON.stringify(json));
}

/** A hostile answer and the code (and link code) it must be refused with. */
const answers: Array<[string, unknown, string, string?]> = [
  ["no answer", null, "NO_LINK"],
  ["links not a list", { links: "0x01" }, "NO_LINK"],
  ["an item that is null", { links: [null] }, "LINK", "MALFORMED"],
  ["an item that is a number", { links: [1] }, "LINK", "MALFORMED"],
  ["a link that is a number", { links: [{ epoch: 1, link: 5 }] }, "LINK", "MALFORMED"],
  ["a link that is null", { links: [{ epoch: 1, link: null }] }, "LINK", "MALFORMED"],
  ["a link that is an empty object", { links: [{ epoch: 1, link: {} }] }, "LINK", "MALFORMED"],
  [
    "a link that is an object posing as decoded",
    { links: [{ epoch: 1, link: { header: { number: 5 }, certificate: {}, records: [] } }] },
    "LINK",
    "MALFORMED",
  ],
  ["an epoch that is a string", { links: [{ epoch: "1", link: "0x01" }] }, "LINK", "MALFORMED"],
  ["an epoch that is a fraction", { links: [{ epoch: 0.5, link: "0x01" }] }, "LINK", "MALFORMED"],
  ["a link that is not hex", { links: [{ epoch: 1, link: "0xzz" }] }, "LINK", "MALFORMED"],
  ["a link past 1 MiB", { links: [{ epoch: 1, link: `0x${"01".repeat(1 << 21)}` }] }, "LINK", "MALFORMED"],
  ["a truncated link", { links: [{ epoch: 1, link: "0x01" }] }, "LINK", "MALFORMED"],
  [
    "only links already trusted",
    { links: Array.from({ length: 1000 }, () => ({ epoch: 0, link: "0x" })) },
    "NO_LINK",
  ],
];

describe("light client: hostile weft_getEpochLinks answers", () => {
  for (const [name, answer, code, linkCode] of answers)
    it(`${name}: ${code}${linkCode === undefined ? "" : ` ${linkCode}`}`, async () => {
      const client = createClient({
        transport: {
          kind: "http",
          url: "hostile",
          request: async () => answer as never,
          close: async () => {},
        },
      });
      await assert.rejects(trustedSetAt(client, genesisSet(), 12), (e: unknown) => {
        assert.ok(e instanceof LightClientError, `${(e as Error).name}: ${(e as Error).message}`);
        assert.equal(e.code, code, e.message);
        if (linkCode !== undefined) assert.equal(e.linkCode, linkCode, e.message);
        return true;
      });
    });
});

/**
 * What the package's main export offers a program written from docs/sdk.md alone: the state
 * keys its proof calls take. Until session 17 `balanceKey` was used by the docs' light-client
 * snippet (`getCertifiedValue(client, balanceKey(account.address), trusted)`) but exported by
 * neither `@weft-chain/weft` nor `@weft-chain/weft/light-client`: a user could not write it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { balanceKey as stateBalanceKey, storageKey as stateStorageKey } from "../../../src/state/keys.js";

const DIST = fileURLToPath(new URL("../../../", import.meta.url));
const pkg = JSON.parse(readFileSync(resolve(DIST, "../package.json"), "utf8")) as {
  exports: Record<string, { import?: string }>;
};

describe("the package's main export", () => {
  it("builds the state keys getProof, getVerifiedValue and getCertifiedValue take", async () => {
    const entry = pkg.exports["."]?.import;
    assert.ok(entry, "package.json exports .");
    const sdk = (await import(pathToFileURL(resolve(DIST, "..", entry)).href)) as Record<string, unknown>;
    assert.equal(typeof sdk.balanceKey, "function", "balanceKey is exported");
    assert.equal(typeof sdk.storageKey, "function", "storageKey is exported");
    const who = "0x00000000000000000000000000000000000000ab";
    const balanceKey = sdk.balanceKey as (a: string) => string;
    const storageKey = sdk.storageKey as (a: string, k: Uint8Array) => string;
    assert.equal(balanceKey(who), "0100000000000000000000000000000000000000ab");
    assert.equal(balanceKey(who), stateBalanceKey(who));
    const slot = new Uint8Array([1, 2, 3]);
    assert.equal(storageKey(who, slot), stateStorageKey(who, slot));
  });
});

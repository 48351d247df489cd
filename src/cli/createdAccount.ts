/**
 * A keystore key whose entry names no account yet may still have one: a genesis made it
 * (`weft genesis new --account <public key>`, written on another machine), or someone ran
 * `weft account create` for the key elsewhere. Its address is the factory's counterfactual
 * address for the key; if code is there, the entry records it and the key signs as it.
 */
import type { Address } from "../codec/address.js";
import { fromHex } from "../codec/bytes.js";
import { type AccountSpec, counterfactualAddress } from "../sdk/client/index.js";
import type { Context } from "./context.js";
import { keystoreDir, type StoredKey, saveKey } from "./keystore.js";

/** The key's entry with the account the chain holds for it recorded, or the entry unchanged. */
export async function withCreatedAccount(ctx: Context, key: StoredKey): Promise<StoredKey> {
  if (key.kind !== "ed25519" && key.kind !== "secp256k1" && key.kind !== "passkey") return key;
  const factory = (await ctx.client.genesis()).contracts.accountFactory as Address | undefined;
  if (factory === undefined) return key;
  const spec: AccountSpec =
    key.kind === "secp256k1"
      ? { kind: "secp256k1", owner: key.publicKey as Address }
      : { kind: key.kind, publicKey: fromHex(key.publicKey) };
  const address = counterfactualAddress({ factory, account: spec });
  if ((await ctx.client.getAccount(address)).codeHash === null) return key;
  const found = { ...key, account: address };
  saveKey(keystoreDir(ctx.options.keystore), found, true);
  return found;
}

/**
 * An ERC-721 receiver for the NFT tests. `mode`: 0 accepts, 1 reverts, 2 answers a wrong
 * value, 3 first makes the call set with `setAttack` (a reentry attempt) and keeps its
 * status and revert data, then accepts. It buys and rents from a market with the value sent.
 */
import {
  AbiWriter,
  Address,
  callContract,
  callOrRevert,
  callValue,
  require,
  StorageValue,
  selfAddress,
} from "../../sdk/index";

const modeSlot = new StorageValue<u8>("mode");
const received = new StorageValue<u32>("received");
const lastFrom = new StorageValue<Address>("from");
const lastOperator = new StorageValue<Address>("operator");
const lastData = new StorageValue<Uint8Array>("data");
const attackTarget = new StorageValue<Address>("target");
const attackMethod = new StorageValue<string>("method");
const attackArgs = new StorageValue<Uint8Array>("args");
const attackStatus = new StorageValue<i32>("status");
const attackOutput = new StorageValue<Uint8Array>("output");

export function setMode(mode: u8): void {
  modeSlot.set(mode);
}

export function setAttack(target: Address, method: string, args: Uint8Array): void {
  attackTarget.set(target);
  attackMethod.set(method);
  attackArgs.set(args);
  modeSlot.set(3);
}

export function onERC721Received(operator: Address, from: Address, tokenId: u64, data: Uint8Array): u32 {
  const mode = modeSlot.get(0);
  require(mode != 1, "receiver refuses");
  received.set(received.get(0) + 1);
  lastOperator.set(operator);
  lastFrom.set(from);
  lastData.set(data);
  if (mode == 2) return 0xdeadbeef;
  if (mode == 3) {
    const result = callContract(
      attackTarget.get(Address.zero()),
      attackMethod.get(""),
      attackArgs.get(new Uint8Array(0)),
    );
    attackStatus.set(result.status);
    attackOutput.set(result.data);
  }
  return tokenId == u64.MAX_VALUE ? 0 : 0x150b7a02;
}

/** Buys `tokenId` of `nft` on `market` with the value sent. */
export function buyFrom(market: Address, nft: Address, tokenId: u64): void {
  const w = new AbiWriter();
  w.address(nft);
  w.u64(tokenId);
  w.address(selfAddress());
  callOrRevert(market, "buy", w.finish(), callValue());
}

export function receivedCount(): u32 {
  return received.get(0);
}

export function lastSender(): Address {
  return lastFrom.get(Address.zero());
}

export function lastOperatorOf(): Address {
  return lastOperator.get(Address.zero());
}

export function lastDataOf(): Uint8Array {
  return lastData.get(new Uint8Array(0));
}

/** The status (0 success, 1 revert, 2 out of gas; -1 none yet) and output of the reentry attempt. */
export function attackStatusOf(): i32 {
  return attackStatus.get(-1);
}

export function attackOutputOf(): Uint8Array {
  return attackOutput.get(new Uint8Array(0));
}

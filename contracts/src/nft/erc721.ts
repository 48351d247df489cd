/**
 * ERC-721 ownership, approvals and transfers, shared by `nft` and `rentableNft` (whose
 * `main.ts` re-export these functions as methods).
 *
 * Storage is keyed per token and per owner, with no global counter: `own[id]` (owner and
 * move count, below), `appr[id]` (approved address), `uri[id]`, `bal[owner]` (count) and
 * `ops[owner][operator]`.
 * A transfer touches the token's keys and its two owners' counts, so transfers and mints
 * of different tokens between different accounts write disjoint keys and run in parallel.
 * Token ids are u64 chosen by the minter (no `nextId` counter on the mint path).
 *
 * Each token counts its moves (`moveCount`: its mint, every transfer, its burn), in the
 * same value as its owner, which every move writes anyway. The count never goes back: a
 * burn keeps it under the zero owner, and a token minted again goes on from it. ERC-721
 * ends a token's approval when it moves; an authorization kept outside the collection (a
 * market's listing) does the same by recording the count and comparing it later.
 *
 * `safeTransferFrom` calls `onERC721Received(operator, from, tokenId, data)` on the
 * receiver and requires `ON_ERC721_RECEIVED` back. A receiver without code
 * (`NoSuchContract`) or without that method (`NoSuchMethod`) accepts: every Weft account
 * is a contract, and an account can always move what it holds. So does a receiver already
 * running lower on the call stack, which the VM cannot call again (`Reentrancy`): it
 * started the call that sends it the token. Reentering this contract from the callback is
 * refused by the VM.
 */
import {
  AbiReader,
  AbiWriter,
  Address,
  CALL_REVERT,
  callContract,
  caller,
  StorageMap,
  StorageMap2,
  StorageValue,
} from "../../sdk/index";
import {
  IncorrectOwner,
  NonexistentToken,
  NonReceiver,
  NotApproved,
  TokenExists,
  ZeroAddress,
} from "./errors.gen";
import { Approval, ApprovalForAll, Transfer } from "./events.gen";
import { isMinter } from "./roles";

/** What `onERC721Received` answers to accept a token: ERC-721's magic value, `0x150b7a02`. */
export const ON_ERC721_RECEIVED: u32 = 0x150b7a02;

const nameSlot = new StorageValue<string>("name");
const symbolSlot = new StorageValue<string>("symbol");
const baseUriSlot = new StorageValue<string>("base");
/** `own[id]`: the owner's 20 bytes, then the move count (u64 little-endian). */
const owners = new StorageMap<u64, Uint8Array>("own");
const RECORD_BYTES = 28;
const NO_RECORD = new Uint8Array(0);
const balances = new StorageMap<Address, u64>("bal");
const approvals = new StorageMap<u64, Address>("appr");
const operators = new StorageMap2<Address, Address, bool>("ops");
const uris = new StorageMap<u64, string>("uri");

/** Runs before every move of a token (mint: `from` zero; burn: `to` zero), after the checks. */
export type MoveHook = (tokenId: u64, from: Address, to: Address) => void;

function noHook(_tokenId: u64, _from: Address, _to: Address): void {}

let moveHook: MoveHook = noHook;

/** Sets the hook every move runs (`rentableNft` clears the token's user with it). */
export function setMoveHook(hook: MoveHook): void {
  moveHook = hook;
}

/** Stores the collection's metadata (`init` of both contracts). */
export function initMetadata(name_: string, symbol_: string, baseURI_: string): void {
  nameSlot.set(name_);
  symbolSlot.set(symbol_);
  baseUriSlot.set(baseURI_);
}

export function name(): string {
  return nameSlot.get("");
}

export function symbol(): string {
  return symbolSlot.get("");
}

/** How many tokens `holder` owns (the zero address owns none and reverts, as in ERC-721). */
export function balanceOf(holder: Address): u64 {
  if (holder.isZero()) ZeroAddress();
  return balances.get(holder, 0);
}

/** The token's owner; reverts `NonexistentToken` for an id not minted or burned. */
export function ownerOf(tokenId: u64): Address {
  const holder = holderIn(owners.get(tokenId, NO_RECORD));
  if (holder.isZero()) NonexistentToken(tokenId);
  return holder;
}

/** How many times the token has moved (minted, transferred, burned); 0 for an id never minted. */
export function moveCount(tokenId: u64): u64 {
  return movesIn(owners.get(tokenId, NO_RECORD));
}

function holderIn(record: Uint8Array): Address {
  return record.length < RECORD_BYTES ? Address.zero() : new Address(record.slice(0, 20));
}

function movesIn(record: Uint8Array): u64 {
  return record.length < RECORD_BYTES ? 0 : load<u64>(record.dataStart + 20);
}

/** The token's own URI when minted with one, else the base URI followed by the id in decimal. */
export function tokenURI(tokenId: u64): string {
  ownerOf(tokenId);
  const own = uris.get(tokenId, "");
  if (own.length > 0) return own;
  return baseUriSlot.get("") + tokenId.toString();
}

/** Lets `approved` move the token (zero: no one); by the owner or one of its operators. */
export function approve(approved: Address, tokenId: u64): void {
  const holder = ownerOf(tokenId);
  const who = caller();
  if (!who.equals(holder) && !operators.get(holder, who, false)) NotApproved(who, tokenId);
  if (approved.isZero()) approvals.delete(tokenId);
  else approvals.set(tokenId, approved);
  Approval(holder, approved, tokenId);
}

/** The address approved for the token (zero when none); reverts for a token that does not exist. */
export function getApproved(tokenId: u64): Address {
  ownerOf(tokenId);
  return approvals.get(tokenId, Address.zero());
}

/** Lets `operator` move every token of the caller, now and later (or stops it). */
export function setApprovalForAll(operator: Address, approved: bool): void {
  if (operator.isZero()) ZeroAddress();
  const holder = caller();
  if (approved) operators.set(holder, operator, true);
  else operators.delete(holder, operator);
  ApprovalForAll(holder, operator, approved);
}

export function isApprovedForAll(holder: Address, operator: Address): bool {
  return operators.get(holder, operator, false);
}

/** Moves the token from `from` to `to`; the caller is its owner, approved, or an operator. */
export function transferFrom(from: Address, to: Address, tokenId: u64): void {
  checkedMove(caller(), from, to, tokenId);
}

/** `transferFrom`, then the receiver's `onERC721Received(operator, from, tokenId, data)` must accept. */
export function safeTransferFrom(from: Address, to: Address, tokenId: u64, data: Uint8Array): void {
  const operator = caller();
  checkedMove(operator, from, to, tokenId);
  checkReceiver(operator, from, to, tokenId, data);
}

/** Whether `spender` may move the token owned by `holder`. */
export function isAuthorized(spender: Address, holder: Address, tokenId: u64): bool {
  return (
    spender.equals(holder) ||
    operators.get(holder, spender, false) ||
    approvals.get(tokenId, Address.zero()).equals(spender)
  );
}

/** Creates token `tokenId` for `to` (minters only), with its own URI unless `uri` is empty. */
export function mintToken(to: Address, tokenId: u64, uri: string): void {
  if (to.isZero()) ZeroAddress();
  if (!holderIn(owners.get(tokenId, NO_RECORD)).isZero()) TokenExists(tokenId);
  move(Address.zero(), to, tokenId);
  if (uri.length > 0) uris.set(tokenId, uri);
}

/** Destroys the token: by its owner, approved address or operator, or by a minter. */
export function burnToken(tokenId: u64): void {
  const holder = ownerOf(tokenId);
  const who = caller();
  if (!isAuthorized(who, holder, tokenId) && !isMinter(who)) NotApproved(who, tokenId);
  move(holder, Address.zero(), tokenId);
  if (uris.has(tokenId)) uris.delete(tokenId);
}

function checkedMove(operator: Address, from: Address, to: Address, tokenId: u64): void {
  if (to.isZero()) ZeroAddress();
  const holder = ownerOf(tokenId);
  if (!holder.equals(from)) IncorrectOwner(from, tokenId, holder);
  if (!isAuthorized(operator, holder, tokenId)) NotApproved(operator, tokenId);
  move(from, to, tokenId);
}

/** The move itself: hook, approval cleared, balances, owner and move count, `Transfer`. */
function move(from: Address, to: Address, tokenId: u64): void {
  moveHook(tokenId, from, to);
  if (approvals.has(tokenId)) approvals.delete(tokenId);
  if (!from.equals(to)) {
    if (!from.isZero()) balances.set(from, balances.get(from, 0) - 1);
    if (!to.isZero()) balances.set(to, balances.get(to, 0) + 1);
  }
  const record = new Uint8Array(RECORD_BYTES);
  memory.copy(record.dataStart, to.bytes.dataStart, 20);
  store<u64>(record.dataStart + 20, movesIn(owners.get(tokenId, NO_RECORD)) + 1);
  owners.set(tokenId, record);
  Transfer(from, to, tokenId);
}

function checkReceiver(operator: Address, from: Address, to: Address, tokenId: u64, data: Uint8Array): void {
  const w = new AbiWriter();
  w.address(operator);
  w.address(from);
  w.u64(tokenId);
  w.bytes(data);
  const result = callContract(to, "onERC721Received", w.finish());
  if (result.ok) {
    if (result.data.length == 4 && new AbiReader(result.data).u32() == ON_ERC721_RECEIVED) return;
    NonReceiver(to);
  }
  if (result.status == CALL_REVERT && hasNoReceiver(result.data, to)) return;
  NonReceiver(to);
}

/** Whether revert data is the VM's `NoSuchContract(to)`, `Reentrancy(to)` or `NoSuchMethod("onERC721Received")`. */
function hasNoReceiver(data: Uint8Array, to: Address): bool {
  if (sameBytes(data, vmErrorAt("NoSuchContract", to)) || sameBytes(data, vmErrorAt("Reentrancy", to)))
    return true;
  const method = new AbiWriter();
  method.string("NoSuchMethod");
  method.string("onERC721Received");
  return sameBytes(data, method.finish());
}

function sameBytes(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (unchecked(a[i]) != unchecked(b[i])) return false;
  return true;
}

function vmErrorAt(name: string, to: Address): Uint8Array {
  const w = new AbiWriter();
  w.string(name);
  w.address(to);
  return w.finish();
}

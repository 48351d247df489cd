/**
 * A tiny EVM assembler (no solc needed), shared by the benchmarks and the tests: opcodes,
 * pushes of constants, and labels (jump targets, and code offsets for CODECOPY) resolved
 * in two passes. A label reference is always a PUSH2, so sizes are known before the
 * labels are placed. Two ways to write a program:
 *
 *   assemble(["CALLVALUE", ref("fail"), "JUMPI", ..., label("fail"), "PUSH0", "DUP1", "REVERT"])
 *   assembleText("CALLVALUE @fail JUMPI ... fail: PUSH0 DUP1 REVERT")
 *
 * In text, one instruction or label per token: `name:` is a JUMPDEST labelled `name`;
 * `@name` pushes the label's offset (PUSH2); `PUSHn 0x..` pushes a value in exactly n
 * bytes; other tokens are opcode mnemonics; `;` starts a comment.
 */

/** Opcode values (Shanghai and later: PUSH0 exists). */
export const OPCODES = {
  STOP: 0x00,
  ADD: 0x01,
  MUL: 0x02,
  SUB: 0x03,
  DIV: 0x04,
  LT: 0x10,
  GT: 0x11,
  EQ: 0x14,
  ISZERO: 0x15,
  AND: 0x16,
  OR: 0x17,
  NOT: 0x19,
  SHL: 0x1b,
  SHR: 0x1c,
  SHA3: 0x20,
  ADDRESS: 0x30,
  BALANCE: 0x31,
  CALLER: 0x33,
  CALLVALUE: 0x34,
  CALLDATALOAD: 0x35,
  CALLDATASIZE: 0x36,
  CALLDATACOPY: 0x37,
  CODESIZE: 0x38,
  CODECOPY: 0x39,
  RETURNDATASIZE: 0x3d,
  RETURNDATACOPY: 0x3e,
  BLOCKHASH: 0x40,
  COINBASE: 0x41,
  TIMESTAMP: 0x42,
  NUMBER: 0x43,
  PREVRANDAO: 0x44,
  GASLIMIT: 0x45,
  CHAINID: 0x46,
  SELFBALANCE: 0x47,
  BASEFEE: 0x48,
  POP: 0x50,
  MLOAD: 0x51,
  MSTORE: 0x52,
  SLOAD: 0x54,
  SSTORE: 0x55,
  JUMP: 0x56,
  JUMPI: 0x57,
  GAS: 0x5a,
  JUMPDEST: 0x5b,
  PUSH0: 0x5f,
  DUP1: 0x80,
  DUP2: 0x81,
  DUP3: 0x82,
  DUP4: 0x83,
  DUP5: 0x84,
  DUP6: 0x85,
  SWAP1: 0x90,
  SWAP2: 0x91,
  SWAP3: 0x92,
  LOG0: 0xa0,
  LOG1: 0xa1,
  LOG2: 0xa2,
  LOG3: 0xa3,
  LOG4: 0xa4,
  CALL: 0xf1,
  CALLCODE: 0xf2,
  RETURN: 0xf3,
  DELEGATECALL: 0xf4,
  STATICCALL: 0xfa,
  REVERT: 0xfd,
  INVALID: 0xfe,
  SELFDESTRUCT: 0xff,
} as const;

export type Opcode = keyof typeof OPCODES;

/** One element of a program: an opcode, a constant push, a label definition, or a label reference. */
export type Item =
  | Opcode
  | { push: bigint | Uint8Array }
  | { label: string }
  | { ref: string }
  | { raw: Uint8Array };

export const push = (value: bigint | number | Uint8Array): Item => ({
  push: value instanceof Uint8Array ? value : BigInt(value),
});
/** Marks a position; a jump target must also be a JUMPDEST (use `dest`). */
export const label = (name: string): Item => ({ label: name });
/** A jump target: the label and its JUMPDEST. */
export const dest = (name: string): Item[] => [label(name), "JUMPDEST"];
/** PUSH2 of a label's offset. */
export const ref = (name: string): Item => ({ ref: name });

export class AsmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AsmError";
  }
}

function pushBytes(value: bigint | Uint8Array): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length === 0 || value.length > 32) throw new AsmError(`push of ${value.length} bytes`);
    return value;
  }
  if (value < 0n || value >= 1n << 256n) throw new AsmError(`push value ${value} is not a u256`);
  if (value === 0n) return new Uint8Array(0);
  const hex = value.toString(16);
  return Uint8Array.from(Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, "hex"));
}

function size(item: Item): number {
  if (typeof item === "string") return 1;
  if ("push" in item) return 1 + pushBytes(item.push).length;
  if ("ref" in item) return 3;
  if ("raw" in item) return item.raw.length;
  return 0;
}

/** The bytecode of `items`, and where each label landed. */
export function assemble(items: readonly Item[]): { code: Uint8Array; labels: Map<string, number> } {
  const labels = new Map<string, number>();
  let at = 0;
  for (const item of items) {
    if (typeof item !== "string" && "label" in item) {
      if (labels.has(item.label)) throw new AsmError(`label ${item.label} defined twice`);
      labels.set(item.label, at);
    }
    at += size(item);
  }
  const code = new Uint8Array(at);
  at = 0;
  for (const item of items) {
    if (typeof item === "string") {
      const op = OPCODES[item];
      if (op === undefined) throw new AsmError(`unknown opcode ${item}`);
      code[at++] = op;
    } else if ("push" in item) {
      const bytes = pushBytes(item.push);
      code[at++] = bytes.length === 0 ? OPCODES.PUSH0 : 0x5f + bytes.length;
      code.set(bytes, at);
      at += bytes.length;
    } else if ("ref" in item) {
      const target = labels.get(item.ref);
      if (target === undefined) throw new AsmError(`undefined label ${item.ref}`);
      if (target > 0xffff) throw new AsmError(`label ${item.ref} beyond PUSH2 range`);
      code[at++] = 0x61; // PUSH2
      code[at++] = target >> 8;
      code[at++] = target & 0xff;
    } else if ("raw" in item) {
      code.set(item.raw, at);
      at += item.raw.length;
    }
  }
  return { code, labels };
}

/** `value` in exactly `width` bytes, big-endian. */
function fixedWidth(text: string, width: number): Uint8Array {
  const value = BigInt(text);
  if (value < 0n || value >> BigInt(8 * width) !== 0n)
    throw new AsmError(`${text} does not fit in ${width} bytes`);
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(2 * width, "0"), "hex"));
}

/** The items of a program in the text syntax (see the module's comment). */
export function parseText(source: string): Item[] {
  const tokens = source
    .split("\n")
    .map((line) => line.replace(/;.*$/, ""))
    .join(" ")
    .split(/\s+/)
    .filter((t) => t.length > 0);
  const items: Item[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token.endsWith(":")) items.push(...dest(token.slice(0, -1)));
    else if (token.startsWith("@")) items.push(ref(token.slice(1)));
    else if (/^PUSH([1-9]|[12][0-9]|3[0-2])$/.test(token)) {
      const operand = tokens[++i];
      if (operand === undefined) throw new AsmError(`${token} without a value`);
      items.push({ push: fixedWidth(operand, Number(token.slice(4))) });
    } else if (token in OPCODES) items.push(token as Opcode);
    else throw new AsmError(`unknown mnemonic ${token}`);
  }
  return items;
}

/** Assembles a program in the text syntax to bytecode. */
export function assembleText(source: string): Uint8Array {
  return assemble(parseText(source)).code;
}

/** Init code that runs `setup` (text syntax, may be empty) then returns `runtime` as the contract's code. */
export function initCode(setup: string, runtime: Uint8Array): Uint8Array {
  const items = parseText(setup);
  const { code } = assemble([
    ...items,
    { push: fixedWidth(String(runtime.length), 2) },
    "DUP1",
    ref("runtime"),
    push(0),
    "CODECOPY",
    push(0),
    "RETURN",
    label("runtime"),
    { raw: runtime },
  ]);
  return code;
}

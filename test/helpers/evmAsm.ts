/**
 * A tiny EVM assembler for test fixtures (no solc here): one instruction or label per
 * token. `name:` is a JUMPDEST labelled `name`; `@name` pushes the label's offset (PUSH2);
 * `PUSHn 0x..` pushes a value; other tokens are opcode mnemonics. `;` starts a comment.
 */
const OPCODES: Record<string, number> = {
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
  CODECOPY: 0x39,
  GAS: 0x5a,
  POP: 0x50,
  MLOAD: 0x51,
  MSTORE: 0x52,
  SLOAD: 0x54,
  SSTORE: 0x55,
  JUMP: 0x56,
  JUMPI: 0x57,
  JUMPDEST: 0x5b,
  PUSH0: 0x5f,
  DUP1: 0x80,
  DUP2: 0x81,
  DUP3: 0x82,
  DUP4: 0x83,
  SWAP1: 0x90,
  SWAP2: 0x91,
  SWAP3: 0x92,
  LOG0: 0xa0,
  LOG1: 0xa1,
  LOG2: 0xa2,
  LOG3: 0xa3,
  CALL: 0xf1,
  RETURN: 0xf3,
  REVERT: 0xfd,
  INVALID: 0xfe,
  SELFDESTRUCT: 0xff,
  CHAINID: 0x46,
  NUMBER: 0x43,
  TIMESTAMP: 0x42,
  COINBASE: 0x41,
  BASEFEE: 0x48,
};

function valueBytes(text: string, width: number): number[] {
  const value = BigInt(text);
  const out: number[] = [];
  for (let i = width - 1; i >= 0; i--) out.push(Number((value >> BigInt(8 * i)) & 0xffn));
  if (value >> BigInt(8 * width) !== 0n) throw new Error(`${text} does not fit in ${width} bytes`);
  return out;
}

/** Assembles `source` to bytecode. */
export function assemble(source: string): Uint8Array {
  const tokens = source
    .split("\n")
    .map((line) => line.replace(/;.*$/, ""))
    .join(" ")
    .split(/\s+/)
    .filter((t) => t.length > 0);
  const labels = new Map<string, number>();
  const emit = (resolve: boolean): number[] => {
    const out: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as string;
      if (token.endsWith(":")) {
        if (!resolve) labels.set(token.slice(0, -1), out.length);
        out.push(0x5b);
      } else if (token.startsWith("@")) {
        const at = labels.get(token.slice(1));
        if (resolve && at === undefined) throw new Error(`no label ${token}`);
        out.push(0x61, ...valueBytes(String(at ?? 0), 2));
      } else if (/^PUSH([1-9]|[12][0-9]|3[0-2])$/.test(token)) {
        const width = Number(token.slice(4));
        out.push(0x5f + width, ...valueBytes(tokens[++i] as string, width));
      } else {
        const op = OPCODES[token];
        if (op === undefined) throw new Error(`unknown mnemonic ${token}`);
        out.push(op);
      }
    }
    return out;
  };
  emit(false);
  return Uint8Array.from(emit(true));
}

/** Init code that runs `setup` (may be empty) then returns `runtime` as the contract's code. */
export function initCode(setup: string, runtime: Uint8Array): Uint8Array {
  // The prefix's length is fixed (PUSH2 operands), so the runtime's offset is known after one pass.
  const prefix = (offset: number) =>
    assemble(`${setup} PUSH2 ${runtime.length} DUP1 PUSH2 ${offset} PUSH1 0 CODECOPY PUSH1 0 RETURN`);
  const head = prefix(prefix(0).length);
  const out = new Uint8Array(head.length + runtime.length);
  out.set(head);
  out.set(runtime, head.length);
  return out;
}

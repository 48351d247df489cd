/**
 * What EVM execution costs in Weft gas: the one rule the block, the fee and the read-only
 * caps follow (ARCHITECTURE.md "The EVM", "EVM gas in Weft gas").
 *
 * ethereumjs spends most of its time per instruction (decode, gas handler, stack, an
 * `await`), ~100+ ns whatever the instruction, so a loop of 1–3-gas instructions costs
 * many times more time per EVM gas than SSTORE, KECCAK256 or a CALL, whose time is in
 * their work. One weight per EVM gas cannot fit both (`bench/evmGasWeight.ts`). So:
 *
 *   Weft gas = EVM gas spent × EVM_GAS_TIME_WEIGHT + step gas
 *
 * where the step gas sums, over the instructions executed (every frame, reverted ones
 * included), `EVM_STEP_GAS` plus the extra of the instruction's class (calls, creations,
 * storage, hashing, account reads, memory, logs: `EVM_STEP_CLASSES`), plus
 * `EVM_HASH_BYTE_GAS` per byte KECCAK256 hashes and `EVM_CODE_BYTE_GAS` per byte of code
 * each frame runs; EVM gas spent is intrinsic + execution
 * gas before refunds (at least EIP-7623's floor). The figures come from
 * `bench/evmGasWeight.ts` (ARCHITECTURE.md "The EVM"). The contracts see Ethereum's gas
 * only: gasleft(), the 2300 stipend, receipts' `gasUsed`.
 *
 * Budget: a message with gas limit L may spend at most L × `EVM_GAS_WEIGHT` Weft gas, the
 * weight its fee and the block's GASLIMIT are in. The EVM gas part is at most L ×
 * EVM_GAS_TIME_WEIGHT, so the step gas is capped at `evmStepGasLimit(L)`: the instruction
 * past it fails with out of gas (the whole remaining gas of every frame, as Ethereum's out
 * of gas), the same in every run. Ordinary contracts stay well under the cap; a loop of
 * cheap instructions (a JUMPDEST sled) meets it before its EVM gas runs out.
 */

/**
 * Weft gas per EVM gas for the block gas limit, the fee (BASEFEE is the block's base fee ×
 * it) and the budget of a message: a message with gas limit L costs at most L × this.
 */
export const EVM_GAS_WEIGHT = 500n;
/** Weft gas per EVM gas spent: what the EVM's own schedule prices (storage, hashing, calls, memory, code deposit). */
export const EVM_GAS_TIME_WEIGHT = 120n;
/** Weft gas per instruction executed, any instruction: ethereumjs's per-instruction time. */
export const EVM_STEP_GAS = 1_800;
/** Weft gas per byte hashed by KECCAK256, beyond its step (its 6 EVM gas a word are far below its time). */
export const EVM_HASH_BYTE_GAS = 170;

/** Weft gas per byte of the code a frame runs (ethereumjs scans it for jump destinations in each frame). */
export const EVM_CODE_BYTE_GAS = 80;

/**
 * Instructions whose time is well above a plain step, and the Weft gas they add to
 * `EVM_STEP_GAS` (ethereumjs builds a frame, a journal checkpoint and a memory for each
 * call; storage goes through its journal and Weft's state manager).
 */
export const EVM_STEP_CLASSES: Record<string, { opcodes: readonly number[]; extra: number }> = {
  /** CALL, CALLCODE, DELEGATECALL, STATICCALL (a call to a precompile included). */
  call: { opcodes: [0xf1, 0xf2, 0xf4, 0xfa], extra: 750_000 },
  /** CREATE, CREATE2. */
  create: { opcodes: [0xf0, 0xf5], extra: 750_000 },
  /** SLOAD, TLOAD. */
  load: { opcodes: [0x54, 0x5c], extra: 25_000 },
  /** SSTORE, TSTORE. */
  store: { opcodes: [0x55, 0x5d], extra: 115_000 },
  /** KECCAK256 (and `EVM_HASH_BYTE_GAS` per byte). */
  hash: { opcodes: [0x20], extra: 45_000 },
  /** Account reads: BALANCE, EXTCODESIZE, EXTCODECOPY, EXTCODEHASH, SELFBALANCE. */
  account: { opcodes: [0x31, 0x3b, 0x3c, 0x3f, 0x47], extra: 25_000 },
  /** Memory words: MLOAD, MSTORE, MSTORE8, MCOPY. */
  memory: { opcodes: [0x51, 0x52, 0x53, 0x5e], extra: 10_000 },
  /** LOG0–LOG4. */
  log: { opcodes: [0xa0, 0xa1, 0xa2, 0xa3, 0xa4], extra: 25_000 },
};

/**
 * Precompiles whose time in ethereumjs (JavaScript big-number and curve code) is far above
 * their EVM gas × `EVM_GAS_TIME_WEIGHT`, by address, and the step gas each adds per EVM gas
 * it uses (the call itself is a CALL-class step). From loops of calls to each (the worst
 * input shape measured, less ~40 µs of call), ns per EVM gas at load ~27, priced at
 * 0.15 ns per Weft gas: extra = ns per EVM gas / 0.15 − 120. Without these a block of G2
 * additions took ~14.5 s (~39× the median), of blake2f rounds ~9 s (~24×), of pairings and
 * multiplications 11–22×. Unlisted ones (SHA-256, RIPEMD-160, identity, BN254 addition,
 * ECRECOVER by libsecp256k1) measured at 0.4–1.1× under the CALL step's price. A precompile
 * past the message's step budget fails as on too little gas, before its work (`evmRunner.ts`).
 */
export const EVM_PRECOMPILE_GAS: ReadonlyMap<string, number> = new Map([
  /** MODEXP: ~115 ns per EVM gas with a 1 KiB exponent (~10–60 for other shapes). */
  ["0x0000000000000000000000000000000000000005", 850],
  /** BN254 scalar multiplication: ~380 ns per EVM gas. */
  ["0x0000000000000000000000000000000000000007", 2_500],
  /** BN254 pairing check: ~155 ns per EVM gas for one pair, ~120 for four. */
  ["0x0000000000000000000000000000000000000008", 1_000],
  /** BLAKE2 F: ~330 ns a round (one EVM gas). */
  ["0x0000000000000000000000000000000000000009", 2_200],
  /** BLS12-381 G1 addition: ~1.85 ms for its 375 EVM gas (~4,900 ns per EVM gas). */
  ["0x000000000000000000000000000000000000000b", 32_700],
  /** BLS12-381 G1 multi-scalar multiplication: ~340 ns per EVM gas for 16 points. */
  ["0x000000000000000000000000000000000000000c", 2_200],
  /** BLS12-381 G2 addition: ~3.9 ms for its 600 EVM gas (~6,600 ns per EVM gas). */
  ["0x000000000000000000000000000000000000000d", 43_600],
  /** BLS12-381 G2 multi-scalar multiplication: ~380 ns per EVM gas for one point (more for many, as G1's). */
  ["0x000000000000000000000000000000000000000e", 3_300],
  /** BLS12-381 pairing check: ~200 ns per EVM gas for one pair. */
  ["0x000000000000000000000000000000000000000f", 1_250],
  /** BLS12-381 map to G1: ~350 ns per EVM gas. */
  ["0x0000000000000000000000000000000000000010", 2_200],
  /** BLS12-381 map to G2: ~290 ns per EVM gas. */
  ["0x0000000000000000000000000000000000000011", 1_800],
]);

/** Weft gas of one step of each opcode (before KECCAK256's bytes). */
export const EVM_OP_STEP_GAS: readonly number[] = (() => {
  const table = new Array<number>(256).fill(EVM_STEP_GAS);
  for (const { opcodes, extra } of Object.values(EVM_STEP_CLASSES))
    for (const op of opcodes) table[op] = EVM_STEP_GAS + extra;
  return table;
})();

/** The most Weft gas the steps of a message with gas limit `gasLimit` may count. */
export function evmStepGasLimit(gasLimit: bigint): bigint {
  return gasLimit * (EVM_GAS_WEIGHT - EVM_GAS_TIME_WEIGHT);
}

/**
 * The Weft gas of EVM execution that spent `evmGas` EVM gas (before refunds) in steps
 * counting `stepGas` (`EVM_OP_STEP_GAS`, `EVM_HASH_BYTE_GAS`): what an Ethereum transaction
 * counts against the block (`Receipt.blockGas`). At most gas limit × `EVM_GAS_WEIGHT`, as
 * `stepGas` is at most `evmStepGasLimit(gas limit)`.
 */
export function evmWeftGas(evmGas: bigint, stepGas: bigint): bigint {
  return evmGas * EVM_GAS_TIME_WEIGHT + stepGas;
}

/**
 * The most EVM gas a message may be given so that it spends at most `weftGas` Weft gas: a
 * message with gas limit L spends at most L × `EVM_GAS_WEIGHT` (its budget, above). How a cap
 * set in Weft gas (the read-only calls' `rpc.callGasCap`) bounds an `eth_call`, so that one
 * EVM call may take no more time than one WASM call.
 */
export function evmGasWithin(weftGas: bigint): bigint {
  return weftGas / EVM_GAS_WEIGHT;
}

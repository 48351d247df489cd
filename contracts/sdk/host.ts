/**
 * The host ABI v1 imports (docs/host-abi.md). Contracts use the wrappers in the other
 * SDK files, not these directly.
 */

@external("weft", "input_size") export declare function input_size(): i32;
@external("weft", "input_copy") export declare function input_copy(dst: usize): void;
@external("weft", "set_return") export declare function set_return(ptr: usize, len: i32): void;
@external("weft", "revert") export declare function revert(ptr: usize, len: i32): void;
@external("weft", "storage_get") export declare function storage_get(kp: usize, kl: i32, dst: usize, cap: i32): i32;
@external("weft", "storage_has") export declare function storage_has(kp: usize, kl: i32): i32;
@external("weft", "storage_set") export declare function storage_set(kp: usize, kl: i32, vp: usize, vl: i32): void;
@external("weft", "storage_delete") export declare function storage_delete(kp: usize, kl: i32): void;
@external("weft", "storage_add") export declare function storage_add(kp: usize, kl: i32, ap: usize, negative: i32): i32;
@external("weft", "caller") export declare function caller(dst: usize): void;
@external("weft", "self_address") export declare function self_address(dst: usize): void;
@external("weft", "value") export declare function value(dst: usize): void;
@external("weft", "block_height") export declare function block_height(): i64;
@external("weft", "block_time") export declare function block_time(): i64;
@external("weft", "chain_id") export declare function chain_id(): i64;
@external("weft", "gas_left") export declare function gas_left(): i64;
@external("weft", "emit") export declare function emit(topicsPtr: usize, count: i32, dataPtr: usize, dataLen: i32): void;
@external("weft", "balance") export declare function balance(addrPtr: usize, dst: usize): void;
@external("weft", "transfer") export declare function transfer(addrPtr: usize, amountPtr: usize): i32;
@external("weft", "call")
export declare function call(
  addrPtr: usize,
  methodPtr: usize,
  methodLen: i32,
  argsPtr: usize,
  argsLen: i32,
  valuePtr: usize,
  gas: i64,
): i32;
@external("weft", "create")
export declare function create(
  codeHashPtr: usize,
  argsPtr: usize,
  argsLen: i32,
  saltPtr: usize,
  valuePtr: usize,
  gas: i64,
  dst: usize,
): i32;
@external("weft", "returndata_size") export declare function returndata_size(): i32;
@external("weft", "returndata_copy") export declare function returndata_copy(dst: usize): void;
@external("weft", "sha256") export declare function sha256(ptr: usize, len: i32, dst: usize): void;
@external("weft", "keccak256") export declare function keccak256(ptr: usize, len: i32, dst: usize): void;
@external("weft", "ed25519_verify") export declare function ed25519_verify(pk: usize, msg: usize, len: i32, sig: usize): i32;
@external("weft", "secp256k1_recover") export declare function secp256k1_recover(digest: usize, sig: usize, dst: usize): i32;
@external("weft", "p256_verify") export declare function p256_verify(pk: usize, msg: usize, len: i32, sig: usize): i32;
@external("weft", "bls_verify") export declare function bls_verify(pk: usize, msg: usize, len: i32, sig: usize): i32;
@external("weft", "evm_call")
export declare function evm_call(addrPtr: usize, dataPtr: usize, dataLen: i32, valuePtr: usize, gas: i64): i32;

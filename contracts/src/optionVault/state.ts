/** The option vault's configuration and state fields, shared by its modules. */
import { Address, Fields, StorageMap, U128 } from "../../sdk/index";

export const E18: U128 = U128.fromU64(1_000_000_000_000_000_000);
export const BPS: u64 = 10_000;
/** Friday 8 January 2021, 08:00 UTC: rounds expire a whole number of weeks from it. */
export const FRIDAY: u64 = 1_610_092_800;
export const WEEK: u64 = 604_800;

/** The configuration, one key per field. */
export const cfg = new Fields(new StorageMap<u8, bool>("c").keyOf(0));
export const C_OPTIONS: u8 = 0;
export const C_ORACLE: u8 = 1;
export const C_UNDERLYING: u8 = 2;
export const C_QUOTE: u8 = 3;
export const C_PUT: u8 = 4;
export const C_MANAGER: u8 = 5;
export const C_OTM: u8 = 6;
export const C_STEP: u8 = 7;
export const C_MIN: u8 = 8;
export const C_MAX: u8 = 9;

/** The vault's state, one key per field. */
export const st = new Fields(new StorageMap<u8, bool>("s").keyOf(0));
export const S_ROUND: u8 = 0;
export const S_PENDING: u8 = 1;
export const S_SHARES: u8 = 2;
export const S_QUEUED: u8 = 3;
export const S_RESERVED: u8 = 4;
export const S_ACTIVE: u8 = 5;
export const S_SERIES: u8 = 6;
export const S_EXPIRY: u8 = 7;
export const S_PREMIUM: u8 = 8;
export const S_UNSOLD: u8 = 9;
export const S_WRITTEN: u8 = 10;

/**
 * Per closed round: 0, 1 its shares and assets, each plus the virtual ones (the deposits'
 * price); 2, 3 the assets set aside for its withdrawals and the shares they pay for.
 */
export const rounds = new StorageMap<u64, bool>("r");
export const deposits = new StorageMap<Address, bool>("d");
export const withdrawals = new StorageMap<Address, bool>("w");
export const R_ROUND: u8 = 0;
export const R_AMOUNT: u8 = 1;
export const R_SHARES: u8 = 2;

export function addr(f: u8): Address {
  return cfg.get<Address>(f, Address.zero());
}
export function num(f: u8): U128 {
  return st.get<U128>(f, U128.Zero);
}
export function asset(): Address {
  return cfg.get<bool>(C_PUT, false) ? addr(C_QUOTE) : addr(C_UNDERLYING);
}
export function currentRound(): u64 {
  return st.get<u64>(S_ROUND, 1);
}

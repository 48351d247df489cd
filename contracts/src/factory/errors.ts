// Errors of the AMM factory (read by the build).
import { Address } from "../../sdk/index";

export declare function IdenticalTokens(): void;
export declare function ZeroAddress(): void;
export declare function PairExists(pair: Address): void;
/** The pair could not be created (its constructor failed, or no pair code is stored). */
export declare function PairCreationFailed(): void;
export declare function IndexOutOfRange(index: u32, length: u32): void;
/** Only the fee-to setter may change the protocol fee settings. */
export declare function Forbidden(caller: Address): void;

// Errors of the account factory (read by the build).
import { Bytes32 } from "../../sdk/index";

/** The code is not one of the account kinds this factory creates. */
export declare function NotAnAccountKind(codeHash: Bytes32): void;
/** The account's constructor failed, or the address is taken. */
export declare function CreationFailed(): void;

// Events of the account factory (read by the build).
import { Address, Bytes32, Indexed } from "../../sdk/index";

export declare function AccountCreated(
  account: Indexed<Address>,
  codeHash: Indexed<Bytes32>,
  salt: Bytes32,
): void;

// Events of the probe contract (read by the build).
import { Indexed, U128 } from "../../sdk/index";

export declare function Noted(key: Indexed<string>, index: Indexed<u32>, value: string, amount: U128): void;

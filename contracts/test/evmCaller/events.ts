// Events of the evm_call fixture (read by the build, which generates events.gen.ts).
import { U128 } from "../../sdk/index";

export declare function Noted(value: U128): void;

/**
 * A counter: the kind of small contract a new user writes first. Not shipped, so tools
 * know it only from metadata verified with the node (the dev-mode and explorer tests).
 */
import { caller, StorageValue, U128 } from "../../sdk/index";
import { Counted } from "./events.gen";

const totalSlot = new StorageValue<U128>("total");

/** Adds `amount` to the counter and returns the new total. */
export function add(amount: U128): U128 {
  const total = totalSlot.get(U128.Zero).add(amount);
  totalSlot.set(total);
  Counted(caller(), amount, total);
  return total;
}

/** The counter's total. */
export function total(): U128 {
  return totalSlot.get(U128.Zero);
}

/**
 * A schedule of faults drawn from a seed, as Jepsen's nemesis draws them: the same seed gives
 * the same schedule, so a failing run is replayed with its seed (printed by the test).
 */
import { seededRandom } from "../../../src/codec/seededRandom.js";
import type { Fault } from "./faults.js";

/** `length` faults on a cluster of `nodes` (4 or more) drawn from `seed`. */
export function faultSchedule(seed: number, length: number, nodes = 4): Fault[] {
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const shuffled = () => {
    const order = Array.from({ length: nodes }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = pick(i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    return order;
  };
  const out: Fault[] = [];
  for (let k = 0; k < length; k++) {
    const order = shuffled();
    const half = Math.floor(nodes / 2);
    const kind = pick(5);
    switch (kind) {
      case 0:
        out.push({ kind: "kill", node: order[0] as number });
        break;
      case 1:
        out.push({ kind: "pause", node: order[0] as number });
        break;
      case 2:
        out.push({ kind: "partition", groups: [order.slice(0, half), order.slice(half)] });
        break;
      case 3:
        out.push({ kind: "restartAll" });
        break;
      default:
        out.push({ kind: "twoDown", nodes: [order[0] as number, order[1] as number] });
    }
  }
  return out;
}

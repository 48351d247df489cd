/**
 * Impersonation (`dev_impersonateAccount`): a transaction "from" an impersonated account
 * runs without its authorisation. The sender's validation step is skipped (answered as if
 * the account accepted it, at no gas); everything else is as usual: chain id, nonce, fee
 * and balance checks, the paymaster's own validation, the calls, fees. The transaction is
 * mined at once in its own block (dev mode only; it never enters the pool, so no other
 * node could receive it). The sender must hold code, as every sender on Weft is an
 * account contract: give a plain address code first with `dev_setCode`.
 */
import { createChainExecutor } from "../../chain/executeTransaction.js";
import type { TxEnvelope } from "../../chain/tx/envelope.js";
import type { Vm } from "../../vm/vm.js";
import type { ChainNode } from "../chainNode.js";
import type { ProducedBlock } from "../producer.js";
import { commitDevBlock } from "./devBlock.js";

/** "Valid until" the end of time: what an accepting account's validation returns. */
const FOREVER = (() => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, (1n << 64n) - 1n, true);
  return out;
})();

/** `vm` whose account validation accepts, unasked, for the accounts in `impersonated`. */
export function impersonatingVm(vm: Vm, impersonated: ReadonlySet<string>): Vm {
  return {
    call: (state, env, req) => vm.call(state, env, req),
    deploy: (state, env, req) => vm.deploy(state, env, req),
    callFromEvm: (view, env, req, depth) => vm.callFromEvm(view, env, req, depth),
    deployFromEvm: (view, env, req, depth) => vm.deployFromEvm(view, env, req, depth),
    endTransaction: () => vm.endTransaction(),
    validate(state, env, req) {
      if ((req.method ?? "validate") === "validate" && impersonated.has(req.account))
        return { status: "success", data: FOREVER, gasUsed: 0 };
      return vm.validate(state, env, req);
    },
    get cache() {
      return vm.cache;
    },
    get instances() {
      return vm.instances;
    },
  };
}

/** Runs `env` (unsigned, from an impersonated sender) in a block of its own; must run inside `exclusive`. */
export function mineImpersonated(
  node: ChainNode,
  impersonated: ReadonlySet<string>,
  env: TxEnvelope,
): ProducedBlock {
  const vm = impersonatingVm(node.vm, impersonated);
  return commitDevBlock(node, {
    txs: [{ kind: "account", envelope: env }],
    executor: (ctx) => createChainExecutor(ctx, { vm }),
  });
}

// Verify my balance, in the browser: the proof comes from the API (or is pasted), the root
// comes from the chain, and the check runs here. The operator's word is not needed.

import { t } from "../i18n";
import { currentSession, get } from "../api";
import { type Child, add, h } from "../dom";
import { groupStones, stonesOfPebbles } from "../format";
import type { Params } from "../router";
import type { ChainPublic, EpochPublic, OwnerProofPublic } from "../types";
import { card, field, hex, pageTitle, perform, problemBox } from "../widgets";
import { readChain } from "./explorer";

export async function renderVerify(page: HTMLElement, _params: Params, query: URLSearchParams): Promise<void> {
  const [chain, epochs] = await Promise.all([readChain(), get<EpochPublic[]>("/epochs", { auth: "none" })]);
  const finalized = epochs.filter((e) => e.status === "finalized").map((e) => e.epoch).sort((a, b) => b - a);
  const owner = currentSession()?.role === "owner";
  const wanted = Number(query.get("epoch") ?? finalized[0]);
  const select = h("select", { name: "epoch", id: "verify-epoch" },
    finalized.map((e) => h("option", { value: String(e), selected: e === wanted }, t("Epoch {{epoch}}", { epoch: e }))));
  const pasted = h("textarea", { name: "proof", id: "verify-proof", rows: 6, placeholder: '{"epoch": 0, "address": "0x…", "balance": "…", "balance_proof": […], …}' });
  const out = h("div", { id: "verify-result", class: "action-out" });
  const mine = h("button", { type: "button", class: "btn btn-primary", id: "verify-mine" }, t("Fetch my proof and verify"));
  const theirs = h("button", { type: "button", class: "btn btn-secondary", id: "verify-pasted" }, t("Verify the pasted proof"));
  mine.addEventListener("click", () => void perform(mine, out, async () => {
    const proof = await get<OwnerProofPublic>(`/wallet/proofs/${select.value}`);
    pasted.value = JSON.stringify(proof, null, 2);
    (document.getElementById("verify-details") as HTMLDetailsElement | null)?.setAttribute("open", "");
    return verify(chain, proof);
  }));
  theirs.addEventListener("click", () => void perform(theirs, out, async () => {
    return verify(chain, parseProof(pasted.value));
  }));
  add(page, 
    pageTitle("Verify my balance", "Your balance after an epoch, checked in this browser against the root the Program contract holds on chain."),
    finalized.length === 0
      ? card(null, h("p", { class: "empty" }, t("No epoch is finalized yet: there is nothing to verify against.")))
      : card(null,
          h("div", { class: "form" },
            field("Epoch", select),
            owner ? h("div", { class: "form-actions" }, mine) : h("p", { class: "muted" }, t("Log in as an owner to fetch your own proof, or paste a proof someone shared with you.")),
            h("details", { open: !owner, id: "verify-details" }, h("summary", null, owner ? t("The proof") : t("Paste a proof")), field("Proof (JSON, as the wallet downloads it)", pasted), h("div", { class: "form-actions" }, theirs)),
          ),
          out),
    card("How the check works", h("ol", null,
      h("li", null, t("The proof names an address (your pseudonym, no personal data), an amount and the sibling hashes from your leaf to the root.")),
      h("li", null, t("The page reads "), h("code", null, "commitment(epoch)"), t(" from the Program contract with JSON-RPC "), h("code", null, "eth_call"),
        t(chain?.backend === "remote" ? " straight from the chain's node." : " through the service's read-only relay to its embedded chain.")),
      h("li", null, t("It hashes your leaf as OpenZeppelin's standard Merkle tree does, climbs the proof, and compares the result with the root on chain.")),
    )),
  );
}

function parseProof(text: string): OwnerProofPublic {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(t("The pasted proof is not JSON."));
  }
  const proof = value as OwnerProofPublic;
  if (typeof proof?.address !== "string" || !Array.isArray(proof.balance_proof) || typeof proof.epoch !== "number") {
    throw new Error(t("The pasted JSON is not a balance proof: it needs epoch, address, balance and balance_proof."));
  }
  return proof;
}

async function verify(chain: ChainPublic | null, proof: OwnerProofPublic): Promise<Child> {
  if (!chain) throw new Error(t("No chain is configured, so there is no root to verify against."));
  const [{ readCommitment, rpcUrlOf }, { checkProof }] = await Promise.all([import("../chain"), import("../proof")]);
  try {
    const committed = await readCommitment(chain, proof.epoch);
    const balance = checkProof(proof.address, proof.balance, proof.balance_proof, committed.stateRoot);
    const reward = proof.reward_proof
      ? checkProof(proof.address, proof.reward, proof.reward_proof, committed.rewardsRoot)
      : null;
    const valid = balance.valid && (reward ? reward.valid : BigInt(proof.reward) === 0n);
    return h("div", { class: "verify" },
      h("div", { class: `verdict ${valid ? "ok" : "fail"}`, "data-valid": String(valid) },
        valid ? `✓ ${t("Verified: {{amount}} stones after epoch {{epoch}}", { amount: groupStones(stonesOfPebbles(proof.balance)), epoch: proof.epoch })}`
              : `✗ ${t("Not verified: this proof does not match the root on chain for epoch {{epoch}}", { epoch: proof.epoch })}`),
      h("ul", { class: "steps" },
        step(true, [t("Root read from the chain at "), h("code", null, rpcUrlOf(chain)), ": ", hex(committed.stateRoot)]),
        step(true, [t("Leaf of "), hex(proof.address), t(" with "), t("{{amount}} stones: ", { amount: groupStones(stonesOfPebbles(proof.balance)) }), hex(balance.leaf)]),
        step(balance.valid, [t("Climbed {{count}} proof steps to ", { count: proof.balance_proof.length }), hex(balance.computedRoot), t(balance.valid ? ": the same root" : ": a different root")]),
        reward ? step(reward.valid, [t("Reward in the epoch, {{amount}} stones, against the rewards root ", { amount: groupStones(stonesOfPebbles(proof.reward)) }), hex(committed.rewardsRoot)]) : null,
      ),
    );
  } catch (error) {
    return problemBox(error);
  }
}

function step(ok: boolean, content: Child): HTMLElement {
  return h("li", { class: ok ? "ok" : "fail" }, h("span", { class: "mark" }, ok ? "✓" : "✗"), h("span", null, content));
}

// The public explorer: the program's parameters, where every stone is, and its epochs.

import { get } from "../api";
import { type Child, add, h, replace } from "../dom";
import { amountOf, clockTime, counted, date, dateTime, groupStones, integer, stones, stonesOfPebbles, words, yuan, zoneLabel } from "../format";
import { t } from "../i18n";
import type { Params } from "../router";
import type { ChainPublic, DividendLimitsPublic, EpochPublic, ProgramPublic, Totals } from "../types";
import { badge, bars, card, csvButton, facts, hex, pageTitle, pager, stat, table, type Tone } from "../widgets";

export function st(pebbles: unknown): string {
  const text = stonesOfPebbles(BigInt(String(pebbles)));
  return t(text === "1" ? "{{amount}} stone" : "{{amount}} stones", { amount: groupStones(text) });
}

export async function renderProgram(page: HTMLElement): Promise<void> {
  const [program, chain, limits] = await Promise.all([
    get<ProgramPublic>("/program", { auth: "none" }), readChain(), get<DividendLimitsPublic>("/dividends/limits", { auth: "none" }),
  ]);
  const p = program.parameters;
  add(page, 
    pageTitle("The program", "Every number here is fixed at genesis and enforced by the Program contract on chain."),
    h("div", { class: "stats card" },
      stat("Total supply", amountOf(program.totals.issued, 0), t("stones, created once at genesis"), { id: "total-supply" }),
      stat("Circulating", amountOf(program.totals.circulating), t("held by owners"), { id: "circulating" }),
      stat("Current epoch", program.current_epoch >= 0 ? String(program.current_epoch) : t("before genesis"), t("genesis {{date}}", { date: date(program.genesis) })),
      stat("Burned", amountOf(program.totals.burned), t("spent in the store")),
    ),
    h("div", { class: "grid two" },
      card("Where every stone is", supplyBars(program.totals),
        h("p", { class: program.totals.reconciles ? "muted" : "problem" },
          t(program.totals.reconciles ? "The parts add up to the supply exactly." : "The parts do not add up to the supply."))),
      card("Chain", chainFacts(chain, program)),
    ),
    h("div", { class: "grid two" },
      card("Supply and emission", facts([
        ["Preset", program.preset],
        ["Total supply", st(p.total_supply)],
        ["Mining reserve", st(p.mining.pool)],
        ["Activity reserve", st(p.activity.pool)],
        ["Mined per epoch, first era", st(p.mining.initial_per_epoch)],
        ["Activity released per epoch, first era", st(p.activity.initial_per_epoch)],
        ["Era", t("{{epochs}}; the emission halves each era", { epochs: counted("{{count}} epochs", Number(p.mining.era_epochs)) })],
        ["Backing", backing(p)],
        ["Largest dividend", h("span", { id: "dividend-ceiling", "data-fen": limits.max_amount_fen }, yuan(limits.max_amount_fen), " ",
          h("span", { class: "muted" }, t(limits.ceiling_is_backing ? "per declaration: the backing (dividend_ceiling_fen 0)" : "per declaration (dividend_ceiling_fen)")))],
      ])),
      card("Drops", facts([
        ["Epoch", t("{{hours}} hours; an epoch turns at {{time}} {{zone}}", { hours: integer(Number(p.epoch_seconds) / 3600), time: clockTime(program.genesis), zone: zoneLabel() })],
        ["Drop rounds per epoch", String(p.rounds_per_epoch)],
        ["Drop size", st(p.drop_size)],
        ["Cap per vehicle per epoch", `${Number(p.vehicle_epoch_cap_meters) / 1000} km`],
        ["Behaviour multiplier", t("{{min}}× to {{max}}× with consent", { min: Number(p.behaviour_multiplier_min_bps) / 10000, max: Number(p.behaviour_multiplier_max_bps) / 10000 })],
        ["Max average speed", `${String(p.max_average_speed_kmh)} km/h`],
      ])),
      card("Activities", facts([
        ["Daily check-in", t("{{base}}, +{{bonus}} a day of streak (up to {{cap}})", { base: st(p.checkin_base_reward), bonus: st(p.checkin_streak_bonus), cap: String(p.checkin_streak_cap) })],
        ["Referral", t("{{referrer}} to the referrer, {{buyer}} to the buyer", { referrer: st(p.referral_referrer_reward), buyer: st(p.referral_buyer_reward) })],
        ["Referrals per year", String(p.referral_yearly_cap)],
        ["Referral vesting", counted("{{count}} days", Number(p.referral_vesting_days))],
      ])),
      card("Spending", facts([
        ["Fulfilled orders", p.fulfilled_orders_to === "burn" ? t("burned") : t(`to the ${String(p.fulfilled_orders_to)}`)],
        ["Transfers between owners", t(String(p.transfer_policy))],
        ["Spend lock", t(p.spend_requires_certification ? "{{days}} after earning, once the owner is certified" : "{{days}} after earning", { days: counted("{{count}} days", Number(p.spend_lock_days)) })],
        ["Parameters hash", hex(program.parameters_hash)],
      ])),
    ),
    card("All parameters", h("details", null, h("summary", null, t("Show the parameters as published (JSON)")),
      h("pre", { class: "code-block" }, JSON.stringify(p, null, 2)))),
  );
}

function backing(p: ProgramPublic["parameters"]): string {
  const round = BigInt(String(p.founding_round_fen));
  const bps = BigInt(String(p.backing_bps));
  return t("{{share}}% of a {{round}} founding round = {{backing}}", { share: Number(bps) / 100, round: yuan(round), backing: yuan((round * bps) / 10000n) });
}

export function supplyBars(totals: Totals): HTMLElement {
  const parts: [string, keyof Totals, Tone][] = [
    ["Mining reserve", "mining_reserve", "muted"],
    ["Activity reserve", "activity_reserve", "muted"],
    ["Released budgets", "budgets", "info"],
    ["Owners", "circulating", "good"],
    ["Merchants", "merchants", "warn"],
    ["Treasury", "treasury", "info"],
    ["Burned", "burned", "bad"],
  ];
  return bars(parts.map(([label, key, tone]) => {
    const amount = totals[key] as { stones: string };
    return { label: t(label), value: Number(amount.stones), text: stones(amount.stones, 2), tone };
  }));
}

export async function readChain(): Promise<ChainPublic | null> {
  return get<ChainPublic>("/chain", { auth: "none" });
}

function chainFacts(chain: ChainPublic | null, program: ProgramPublic): HTMLElement {
  if (!chain) return h("p", { class: "empty" }, t("No chain is configured."));
  return facts([
    ["Backend", t(chain.backend === "embedded" ? "embedded EVM (py-evm, in the service)" : "remote EVM node")],
    ["Chain id", String(chain.chain_id)],
    ["Program contract", hex(chain.program_address, false)],
    ["Finalized epochs", chain.next_epoch === null ? "—" : String(chain.next_epoch)],
    ["Epochs elapsed", String(Math.max(program.current_epoch, 0))],
  ]);
}

export function statusBadge(status: string): HTMLElement {
  const tone: Tone = status === "finalized" ? "good" : status === "open" ? "muted" : "warn";
  return badge(words(status), tone);
}

const EPOCHS_PAGE = 20;

export async function renderEpochs(page: HTMLElement): Promise<void> {
  const epochs = [...await get<EpochPublic[]>("/epochs", { auth: "none" })].sort((a, b) => b.epoch - a.epoch);
  const box = h("div", { id: "epochs-table" });
  let shown = EPOCHS_PAGE;
  const paint = () => replace(box, epochTable(epochs.slice(0, shown), "/explorer/epochs"));
  paint();
  add(page,
    pageTitle("Epochs", "Each epoch is settled, committed on chain and published as a file anyone can re-run."),
    card(null,
      h("div", { class: "row" }, csvButton("epochs.csv", ["epoch", "starts_at", "status", "mined_pebbles", "activity_released_pebbles", "state_root", "file_hash"],
        () => epochs.map((e) => [e.epoch, e.starts_at.iso, e.status, e.mined?.pebbles ?? null, e.activity?.pebbles ?? null, e.state_root, e.file_hash]))),
      h("p", { class: "muted" }, t("Each epoch starts at {{time}} {{zone}}.", { time: epochs.length ? clockTime(epochs[0].starts_at) : "", zone: zoneLabel() })),
      box,
      epochs.length > shown ? pager(async () => { shown += EPOCHS_PAGE; paint(); return shown < epochs.length; }, { id: "epochs-more" }) : null),
  );
}

export function epochTable(epochs: EpochPublic[], base: string): HTMLElement {
  return table<EpochPublic>([
    { label: "Epoch", cell: (e) => h("a", { href: `#${base}/${e.epoch}` }, `#${e.epoch}`) },
    { label: "Starts", cell: (e) => date(e.starts_at) },
    { label: "Status", cell: (e) => statusBadge(e.status) },
    { label: "Mined", cell: (e) => (e.mined ? amountOf(e.mined) : "—"), numeric: true },
    { label: "Activity released", cell: (e) => (e.activity ? amountOf(e.activity) : "—"), numeric: true },
    { label: "State root", cell: (e) => hex(e.state_root) },
  ], epochs, "No epoch has been settled yet.");
}

export async function renderEpoch(page: HTMLElement, params: Params): Promise<void> {
  const epoch = await get<EpochPublic>(`/epochs/${encodeURIComponent(params.epoch)}`, { auth: "none" });
  add(page, 
    pageTitle(t("Epoch {{epoch}}", { epoch: epoch.epoch }), t("{{start}} to {{end}}", { start: dateTime(epoch.starts_at), end: dateTime(epoch.ends_at) })),
    h("div", { class: "stats card" },
      stat("Status", statusBadge(epoch.status)),
      stat("Mined", epoch.mined ? amountOf(epoch.mined) : "—", t("stones in drops")),
      stat("Activity released", epoch.activity ? amountOf(epoch.activity) : "—", t("stones released to the activity budget")),
      stat("Rolled over", epoch.rollover ? amountOf(epoch.rollover) : "—", t("to the next epoch")),
    ),
    h("div", { class: "grid two" },
      card("Commitments", commitmentFacts(epoch)),
      card("Cumulative on chain", facts([
        ["Mined", epoch.cum_mined ? amountOf(epoch.cum_mined) : "—"],
        ["Mining schedule allows", epoch.schedule_mined ? amountOf(epoch.schedule_mined) : "—"],
        ["Activity paid", epoch.cum_activity ? amountOf(epoch.cum_activity) : "—"],
        ["Burned", epoch.cum_burned ? amountOf(epoch.cum_burned) : "—"],
        ["Finalized", epoch.finalized_at ? dateTime(epoch.finalized_at) : "—"],
      ])),
    ),
    epoch.file_hash
      ? card("Re-run it yourself", h("p", null, h("a", { href: `/api/v1/epochs/${epoch.epoch}/file`, download: `epoch-${epoch.epoch}.json` }, t("Download the epoch file")),
          " ", t("and run `milestone audit` over it: the weights, the seed, every drop and every root are recomputed and compared with the chain.")),
        h("p", null, h("a", { href: `#/explorer/verify?epoch=${epoch.epoch}` }, t("Verify a balance in this epoch →"))))
      : null,
  );
}

export function commitmentFacts(epoch: EpochPublic): HTMLElement {
  const rows: [string, Child][] = [
    ["Weights root", hex(epoch.weights_root)],
    ["Total weight", epoch.total_weight ?? "—"],
    ["Beacon seed", hex(epoch.seed)],
    ["State root", hex(epoch.state_root)],
    ["Rewards root", hex(epoch.rewards_root)],
    ["Journal head", hex(epoch.journal_head)],
    ["Epoch file hash", hex(epoch.file_hash)],
    ["Dividends root", hex(epoch.dividends_root)],
  ];
  return facts(rows);
}

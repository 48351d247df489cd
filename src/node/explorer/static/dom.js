// HTML building with escaping by default, and the explorer's formatting helpers.
//
// Everything that comes from the chain goes through `html`: interpolated values are
// escaped unless they are `Safe` (built by `html` itself or by code that escaped them).

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

/** Escapes text for an HTML text node or a quoted attribute. */
export function esc(value) {
  return String(value).replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
}

/** A fragment of markup that is already safe to insert. */
export class Safe {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
}

function fragment(value) {
  if (value instanceof Safe) return value.text;
  if (Array.isArray(value)) return value.map(fragment).join("");
  if (value === null || value === undefined || value === false) return "";
  return esc(value);
}

/** Tagged template: `html\`<b>${name}</b>\`` escapes `name`; arrays are joined; null/false vanish. */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += fragment(values[i]) + strings[i + 1];
  return new Safe(out);
}

/** Markup built by trusted code (never pass chain data). */
export function trusted(text) {
  return new Safe(text);
}

/** Replaces the children of `el` with `markup`. */
export function render(el, markup) {
  el.innerHTML = fragment(markup);
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

/** `0x1234…abcd` */
export function short(hex, head = 8, tail = 6) {
  const s = String(hex);
  return s.length <= head + tail + 1 ? s : `${s.slice(0, head)}…${s.slice(-tail)}`;
}

/** 1234567 → "1,234,567" (bigint, number or decimal string). */
export function groupDigits(value) {
  const s = String(value);
  const negative = s.startsWith("-");
  const digits = negative ? s.slice(1) : s;
  if (!/^\d+$/.test(digits)) return s;
  return (negative ? "-" : "") + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A base-unit amount with `decimals` as a readable decimal: (1500000000000000000n, 18) → "1.5". */
export function formatUnits(value, decimals, maxFraction = 6) {
  let v = BigInt(value);
  const negative = v < 0n;
  if (negative) v = -v;
  const base = 10n ** BigInt(decimals);
  const whole = v / base;
  let frac = decimals > 0 ? (v % base).toString().padStart(decimals, "0").slice(0, maxFraction) : "";
  frac = frac.replace(/0+$/, "");
  const tiny = frac === "" && v % base !== 0n && whole === 0n;
  const text = `${groupDigits(whole)}${frac ? `.${frac}` : ""}`;
  return `${negative ? "-" : ""}${tiny ? `<0.${"0".repeat(Math.max(0, maxFraction - 1))}1` : text}`;
}

/**
 * How far the chain's clock runs ahead of this computer's, ms: a dev node's time travel
 * (`evm_increaseTime`) moves block times ahead of the wall clock, and ages count from the
 * chain's now (`weft_status` `time`, and never before the newest block seen).
 */
let chainAheadMs = 0;

/** The chain's clock says `seconds` now (`weft_status`'s `time`). */
export function chainTimeIs(seconds) {
  const ahead = Number(seconds) * 1000 - Date.now();
  if (Number.isFinite(ahead)) chainAheadMs = ahead;
}

/** A block of this time exists: the chain's clock is at least there. */
export function chainTimeAtLeast(seconds) {
  const ahead = Number(seconds) * 1000 - Date.now();
  if (Number.isFinite(ahead) && ahead > chainAheadMs) chainAheadMs = ahead;
}

/** The chain's now, ms since the epoch. */
export function chainNowMs() {
  return Date.now() + chainAheadMs;
}

/** Seconds since the epoch → "12 s ago" / "in 3 min" relative to the chain's now. */
export function age(seconds, nowMs = chainNowMs()) {
  const diff = Math.round(nowMs / 1000 - Number(seconds));
  const abs = Math.abs(diff);
  let text;
  if (abs < 60) text = `${abs} s`;
  else if (abs < 3600) text = `${Math.floor(abs / 60)} min`;
  else if (abs < 86400) text = `${Math.floor(abs / 3600)} h`;
  else text = `${Math.floor(abs / 86400)} d`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** Seconds since the epoch → "2025-01-31 12:34:56 UTC". */
export function utc(seconds) {
  const d = new Date(Number(seconds) * 1000);
  if (Number.isNaN(d.getTime())) return String(seconds);
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function ms(value) {
  const n = Number(value);
  if (!Number.isFinite(n)) return "–";
  return n >= 100 ? `${n.toFixed(0)} ms` : n >= 10 ? `${n.toFixed(1)} ms` : `${n.toFixed(2)} ms`;
}

export function percent(part, whole) {
  if (!whole) return "–";
  return `${((100 * Number(part)) / Number(whole)).toFixed(1)}%`;
}

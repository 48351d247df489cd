/** Token amounts for people: whole units grouped by thousands, the fraction as it is, and the symbol. */
import { formatUnits } from "../sdk/client/units.js";

/** `2,000,000`, `1,234.5`, `0.000001` for `value` smallest units of a token with `decimals`. */
export function groupedUnits(value: bigint, decimals: number): string {
  const text = formatUnits(value, decimals);
  const negative = text.startsWith("-");
  const [whole = "0", fraction] = (negative ? text.slice(1) : text).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}

/** `2,000,000 WGOV`. */
export function tokenAmount(value: bigint, token: { decimals: number; symbol: string }): string {
  return `${groupedUnits(value, token.decimals)} ${token.symbol}`;
}

/** Decimal amounts: "1.5" ⇄ 1500000000000000000n (18 decimals unless told otherwise). */

/** Parses a decimal string into base units; refuses more fractional digits than `decimals`. */
export function parseUnits(text: string, decimals = 18): bigint {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (m === null || (m[2] === "" && (m[3] ?? "") === ""))
    throw new RangeError(`not a decimal amount: ${JSON.stringify(text)}`);
  const fraction = m[3] ?? "";
  if (fraction.length > decimals)
    throw new RangeError(`${JSON.stringify(text)} has more than ${decimals} decimal places`);
  const units = BigInt((m[2] || "0") + fraction.padEnd(decimals, "0"));
  return m[1] === "-" ? -units : units;
}

/** Formats base units as a decimal string without trailing zeros ("1.5", "2", "0.000001"). */
export function formatUnits(value: bigint, decimals = 18): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}`;
}

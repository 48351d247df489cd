/** Times for people: a unix time as a UTC date and time, and how far it is from another. */

/** `2026-12-27 14:40:03 UTC`. */
export function utcDateTime(unixSeconds: bigint): string {
  return `${new Date(Number(unixSeconds) * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A duration in seconds as `21 days 4 h 5 min`, `3 h 0 min`, `42 s` (whole units, largest first). */
export function duration(seconds: bigint): string {
  const s = seconds < 0n ? -seconds : seconds;
  const days = s / 86_400n;
  const hours = (s % 86_400n) / 3_600n;
  const minutes = (s % 3_600n) / 60n;
  if (days > 0n) return `${days} day${days === 1n ? "" : "s"} ${hours} h ${minutes} min`;
  if (hours > 0n) return `${hours} h ${minutes} min`;
  if (minutes > 0n) return `${minutes} min ${s % 60n} s`;
  return `${s} s`;
}

/** `2026-12-27 14:40:03 UTC (in 21 days 0 h 0 min)` counted from `fromSeconds`, `(… ago)` for a time before it, `(now)` at it. */
export function whenFrom(unixSeconds: bigint, fromSeconds: bigint): string {
  const delta = unixSeconds - fromSeconds;
  if (delta === 0n) return `${utcDateTime(unixSeconds)} (now)`;
  const relative = delta > 0n ? `in ${duration(delta)}` : `${duration(delta)} ago`;
  return `${utcDateTime(unixSeconds)} (${relative})`;
}

/** Local hours in IANA time zones, with the platform's own zone data (Intl): no library needed. */

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** How far the zone's wall clock is ahead of UTC at `at`, in ms. */
function offsetMs(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(at / 1000) * 1000;
}

/** The next moment after `now` when the zone's clocks show `hour`:00 (a day a DST gap skips moves to the next). */
export function nextLocalHour(now: Date, hour: number, timeZone: string): Date {
  const wall = new Date(now.getTime() + offsetMs(timeZone, now.getTime()));
  let candidate = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), hour);
  for (let day = 0; day < 4; day++, candidate += 86_400_000) {
    const guess = candidate - offsetMs(timeZone, candidate);
    const utc = candidate - offsetMs(timeZone, guess);
    if (utc > now.getTime()) return new Date(utc);
  }
  return new Date(candidate);
}

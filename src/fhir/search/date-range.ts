/** An inclusive instant range: what a FHIR date of some precision stands for. */
export interface DateRange {
  low: Date;
  high: Date;
}

const DATE_PATTERN = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The range a FHIR date/dateTime/instant covers at its precision: `2020` is the whole
 * year, `2020-05-03T10:00:00Z` one second. Values without a zone are read as UTC.
 * https://hl7.org/fhir/R4/search.html#date
 * Returns undefined for text that is not a FHIR date (also for impossible ones such as
 * `2021-02-30` or `T25:00`, and instants outside the years 1–9999 in UTC).
 */
export function dateRange(text: string): DateRange | undefined {
  const m = DATE_PATTERN.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo ? Number(mo) - 1 : 0;
  const day = d ? Number(d) : 1;
  const [hour, minute, second] = [Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)];
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (year < 1 || month > 11 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59 || offsetMinutes === undefined)
    return undefined;
  const base = utc(year, month, day, hour, minute, second);
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let end: number;
  if (!mo) end = utc(year + 1, 0, 1);
  else if (!d) end = utc(year, month + 1, 1);
  else if (!h) end = utc(year, month, day + 1);
  else if (!s) end = base + 60000;
  else if (!frac) end = base + 1000;
  else end = base + ms + 1;
  const low = new Date(base + ms - offsetMinutes * 60000);
  const high = new Date(end - 1 - offsetMinutes * 60000);
  return low.getUTCFullYear() >= 1 && high.getUTCFullYear() <= 9999 ? { low, high } : undefined;
}

/** Date.UTC, but years 1–99 stay themselves instead of becoming 1901–1999 (same leap years). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const time = Date.UTC(year, month, day, hour, minute, second);
  if (year >= 100) return time;
  const date = new Date(time);
  date.setUTCFullYear(date.getUTCFullYear() - 1900);
  return date.getTime();
}

function daysIn(year: number, month: number): number {
  return new Date(utc(year, month + 1, 1) - 86400000).getUTCDate();
}

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (!zone || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hh = 0, mm = 0] = zone.slice(1).split(':').map(Number);
  return hh > 14 || mm > 59 ? undefined : sign * (hh * 60 + mm);
}

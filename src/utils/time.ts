const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock time of an instant in an IANA zone: `2026-11-25 01:00:00`. */
export function formatWallTime(ms: number, tz: string): string {
  let formatter = formatters.get(tz);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(tz, formatter);
  }
  const parts = formatter.formatToParts(new Date(ms));
  const get = (type: string): string => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** `2026-11-25 01:00:00` in Asia/Seoul (operators read Korean time); '-' when unknown. */
export function formatSeoulTime(value: Date | string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '-';
  return formatWallTime(date.getTime(), 'Asia/Seoul');
}

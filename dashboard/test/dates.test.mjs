// The dashboard's day boundaries in an account's time zone must be Java's (LocalDate.atStartOfDay),
// or the page would ask the API for other ranges than the server's own days. Expected instants
// were printed by java.time for each case, including clock changes at midnight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const source = readFileSync(new URL('../../src/main/resources/web/app/assets/common.js', import.meta.url), 'utf8');
const context = { location: { href: 'http://localhost/app/demo' }, URL, URLSearchParams, Intl, Date, Math };
vm.runInNewContext(source + '\nthis.Playlens = Playlens;', context);
const { startOfDay, localDate } = context.Playlens;

const cases = [
  ['2026-03-08', 'America/Havana', '2026-03-08T05:00:00.000Z'], // midnight skipped: starts 01:00
  ['2026-09-06', 'America/Santiago', '2026-09-06T04:00:00.000Z'], // midnight skipped
  ['2026-11-01', 'America/New_York', '2026-11-01T04:00:00.000Z'], // fall back at 02:00
  ['2026-03-29', 'Europe/Paris', '2026-03-28T23:00:00.000Z'],
  ['2026-11-22', 'Asia/Kolkata', '2026-11-21T18:30:00.000Z'], // half-hour offset
  ['2026-04-05', 'Australia/Lord_Howe', '2026-04-04T13:00:00.000Z'], // half-hour clock change
  ['2026-11-22', 'UTC', '2026-11-22T00:00:00.000Z'],
];

for (const [date, zone, expected] of cases) {
  test(`${date} starts at ${expected} in ${zone}`, () => {
    const start = startOfDay(date, zone);
    assert.equal(start.toISOString(), expected);
    assert.equal(localDate(start, zone), date);
  });
}

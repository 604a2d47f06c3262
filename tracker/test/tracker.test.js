// Unit tests of the tracker's logic, with Node's own test runner: `node --test tracker/test/`
// (run by `./mvnw verify`).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Segment, Sender, clip, FLUSH_DELAY_MS, MAX_BATCH, MAX_BATCH_BYTES, MAX_PENDING } =
  require('../src/playlens.js');

test('a segment grows while playback is continuous and splits on an unexplained jump', () => {
  const segment = new Segment();
  assert.equal(segment.advance(0, 0), null);
  assert.equal(segment.advance(0.25, 1.25), null);
  assert.equal(segment.advance(1.0, 1.75), null);
  // 30 s further after 0.25 s of wall time: a seek nobody announced.
  assert.deepEqual(segment.advance(31, 1.25), [0, 1.0]);
  assert.equal(segment.advance(32, 2), null);
  assert.deepEqual(segment.close(), [31, 32]);
  assert.equal(segment.close(), null);
});

test('a heartbeat cuts what was played so far and goes on from there', () => {
  const segment = new Segment();
  segment.advance(10, 0);
  segment.advance(15, 6);
  assert.deepEqual(segment.cut(), [10, 15]);
  assert.equal(segment.cut(), null, 'nothing new since the last cut');
  segment.advance(20, 6);
  assert.deepEqual(segment.close(), [15, 20]);
});

/** A sender over a fake clock and a scripted transport. */
function harness(responses, beaconAccepts = () => true) {
  const timers = [];
  const sent = [];
  const delivered = [];
  const dropped = [];
  const beacons = [];
  const sender = new Sender({
    transport: (body) => {
      sent.push(JSON.parse(body));
      const next = responses.length ? responses.shift() : 202;
      return next === 'network' ? Promise.reject(new TypeError('Failed to fetch'))
        : Promise.resolve({ status: next });
    },
    beacon: (body) => {
      if (!beaconAccepts(body)) return false;
      beacons.push(JSON.parse(body));
      return true;
    },
    envelope: (events) => ({ key: 'pk', session: 's', events }),
    onSent: (events) => delivered.push(...events),
    onDropped: (events, status) => dropped.push({ events, status }),
    setTimeout: (f, ms) => { const t = { f, ms }; timers.push(t); return t; },
    clearTimeout: (t) => { const i = timers.indexOf(t); if (i >= 0) timers.splice(i, 1); },
    random: () => 1,
  });
  const tick = async () => {
    const t = timers.shift();
    assert.ok(t, 'a timer is waiting');
    t.f();
    await new Promise((r) => setImmediate(r));
    return t.ms;
  };
  return { sender, timers, sent, delivered, dropped, beacons, tick };
}

const event = (n) => ({ type: 'watch', from: n, to: n + 1 });

test('events wait a second for company, then go in one request', async () => {
  const h = harness([]);
  h.sender.push(event(0));
  h.sender.push(event(1));
  h.sender.push(event(2));
  assert.equal(h.sent.length, 0);
  assert.equal(await h.tick(), FLUSH_DELAY_MS);
  assert.equal(h.sent.length, 1);
  assert.deepEqual(h.sent[0].events.map((e) => e.from), [0, 1, 2]);
  assert.deepEqual(h.delivered.map((e) => e.from), [0, 1, 2]);
});

test('a large backlog goes in batches, in order', async () => {
  const h = harness([]);
  for (let i = 0; i < MAX_BATCH * 2 + 5; i++) h.sender.push(event(i));
  await h.tick();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(h.sent.map((b) => b.events.length), [MAX_BATCH, MAX_BATCH, 5]);
  assert.deepEqual(h.delivered.map((e) => e.from), [...Array(MAX_BATCH * 2 + 5).keys()]);
});

test('failed sends are retried with growing backoff and nothing is lost or reordered', async () => {
  const h = harness(['network', 503, 'network', 202]);
  h.sender.push(event(0));
  await h.tick(); // first try: network down
  h.sender.push(event(1)); // arrives while waiting to retry
  h.sender.flush(); // a heartbeat's flush does not jump the backoff
  assert.equal(h.sent.length, 1);
  assert.equal(await h.tick(), 1000); // second try: 503
  assert.equal(await h.tick(), 2000); // third: network
  assert.equal(await h.tick(), 4000); // fourth: accepted
  assert.equal(h.sent.length, 4);
  assert.deepEqual(h.sent[3].events.map((e) => e.from), [0, 1]);
  assert.deepEqual(h.delivered.map((e) => e.from), [0, 1]);
  // Success resets the backoff.
  h.sender.push(event(2));
  assert.equal(await h.tick(), FLUSH_DELAY_MS);
  assert.deepEqual(h.delivered.map((e) => e.from), [0, 1, 2]);
});

test('the backoff stops growing at 30 seconds', async () => {
  const h = harness(Array(10).fill('network'));
  h.sender.push(event(0));
  await h.tick();
  const delays = [];
  for (let i = 0; i < 8; i++) delays.push(await h.tick());
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test('a refusal that cannot succeed later is dropped, and later events still go', async () => {
  const h = harness([400, 202]);
  h.sender.push(event(0));
  await h.tick();
  assert.equal(h.dropped.length, 1);
  assert.equal(h.dropped[0].status, 400);
  h.sender.push(event(1));
  await h.tick();
  assert.deepEqual(h.delivered.map((e) => e.from), [1]);
});

test('the queue is bounded: beyond it the oldest events go', () => {
  const h = harness([]);
  for (let i = 0; i < MAX_PENDING + 10; i++) h.sender.push(event(i));
  assert.equal(h.sender.queue.length, MAX_PENDING);
  assert.equal(h.sender.queue[0].from, 10);
  assert.equal(h.sender.dropped, 10);
});

test('leaving the page hands every queued event to sendBeacon, even those awaiting a retry', async () => {
  const h = harness(['network']);
  h.sender.push(event(0));
  await h.tick(); // fails: event 0 waits for a retry
  for (let i = 1; i <= MAX_BATCH + 1; i++) h.sender.push(event(i));
  h.sender.exit(true);
  assert.deepEqual(h.beacons.map((b) => b.events.length), [MAX_BATCH, 2]);
  assert.deepEqual(h.beacons.flatMap((b) => b.events.map((e) => e.from)),
    [...Array(MAX_BATCH + 2).keys()]);
  assert.equal(h.sender.queue.length, 0);
});

test('a page that is only hidden keeps retrying instead of handing a failing queue over', async () => {
  const h = harness(['network']);
  h.sender.push(event(0));
  await h.tick();
  h.sender.push(event(1));
  h.sender.exit(false);
  assert.equal(h.beacons.length, 0);
  assert.deepEqual(h.sender.queue.map((e) => e.from), [0, 1]);
  assert.equal(h.timers.length, 1, 'the retry is still scheduled');
});

test('what sendBeacon refuses stays queued, in order', () => {
  let accepted = 0;
  const h = harness([], () => accepted++ < 1);
  for (let i = 0; i < MAX_BATCH * 2; i++) h.sender.push(event(i));
  h.sender.exit(true);
  assert.equal(h.beacons.length, 1);
  assert.equal(h.sender.queue.length, MAX_BATCH);
  assert.equal(h.sender.queue[0].from, MAX_BATCH);
});

test('batches stay under the byte budget however large the events', async () => {
  const h = harness([]);
  const big = (n) => ({ type: 'error', code: 'X', message: String(n).padEnd(1000, '.') });
  for (let i = 0; i < 120; i++) h.sender.push(big(i));
  await h.tick();
  await new Promise((r) => setImmediate(r));
  assert.ok(h.sent.length >= 3, `${h.sent.length} requests`);
  for (const body of h.sent) assert.ok(JSON.stringify(body).length <= MAX_BATCH_BYTES + 1000);
  assert.equal(h.delivered.length, 120);
});

test('a transport that throws does not leave the sender stuck', async () => {
  let calls = 0;
  const timers = [];
  const delivered = [];
  const sender = new Sender({
    transport: () => { if (calls++ === 0) throw new Error('boom'); return Promise.resolve({ status: 202 }); },
    beacon: () => true,
    envelope: (events) => ({ events }),
    onSent: (events) => delivered.push(...events),
    onDropped: () => {},
    setTimeout: (f, ms) => { const t = { f, ms }; timers.push(t); return t; },
    clearTimeout: () => {},
    random: () => 1,
  });
  sender.push(event(0));
  timers.shift().f();
  await new Promise((r) => setImmediate(r));
  assert.equal(sender.inFlight, null);
  timers.shift().f(); // the retry
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(delivered.map((e) => e.from), [0]);
});

test('text is cut to what the endpoint accepts', () => {
  assert.equal(clip('x'.repeat(3000), 2048).length, 2048);
  assert.equal(clip('', 10), undefined);
  assert.equal(clip(null, 10), undefined);
  assert.equal(clip(42, 10), '42');
});

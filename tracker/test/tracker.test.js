// Unit tests of the tracker's logic, with Node's own test runner: `node --test tracker/test/`
// (run by `./mvnw verify`).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { mergeIntervals, coveredSeconds, Segment, Sender, FLUSH_DELAY_MS, MAX_BATCH, MAX_PENDING } =
  require('../src/playlens.js');

test('intervals are sorted and merged where they overlap or touch', () => {
  assert.deepEqual(mergeIntervals([[10, 15], [0, 5], [4, 8], [15, 20], [30, 30], [40, 35]]),
    [[0, 8], [10, 20]]);
  assert.equal(coveredSeconds([[0, 10], [5, 15], [20, 25]]), 20);
  assert.deepEqual(mergeIntervals([]), []);
});

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
function harness(responses) {
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
    beacon: (body) => { beacons.push(JSON.parse(body)); return true; },
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

test('leaving the page hands every queued event to sendBeacon, in batches', async () => {
  const h = harness(['network']);
  h.sender.push(event(0));
  await h.tick(); // fails: event 0 waits for a retry
  for (let i = 1; i <= MAX_BATCH + 1; i++) h.sender.push(event(i));
  h.sender.exit();
  assert.deepEqual(h.beacons.map((b) => b.events.length), [MAX_BATCH, 2]);
  assert.deepEqual(h.beacons.flatMap((b) => b.events.map((e) => e.from)),
    [...Array(MAX_BATCH + 2).keys()]);
  assert.equal(h.timers.length, 0, 'no retry is left scheduled');
});

// Calls a Playlens server through api.video's official Node.js client, exactly as a customer's code
// would, and prints what the client returned as one JSON object on stdout. The Java test
// OfficialNodeClientTest sends the data, runs this and checks the numbers.
//
// Usage: node call.mjs BASE_URI API_KEY FROM TO
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const client = require('@api.video/nodejs-client');
const ApiVideoClient = client.default || client;

const [baseUri, apiKey, fromText, toText] = process.argv.slice(2);
if (!toText) {
  console.error('usage: node call.mjs BASE_URI API_KEY FROM TO');
  process.exit(2);
}
const from = new Date(fromText);
const to = new Date(toText);
const analytics = new ApiVideoClient({ apiKey, baseUri }).analytics;

/** The client's error as data: api.video's problem details and the HTTP status. */
async function failure(call) {
  try {
    await call();
    return null;
  } catch (error) {
    return { status: error.code, problem: error.problemDetails };
  }
}

const out = {
  plays: await analytics.getAggregatedMetrics({ metric: 'play', aggregation: 'count', from, to }),
  playsInFrance: await analytics.getAggregatedMetrics({
    metric: 'play',
    aggregation: 'count',
    from,
    to,
    filterBy: { country: ['FR'], mediaType: 'video' },
  }),
  playRate: await analytics.getAggregatedMetrics({ metric: 'play', aggregation: 'rate', from, to }),
  uniqueViews: await analytics.getAggregatedMetrics({
    metric: 'view',
    aggregation: 'count',
    from,
    to,
    viewDuration: '3s',
    unique: true,
  }),
  watchTime: await analytics.getAggregatedMetrics({ metric: 'watch-time', aggregation: 'sum', from, to }),
  playTotal: await analytics.getAggregatedMetrics({ metric: 'play', aggregation: 'total' }),
  playsByCountry: await analytics.getMetricsBreakdown({
    metric: 'play',
    breakdown: 'country',
    from,
    to,
    sortBy: 'dimensionValue',
    sortOrder: 'asc',
  }),
  impressionsByBrowserPage2: await analytics.getMetricsBreakdown({
    metric: 'impression',
    breakdown: 'browser',
    from,
    to,
    currentPage: 2,
    pageSize: 1,
  }),
  playsOverTime: await analytics.getMetricsOverTime({ metric: 'play', from, to, interval: 'hour' }),
  badInterval: await failure(() =>
    analytics.getMetricsOverTime({ metric: 'play', from, to, interval: 'minute' })),
};
console.log(JSON.stringify(out));

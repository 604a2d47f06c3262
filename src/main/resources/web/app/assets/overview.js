// The overview of an account: key figures against the previous period, impressions and plays over
// time, top media, breakdowns with a world map, and live viewers. Every number comes from the
// api.video routes (/data/...), as a customer's code would ask for it.
'use strict';

(() => {
  const P = Playlens;
  const BREAKDOWNS = [
    ['countries', 'country', 'Country'],
    ['devices', 'device-type', 'Device type'],
    ['systems', 'operating-system', 'Operating system'],
    ['browsers', 'browser', 'Browser'],
    ['referrers', 'referrer', 'Referrer'],
  ];
  let chart = null;
  let map = null;
  let loading = 0;

  function renderChart(timeframe, impressions, plays) {
    const container = document.getElementById('chart');
    const x = plays.map((point) => Date.parse(point.emittedAt) / 1000);
    const data = [x, impressions.map((point) => point.metricValue), plays.map((point) => point.metricValue)];
    container.dataset.points = String(x.length);
    container.dataset.plays = String(data[2].reduce((sum, value) => sum + value, 0));
    if (chart) chart.destroy();
    const width = Math.max(280, container.clientWidth || 600);
    chart = new uPlot({
      width,
      height: 260,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeframe.zone),
      series: [
        {},
        { label: 'Impressions', stroke: '#94a3b8', width: 2 },
        { label: 'Plays', stroke: '#2563eb', width: 2, fill: 'rgba(37,99,235,0.08)' },
      ],
      axes: [{}, { size: 60 }],
    }, data, container);
  }

  function renderMap(values) {
    const container = document.getElementById('map');
    if (map) {
      map.destroy();
      map = null;
    }
    container.replaceChildren();
    if (typeof jsVectorMap === 'undefined') return;
    map = new jsVectorMap({
      selector: '#map',
      map: 'world',
      zoomButtons: false,
      zoomOnScroll: false,
      regionStyle: { initial: { fill: '#e2e8f0' } },
      visualizeData: Object.keys(values).length ? { scale: ['#bfdbfe', '#1d4ed8'], values } : undefined,
      onRegionTooltipShow(event, tooltip, code) {
        tooltip.text(tooltip.text() + ': ' + P.count(values[code] || 0) + ' plays', true);
      },
    });
  }

  async function load() {
    const ticket = ++loading;
    const current = P.range();
    P.busy(true);
    P.showStatus('Loading…');
    try {
      const filterChoices = await choices(current);
      P.renderControls(document.getElementById('controls'), current, filterChoices);
      const [now, before, impressions, plays, top, ...breakdowns] = await Promise.all([
        P.keyFigures(current),
        P.previousFigures(current),
        P.allPages('/data/timeseries/impression', P.query(current, { interval: interval(current) })),
        P.allPages('/data/timeseries/play', P.query(current, { interval: interval(current) })),
        P.api('/data/buckets/play/media-id?' + P.query(current, { sortBy: 'metricValue', sortOrder: 'desc', pageSize: 10 })),
        ...BREAKDOWNS.map(([, breakdown]) =>
          P.api('/data/buckets/play/' + breakdown + '?' + P.query(current, { sortBy: 'metricValue', sortOrder: 'desc', pageSize: 10 }))),
      ]);
      if (ticket !== loading) return; // a newer choice is loading
      P.showKeyFigures(current, now, before);
      renderChart(current, impressions, plays);
      const base = '/app/' + P.accountKey() + '/media/';
      const keep = location.search;
      P.table(document.getElementById('top-media'), 'Top media by plays',
        [
          { label: 'Media', value: (row) => P.el('a', { href: base + encodeURIComponent(row.dimensionValue) + keep }, row.dimensionValue) },
          { label: 'Plays', numeric: true, value: (row) => P.count(row.metricValue) },
        ], top.data);
      BREAKDOWNS.forEach(([id, , label], index) => {
        P.table(document.getElementById(id), label + ' by plays',
          [
            { label, value: (row) => row.dimensionValue === '' ? '(none)' : row.dimensionValue },
            { label: 'Plays', numeric: true, value: (row) => P.count(row.metricValue) },
          ], breakdowns[index].data);
      });
      renderMap(Object.fromEntries(breakdowns[0].data.filter((row) => row.dimensionValue).map((row) => [row.dimensionValue, row.metricValue])));
      P.showStatus(now.impressions === 0 ? 'No impressions in this range yet: embed the tracker, or pick another range.' : '');
    } catch (error) {
      if (ticket === loading) P.showStatus(error.message, 'error');
    } finally {
      if (ticket === loading) P.busy(false);
    }
  }

  /** Hourly for ranges of two days or less, daily beyond: the api.video default rule. */
  function interval(current) {
    return current.to - current.from <= 2 * 86400 * 1000 ? 'hour' : 'day';
  }

  /** The values the filter menus offer: those seen in the range. */
  async function choices(current) {
    const values = async (breakdown) => {
      const answer = await P.api('/data/buckets/impression/' + breakdown + '?' +
        P.query(current, { pageSize: 100, sortBy: 'metricValue', sortOrder: 'desc' }, { noFilters: true }));
      return answer.data.map((row) => row.dimensionValue).filter((value) => value);
    };
    const [media, country, device, browser] = await Promise.all(
      ['media-id', 'country', 'device-type', 'browser'].map(values));
    return { media, country, device, browser };
  }

  async function live() {
    try {
      const answer = await P.api('/data/metrics/ccv/live?' + P.query(P.range()).replace(/(^|&)(from|to)=[^&]*/g, ''));
      const element = document.getElementById('live-viewers');
      element.textContent = P.count(answer.data);
      element.dataset.at = new Date().toISOString();
    } catch (error) {
      // the next poll tries again; the figures' status line reports lasting errors
    }
  }

  window.addEventListener('resize', () => {
    const container = document.getElementById('chart');
    if (chart && container.clientWidth) chart.setSize({ width: container.clientWidth, height: 260 });
  });

  P.start().then(() => {
    document.getElementById('controls').addEventListener('change-view', load);
    load();
    live();
    setInterval(live, 5000);
  }, (error) => P.showStatus(error.message, 'error'));
})();

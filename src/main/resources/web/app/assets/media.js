// A media's page (Wistia's stats page): its key figures (api.video routes filtered to the media),
// the engagement graph and heatmap, the retention curve and recent views with their own heatmap
// strips (Wistia's /v1/stats routes), and the "Export as CSV" dialog (the per-video export).
'use strict';

(() => {
  const P = Playlens;
  const mediaId = decodeURIComponent(location.pathname.split('/')[4] || '');
  const charts = {};
  let mediaDuration = 0;
  let mediaInfo = Promise.resolve();
  let loading = 0;

  function line(id, label, seconds, series) {
    const container = document.getElementById(id);
    if (charts[id]) charts[id].destroy();
    container.replaceChildren();
    charts[id] = new uPlot({
      width: Math.max(280, container.clientWidth || 600),
      height: 220,
      scales: { x: { time: false } },
      axes: [{ label }, { size: 60 }],
      series: [{ label: 'Second' }, ...series.map((one) => one.options)],
    }, [seconds, ...series.map((one) => one.values)], container);
  }

  /** One row of coloured cells: darker where a second was played more often. */
  function strip(values, label) {
    const max = Math.max(1, ...values);
    const cells = values.map((value) => {
      const cell = P.el('span', { class: 'cell' });
      cell.style.opacity = value === 0 ? '0.06' : String(0.25 + 0.75 * (value / max));
      return cell;
    });
    return P.el('span', { class: 'strip', role: 'img', 'aria-label': label, 'data-cells': String(values.length) }, ...cells);
  }

  async function engagement() {
    await mediaInfo;
    const id = encodeURIComponent(mediaId);
    const [graph, stats] = await Promise.all([
      P.api('/v1/stats/medias/' + id + '/engagement'),
      P.api('/v1/stats/medias/' + id),
    ]);
    const data = graph.engagement_data;
    const heatmap = document.getElementById('heatmap');
    heatmap.replaceChildren(strip(data, 'Heatmap: plays per second of the video'));
    heatmap.dataset.total = String(data.reduce((sum, value) => sum + value, 0));
    if (!data.length) {
      document.getElementById('engagement').replaceChildren(P.el('p', { class: 'empty' }, 'No plays with a known duration yet.'));
      document.getElementById('retention').replaceChildren(P.el('p', { class: 'empty' }, 'No plays yet.'));
      return;
    }
    // Over 1000 s, the API's cells each cover duration / 1000 seconds (Wistia's scaling).
    const scaled = data.length === 1000 && mediaDuration > 1000;
    const seconds = data.map((value, index) => (scaled ? (index * mediaDuration) / 1000 : index));
    const axis = scaled || data.length < 1000 ? 'Second of the video' : 'Thousandth of the video';
    line('engagement', axis, seconds, [
      { options: { label: 'Watched', stroke: '#2563eb', width: 2, fill: 'rgba(37,99,235,0.1)' }, values: data },
      { options: { label: 'Re-watched', stroke: '#f59e0b', width: 2 }, values: graph.rewatch_data },
    ]);
    const plays = Math.max(1, stats.play_count);
    line('retention', axis, seconds, [
      {
        options: { label: 'Still watching', stroke: '#16a34a', width: 2, value: (u, v) => (v === null ? '–' : v.toFixed(1) + '%') },
        values: data.map((value, index) => Math.min(100, (100 * (value - graph.rewatch_data[index])) / plays)),
      },
    ]);
  }

  async function recentViews(current) {
    const search = new URLSearchParams({ media_id: mediaId, per_page: '10', start_date: current.first, end_date: current.last });
    const views = await P.api('/v1/stats/events?' + search);
    const heatmaps = await Promise.all(views.map((view) =>
      P.api('/v1/stats/events/' + encodeURIComponent(view.event_key)).then((event) => event.heatmap, () => [])));
    const place = (view) => [view.city, view.region, view.country].filter((part) => part).join(', ') || '–';
    P.table(document.getElementById('views'), 'Recent views', [
      { label: 'Date', value: (view) => new Date(view.received_at).toLocaleString('en-GB', { timeZone: current.zone }) },
      { label: 'Place', value: place },
      { label: 'Organisation', value: (view) => view.org || '–' },
      { label: 'Email', value: (view) => view.email || '–' },
      { label: 'Viewed', numeric: true, value: (view) => Math.round(view.percent_viewed * 100) + '%' },
      { label: 'Heatmap', value: (view) => strip(heatmaps[views.indexOf(view)], 'Seconds this view played') },
    ], views, 'No views in this range.');
  }

  async function load() {
    const ticket = ++loading;
    const current = P.range();
    P.busy(true);
    P.showStatus('Loading…');
    try {
      P.renderControls(document.getElementById('controls'), current, {}, ['media', 'country', 'device', 'browser']);
      const [now, before] = await Promise.all([P.keyFigures(current, mediaId), P.previousFigures(current, mediaId)]);
      if (ticket !== loading) return;
      P.showKeyFigures(current, now, before);
      await Promise.all([engagement(), recentViews(current)]);
      P.showStatus('');
    } catch (error) {
      if (ticket !== loading) return;
      if (error.status === 404) {
        document.getElementById('media-title').textContent = 'Not found';
        P.showStatus('There is no media "' + mediaId + '" in this account.', 'error');
        document.getElementById('export-open').hidden = true;
      } else {
        P.showStatus(error.message, 'error');
      }
    } finally {
      if (ticket === loading) P.busy(false);
    }
  }

  // ---- the export dialog: the per-video export's own filters ----

  function exportUrl() {
    const search = new URLSearchParams();
    if (document.getElementById('export-views').checked) search.set('filter', 'view');
    const start = document.getElementById('export-start').value;
    const end = document.getElementById('export-end').value;
    if (start) search.set('start_date', start);
    if (end) search.set('end_date', end);
    search.set('limit', document.getElementById('export-all').checked ? 'all' : document.getElementById('export-limit').value);
    return '/stats/medias/' + encodeURIComponent(mediaId) + '/events.csv?' + search;
  }

  function setUpExport() {
    const dialog = document.getElementById('export');
    const error = document.getElementById('export-error');
    const showUrl = () => { document.getElementById('export-url').textContent = exportUrl(); };
    document.getElementById('export-open').addEventListener('click', () => {
      const current = P.range();
      document.getElementById('export-start').value = current.first;
      document.getElementById('export-end').value = current.last;
      error.hidden = true;
      showUrl();
      dialog.showModal();
    });
    document.getElementById('export-form').addEventListener('input', showUrl);
    document.getElementById('export-cancel').addEventListener('click', () => dialog.close());
    document.getElementById('export-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      error.hidden = true;
      const button = document.getElementById('export-download');
      button.disabled = true;
      button.textContent = 'Downloading…';
      try {
        const response = await P.api(exportUrl(), { raw: true });
        const blob = await response.blob();
        const link = P.el('a', { href: URL.createObjectURL(blob), download: mediaId + '-views.csv' });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 60000);
        dialog.close();
      } catch (failure) {
        error.textContent = failure.status === 404
          ? 'Nothing to export: no views match these filters (or this media is not in the account).'
          : failure.message;
        error.hidden = false;
      } finally {
        button.disabled = false;
        button.textContent = 'Download';
      }
    });
  }

  window.addEventListener('resize', () => {
    for (const [id, chart] of Object.entries(charts)) {
      const width = document.getElementById(id).clientWidth;
      if (width) chart.setSize({ width, height: 220 });
    }
  });

  P.start().then((session) => {
    document.getElementById('media-title').textContent = mediaId;
    document.title = mediaId + ' · Playlens';
    if (session.user.role === 'owner') {
      mediaInfo = P.api('/admin/v1/accounts/' + encodeURIComponent(session.account.key) + '/media/' + encodeURIComponent(mediaId) + '?environment=' + P.environment())
        .then((media) => {
          mediaDuration = media.duration || 0;
          if (media.name) {
            document.getElementById('media-title').textContent = media.name;
            document.title = media.name + ' · Playlens';
          }
        }, () => {});
    }
    setUpExport();
    document.getElementById('controls').addEventListener('change-view', load);
    load();
  }, (error) => P.showStatus(error.message, 'error'));
})();

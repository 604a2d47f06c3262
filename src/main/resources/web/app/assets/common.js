// What every dashboard page shares: the session, calls to the public APIs with the session's
// cookie, the header, the date range in the account's time zone and the filters, all kept in the
// URL so that a view can be shared by its address.
'use strict';

const Playlens = (() => {
  const url = new URL(location.href);
  const session = { value: null };

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  function environment() {
    return url.searchParams.get('env') === 'sandbox' ? 'sandbox' : 'production';
  }

  /** Calls a public API route as the signed-in user; JSON back, or an ApiError with its words. */
  async function api(path, options = {}) {
    const headers = { Accept: 'application/json', 'X-Playlens-Environment': environment() };
    if (options.method && options.method !== 'GET') {
      headers['X-CSRF-Token'] = session.value.csrfToken;
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(path, {
      method: options.method || 'GET',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      headers,
      credentials: 'same-origin',
    });
    if (response.status === 401) {
      location.assign('/sign-in?next=' + encodeURIComponent(location.pathname + location.search));
      throw new ApiError(401, 'signed out');
    }
    if (!response.ok) {
      let message = response.status + ' ' + response.statusText;
      try {
        const body = await response.json();
        message = body.detail || body.error || body.title || message;
      } catch (ignored) {
        // an empty body (Wistia's 404) keeps the status line
      }
      throw new ApiError(response.status, message);
    }
    if (options.raw) {
      return response;
    }
    return response.status === 204 ? null : response.json();
  }

  async function start() {
    session.value = await api('/auth/session');
    session.value.loadedAt = Date.now();
    renderHeader();
    return session.value;
  }

  function accountKey() {
    return location.pathname.split('/')[2];
  }

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') node.textContent = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    }
    return node;
  }

  function renderHeader() {
    const account = session.value.account;
    const base = '/app/' + account.key;
    const keep = (path) => path + (environment() === 'sandbox' ? '?env=sandbox' : '');
    const envSelect = el(
      'select',
      {
        id: 'environment',
        'aria-label': 'Environment',
        onchange: (event) => {
          setParams({ env: event.target.value === 'sandbox' ? 'sandbox' : null });
          location.reload();
        },
      },
      el('option', { value: 'production', selected: environment() === 'production' }, 'Production'),
      el('option', { value: 'sandbox', selected: environment() === 'sandbox' }, 'Sandbox'),
    );
    const signOut = el(
      'form',
      { method: 'post', action: '/sign-out', class: 'sign-out' },
      el('input', { type: 'hidden', name: 'csrf', value: session.value.csrfToken }),
      el('button', { type: 'submit', class: 'link', id: 'sign-out' }, 'Sign out'),
    );
    const nav = el(
      'nav',
      { 'aria-label': 'Main' },
      el('a', { href: keep(base), 'aria-current': location.pathname === base ? 'page' : null }, 'Overview'),
      session.value.user.role === 'owner'
        ? el('a', { href: keep(base + '/settings'), 'aria-current': location.pathname.endsWith('/settings') ? 'page' : null }, 'Settings')
        : null,
    );
    document.getElementById('top').replaceChildren(
      el('a', { href: keep(base), class: 'brand' }, 'Playlens'),
      el('span', { class: 'account', title: 'Account ' + account.key }, account.name),
      nav,
      envSelect,
      el('span', { class: 'user' }, session.value.user.email),
      signOut,
    );
  }

  // ---- the URL's state ----

  function param(name) {
    return url.searchParams.get(name);
  }

  function setParams(values) {
    for (const [name, value] of Object.entries(values)) {
      if (value === null || value === undefined || value === '') url.searchParams.delete(name);
      else url.searchParams.set(name, value);
    }
    history.replaceState(null, '', url.pathname + url.search);
  }

  // ---- dates in the account's time zone ----

  function zoneOffsetMillis(instant, zone) {
    const parts = {};
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(instant).forEach((part) => { parts[part.type] = part.value; });
    const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
    return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
  }

  /**
   * The instant a local date (yyyy-mm-dd) starts in the zone: its first instant, as Java's
   * atStartOfDay gives it, also where a clock change skips or repeats midnight.
   */
  function startOfDay(date, zone) {
    const [y, m, d] = date.split('-').map(Number);
    const guess = Date.UTC(y, m - 1, d);
    let instant = new Date(guess - zoneOffsetMillis(new Date(guess), zone));
    instant = new Date(guess - zoneOffsetMillis(instant, zone));
    const quarter = 15 * 60 * 1000; // clock changes fall on quarter hours
    while (localDate(instant, zone) < date) instant = new Date(instant.getTime() + quarter);
    while (localDate(new Date(instant.getTime() - quarter), zone) === date) instant = new Date(instant.getTime() - quarter);
    return instant;
  }

  /** The local date (yyyy-mm-dd) of an instant in the zone. */
  function localDate(instant, zone) {
    return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
  }

  function addDays(date, days) {
    const [y, m, d] = date.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
  }

  const PRESETS = [
    ['today', 'Today'], ['yesterday', 'Yesterday'], ['last7', 'Last 7 days'],
    ['last30', 'Last 30 days'], ['month', 'This month'], ['custom', 'Custom'],
  ];

  /**
   * The range the URL asks for, as local dates (first and last, inclusive) and as the instants
   * [from, to) the APIs take; `to` is never later than now.
   */
  function range() {
    const zone = session.value.account.timeZone;
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const today = localDate(now, zone);
    const fallback = environment() === 'sandbox' ? 'today' : 'last7';
    const preset = PRESETS.some(([id]) => id === param('range')) ? param('range') : fallback;
    let first = today;
    let last = today;
    if (preset === 'yesterday') first = last = addDays(today, -1);
    else if (preset === 'last7') first = addDays(today, -6);
    else if (preset === 'last30') first = addDays(today, -29);
    else if (preset === 'month') first = today.slice(0, 8) + '01';
    else if (preset === 'custom') {
      const valid = (value) => /^\d{4}-\d{2}-\d{2}$/.test(value || '');
      first = valid(param('from')) ? param('from') : addDays(today, -6);
      last = valid(param('to')) ? param('to') : today;
      if (last > today) last = today;
      if (first > last) first = last;
    }
    let from = startOfDay(first, zone);
    const kept = earliest();
    if (from < kept) from = kept; // never before the data kept (the API would refuse it)
    let to = startOfDay(addDays(last, 1), zone);
    if (to > now) to = now;
    return { preset, first, last, from, to, zone };
  }

  /**
   * The earliest instant the environment shows, as the server said when the page loaded, moved on
   * by the time since, plus a minute so that a slow clock here does not cross it.
   */
  function earliest() {
    const said = Date.parse(session.value.earliest[environment()]);
    const elapsed = Date.now() - session.value.loadedAt;
    return new Date(Math.ceil((said + elapsed + 60000) / 1000) * 1000);
  }

  /**
   * The period the figures are compared with: as many days just before, cut to the same length
   * (today so far against yesterday until the same time).
   */
  function previous(current) {
    const days = Math.round((Date.parse(current.last) - Date.parse(current.first)) / 86400000) + 1;
    const from = startOfDay(addDays(current.first, -days), current.zone);
    return { from, to: new Date(from.getTime() + (current.to - current.from)) };
  }

  function iso(instant) {
    return instant.toISOString().replace('.000Z', 'Z');
  }

  // ---- filters ----

  const FILTERS = [
    ['media', 'mediaId', 'Media', 'All media'],
    ['country', 'country', 'Country', 'All countries'],
    ['device', 'deviceType', 'Device type', 'All devices'],
    ['browser', 'browser', 'Browser', 'All browsers'],
  ];

  /** Query parameters of the api.video routes for a range and the URL's filters. */
  function query(timeframe, extra = {}, options = {}) {
    const search = new URLSearchParams();
    search.set('from', iso(timeframe.from));
    search.set('to', iso(timeframe.to));
    for (const [name, key] of FILTERS) {
      const value = options.media !== undefined ? (name === 'media' ? options.media : null)
        : options.noFilters ? null : param(name);
      if (value) search.set('filterBy[' + key + ']', value);
    }
    for (const [name, value] of Object.entries(extra)) search.set(name, value);
    return search.toString();
  }

  /** The range picker and the filter selects; `options` maps a filter to its choices. */
  function renderControls(container, current, choices, hidden = []) {
    const presets = el('select', { id: 'range', 'aria-label': 'Date range' },
      ...PRESETS.map(([id, label]) => el('option', { value: id, selected: id === current.preset }, label)));
    const fromInput = el('input', { type: 'date', id: 'range-from', 'aria-label': 'First day', value: current.first });
    const toInput = el('input', { type: 'date', id: 'range-to', 'aria-label': 'Last day', value: current.last });
    const custom = el('span', { class: 'custom', hidden: current.preset !== 'custom' }, fromInput, ' – ', toInput);
    const apply = () => {
      const preset = presets.value;
      custom.hidden = preset !== 'custom';
      setParams({ range: preset, from: preset === 'custom' ? fromInput.value : null, to: preset === 'custom' ? toInput.value : null });
      container.dispatchEvent(new CustomEvent('change-view'));
    };
    presets.addEventListener('change', apply);
    fromInput.addEventListener('change', apply);
    toInput.addEventListener('change', apply);
    const selects = FILTERS.filter(([name]) => !hidden.includes(name)).map(([name, , label, all]) => {
      const values = new Set(choices[name] || []);
      if (param(name)) values.add(param(name));
      const select = el('select', { id: 'filter-' + name, 'aria-label': label },
        el('option', { value: '' }, all),
        ...[...values].sort().map((value) => el('option', { value, selected: value === param(name) }, value)));
      select.addEventListener('change', () => {
        setParams({ [name]: select.value });
        container.dispatchEvent(new CustomEvent('change-view'));
      });
      return select;
    });
    container.replaceChildren(
      el('span', { class: 'range' }, presets, custom),
      el('span', { class: 'zone' }, current.first === current.last ? current.first : current.first + ' – ' + current.last, ' (', current.zone, ')'),
      ...selects,
    );
  }

  // ---- formatting ----

  const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

  function count(value) {
    return integer.format(value);
  }

  function percent(value) {
    return (value * 100).toFixed(1) + '%';
  }

  function duration(seconds) {
    if (seconds < 60) return Math.round(seconds) + ' s';
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return minutes + ' min';
    return integer.format(Math.floor(minutes / 60)) + ' h ' + (minutes % 60) + ' min';
  }

  /** "+12.5%" against the previous period, or null when there is nothing to compare with. */
  function change(value, before) {
    if (before === null || before === undefined || before === 0) return null;
    const ratio = (value - before) / before;
    return (ratio >= 0 ? '+' : '−') + Math.abs(ratio * 100).toFixed(1) + '%';
  }

  /** The key figures, each with its change; `figures` = [{id, label, value, before, format}]. */
  function renderFigures(container, figures) {
    container.replaceChildren(...figures.map((figure) => {
      const delta = change(figure.value, figure.before);
      const up = figure.value >= (figure.before || 0);
      return el('div', { class: 'figure', id: 'figure-' + figure.id },
        el('dt', {}, figure.label),
        el('dd', { class: 'value', 'data-value': String(figure.value) }, figure.format(figure.value)),
        el('dd', { class: 'change ' + (delta ? (up ? 'up' : 'down') : ''), 'data-before': figure.before === null ? '' : String(figure.before) },
          delta ? delta + ' vs previous period' : 'no previous period'));
    }));
  }

  /** A table of rows, or its empty state. */
  function table(container, caption, columns, rows, empty = 'No data in this range.') {
    if (!rows.length) {
      container.replaceChildren(el('p', { class: 'empty' }, empty));
      return;
    }
    container.replaceChildren(el('table', {},
      el('caption', { class: 'visually-hidden' }, caption),
      el('thead', {}, el('tr', {}, ...columns.map((column) => el('th', { scope: 'col', class: column.numeric ? 'numeric' : null }, column.label)))),
      el('tbody', {}, ...rows.map((row) => el('tr', {}, ...columns.map((column) => {
        const value = column.value(row);
        return el('td', { class: column.numeric ? 'numeric' : null }, value);
      }))))));
  }

  /** Every page of a paginated api.video answer. */
  async function allPages(path, search) {
    const data = [];
    for (let page = 1; ; page++) {
      const answer = await api(path + '?' + search + '&pageSize=100&currentPage=' + page);
      data.push(...answer.data);
      if (page >= answer.pagination.pagesTotal) return data;
    }
  }

  // ---- the key figures, shared by the overview and the media page ----

  /** The six key figures of a timeframe, each from its own /data/metrics call. */
  async function keyFigures(timeframe, media) {
    const metric = (path, extra) =>
      api('/data/metrics/' + path + '?' + query(timeframe, extra, { media })).then((answer) => answer.data);
    const [impressions, plays, playRate, unique, watch, viewed] = await Promise.all([
      metric('impression/count'),
      metric('play/count'),
      metric('play/rate'),
      metric('view/count', { unique: 'true' }),
      metric('watch-time/sum'),
      metric('percent-viewed/average'),
    ]);
    return { impressions, plays, playRate, unique, watch, viewed };
  }

  /** The figures of the period before, or null when it reaches past the data kept (a 400). */
  async function previousFigures(current, media) {
    try {
      return await keyFigures(previous(current), media);
    } catch (error) {
      if (error.status === 400) return null;
      throw error;
    }
  }

  /** Shows the figures with their change, and the exact range they cover (data-from, data-to). */
  function showKeyFigures(current, now, before) {
    const container = document.getElementById('figures');
    container.dataset.from = iso(current.from);
    container.dataset.to = iso(current.to);
    const was = (name) => (before ? before[name] : null);
    renderFigures(container, [
      { id: 'impressions', label: 'Impressions', value: now.impressions, before: was('impressions'), format: count },
      { id: 'plays', label: 'Plays', value: now.plays, before: was('plays'), format: count },
      { id: 'play-rate', label: 'Play rate', value: now.playRate, before: was('playRate'), format: percent },
      { id: 'unique', label: 'Unique viewers', value: now.unique, before: was('unique'), format: count },
      { id: 'watch-time', label: 'Watch time', value: now.watch, before: was('watch'), format: duration },
      { id: 'percent-viewed', label: 'Average percent viewed', value: now.viewed, before: was('viewed'), format: percent },
    ]);
  }

  function showStatus(message, kind = '') {
    const status = document.getElementById('status');
    status.textContent = message;
    status.className = 'status ' + kind;
    status.hidden = !message;
  }

  function busy(value) {
    document.getElementById('main').setAttribute('aria-busy', value ? 'true' : 'false');
  }

  return {
    ApiError, api, start, accountKey, session: () => session.value, el, param, setParams, range, previous, iso, query,
    renderControls, count, percent, duration, table, allPages, showStatus, busy, environment,
    keyFigures, previousFigures, showKeyFigures, startOfDay, localDate,
  };
})();

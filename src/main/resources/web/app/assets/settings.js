// Settings of an account, through the admin REST API (/admin/v1): name, time zone and retention;
// API keys and player keys (create, reveal once, revoke); the tracker snippet; users and access.
'use strict';

(() => {
  const P = Playlens;
  let base = '';
  let playerKeys = [];

  function message(id, text, kind = '') {
    const element = document.getElementById(id);
    element.textContent = text;
    element.className = 'hint ' + kind;
  }

  async function loadAccount() {
    const account = await P.api(base);
    document.getElementById('account-name').value = account.name;
    document.getElementById('account-zone').value = account.timeZone;
    document.getElementById('account-retention').value = account.retention;
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    document.getElementById('zones').replaceChildren(...zones.map((zone) => P.el('option', { value: zone })));
  }

  function revokeButton(key) {
    if (key.revokedAt) return P.el('span', { class: 'muted' }, 'revoked ' + key.revokedAt.slice(0, 10));
    return P.el('button', {
      type: 'button',
      class: 'secondary small',
      'aria-label': 'Revoke ' + key.type + ' key ' + (key.hint || key.key),
      onclick: async (event) => {
        if (!confirm('Revoke this key? Requests using it are refused at once.')) return;
        event.target.disabled = true;
        try {
          await P.api(base + '/keys/' + encodeURIComponent(key.id), { method: 'DELETE' });
          await loadKeys();
        } catch (error) {
          P.showStatus(error.message, 'error');
          event.target.disabled = false;
        }
      },
    }, 'Revoke');
  }

  async function loadKeys() {
    const { keys } = await P.api(base + '/keys');
    const api = keys.filter((key) => key.type === 'api');
    playerKeys = keys.filter((key) => key.type === 'player');
    P.table(document.getElementById('api-keys'), 'API keys', [
      { label: 'Key', value: (key) => P.el('code', {}, key.hint) },
      { label: 'Environment', value: (key) => key.environment },
      { label: 'Created', value: (key) => key.createdAt.slice(0, 10) },
      { label: '', value: revokeButton },
    ], api, 'No API keys.');
    P.table(document.getElementById('player-keys'), 'Player keys', [
      { label: 'Key', value: (key) => P.el('code', {}, key.key) },
      { label: 'Environment', value: (key) => key.environment },
      { label: 'Allowed origins', value: (key) => (key.allowedOrigins.length ? key.allowedOrigins.join(', ') : 'all') },
      { label: '', value: revokeButton },
    ], playerKeys, 'No player keys.');
    const active = playerKeys.filter((key) => !key.revokedAt);
    const select = document.getElementById('snippet-key');
    const chosen = select.value;
    select.replaceChildren(...active.map((key) =>
      P.el('option', { value: key.key, selected: key.key === chosen }, key.key + ' (' + key.environment + ')')));
    snippet();
  }

  let integrity = '';

  function snippet() {
    const key = document.getElementById('snippet-key').value;
    document.getElementById('snippet').textContent = key
      ? '<video src="intro.mp4" controls data-playlens-media="intro-2026" data-playlens-title="Welcome"></video>\n' +
        '<script src="' + location.origin + '/js/playlens.js" data-key="' + key + '"' +
        (integrity ? '\n        integrity="' + integrity + '" crossorigin="anonymous"' : '') + ' defer></script>'
      : 'Create a player key first.';
  }

  async function loadUsers() {
    const { users } = await P.api(base + '/users');
    const me = P.session().user.email;
    P.table(document.getElementById('users'), 'Users', [
      { label: 'Email', value: (user) => user.email + (user.email === me ? ' (you)' : '') + (user.operator ? ' (operator)' : '') },
      {
        label: 'Role',
        value: (user) => P.el('select', { 'aria-label': 'Role of ' + user.email, 'data-user': user.id, class: 'user-role' },
          P.el('option', { value: 'member', selected: user.role === 'member' }, 'member'),
          P.el('option', { value: 'owner', selected: user.role === 'owner' }, 'owner')),
      },
      {
        label: 'Reads',
        value: (user) => P.el('input', {
          'aria-label': 'Media ' + user.email + ' may read (comma-separated, empty for all)',
          'data-user': user.id, class: 'user-media', placeholder: 'all media',
          value: user.media === 'all' ? '' : user.media.join(', '),
        }),
      },
      {
        label: '',
        value: (user) => P.el('span', { class: 'actions' },
          P.el('button', {
            type: 'button', class: 'secondary small', 'aria-label': 'Save access of ' + user.email,
            onclick: (event) => changeUser(event.target, user, 'PATCH'),
          }, 'Save'),
          P.el('button', {
            type: 'button', class: 'secondary small', 'aria-label': 'Remove ' + user.email,
            onclick: (event) => changeUser(event.target, user, 'DELETE'),
          }, 'Remove')),
      },
    ], users, 'No users.');
  }

  async function changeUser(button, user, method) {
    if (method === 'DELETE' && !confirm('Remove ' + user.email + '? Their sessions end at once.')) return;
    const row = button.closest('tr');
    button.disabled = true;
    try {
      await P.api(base + '/users/' + encodeURIComponent(user.id), {
        method,
        body: method === 'PATCH'
          ? { role: row.querySelector('.user-role').value, media: list(row.querySelector('.user-media').value) }
          : undefined,
      });
      message('user-message', (method === 'PATCH' ? 'Saved the access of ' : 'Removed ') + user.email + '.', 'ok');
      await loadUsers();
    } catch (error) {
      message('user-message', error.message, 'error');
      button.disabled = false;
    }
  }

  function on(id, handler) {
    document.getElementById(id).addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = event.target.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        await handler(event.target);
      } finally {
        button.disabled = false;
      }
    });
  }

  function list(text) {
    return text.split(',').map((item) => item.trim()).filter((item) => item);
  }

  P.start().then(async (session) => {
    base = '/admin/v1/accounts/' + encodeURIComponent(session.account.key);
    if (session.user.role !== 'owner') {
      P.showStatus('Only the account\'s owners can change its settings.', 'error');
      P.busy(false);
      return;
    }
    on('account-form', async () => {
      try {
        await P.api(base, {
          method: 'PATCH',
          body: {
            name: document.getElementById('account-name').value,
            timezone: document.getElementById('account-zone').value,
            retention: document.getElementById('account-retention').value,
          },
        });
        message('account-message', 'Saved.', 'ok');
      } catch (error) {
        message('account-message', error.message, 'error');
      }
    });
    on('api-key-form', async () => {
      try {
        const created = await P.api(base + '/keys', { method: 'POST', body: { type: 'api', environment: document.getElementById('api-key-environment').value } });
        const reveal = document.getElementById('api-key-secret');
        reveal.replaceChildren(
          P.el('p', {}, 'Your new ' + created.environment + ' API key. Copy it now: it is shown only once.'),
          P.el('code', { id: 'new-api-key' }, created.key));
        reveal.hidden = false;
        P.showStatus('');
        await loadKeys();
      } catch (error) {
        P.showStatus(error.message, 'error');
      }
    });
    on('player-key-form', async () => {
      try {
        await P.api(base + '/keys', {
          method: 'POST',
          body: { type: 'player', environment: document.getElementById('player-key-environment').value, allowedOrigins: list(document.getElementById('player-key-origins').value) },
        });
        P.showStatus('');
        await loadKeys();
      } catch (error) {
        P.showStatus(error.message, 'error');
      }
    });
    on('user-form', async (form) => {
      try {
        const user = await P.api(base + '/users', {
          method: 'POST',
          body: {
            email: document.getElementById('user-email').value,
            password: document.getElementById('user-password').value,
            role: document.getElementById('user-role').value,
            media: list(document.getElementById('user-media').value),
          },
        });
        form.reset();
        message('user-message', 'Added ' + user.email + '.', 'ok');
        await loadUsers();
      } catch (error) {
        message('user-message', error.message, 'error');
      }
    });
    document.getElementById('snippet-key').addEventListener('change', snippet);
    document.getElementById('snippet-copy').addEventListener('click', () => {
      navigator.clipboard.writeText(document.getElementById('snippet').textContent).then(
        () => P.showStatus('Snippet copied.'), () => P.showStatus('Select the snippet and copy it.'));
    });
    try {
      integrity = (await fetch('/js/playlens.js.sri').then((response) => (response.ok ? response.text() : ''))).trim();
      await Promise.all([loadAccount(), loadKeys(), loadUsers()]);
      P.showStatus('');
    } catch (error) {
      P.showStatus(error.message, 'error');
    } finally {
      P.busy(false);
    }
  }, (error) => P.showStatus(error.message, 'error'));
})();

/*! Playlens tracker | https://github.com/playlens | MIT */
// Measures real playback of <video> elements and sends it to Playlens' POST /v1/collect.
// No dependencies, no cookies. The pure parts (intervals, segments, sender) are exported for
// Node's test runner; the browser gets window.Playlens.
(function (root) {
  'use strict';

  var VERSION = '1.0.0';
  var HEARTBEAT_MS = 5000; // a watch interval at least this often while playing
  var FLUSH_DELAY_MS = 1000; // events wait this long for company before a send
  var MAX_BATCH = 200; // events per request (the endpoint takes 500 and 64 KiB)
  var MAX_PENDING = 5000; // events kept for retry; beyond it the oldest go
  var MAX_BACKOFF_MS = 30000;
  var MAX_BATCH_BYTES = 48000; // under the endpoint's 64 KiB, and the browser's keepalive quota
  var BEACON_BUDGET = 60000; // bytes of keepalive/sendBeacon data in flight at once (64 KiB limit)
  var SEND_TIMEOUT_MS = 15000;
  var MAX_POSITION = 1e7; // the endpoint's bound for media seconds
  var ERRORS = ['', 'MEDIA_ERR_ABORTED', 'MEDIA_ERR_NETWORK', 'MEDIA_ERR_DECODE',
    'MEDIA_ERR_SRC_NOT_SUPPORTED'];

  function round(n, digits) {
    var f = Math.pow(10, digits);
    return Math.round(n * f) / f;
  }

  /** A string cut to what the endpoint accepts, or undefined. */
  function clip(value, max) {
    if (value === undefined || value === null || value === '') return undefined;
    return String(value).slice(0, max);
  }

  /**
   * The stretch of media time being played now. advance() moves it forward; a jump further than
   * the wall clock allows (a seek that no 'seeking' event announced, a loop) closes it and starts
   * another, which advance() returns.
   */
  function Segment() {
    this.from = null;
    this.to = null;
  }
  Segment.prototype.advance = function (t, maxForward) {
    if (this.from === null) {
      this.from = this.to = t;
      return null;
    }
    var delta = t - this.to;
    if (delta >= 0 && delta <= maxForward) {
      this.to = t;
      return null;
    }
    var closed = this.close();
    this.from = this.to = t;
    return closed;
  };
  /** Ends the segment; returns it when it covers any time. */
  Segment.prototype.close = function () {
    var done = this.from !== null && this.to > this.from ? [this.from, this.to] : null;
    this.from = this.to = null;
    return done;
  };
  /** Returns what was played so far and goes on from there (a heartbeat). */
  Segment.prototype.cut = function () {
    var done = this.from !== null && this.to > this.from ? [this.from, this.to] : null;
    if (done) this.from = this.to;
    return done;
  };

  /**
   * Batches events and delivers them in order. A send that fails on the network, or with 408, 429
   * or 5xx, goes back to the head of the queue and is retried with exponential backoff; other
   * refusals (400, 401, 403, 413) are dropped, since sending them again cannot succeed.
   *
   * options: transport(body) -> Promise<{status}>, beacon(body) -> boolean, envelope(events) ->
   * object, onSent(events, status), onDropped(events, status), setTimeout, clearTimeout, random.
   */
  function Sender(options) {
    this.o = options;
    this.queue = [];
    this.inFlight = null;
    this.failures = 0;
    this.timer = null;
    this.dropped = 0;
  }
  Sender.prototype.push = function (event) {
    this.queue.push(event);
    if (this.queue.length > MAX_PENDING) {
      this.dropped += this.queue.length - MAX_PENDING;
      this.queue.splice(0, this.queue.length - MAX_PENDING);
    }
    if (!this.timer && !this.inFlight) this.schedule(FLUSH_DELAY_MS);
  };
  Sender.prototype.schedule = function (ms) {
    var self = this;
    if (this.timer) this.o.clearTimeout(this.timer);
    this.timer = this.o.setTimeout(function () {
      self.timer = null;
      self.flush();
    }, ms);
  };
  Sender.prototype.backoff = function () {
    var base = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, this.failures - 1));
    return Math.round(base * (0.5 + 0.5 * this.o.random()));
  };
  Sender.prototype.body = function (events) {
    return JSON.stringify(this.o.envelope(events));
  };
  /** Sends the next batch now, unless one is on its way or a retry is waiting. */
  Sender.prototype.flush = function () {
    if (this.inFlight || !this.queue.length || (this.timer && this.failures)) return;
    if (this.timer) {
      this.o.clearTimeout(this.timer);
      this.timer = null;
    }
    var self = this;
    var batch = this.take(MAX_BATCH_BYTES);
    this.inFlight = batch;
    var retry = function () {
      self.queue = batch.concat(self.queue);
      self.inFlight = null;
      self.failures++;
      self.schedule(self.backoff());
    };
    var sending;
    try {
      sending = this.o.transport(this.body(batch));
    } catch (e) {
      sending = Promise.reject(e); // never leave a batch stuck in flight
    }
    sending.then(function (response) {
      var status = response.status;
      if (status >= 200 && status < 300) {
        self.inFlight = null;
        self.failures = 0;
        self.o.onSent(batch, status);
        if (self.queue.length) self.flush();
      } else if (status === 408 || status === 429 || status >= 500) {
        retry();
      } else {
        self.inFlight = null;
        self.o.onDropped(batch, status);
        if (self.queue.length) self.flush();
      }
    }, retry);
  };
  /** Takes the next batch off the queue: at most MAX_BATCH events and about maxBytes of JSON. */
  Sender.prototype.take = function (maxBytes) {
    var bytes = 200; // the envelope
    var n = 0;
    while (n < this.queue.length && n < MAX_BATCH) {
      bytes += JSON.stringify(this.queue[n]).length + 1;
      if (n > 0 && bytes > maxBytes) break;
      n++;
    }
    return this.queue.splice(0, n);
  };
  /**
   * Hands queued events to the browser, which delivers them even after the page is gone
   * (sendBeacon). The browser takes about 64 KiB of such data at once; what it refuses stays
   * queued. When the page is only hidden (it may come back) and sends are failing, nothing is
   * handed over: the retries go on. A batch in flight is already in the browser's hands.
   */
  Sender.prototype.exit = function (leaving) {
    if (!leaving && this.failures) return;
    var budget = BEACON_BUDGET;
    while (this.queue.length) {
      var batch = this.take(Math.min(MAX_BATCH_BYTES, budget));
      var body = this.body(batch);
      var size = typeof TextEncoder === 'function' ? new TextEncoder().encode(body).length : body.length;
      var sent = size <= budget && this.o.beacon(body);
      if (!sent) {
        this.queue = batch.concat(this.queue);
        return;
      }
      budget -= size;
    }
    if (this.timer && !this.failures) {
      this.o.clearTimeout(this.timer);
      this.timer = null;
    }
  };

  var internals = {
    clip: clip,
    MAX_BATCH_BYTES: MAX_BATCH_BYTES,
    Segment: Segment,
    Sender: Sender,
    HEARTBEAT_MS: HEARTBEAT_MS,
    FLUSH_DELAY_MS: FLUSH_DELAY_MS,
    MAX_BATCH: MAX_BATCH,
    MAX_PENDING: MAX_PENDING,
    VERSION: VERSION
  };
  if (typeof module === 'object' && module.exports) {
    module.exports = internals;
    return;
  }

  // ---------------------------------------------------------------- browser part
  var doc = root.document;
  var nav = root.navigator;
  var script = doc.currentScript;
  var tracked = typeof WeakMap === 'function' ? new WeakMap() : null;

  function now() {
    return root.performance && performance.now ? performance.now() : Date.now();
  }

  function iso() {
    return new Date().toISOString();
  }

  function randomId() {
    if (root.crypto && crypto.randomUUID) return crypto.randomUUID();
    var id = '';
    for (var i = 0; i < 32; i++) id += Math.floor(Math.random() * 16).toString(16);
    return id;
  }

  /** The anonymous viewer id, kept in localStorage (no cookie); null when turned off. */
  function viewerId(enabled) {
    if (!enabled) return null;
    try {
      var id = root.localStorage.getItem('playlens.viewer');
      if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
        id = randomId();
        root.localStorage.setItem('playlens.viewer', id);
      }
      return id;
    } catch (e) {
      return null; // storage blocked: stay anonymous
    }
  }

  function validEmail(address) {
    var text = address ? String(address).trim() : '';
    return /^[^@\s]{1,64}@[^@\s]{1,189}$/.test(text) ? text : null;
  }

  function defaultEndpoint() {
    var base = script && script.src ? script.src : root.location.href;
    return new URL('/v1/collect', base).href;
  }

  function doNotTrack() {
    return nav.doNotTrack === '1' || root.doNotTrack === '1' || nav.msDoNotTrack === '1';
  }

  /**
   * Tracks one <video>. options: key (player key), mediaId, title, tags, email, type
   * ('video' | 'live-stream'), endpoint, viewerId (false: none), respectDoNotTrack.
   * Returns {identify(email), flush(), destroy()}.
   */
  function track(video, options) {
    options = options || {};
    // mediaId and title may be functions: read again for each new source (a playlist).
    var read = function (value) { return typeof value === 'function' ? value() : value; };
    var validId = function (id) { return /^[A-Za-z0-9_-]{1,64}$/.test(String(id)); };
    if (!video || !options.key || !read(options.mediaId)) {
      throw new Error('Playlens.track needs a video element, a key and a mediaId');
    }
    if (!validId(read(options.mediaId))) {
      throw new Error('Playlens: mediaId must be 1-64 characters of A-Z a-z 0-9 _ -');
    }
    if (tracked && tracked.has(video)) return tracked.get(video);
    var noop = {identify: function () {}, flush: function () {}, destroy: function () {}};
    if (options.respectDoNotTrack && doNotTrack()) return noop;

    var endpoint = options.endpoint || defaultEndpoint();
    var tags = Array.isArray(options.tags) ? options.tags.slice(0, 32).map(function (t) {
      return String(t).slice(0, 512);
    }) : undefined;
    var viewer = viewerId(options.viewerId !== false);
    var email = validEmail(options.email);
    var impressed = false, visible = false, played = false, started = false, failed = false;
    var loaded = video.preload === 'none'; // the player is on the page; its media waits for play
    var playAt = 0, stallAt = null, lastTime = 0, lastWall = now(), heartbeat = null;
    var segment = new Segment();

    function dispatch(name, detail) {
      try {
        video.dispatchEvent(new CustomEvent(name, {detail: detail}));
      } catch (e) { /* old browsers: no CustomEvent */ }
    }

    var sender = null;
    var earlier = []; // senders of earlier sources that may still hold events

    /**
     * A playback session: one per page load and source. Its sender keeps its own id, media and
     * queue, so events of an earlier source still go out under that source after a change.
     */
    function openSession(previousMediaId) {
      var session = randomId();
      var mediaId = read(options.mediaId);
      if (!validId(mediaId)) mediaId = previousMediaId;
      var title = clip(read(options.title), 512);
      return newSender(session, String(mediaId), title);
    }

    function newSender(session, mediaId, title) {
      return new Sender({
        transport: function (body) {
          // A hung request would hold the queue: give up after a while, and retry.
          var abort = typeof AbortController === 'function' ? new AbortController() : null;
          var timer = abort ? root.setTimeout(function () { abort.abort(); }, SEND_TIMEOUT_MS) : null;
          return fetch(endpoint, {
            method: 'POST', body: body, keepalive: true, credentials: 'omit',
            headers: {'Content-Type': 'text/plain'}, signal: abort ? abort.signal : undefined
          }).then(function (response) {
            root.clearTimeout(timer);
            return response;
          }, function (error) {
            root.clearTimeout(timer);
            throw error;
          });
        },
        beacon: function (body) {
          return !!(nav.sendBeacon && nav.sendBeacon(endpoint, new Blob([body], {type: 'text/plain'})));
        },
        mediaId: mediaId,
        envelope: function (events) {
          var media = {id: mediaId};
          if (sender && sender.o.mediaId === mediaId && isFinite(video.duration) &&
              video.duration > 0 && video.duration <= MAX_POSITION) {
            media.duration = round(video.duration, 3);
          }
          media.title = title;
          if (tags && tags.length) media.tags = tags;
          media.type = options.type === 'live-stream' || video.duration === Infinity ? 'live-stream' : 'video';
          var beacon = {key: String(options.key), session: session, sentAt: iso(), media: media,
            page: {url: clip(root.location.href, 2048), referrer: clip(doc.referrer, 2048)},
            events: events};
          if (viewer) beacon.viewer = viewer;
          if (email) beacon.email = email;
          return beacon;
        },
        onSent: function (events, status) { dispatch('playlens:sent', {events: events, status: status}); },
        onDropped: function (events, status) {
          dispatch('playlens:dropped', {events: events, status: status});
          if (root.console) console.warn('Playlens: the server refused ' + events.length + ' events (' + status + ')');
        },
        setTimeout: function (f, ms) { return root.setTimeout(f, ms); },
        clearTimeout: function (t) { root.clearTimeout(t); },
        random: Math.random
      });
    }
    sender = openSession();

    function emit(type, fields) {
      var event = {type: type, at: iso()};
      for (var k in fields) if (fields[k] !== undefined) event[k] = fields[k];
      sender.push(event);
    }

    /** Media time as the endpoint takes it (0 to 10,000,000 s; live players may exceed it). */
    function seconds(t) {
      return round(Math.max(0, Math.min(MAX_POSITION, t || 0)), 3);
    }

    function position() {
      return seconds(video.currentTime);
    }

    function watched(interval) {
      if (interval) emit('watch', {from: seconds(interval[0]), to: seconds(interval[1])});
    }

    /** Moves the segment to the current time; a jump the wall clock cannot explain splits it. */
    function advance() {
      var wall = now();
      var allowed = ((wall - lastWall) / 1000) * (video.playbackRate || 1) + 1;
      lastWall = wall;
      watched(segment.advance(video.currentTime, allowed));
    }

    /** The first rendered frame (requestVideoFrameCallback where there is one, else 'playing'). */
    function firstFrame() {
      if (played && !started) {
        started = true;
        emit('start', {position: position(), startupMs: Math.min(600000, Math.round(now() - playAt))});
      }
    }

    function maybeImpression() {
      if (!impressed && loaded && visible) {
        impressed = true;
        emit('impression', {});
      }
    }

    function startHeartbeat() {
      if (heartbeat) return;
      heartbeat = root.setInterval(function () {
        advance();
        watched(segment.cut());
        sender.flush();
      }, HEARTBEAT_MS);
    }

    function stopHeartbeat() {
      if (heartbeat) root.clearInterval(heartbeat);
      heartbeat = null;
    }

    var on = {
      loadedmetadata: function () {
        loaded = true;
        maybeImpression();
      },
      play: function () {
        if (!started) playAt = now(); // startup counts from the latest request to play
        if (played) return; // a replay in the same page is not a new play
        played = true;
        if (!impressed) {
          impressed = true; // a play implies the player was seen
          emit('impression', {});
        }
        emit('play', {position: position()});
        if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(firstFrame);
      },
      playing: function () {
        if (!video.requestVideoFrameCallback) firstFrame();
        if (stallAt !== null) {
          emit('rebuffer', {position: position(), durationMs: Math.min(86400000, Math.round(now() - stallAt))});
          stallAt = null;
        }
        advance();
        startHeartbeat();
      },
      waiting: function () {
        if (started && !video.seeking && stallAt === null) stallAt = now();
      },
      timeupdate: function () {
        if (!video.paused && !video.seeking) advance();
        if (!video.seeking) lastTime = video.currentTime;
      },
      seeking: function () {
        stallAt = null;
        if (segment.from !== null) segment.to = Math.max(segment.to, lastTime);
        watched(segment.close());
        emit('seek', {from: seconds(lastTime), to: position()});
      },
      seeked: function () {
        lastTime = video.currentTime;
        lastWall = now();
        if (!video.paused) segment.advance(video.currentTime, 0);
      },
      pause: function () {
        stallAt = null;
        if (video.ended) return;
        advance();
        watched(segment.close());
        stopHeartbeat();
        emit('pause', {position: position()});
      },
      ended: function () {
        advance();
        watched(segment.close());
        stopHeartbeat();
        emit('end', {position: position()});
        sender.flush();
      },
      // Listened to in the capture phase: a failing <source> child reports here too.
      error: function (event) {
        var error = video.error;
        if (failed || (!error && event.target === video)) return;
        failed = true;
        stopHeartbeat();
        emit('error', {code: error ? ERRORS[error.code] || 'MEDIA_ERR_' + error.code
          : 'MEDIA_ERR_SRC_NOT_SUPPORTED', message: clip(error && error.message, 1024)});
        sender.flush();
      },
      // A new source (a playlist's next item): the old source's session ends, a new one begins.
      emptied: function () {
        if (!impressed && !played && !failed) return; // the first load: nothing to close
        watched(segment.close());
        stopHeartbeat();
        sender.flush();
        earlier = earlier.filter(function (old) { return old.queue.length || old.inFlight; });
        earlier.push(sender);
        sender = openSession(sender.o.mediaId);
        impressed = played = started = failed = false;
        loaded = video.preload === 'none';
        stallAt = null;
        lastTime = 0;
      }
    };

    function leave(event) {
      if (!video.paused && !video.seeking) advance();
      watched(segment.cut());
      var leaving = !event || event.type === 'pagehide';
      for (var i = 0; i < earlier.length; i++) earlier[i].exit(leaving);
      sender.exit(leaving);
    }

    function visibility(event) {
      if (doc.visibilityState === 'hidden') leave(event);
    }

    for (var name in on) video.addEventListener(name, on[name], name === 'error');
    root.addEventListener('pagehide', leave);
    doc.addEventListener('visibilitychange', visibility);

    var observer = null;
    if (typeof IntersectionObserver === 'function') {
      observer = new IntersectionObserver(function (entries) {
        visible = entries[entries.length - 1].intersectionRatio >= 0.5;
        maybeImpression();
      }, {threshold: [0, 0.5, 1]});
      observer.observe(video);
    } else {
      visible = true;
    }
    if (video.readyState >= 1) on.loadedmetadata();

    var handle = {
      /** Attaches an email to this viewer's events from now on (Wistia's "email"). */
      identify: function (address) {
        email = validEmail(address);
      },
      /** Sends what is queued now. */
      flush: function () {
        sender.flush();
      },
      /** Stops tracking: what was played is sent, listeners are removed. */
      destroy: function () {
        leave();
        stopHeartbeat();
        for (var n in on) video.removeEventListener(n, on[n], n === 'error');
        root.removeEventListener('pagehide', leave);
        doc.removeEventListener('visibilitychange', visibility);
        if (observer) observer.disconnect();
        if (tracked) tracked.delete(video);
      }
    };
    if (tracked) tracked.set(video, handle);
    return handle;
  }

  function attribute(element, name) {
    return function () { return element.getAttribute(name) || undefined; };
  }

  /** <video data-playlens-media="id" [data-playlens-title] [data-playlens-tags="a,b"]>. */
  function trackMarked(scope) {
    if (!scope || !script || !script.getAttribute('data-key')) return;
    var videos = scope.querySelectorAll ? scope.querySelectorAll('video[data-playlens-media]') : [];
    for (var i = 0; i < videos.length; i++) {
      var v = videos[i];
      var tags = v.getAttribute('data-playlens-tags');
      try {
        track(v, {
        key: script.getAttribute('data-key'),
        mediaId: attribute(v, 'data-playlens-media'),
        title: attribute(v, 'data-playlens-title'),
        tags: tags ? tags.split(',').map(function (t) { return t.trim(); }).filter(Boolean) : undefined,
        email: v.getAttribute('data-playlens-email') || undefined,
        endpoint: script.getAttribute('data-endpoint') || undefined,
        viewerId: script.getAttribute('data-viewer-id') !== 'off',
        respectDoNotTrack: script.getAttribute('data-respect-dnt') === 'true'
        });
      } catch (e) {
        if (root.console) console.warn(e.message); // one bad video must not stop the others
      }
    }
  }

  /** Videos taken out of the page stop being tracked (and send what they played). */
  function forgetRemoved(node) {
    if (!tracked || node.nodeType !== 1) return;
    var videos = node.tagName === 'VIDEO' ? [node] : node.querySelectorAll('video');
    for (var i = 0; i < videos.length; i++) {
      if (tracked.has(videos[i]) && !videos[i].isConnected) tracked.get(videos[i]).destroy();
    }
  }

  function start() {
    trackMarked(doc);
    if (typeof MutationObserver === 'function' && script && script.getAttribute('data-key')) {
      new MutationObserver(function (records) {
        for (var i = 0; i < records.length; i++) {
          for (var j = 0; j < records[i].addedNodes.length; j++) {
            var node = records[i].addedNodes[j];
            if (node.nodeType === 1) {
              if (node.matches && node.matches('video[data-playlens-media]')) trackMarked(node.parentNode);
              else trackMarked(node);
            }
          }
          for (var r = 0; r < records[i].removedNodes.length; r++) forgetRemoved(records[i].removedNodes[r]);
        }
      }).observe(doc.documentElement, {childList: true, subtree: true});
    }
  }

  root.Playlens = {track: track, version: VERSION};
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start);
  else start();
})(typeof window !== 'undefined' ? window : this);

/* Antrian: one small reconnecting websocket for every page (plain ES2015, no modules).
 *
 *   var feed = Antrian.live('/ws/floor', {
 *     onSnapshot: function (msg) {},        // {"type":"snapshot","id":N,"floor":{...}}
 *     onEvent: function (msg, info) {},     // every event with an "id"; info.replay = sent right after (re)connecting
 *     onMessage: function (msg) {},         // anything else, e.g. {"type":"ticket","ticket":{...}}
 *     onStatus: function (status, detail) {} // 'connecting' | 'open' | 'waiting' | 'gone' | 'denied'
 *   });
 *   feed.close();
 *
 * - Reconnects forever with exponential backoff and jitter, capped at ~15 s.
 * - Remembers the last event id and reconnects with ?since=<id>, so it gets exactly what it
 *   missed (or a fresh snapshot). Pass {since: false} for feeds without ids.
 * - Sends "ping" every 20 s; a socket silent for 50 s is treated as dead and replaced.
 * - Close code 4404 (no such ticket / the day has ended) stops it: status 'gone'.
 * - Close codes 4401/4403 (no or bad device token or staff session) stop it: status 'denied',
 *   detail = the server's reason. A kiosk's or display's token (Antrian.deviceToken) is sent as ?token=.
 */
(function (root) {
  'use strict';
  var Antrian = root.Antrian = root.Antrian || {};

  var BASE_DELAY_MS = 500;
  var MAX_DELAY_MS = 15000;
  var STABLE_MS = 10000; // a connection that lived this long resets the backoff
  var PING_EVERY_MS = 20000;
  var DEAD_AFTER_MS = 50000;
  var REPLAY_WINDOW_MS = 1000; // events arriving this soon after opening are the catch-up burst
  var CLOSE_GONE = 4404;
  var CLOSE_UNAUTHORIZED = 4401; // no or bad device token, no staff session
  var CLOSE_FORBIDDEN = 4403; // known, but not allowed to read this feed

  function socketUrl(path) {
    if (/^wss?:\/\//.test(path)) return path;
    var scheme = root.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return scheme + '//' + root.location.host + path;
  }

  Antrian.live = function (path, handlers) {
    var h = handlers || {};
    var useSince = h.since !== false;
    var lastId = null;
    var socket = null;
    var attempt = 0;
    var retryTimer = null;
    var pingTimer = null;
    var stopped = false;
    var status = '';
    var openedAt = 0;
    var lastHeard = 0;
    var connectedBefore = false;

    function call(fn, a, b) {
      if (typeof fn !== 'function') return;
      try {
        fn(a, b);
      } catch (e) {
        if (root.console) root.console.error(e);
      }
    }

    function setStatus(next, detail) {
      if (next === status) return;
      status = next;
      call(h.onStatus, next, detail);
    }

    function url() {
      var u = socketUrl(path);
      var token = Antrian.deviceToken ? Antrian.deviceToken() : null;
      if (token) u += (u.indexOf('?') < 0 ? '?' : '&') + 'token=' + encodeURIComponent(token); // browsers cannot set headers on a websocket
      if (useSince && lastId !== null) u += (u.indexOf('?') < 0 ? '?' : '&') + 'since=' + encodeURIComponent(lastId);
      return u;
    }

    function stopPing() {
      if (pingTimer) clearInterval(pingTimer);
      pingTimer = null;
    }

    function startPing(ws) {
      stopPing();
      pingTimer = setInterval(function () {
        if (socket !== ws) return stopPing();
        if (Date.now() - lastHeard > DEAD_AFTER_MS) {
          drop(ws); // half-open TCP: the close event may take minutes
          return;
        }
        try {
          ws.send('ping');
        } catch (e) {
          drop(ws);
        }
      }, PING_EVERY_MS);
    }

    function handle(text) {
      var msg;
      try {
        msg = JSON.parse(text);
      } catch (e) {
        return;
      }
      if (!msg || typeof msg !== 'object' || msg.type === 'pong') return;
      if (msg.type === 'snapshot') {
        if (typeof msg.id === 'number') lastId = msg.id;
        call(h.onSnapshot, msg);
        return;
      }
      if (typeof msg.id === 'number') {
        if (lastId !== null && msg.id <= lastId) return; // already seen
        lastId = msg.id;
        call(h.onEvent, msg, {replay: connectedBefore && Date.now() - openedAt < REPLAY_WINDOW_MS});
        return;
      }
      call(h.onMessage, msg);
    }

    function connect() {
      retryTimer = null;
      if (stopped || socket) return;
      setStatus('connecting');
      var ws;
      try {
        ws = new WebSocket(url());
      } catch (e) {
        schedule();
        return;
      }
      socket = ws;
      ws.onopen = function () {
        if (socket !== ws) return;
        openedAt = lastHeard = Date.now();
        setStatus('open');
        startPing(ws);
      };
      ws.onmessage = function (e) {
        if (socket !== ws) return;
        lastHeard = Date.now();
        handle(e.data);
      };
      ws.onerror = function () {
        /* onclose follows */
      };
      ws.onclose = function (e) {
        if (socket !== ws) return;
        closed(ws, e.code, e.reason);
      };
    }

    function closed(ws, code, reason) {
      socket = null;
      stopPing();
      if (openedAt) connectedBefore = true;
      if (openedAt && Date.now() - openedAt > STABLE_MS) attempt = 0;
      openedAt = 0;
      if (code === CLOSE_GONE) {
        stopped = true;
        setStatus('gone', reason);
        return;
      }
      if (code === CLOSE_UNAUTHORIZED || code === CLOSE_FORBIDDEN) {
        // Retrying with the same token or session cannot help: say why and stop.
        stopped = true;
        setStatus('denied', reason || 'Tidak diizinkan. (Not allowed.)');
        return;
      }
      schedule();
    }

    function drop(ws) {
      if (socket !== ws) return;
      try {
        ws.close();
      } catch (e) {
        /* already closing */
      }
      closed(ws, 1006, 'no answer');
    }

    function schedule() {
      if (stopped || retryTimer) return;
      var ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * Math.pow(2, attempt));
      if (attempt < 10) attempt += 1;
      var delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2); // jitter: many TVs must not come back at once
      setStatus('waiting', delay);
      retryTimer = setTimeout(connect, delay);
    }

    function now() {
      // Skip the wait: the network is back or the page became visible again.
      if (stopped || socket) return;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      connect();
    }

    function onVisible() {
      if (!document.hidden) now();
    }

    root.addEventListener('online', now);
    document.addEventListener('visibilitychange', onVisible);
    connect();

    return {
      close: function () {
        stopped = true;
        if (retryTimer) clearTimeout(retryTimer);
        retryTimer = null;
        stopPing();
        root.removeEventListener('online', now);
        document.removeEventListener('visibilitychange', onVisible);
        var ws = socket;
        socket = null;
        if (ws) {
          try {
            ws.close();
          } catch (e) {
            /* ignore */
          }
        }
      },
      reconnect: now,
      lastId: function () {
        return lastId;
      },
      status: function () {
        return status;
      }
    };
  };

  /* Words for a connection status, for the small indicator every page shows. */
  Antrian.liveStatusText = function (status) {
    if (status === 'open') return 'Terhubung';
    if (status === 'connecting') return 'Menghubungkan…';
    if (status === 'gone') return 'Selesai';
    if (status === 'denied') return 'Tidak diizinkan';
    return 'Terputus, menyambung ulang…';
  };

  /* An onStatus handler that keeps a small indicator element up to date. */
  Antrian.liveIndicator = function (node, extra) {
    return function (status, detail) {
      if (node) {
        node.className = 'live-status live-' + status;
        node.setAttribute('data-status', status);
        node.textContent = Antrian.liveStatusText(status);
      }
      if (typeof extra === 'function') extra(status, detail);
    };
  };
})(window);

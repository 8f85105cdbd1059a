/* Antrian: a tiny JSON API client for every page (plain ES2015, no modules, no build).
 * Sends the device token (kiosk, display) or the staff CSRF token, and an Idempotency-Key on changes.
 *
 *   Antrian.api.get('/api/floor').then(function (floor) { ... })
 *   Antrian.api.post('/api/tickets', {service_id: 'ktp-el'})
 *     .catch(function (err) { show(err.detail); });
 *
 * Resolves with the parsed JSON body (null for 204 No Content). Rejects with an Error whose
 * `detail` is the message to show to the person, plus `status` (0 = no answer) and `code`.
 *
 * It also keeps an estimate of the server's clock from each response's Date header, so
 * pages on a TV stick or phone with a wrong clock can still show the right time and timers:
 *   Antrian.serverNow()  -> milliseconds since the epoch, by the server's clock.
 */
(function (root) {
  'use strict';
  var Antrian = root.Antrian = root.Antrian || {};
  var TIMEOUT_MS = 15000;
  var NO_ANSWER = 'Tidak dapat terhubung ke server. Periksa jaringan lalu coba lagi. (Cannot reach the server.)';

  var skewMs = null; // server clock minus this device's clock

  function noteServerDate(header, sentAt) {
    if (!header) return;
    var server = Date.parse(header);
    if (isNaN(server)) return;
    var now = Date.now();
    // The header has whole seconds: add half a second, compare with the middle of the round trip.
    var sample = server + 500 - (sentAt + now) / 2;
    if (skewMs === null || Math.abs(sample - skewMs) > 1500) skewMs = sample;
  }

  Antrian.serverNow = function () {
    return Date.now() + (skewMs || 0);
  };
  Antrian.clockKnown = function () {
    return skewMs !== null;
  };

  function failure(status, detail, code) {
    var err = new Error(detail);
    err.status = status;
    err.detail = detail;
    err.code = code || '';
    return err;
  }

  /* --- who is asking --------------------------------------------------------------
   * A kiosk or display is opened once with its device token in the address, e.g.
   * /display/tv-1#token=... (or ?token=...); the page keeps it in localStorage, so later
   * reloads work without it. Staff pages use the login session cookie plus a CSRF token. */

  var storageKey = 'antrian.token:' + root.location.pathname;
  var deviceToken = null;

  function readToken() {
    var m = /[#&?]token=([^&#]+)/.exec(root.location.hash + '&' + root.location.search);
    var fromUrl = m ? decodeURIComponent(m[1]) : null;
    try {
      if (fromUrl) root.localStorage.setItem(storageKey, fromUrl);
      return fromUrl || root.localStorage.getItem(storageKey);
    } catch (e) {
      return fromUrl; // storage disabled: the address must carry the token
    }
  }
  deviceToken = readToken();

  Antrian.deviceToken = function () {
    return deviceToken;
  };

  Antrian.loginUrl = function () {
    return '/login?next=' + encodeURIComponent(root.location.pathname);
  };

  var csrfToken = null;
  var csrfPromise = null;

  function csrf(refresh) {
    if (deviceToken) return Promise.resolve(null);
    if (csrfToken && !refresh) return Promise.resolve(csrfToken);
    if (!csrfPromise || refresh) {
      csrfPromise = send('GET', '/api/me').then(function (me) {
        csrfToken = me && me.csrf_token ? me.csrf_token : null;
        return csrfToken;
      }, function () {
        csrfPromise = null;
        return null;
      });
    }
    return csrfPromise;
  }

  Antrian.me = function () {
    return send('GET', '/api/me').then(function (me) {
      if (me && me.csrf_token) csrfToken = me.csrf_token;
      return me;
    });
  };

  function newKey() {
    var out = '';
    try {
      var bytes = new Uint8Array(16);
      root.crypto.getRandomValues(bytes);
      for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
      return out;
    } catch (e) {
      return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
    }
  }

  function send(method, url, body, headers) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      var sentAt = Date.now();
      xhr.open(method, url, true);
      xhr.timeout = TIMEOUT_MS;
      xhr.setRequestHeader('Accept', 'application/json');
      if (body !== undefined) xhr.setRequestHeader('Content-Type', 'application/json');
      if (deviceToken) xhr.setRequestHeader('Authorization', 'Bearer ' + deviceToken);
      Object.keys(headers || {}).forEach(function (name) {
        if (headers[name]) xhr.setRequestHeader(name, headers[name]);
      });
      xhr.onload = function () {
        noteServerDate(xhr.getResponseHeader('Date'), sentAt);
        var data = null;
        var text = xhr.responseText;
        if (text) {
          try {
            data = JSON.parse(text);
          } catch (e) {
            data = null;
          }
        }
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve(xhr.status === 204 ? null : data);
          return;
        }
        var detail = data && data.detail ? String(data.detail) : 'Server menjawab ' + xhr.status + '. (Server answered ' + xhr.status + '.)';
        reject(failure(xhr.status, detail, data && data.code));
      };
      xhr.onerror = function () {
        reject(failure(0, NO_ANSWER, 'network'));
      };
      xhr.ontimeout = function () {
        reject(failure(0, 'Server tidak menjawab. Coba lagi. (The server did not answer in time.)', 'timeout'));
      };
      xhr.send(body === undefined ? null : JSON.stringify(body));
    });
  }

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  /* A change (POST) carries an Idempotency-Key: when the answer is lost on a bad network it is
     sent again with the same key, and the server replays its first answer instead of acting twice
     (one tap, one ticket). A stale CSRF token is fetched again once. */
  function change(url, body, options) {
    var key = (options && options.idempotencyKey) || newKey();
    var retriesLeft = 2;
    var csrfRetried = false;
    function attempt() {
      return csrf(false).then(function (token) {
        var headers = {'Idempotency-Key': key};
        if (token) headers['X-CSRF-Token'] = token;
        return send('POST', url, body, headers);
      }).catch(function (err) {
        if (err.status === 0 && retriesLeft > 0) {
          retriesLeft -= 1;
          return wait(1000).then(attempt);
        }
        if (err.status === 403 && !csrfRetried && !deviceToken && /csrf/i.test(err.detail)) {
          csrfRetried = true;
          return csrf(true).then(attempt);
        }
        throw err;
      });
    }
    return attempt();
  }

  Antrian.api = {
    get: function (url) {
      return send('GET', url);
    },
    post: function (url, body, options) {
      return change(url, body === undefined ? {} : body, options);
    }
  };

  /* Small helpers shared by the pages. */

  Antrian.el = function (tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === 'text') node.textContent = value;
        else if (key === 'className') node.className = value;
        else if (key.indexOf('on') === 0 && typeof value === 'function') node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? '' : value);
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  };

  Antrian.clear = function (node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  };

  /* A clock in the mall's time zone (falls back to the device's zone on very old browsers). */
  Antrian.clockFormatters = function (timeZone, locale) {
    locale = locale || 'id-ID';
    function make(options) {
      try {
        return new Intl.DateTimeFormat(locale, Object.assign({timeZone: timeZone}, options));
      } catch (e) {
        try {
          return new Intl.DateTimeFormat(locale, options);
        } catch (e2) {
          return null;
        }
      }
    }
    var time = make({hour: '2-digit', minute: '2-digit', hour12: false});
    var timeSeconds = make({hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false});
    var date = make({weekday: 'long', day: 'numeric', month: 'long', year: 'numeric'});
    function pad(n) {
      return n < 10 ? '0' + n : String(n);
    }
    return {
      time: function (ms, withSeconds) {
        var f = withSeconds ? timeSeconds : time;
        if (f) return f.format(new Date(ms)).replace(/\./g, ':');
        var d = new Date(ms);
        return pad(d.getHours()) + ':' + pad(d.getMinutes()) + (withSeconds ? ':' + pad(d.getSeconds()) : '');
      },
      date: function (ms) {
        return date ? date.format(new Date(ms)) : new Date(ms).toDateString();
      }
    };
  };

  /* "m:ss" or "h:mm:ss" for a duration in milliseconds. */
  Antrian.duration = function (ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    var mm = h ? (m < 10 ? '0' + m : m) : m;
    return (h ? h + ':' : '') + mm + ':' + (sec < 10 ? '0' + sec : sec);
  };
})(window);

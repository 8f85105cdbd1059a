/* Antrian: a tiny JSON API client for every page (plain ES2015, no modules, no build).
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

  function request(method, url, body) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      var sentAt = Date.now();
      xhr.open(method, url, true);
      xhr.timeout = TIMEOUT_MS;
      xhr.setRequestHeader('Accept', 'application/json');
      if (body !== undefined) xhr.setRequestHeader('Content-Type', 'application/json');
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

  Antrian.api = {
    request: request,
    get: function (url) {
      return request('GET', url);
    },
    post: function (url, body) {
      return request('POST', url, body === undefined ? {} : body);
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

/* Floor manager's dashboard: per agency the people waiting, the longest wait, today's service level and
 * the counters; alerts; arrivals against served per hour; drill-down into an agency. All live:
 *   - /ws/floor (Antrian.live: reconnecting, since=) says something changed;
 *   - GET /api/floor is read again, debounced (~1 s), for the queues and counters;
 *   - GET /api/stats and GET /api/alerts every 20 s and, debounced, after events.
 * The alerts endpoint may not exist on an older server: then the panel says so and the rest works. */
(function () {
  'use strict';
  var A = window.Antrian;
  var el = A.el;
  var cfg = JSON.parse(document.getElementById('manager-config').textContent);
  var clock = A.clockFormatters(cfg.timezone);
  var SVG = 'http://www.w3.org/2000/svg';

  var FLOOR_DEBOUNCE_MS = 1000;
  var FLOOR_MAX_WAIT_MS = 2000;
  var STATS_DEBOUNCE_MS = 1500;
  var STATS_MAX_WAIT_MS = 5000;
  var STATS_EVERY_MS = 20000;
  var FLOOR_EVERY_MS = 60000;
  var ALERTS_SHOWN = 40;

  var STATUS_WORDS = {open: 'Buka', paused: 'Istirahat', closed: 'Tutup'};
  var TICKET_WORDS = {called: 'dipanggil', serving: 'dilayani'};
  var KIND_WORDS = {
    queue_over_target: 'Antrian melewati target',
    counter_idle: 'Loket menganggur, antrian menunggu',
    counter_paused_long: 'Loket istirahat terlalu lama',
    printer_problem: 'Printer bermasalah',
    quota_nearly_used: 'Kuota hampir habis'
  };

  var state = {
    floor: null,
    floorAt: 0,
    stats: null,
    alerts: [],
    alertsState: 'loading', // loading | ok | unavailable | error
    alertsDetail: '',
    selected: null
  };

  var agencies = cfg.agencies;
  var agencyById = {};
  agencies.forEach(function (a) { agencyById[a.id] = a; });
  var queueTarget = {}; // queue id -> the strictest target of the services it holds
  cfg.services.forEach(function (s) {
    if (!(s.queue in queueTarget) || s.target < queueTarget[s.queue]) queueTarget[s.queue] = s.target;
  });

  /* --- formatting --- */

  function num(n) {
    return n === null || n === undefined ? '—' : Number(n).toLocaleString('id-ID');
  }

  function minutes(m) {
    if (m === null || m === undefined) return '—';
    if (m >= 60) {
      var h = Math.floor(m / 60);
      return h + ' j ' + Math.round(m - h * 60) + ' mnt';
    }
    var shown = m < 10 ? Math.round(m * 10) / 10 : Math.round(m);
    return shown.toLocaleString('id-ID') + ' mnt';
  }

  function pct(x) {
    return x === null || x === undefined ? '—' : Math.round(x * 100) + '%';
  }

  function ago(iso) {
    var t = Date.parse(iso);
    if (isNaN(t)) return '';
    var m = Math.max(0, Math.floor((A.serverNow() - t) / 60000));
    if (m < 1) return 'baru saja';
    if (m < 60) return m + ' mnt lalu';
    return Math.floor(m / 60) + ' j ' + (m % 60) + ' mnt lalu';
  }

  function levelClass(sl) {
    if (sl === null || sl === undefined) return '';
    return sl >= 0.8 ? 'good' : sl >= 0.6 ? 'warn' : 'bad';
  }

  function text(id, value) {
    var node = document.getElementById(id);
    if (node) node.textContent = value;
    return node;
  }

  /* --- derived figures --- */

  function elapsedMinutes() {
    return state.floorAt ? Math.floor((Date.now() - state.floorAt) / 60000) : 0;
  }

  function queueLongest(q) {
    // The floor says it at the moment it was read; it grows by the minute until read again.
    return q.waiting ? q.longest_wait_minutes + elapsedMinutes() : null;
  }

  function rowsById(rows) {
    var out = {};
    (rows || []).forEach(function (r) { out[r.id] = r; });
    return out;
  }

  function floorFigures(agencyId) {
    var f = {waiting: 0, longest: null, longestOver: false, open: 0, idle: 0, paused: 0, closed: 0, serving: 0};
    if (!state.floor) return f;
    state.floor.queues.forEach(function (q) {
      if (agencyId && q.agency_id !== agencyId) return;
      f.waiting += q.waiting;
      var longest = queueLongest(q);
      if (longest !== null && (f.longest === null || longest > f.longest)) f.longest = longest;
      if (longest !== null && queueTarget[q.id] !== undefined && longest > queueTarget[q.id]) f.longestOver = true;
    });
    state.floor.counters.forEach(function (c) {
      if (agencyId && c.agency_id !== agencyId) return;
      if (c.status === 'open') {
        f.open += 1;
        if (c.ticket) f.serving += 1;
        else f.idle += 1;
      } else if (c.status === 'paused') f.paused += 1;
      else f.closed += 1;
    });
    return f;
  }

  function alertsFor(agencyId) {
    var out = {count: 0, critical: 0};
    state.alerts.forEach(function (a) {
      if (a.agency_id !== agencyId) return;
      out.count += 1;
      if (a.severity === 'critical') out.critical += 1;
    });
    return out;
  }

  /* --- rendering: summary and tiles --- */

  var tiles = {};

  function stat(label, en, testid) {
    var b = el('b', {'data-testid': testid, text: '–'});
    return {node: el('div', {className: 'tile-stat', title: en}, [b, el('small', {text: label})]), value: b};
  }

  function counterCell(kind, label, en, testid) {
    var b = el('b', {'data-testid': testid, text: '–'});
    return {node: el('span', {className: 'cc cc-' + kind, title: 'loket ' + label + ' (' + en + ' counters)'}, [b, el('small', {text: label})]), value: b};
  }

  function buildTiles() {
    var box = A.clear(document.getElementById('tiles'));
    agencies.forEach(function (a) {
      var swatch = el('span', {className: 'swatch'});
      swatch.style.background = a.colour;
      var alertMark = el('span', {className: 'tile-alert', 'data-testid': 'agency-alerts-' + a.id, hidden: true});
      var waiting = el('b', {className: 'tile-waiting', 'data-testid': 'agency-waiting-' + a.id, text: '–'});
      var longest = stat('terlama', 'longest current wait', 'agency-longest-' + a.id);
      var sl = stat('tepat waktu', 'service level today', 'agency-sl-' + a.id);
      var served = stat('selesai', 'served today', 'agency-served-' + a.id);
      var cells = {
        open: counterCell('open', 'buka', 'open', 'agency-open-' + a.id),
        idle: counterCell('idle', 'menganggur', 'idle', 'agency-idle-' + a.id),
        paused: counterCell('paused', 'istirahat', 'paused', 'agency-paused-' + a.id),
        closed: counterCell('closed', 'tutup', 'closed', 'agency-closed-' + a.id)
      };
      var tile = el('button', {type: 'button', className: 'tile', 'data-agency': a.id, 'data-testid': 'agency-' + a.id,
        'aria-haspopup': 'dialog', title: a.name}, [
        el('div', {className: 'tile-head'}, [swatch, el('span', {className: 'tile-name', text: a.short_name}), alertMark]),
        el('div', {className: 'tile-body'}, [
          el('div', {className: 'tile-main', title: 'waiting now'}, [waiting, el('small', {text: 'menunggu'})]),
          longest.node, sl.node, served.node
        ]),
        el('div', {className: 'tile-counters'}, [cells.open.node, cells.idle.node, cells.paused.node, cells.closed.node])
      ]);
      tile.addEventListener('click', function () { openDetail(a.id); });
      tiles[a.id] = {tile: tile, alertMark: alertMark, waiting: waiting, longest: longest.value, sl: sl.value,
        served: served.value, cells: cells};
      box.appendChild(tile);
    });
  }

  function longestText(f) {
    if (!state.floor) return '–';
    if (f.longest === null) return '—';
    if (f.longest < 1) return '<1 mnt';
    if (f.longest < 60) return Math.round(f.longest) + ' mnt';
    var h = Math.floor(f.longest / 60);
    return h + ' j ' + Math.round(f.longest - h * 60) + ' m';
  }

  function setCounters(cells, f) {
    ['open', 'idle', 'paused', 'closed'].forEach(function (kind) {
      var n = state.floor ? f[kind] : null;
      cells[kind].value.textContent = n === null ? '–' : String(n);
      var hot = kind === 'idle' && f.idle && f.waiting;
      cells[kind].node.className = 'cc cc-' + kind + (n ? '' : ' is-zero') + (hot ? ' is-hot' : '');
    });
  }

  function renderTiles() {
    var statsRows = rowsById(state.stats && state.stats.agencies);
    agencies.forEach(function (a) {
      var t = tiles[a.id];
      var f = floorFigures(a.id);
      var row = statsRows[a.id];
      var al = alertsFor(a.id);
      t.waiting.textContent = state.floor ? num(f.waiting) : '–';
      t.longest.textContent = longestText(f);
      t.longest.className = f.longestOver ? 'bad' : '';
      t.sl.textContent = state.stats ? pct(row ? row.service_level : null) : '–';
      t.sl.className = levelClass(row ? row.service_level : null);
      t.served.textContent = state.stats ? num(row ? row.served : 0) : '–';
      setCounters(t.cells, f);
      t.alertMark.hidden = !al.count;
      t.alertMark.textContent = al.count ? '⚠ ' + al.count : '';
      t.tile.className = 'tile' + (al.critical ? ' has-critical' : al.count ? ' has-warning' : '') +
        (f.waiting ? '' : ' is-quiet') + (state.selected === a.id ? ' is-selected' : '');
    });
  }

  var summaryCells = {};
  ['open', 'idle', 'paused', 'closed'].forEach(function (kind) {
    var node = document.getElementById('sum-' + kind);
    summaryCells[kind] = {node: node, value: node.querySelector('b')};
  });

  function renderSummary() {
    var f = floorFigures(null);
    var s = state.stats;
    text('sum-waiting', state.floor ? num(f.waiting) : '–');
    var longest = text('sum-longest', longestText(f));
    longest.className = 'sum-value' + (f.longestOver ? ' bad' : '');
    var issued = 0;
    var served = 0;
    var within = 0;
    var answered = 0;
    if (s) {
      s.agencies.forEach(function (r) {
        issued += r.issued;
        served += r.served;
        if (r.service_level !== null && r.wait_minutes) {
          // Weight each agency's share by its answered visits (those with a wait).
          within += r.service_level * r.wait_minutes.count;
          answered += r.wait_minutes.count;
        }
      });
    }
    text('sum-issued', s ? num(issued) : '–');
    text('sum-served', s ? num(served) : '–');
    var overall = answered ? within / answered : null;
    var sl = text('sum-sl', s ? pct(overall) : '–');
    sl.className = 'sum-value ' + levelClass(overall);
    setCounters(summaryCells, f);
  }

  /* --- rendering: alerts --- */

  function sortedAlerts() {
    return state.alerts.slice().sort(function (a, b) {
      var sa = a.severity === 'critical' ? 0 : 1;
      var sb = b.severity === 'critical' ? 0 : 1;
      if (sa !== sb) return sa - sb;
      return (Date.parse(a.since) || 0) - (Date.parse(b.since) || 0); // the oldest problem first
    });
  }

  function renderAlerts() {
    var list = A.clear(document.getElementById('alerts'));
    var status = document.getElementById('alerts-status');
    var badge = document.getElementById('alerts-count');
    status.className = 'alerts-status muted';
    if (state.alertsState === 'loading') {
      status.textContent = 'Memuat… (loading)';
      status.hidden = false;
    } else if (state.alertsState === 'unavailable') {
      status.textContent = 'Peringatan belum tersedia di server ini (alerts unavailable).';
      status.className = 'alerts-status alerts-unavailable';
      status.hidden = false;
    } else if (state.alertsState === 'error') {
      status.textContent = 'Peringatan tidak bisa dimuat (alerts unavailable): ' + state.alertsDetail;
      status.className = 'alerts-status alerts-unavailable';
      status.hidden = false;
    } else if (!state.alerts.length) {
      status.textContent = 'Tidak ada peringatan. Lantai berjalan lancar. (No alerts.)';
      status.className = 'alerts-status alerts-none';
      status.hidden = false;
    } else {
      status.hidden = true;
    }
    var critical = 0;
    state.alerts.forEach(function (a) { if (a.severity === 'critical') critical += 1; });
    badge.hidden = !state.alerts.length || state.alertsState !== 'ok';
    badge.textContent = String(state.alerts.length);
    badge.className = 'badge' + (critical ? ' badge-critical' : ' badge-warning');
    var shown = sortedAlerts();
    shown.slice(0, ALERTS_SHOWN).forEach(function (a) {
      var agency = a.agency_id && agencyById[a.agency_id];
      list.appendChild(el('li', {className: 'alert-item sev-' + a.severity, 'data-testid': 'alert-' + a.kind, 'data-severity': a.severity}, [
        el('div', {className: 'alert-top'}, [
          el('span', {className: 'sev', text: a.severity === 'critical' ? 'KRITIS' : 'PERHATIAN'}),
          el('span', {className: 'alert-kind', text: KIND_WORDS[a.kind] || a.kind}),
          el('span', {className: 'alert-ago', 'data-testid': 'alert-ago', text: ago(a.since)})
        ]),
        el('div', {className: 'alert-msg', text: a.message}),
        agency ? el('button', {type: 'button', className: 'link-chip', 'data-agency': agency.id, text: agency.short_name + ' →'}) : null
      ]));
    });
    if (shown.length > ALERTS_SHOWN) {
      list.appendChild(el('li', {className: 'muted alert-more', text: '… dan ' + (shown.length - ALERTS_SHOWN) + ' lagi (and more)'}));
    }
  }

  document.getElementById('alerts').addEventListener('click', function (e) {
    var target = e.target;
    if (target && target.getAttribute && target.getAttribute('data-agency')) openDetail(target.getAttribute('data-agency'));
  });

  /* --- rendering: the hourly chart (inline SVG) --- */

  var hourFormat = null;
  try {
    hourFormat = new Intl.DateTimeFormat('en-GB', {timeZone: cfg.timezone, hour: '2-digit', hour12: false});
  } catch (e) {
    hourFormat = null;
  }

  function localHour() {
    var now = new Date(A.serverNow());
    var h = hourFormat ? parseInt(hourFormat.format(now), 10) : now.getHours();
    return h === 24 ? 0 : h;
  }

  function hourRange(arrivals, served) {
    var nowHour = cfg.day === (state.stats && state.stats.date) || !state.stats ? localHour() : null;
    var data = Object.keys(arrivals).concat(Object.keys(served)).map(Number);
    if (nowHour !== null) data.push(nowHour);
    var lo = 24;
    var hi = -1;
    (cfg.hours || []).forEach(function (iv) {
      lo = Math.min(lo, Math.floor(iv[0] / 60));
      hi = Math.max(hi, Math.ceil(iv[1] / 60) - 1);
    });
    var dlo = Math.min.apply(null, data);
    var dhi = Math.max.apply(null, data);
    if (hi < 0 || hi - lo > 14) {
      // Open around the clock (or no hours today): show the hours that matter.
      lo = dlo - 2;
      hi = dhi + 1;
    } else {
      lo = Math.min(lo, dlo);
      hi = Math.max(hi, dhi);
    }
    while (hi - lo < 9) {
      if (lo > 0) lo -= 1;
      if (hi - lo < 9 && hi < 23) hi += 1;
      if (lo === 0 && hi === 23) break;
    }
    return {lo: Math.max(0, lo), hi: Math.min(23, hi), now: nowHour};
  }

  function niceMax(v) {
    if (v <= 4) return 4;
    var p = Math.pow(10, Math.floor(Math.log(v) / Math.LN10));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
    return 10 * p;
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      if (typeof c === 'string') node.appendChild(document.createTextNode(c));
      else if (c) node.appendChild(c);
    });
    return node;
  }

  function pad2(n) {
    return n < 10 ? '0' + n : String(n);
  }

  function renderChart() {
    var box = document.getElementById('chart');
    A.clear(box);
    if (!state.stats) {
      box.appendChild(el('p', {className: 'muted', text: 'Memuat statistik… (loading)'}));
      return;
    }
    var arrivals = state.stats.arrivals_by_hour || {};
    var served = state.stats.served_by_hour || {};
    var range = hourRange(arrivals, served);
    var hours = [];
    for (var h = range.lo; h <= range.hi; h++) hours.push(h);
    var top = 0;
    hours.forEach(function (hh) { top = Math.max(top, arrivals[hh] || 0, served[hh] || 0); });
    var yMax = niceMax(top);
    var W = Math.max(320, box.clientWidth || 600);
    var H = Math.max(180, Math.min(300, Math.round(W * 0.42)));
    var m = {l: 34, r: 8, t: 16, b: 26};
    var pw = W - m.l - m.r;
    var ph = H - m.t - m.b;
    var group = pw / hours.length;
    var bar = Math.max(2, Math.min(28, group * 0.36));
    var chart = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img', 'aria-label': 'Kedatangan dan selesai per jam', 'data-testid': 'chart-svg'});
    var ticks = 4;
    for (var i = 0; i <= ticks; i++) {
      var v = yMax * i / ticks;
      var y = m.t + ph - ph * i / ticks;
      chart.appendChild(svg('line', {x1: m.l, x2: W - m.r, y1: y, y2: y, 'class': i ? 'grid' : 'axis'}));
      chart.appendChild(svg('text', {x: m.l - 6, y: y + 4, 'text-anchor': 'end', 'class': 'tick'}, [String(Math.round(v * 10) / 10)]));
    }
    var labelEvery = group < 26 ? 2 : 1;
    hours.forEach(function (hh, idx) {
      var x0 = m.l + idx * group;
      if (hh === range.now) chart.appendChild(svg('rect', {x: x0, y: m.t, width: group, height: ph, 'class': 'now'}));
      var a = arrivals[hh] || 0;
      var s = served[hh] || 0;
      var cx = x0 + group / 2;
      var ha = ph * a / yMax;
      var hs = ph * s / yMax;
      var g = svg('g', {'data-hour': hh, 'data-arrivals': a, 'data-served': s}, [
        svg('title', {}, [pad2(hh) + ':00–' + pad2(hh + 1 === 24 ? 0 : hh + 1) + ':00 · datang ' + a + ' · selesai ' + s]),
        svg('rect', {x: cx - bar - 1, y: m.t + ph - ha, width: bar, height: ha, 'class': 'bar-arrivals'}),
        svg('rect', {x: cx + 1, y: m.t + ph - hs, width: bar, height: hs, 'class': 'bar-served'})
      ]);
      if (group >= 34) {
        if (a) g.appendChild(svg('text', {x: cx - bar / 2 - 1, y: m.t + ph - ha - 3, 'text-anchor': 'middle', 'class': 'val'}, [String(a)]));
        if (s) g.appendChild(svg('text', {x: cx + bar / 2 + 1, y: m.t + ph - hs - 3, 'text-anchor': 'middle', 'class': 'val'}, [String(s)]));
      }
      chart.appendChild(g);
      if (idx % labelEvery === 0) {
        chart.appendChild(svg('text', {x: cx, y: H - 8, 'text-anchor': 'middle', 'class': 'tick' + (hh === range.now ? ' tick-now' : '')}, [pad2(hh)]));
      }
    });
    box.appendChild(chart);
  }

  /* --- rendering: the drill-down --- */

  function counterWords(c) {
    if (!c) return '—';
    var words = STATUS_WORDS[c.status] || c.status;
    if (c.status === 'open' && !c.ticket) words += ' · menganggur';
    if (c.status === 'paused' && c.pause_reason) words += ': ' + c.pause_reason;
    return words;
  }

  function renderDetail() {
    var box = document.getElementById('detail');
    var id = state.selected;
    var agency = id && agencyById[id];
    box.hidden = !agency;
    document.getElementById('detail-backdrop').hidden = !agency;
    if (!agency) return;
    document.getElementById('detail-swatch').style.background = agency.colour;
    text('detail-title', agency.name);
    var f = floorFigures(id);
    var aRow = rowsById(state.stats && state.stats.agencies)[id];
    var facts = A.clear(document.getElementById('detail-facts'));
    [
      [num(f.waiting), 'menunggu', 'detail-waiting'],
      [longestText(f), 'terlama', 'detail-longest'],
      [aRow ? pct(aRow.service_level) : '—', 'tepat waktu', 'detail-sl'],
      [aRow ? num(aRow.served) : '—', 'selesai', 'detail-served']
    ].forEach(function (fact) {
      facts.appendChild(el('span', {className: 'fact'}, [el('b', {'data-testid': fact[2], text: fact[0]}), ' ' + fact[1]]));
    });

    var floorQueues = {};
    var floorCounters = {};
    if (state.floor) {
      state.floor.queues.forEach(function (q) { floorQueues[q.id] = q; });
      state.floor.counters.forEach(function (c) { floorCounters[c.id] = c; });
    }
    var sRows = rowsById(state.stats && state.stats.services);
    var cRows = rowsById(state.stats && state.stats.counters);

    var body = A.clear(document.getElementById('detail-services'));
    var byQueue = {};
    var order = [];
    cfg.services.forEach(function (s) {
      if (s.agency !== id) return;
      if (!byQueue[s.queue]) {
        byQueue[s.queue] = [];
        order.push(s.queue);
      }
      byQueue[s.queue].push(s);
    });
    order.forEach(function (queueId) {
      var q = floorQueues[queueId];
      var qc = cfg.queues[queueId] || {name: queueId, prefix: ''};
      var services = byQueue[queueId];
      var longest = q ? queueLongest(q) : null;
      services.forEach(function (s, i) {
        var r = sRows[s.id];
        var cells = [];
        if (i === 0) {
          var span = String(services.length);
          cells.push(el('td', {rowspan: span, className: 'queue-cell'}, [el('b', {text: qc.prefix}), ' ' + qc.name]));
          cells.push(el('td', {rowspan: span, className: 'num big', 'data-testid': 'detail-queue-waiting-' + queueId, text: q ? num(q.waiting) : '—'}));
          cells.push(el('td', {rowspan: span, className: 'num' + (longest !== null && longest > s.target ? ' bad' : ''),
            text: longest === null ? '—' : longest < 1 ? '<1 mnt' : minutes(longest)}));
        }
        cells.push(el('td', {text: s.name}));
        cells.push(el('td', {className: 'num muted', text: s.target + ' mnt'}));
        cells.push(el('td', {className: 'num', text: r ? num(r.issued) : '—'}));
        cells.push(el('td', {className: 'num', 'data-testid': 'detail-service-served-' + s.id, text: r ? num(r.served) : '—'}));
        cells.push(el('td', {className: 'num ' + levelClass(r ? r.service_level : null), text: r ? pct(r.service_level) : '—'}));
        cells.push(el('td', {className: 'num', text: r ? minutes(r.wait_minutes.median) : '—'}));
        cells.push(el('td', {className: 'num', text: r ? minutes(r.wait_minutes.p90) : '—'}));
        body.appendChild(el('tr', {'data-testid': 'detail-service-' + s.id, className: i === 0 ? 'group-start' : ''}, cells));
      });
    });
    if (!order.length) body.appendChild(el('tr', {}, [el('td', {colspan: '10', className: 'muted', text: 'Tidak ada layanan.'})]));

    var cbody = A.clear(document.getElementById('detail-counters'));
    var any = false;
    cfg.counters.forEach(function (c) {
      if (c.agency !== id) return;
      any = true;
      var live = floorCounters[c.id];
      var r = cRows[c.id];
      var t = live && live.ticket;
      var since = t ? (t.status === 'serving' && t.started_at ? t.started_at : t.called_at) : null;
      cbody.appendChild(el('tr', {'data-testid': 'detail-counter-' + c.id}, [
        el('td', {}, [el('b', {text: c.label})]),
        el('td', {}, [el('span', {className: 'pill pill-' + (live ? live.status : 'closed') + (live && live.status === 'open' && !t ? ' pill-idle' : ''),
          'data-testid': 'detail-counter-status-' + c.id, text: counterWords(live)})]),
        el('td', {'data-testid': 'detail-counter-ticket-' + c.id}, t ? [el('b', {className: 'ticket-no', text: t.number}),
          ' ' + (TICKET_WORDS[t.status] || t.status) + (since ? ' · ' + ago(since).replace(' lalu', '') : '')] : ['—']),
        el('td', {className: 'num', 'data-testid': 'detail-counter-served-' + c.id, text: r ? num(r.served) : '—'}),
        el('td', {className: 'num', text: r ? minutes(r.busy_minutes) : '—'}),
        el('td', {className: 'num', text: r ? minutes(r.idle_minutes) : '—'}),
        el('td', {className: 'num', text: r ? minutes(r.paused_minutes) : '—'})
      ]));
    });
    if (!any) cbody.appendChild(el('tr', {}, [el('td', {colspan: '7', className: 'muted', text: 'Instansi ini tidak punya loket.'})]));
  }

  var lastFocus = null;

  function openDetail(id) {
    if (!agencyById[id]) return;
    if (!state.selected) lastFocus = document.activeElement;
    state.selected = id;
    try {
      history.replaceState(null, '', '#agency=' + encodeURIComponent(id));
    } catch (e) { /* file: or old browser */ }
    render();
    document.getElementById('detail-close').focus();
  }

  function closeDetail() {
    if (!state.selected) return;
    state.selected = null;
    try {
      history.replaceState(null, '', location.pathname + location.search);
    } catch (e) { /* ignore */ }
    render();
    if (lastFocus && lastFocus.focus) lastFocus.focus();
  }

  document.getElementById('detail-close').addEventListener('click', closeDetail);
  document.getElementById('detail-backdrop').addEventListener('click', closeDetail);
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') closeDetail();
  });

  /* --- everything --- */

  function render() {
    renderSummary();
    renderTiles();
    renderAlerts();
    renderChart();
    renderDetail();
  }

  var renderTimer = null;
  function renderSoon() {
    if (renderTimer) return;
    renderTimer = setTimeout(function () {
      renderTimer = null;
      render();
    }, 30);
  }

  /* --- reading the server --- */

  var errors = {};
  function showError(source, err) {
    if (err) errors[source] = err;
    else delete errors[source];
    var box = A.clear(document.getElementById('mgr-error'));
    var keys = Object.keys(errors);
    box.hidden = !keys.length;
    var needsLogin = false;
    keys.forEach(function (k, i) {
      if (i) box.appendChild(document.createTextNode(' · '));
      box.appendChild(document.createTextNode(errors[k].detail));
      if (errors[k].status === 401) needsLogin = true;
    });
    if (needsLogin) {
      box.appendChild(document.createTextNode(' '));
      box.appendChild(el('a', {href: A.loginUrl(), 'data-testid': 'login-link', text: 'Masuk lagi (Log in again)'}));
    }
  }

  var floorSeq = 0;
  function loadFloor() {
    var seq = ++floorSeq;
    return A.api.get('/api/floor').then(function (floor) {
      if (seq !== floorSeq) return;
      applyFloor(floor);
      showError('floor', null);
    }, function (err) {
      if (seq === floorSeq) showError('floor', err);
    });
  }

  function applyFloor(floor) {
    state.floor = floor;
    state.floorAt = Date.now();
    if (floor && floor.day && floor.day !== cfg.day) {
      // A new service day: the page (hours, today's date) is read again from the server.
      setTimeout(function () { location.reload(); }, 3000);
    }
    renderSoon();
  }

  var statsSeq = 0;
  function loadStats() {
    var seq = ++statsSeq;
    return A.api.get('/api/stats').then(function (stats) {
      if (seq !== statsSeq) return;
      state.stats = stats;
      showError('stats', null);
      renderSoon();
    }, function (err) {
      if (seq === statsSeq) showError('stats', {status: err.status, detail: 'Statistik: ' + err.detail});
    });
  }

  var alertsSeq = 0;
  function loadAlerts() {
    var seq = ++alertsSeq;
    return A.api.get('/api/alerts').then(function (list) {
      if (seq !== alertsSeq) return;
      state.alerts = Array.isArray(list) ? list : [];
      state.alertsState = 'ok';
      renderSoon();
    }, function (err) {
      if (seq !== alertsSeq) return;
      state.alerts = [];
      state.alertsState = err.status === 404 ? 'unavailable' : 'error';
      state.alertsDetail = err.detail;
      renderSoon();
    });
  }

  /* Debounced: waits for `quiet` ms without calls, but never longer than `most` after the first. */
  function debounced(fn, quiet, most) {
    var timer = null;
    var first = 0;
    return function () {
      var now = Date.now();
      if (!timer) first = now;
      if (timer) clearTimeout(timer);
      var delay = Math.max(0, Math.min(quiet, first + most - now));
      timer = setTimeout(function () {
        timer = null;
        fn();
      }, delay);
    };
  }

  var floorSoon = debounced(loadFloor, FLOOR_DEBOUNCE_MS, FLOOR_MAX_WAIT_MS);
  var statsSoon = debounced(function () {
    loadStats();
    loadAlerts();
  }, STATS_DEBOUNCE_MS, STATS_MAX_WAIT_MS);

  A.live('/ws/floor', {
    onSnapshot: function (msg) {
      if (msg.floor) applyFloor(msg.floor);
      statsSoon();
    },
    onEvent: function () {
      floorSoon();
      statsSoon();
    },
    onStatus: A.liveIndicator(document.getElementById('live-status'), function (status, detail) {
      if (status === 'denied') showError('live', {status: 401, detail: 'Pembaruan langsung berhenti: ' + detail});
    })
  });

  setInterval(function () {
    loadStats();
    loadAlerts();
  }, STATS_EVERY_MS);
  setInterval(loadFloor, FLOOR_EVERY_MS);
  setInterval(render, 30000); // "12 mnt lalu", the longest waits growing

  function tickClock() {
    text('mgr-clock', clock.time(A.serverNow()));
  }
  setInterval(tickClock, 1000);
  tickClock();

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    if (resizeTimer) clearTimeout(resizeTimer);
    resizeTimer = setTimeout(renderChart, 150);
  });

  var logout = document.getElementById('logout');
  if (logout) {
    logout.addEventListener('click', function () {
      A.api.post('/api/logout').then(function () {
        window.location.href = A.loginUrl();
      }, function (err) {
        showError('logout', err);
      });
    });
  }

  buildTiles();
  var fromHash = /^#agency=(.+)$/.exec(location.hash);
  if (fromHash && agencyById[decodeURIComponent(fromHash[1])]) state.selected = decodeURIComponent(fromHash[1]);
  render();
  loadFloor();
  loadStats();
  loadAlerts();
})();

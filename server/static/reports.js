/* The report for a day or a range of days: GET /api/stats?from=...&to=... (inclusive) as tables by agency,
 * service, counter and staff member, with CSV downloads (GET /api/stats.csv?from=...&to=...&by=...), one Excel
 * workbook (GET /api/stats.xlsx?from=...&to=...) and a page that prints on A4.
 * The page's own URL carries the range: ?from=...&to=... (a single day: ?date=..., today: nothing). */
(function () {
  'use strict';
  var A = window.Antrian;
  var el = A.el;
  var cfg = JSON.parse(document.getElementById('reports-config').textContent);
  var form = document.getElementById('rep-form');
  var fromInput = document.getElementById('rep-from');
  var toInput = document.getElementById('rep-to');
  var xlsxLink = document.getElementById('rep-xlsx');
  var errorBox = document.getElementById('rep-error');

  var agencyNames = {};
  cfg.agencies.forEach(function (a) { agencyNames[a.id] = a.short_name; });
  var serviceAgency = {};
  cfg.services.forEach(function (s) { serviceAgency[s.id] = s.agency; });
  var counterAgency = {};
  cfg.counters.forEach(function (c) { counterAgency[c.id] = c.agency; });

  /* --- formatting --- */

  function num(n) {
    return n === null || n === undefined ? '—' : Number(n).toLocaleString('id-ID');
  }

  function mins(m) {
    if (m === null || m === undefined) return '—';
    return (Math.round(m * 10) / 10).toLocaleString('id-ID', {minimumFractionDigits: 1, maximumFractionDigits: 1});
  }

  function pct(x) {
    return x === null || x === undefined ? '—' : (Math.round(x * 1000) / 10).toLocaleString('id-ID') + '%';
  }

  var ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

  /* Calendar days as UTC noon, so that adding days never meets a DST change. */
  function parseDay(iso) {
    var parts = ISO.exec(iso || '');
    return parts ? new Date(Date.UTC(+parts[1], +parts[2] - 1, +parts[3], 12)) : null;
  }
  function isoDay(when) {
    function pad(n) { return (n < 10 ? '0' : '') + n; }
    return when.getUTCFullYear() + '-' + pad(when.getUTCMonth() + 1) + '-' + pad(when.getUTCDate());
  }
  function addDays(iso, n) {
    var when = parseDay(iso);
    when.setUTCDate(when.getUTCDate() + n);
    return isoDay(when);
  }
  function daysBetween(from, to) {  // inclusive: 1 for a single day
    return Math.round((parseDay(to) - parseDay(from)) / 86400000) + 1;
  }

  function formatDay(iso, options) {
    var when = parseDay(iso);
    if (!when) return iso;
    options.timeZone = 'UTC';
    try {
      return new Intl.DateTimeFormat('id-ID', options).format(when);
    } catch (e) {
      return iso;
    }
  }
  function longDate(iso) {
    return formatDay(iso, {weekday: 'long', day: 'numeric', month: 'long', year: 'numeric'});
  }
  function shortDate(iso) {
    return formatDay(iso, {day: 'numeric', month: 'long', year: 'numeric'});
  }

  /* "Senin, 12 Mei 2025" for a day; "1 Mei 2025 – 12 Mei 2025" for a range. */
  function rangeText(from, to) {
    return from === to ? longDate(from) : shortDate(from) + ' – ' + shortDate(to);
  }
  function rangeKey(from, to) {
    return from === to ? from : from + '..' + to;
  }

  var stamp = A.clockFormatters(cfg.timezone);

  /* --- the tables --- */

  function col(key, label, en, value, format, cls, group) {
    return {key: key, label: label, en: en, value: value, format: format || num, cls: cls === undefined ? 'num' : cls, group: group || null};
  }
  function field(name) {
    return function (r) { return r[name]; };
  }
  function figure(which, name) {
    return function (r) { return r[which] ? r[which][name] : null; };
  }
  function plain(v) {
    return v === null || v === undefined || v === '' ? '—' : String(v);
  }

  var WAIT = {label: 'Tunggu (menit)', en: 'Wait (minutes)'};
  var SERVICE = {label: 'Lama layanan (menit)', en: 'Service time (minutes)'};
  var TIME = {label: 'Waktu loket (menit)', en: 'Counter time (minutes)'};
  var C = {
    issued: col('issued', 'Tiket', 'Issued', field('issued')),
    served: col('served', 'Selesai', 'Served', field('served')),
    noShows: col('no_shows', 'Tdk hadir', 'No-show', field('no_shows')),
    transferred: col('transferred_out', 'Dialihkan', 'Transfer', field('transferred_out')),
    cancelled: col('cancelled', 'Batal', 'Cancel', field('cancelled')),
    recalls: col('recalls', 'Pgl ulang', 'Recalls', field('recalls')),
    sl: col('service_level', 'Tepat waktu', 'Service level', field('service_level'), pct),
    waitMean: col('wait_mean', 'rata²', 'mean', figure('wait_minutes', 'mean'), mins, 'num', WAIT),
    waitMedian: col('wait_median', 'median', 'median', figure('wait_minutes', 'median'), mins, 'num', WAIT),
    waitP90: col('wait_p90', 'p90', 'p90', figure('wait_minutes', 'p90'), mins, 'num', WAIT),
    waitMax: col('wait_max', 'maks', 'max', figure('wait_minutes', 'max'), mins, 'num', WAIT),
    svcMean: col('service_mean', 'rata²', 'mean', figure('service_minutes', 'mean'), mins, 'num', SERVICE),
    svcMedian: col('service_median', 'median', 'median', figure('service_minutes', 'median'), mins, 'num', SERVICE),
    svcP90: col('service_p90', 'p90', 'p90', figure('service_minutes', 'p90'), mins, 'num', SERVICE),
    svcMax: col('service_max', 'maks', 'max', figure('service_minutes', 'max'), mins, 'num', SERVICE),
    open: col('open_minutes', 'buka', 'open', field('open_minutes'), mins, 'num', TIME),
    busy: col('busy_minutes', 'sibuk', 'busy', field('busy_minutes'), mins, 'num', TIME),
    idle: col('idle_minutes', 'menganggur', 'idle', field('idle_minutes'), mins, 'num', TIME),
    paused: col('paused_minutes', 'istirahat', 'paused', field('paused_minutes'), mins, 'num', TIME)
  };
  function nameCol(label, en, value) {
    return col('name', label, en, value || field('name'), plain, 'name');
  }
  var DAY_COLS = [C.issued, C.served, C.noShows, C.transferred, C.cancelled, C.recalls, C.sl,
    C.waitMean, C.waitMedian, C.waitP90, C.waitMax, C.svcMedian, C.svcP90];

  var TABLES = [
    {by: 'agencies', title: 'Per instansi', en: 'By agency', cols: [nameCol('Instansi', 'Agency')].concat(DAY_COLS)},
    {by: 'services', title: 'Per layanan', en: 'By service, grouped by agency', groupBy: serviceAgency,
      cols: [nameCol('Layanan', 'Service')].concat(DAY_COLS)},
    {by: 'counters', title: 'Per loket', en: 'By counter',
      cols: [nameCol('Loket', 'Counter'), col('agency', 'Instansi', 'Agency', function (r) { return agencyNames[counterAgency[r.id]] || ''; }, plain, 'name'),
        C.served, C.noShows, C.recalls, C.svcMean, C.svcMedian, C.svcP90, C.svcMax, C.open, C.busy, C.idle, C.paused]},
    {by: 'staff', title: 'Per petugas', en: 'By staff member',
      cols: [nameCol('Petugas', 'Staff member', function (r) {
        var full = cfg.staff && cfg.staff[r.name];
        return full ? full + ' (' + r.name + ')' : r.name;
      }), C.served, C.noShows, C.svcMean, C.svcMedian, C.svcP90, C.svcMax]}
  ];
  var SUMMABLE = {issued: 1, served: 1, no_shows: 1, transferred_out: 1, cancelled: 1, recalls: 1,
    open_minutes: 1, busy_minutes: 1, idle_minutes: 1, paused_minutes: 1};

  function hasActivity(r) {
    return r.issued || r.served || r.no_shows || r.transferred_out || r.cancelled || r.recalls ||
      r.open_minutes || r.paused_minutes;
  }

  function rangeQuery(from, to) {
    return 'from=' + encodeURIComponent(from) + '&to=' + encodeURIComponent(to);
  }
  function csvUrl(from, to, by) {
    return '/api/stats.csv?' + rangeQuery(from, to) + '&by=' + encodeURIComponent(by);
  }
  function xlsxUrl(from, to) {
    return '/api/stats.xlsx?' + rangeQuery(from, to);
  }

  /* Two header rows: a column on its own spans both; grouped columns share a label above them. */
  function header(cols) {
    var top = el('tr', {});
    var bottom = el('tr', {});
    for (var i = 0; i < cols.length; i++) {
      var c = cols[i];
      var cls = c.cls === 'num' ? 'num' : '';
      if (!c.group) {
        top.appendChild(el('th', {rowspan: '2', className: cls, scope: 'col'}, [c.label, el('span', {className: 'en', text: c.en})]));
        continue;
      }
      var span = 0;
      while (i + span < cols.length && cols[i + span].group === c.group) {
        var g = cols[i + span];
        bottom.appendChild(el('th', {className: 'num sub', scope: 'col'}, [g.label, g.en !== g.label ? el('span', {className: 'en', text: g.en}) : null]));
        span += 1;
      }
      top.appendChild(el('th', {colspan: String(span), className: 'group', scope: 'colgroup'}, [c.group.label, el('span', {className: 'en', text: c.group.en})]));
      i += span - 1;
    }
    return el('thead', {}, [top, bottom]);
  }

  function table(spec, rows) {
    var body = el('tbody', {});
    var lastGroup = null;
    rows.forEach(function (r) {
      if (spec.groupBy && spec.groupBy[r.id] !== lastGroup) {
        lastGroup = spec.groupBy[r.id];
        body.appendChild(el('tr', {className: 'group-row'}, [el('th', {colspan: String(spec.cols.length), scope: 'rowgroup', text: agencyNames[lastGroup] || lastGroup})]));
      }
      body.appendChild(el('tr', {'data-testid': 'row-' + spec.by + '-' + r.id}, spec.cols.map(function (c) {
        return el('td', {className: c.cls, 'data-col': c.key, text: c.format(c.value(r))});
      })));
    });
    var parts = [header(spec.cols), body];
    if (rows.length > 1) {
      parts.push(el('tfoot', {}, [el('tr', {'data-testid': 'total-' + spec.by}, spec.cols.map(function (c, i) {
        if (i === 0) return el('td', {text: 'Jumlah (total)'});
        if (!SUMMABLE[c.key]) return el('td', {});
        var total = 0;
        rows.forEach(function (r) { total += c.value(r) || 0; });
        return el('td', {className: c.cls, 'data-col': c.key, text: c.format(total)});
      }))]));
    }
    return el('table', {className: 'grid report-table table-' + spec.by, 'data-testid': 'table-' + spec.by}, parts);
  }

  function render(stats) {
    // What the server answered for, not what was asked: an answer for another range would show as such.
    var from = stats.date;
    var to = stats.to || stats.date;
    var days = daysBetween(from, to);
    var single = from === to;
    var now = stamp.time(A.serverNow());
    var untilToday = to === cfg.day;
    document.getElementById('rep-title').textContent = 'Laporan ' + rangeText(from, to);
    var sub;
    if (single) {
      sub = untilToday ? 'Hari ini, sampai ' + now + ' (angka masih bertambah). Today so far.' :
        'Hari yang sudah lewat, dari jurnal. A past day, from the journal.';
    } else {
      sub = days + ' hari' + (untilToday ? ', sampai hari ini ' + now + ' (angka masih bertambah)' : '') +
        '. ' + days + ' days' + (untilToday ? ', up to today so far.' : ', from the journal.');
    }
    document.getElementById('rep-sub').textContent = sub;
    document.getElementById('rep-print-sub').textContent = rangeText(from, to) +
      (single ? '' : ' (' + days + ' hari)') + (untilToday ? ' (sampai ' + now + ')' : '') +
      ' · dicetak ' + stamp.date(A.serverNow()) + ' ' + now;
    document.title = 'Laporan ' + rangeKey(from, to);
    xlsxLink.href = xlsxUrl(from, to);
    xlsxLink.hidden = false;

    var totals = A.clear(document.getElementById('rep-totals'));
    var sums = {issued: 0, served: 0, no_shows: 0, transferred_out: 0, cancelled: 0};
    var within = 0;
    var answered = 0;
    stats.agencies.forEach(function (r) {
      Object.keys(sums).forEach(function (k) { sums[k] += r[k]; });
      if (r.service_level !== null && r.wait_minutes) {
        within += r.service_level * r.wait_minutes.count;
        answered += r.wait_minutes.count;
      }
    });
    [
      [num(sums.issued), 'tiket (issued)', 'total-issued'],
      [num(sums.served), 'selesai (served)', 'total-served'],
      [num(sums.no_shows), 'tidak hadir (no-shows)', 'total-no-shows'],
      [num(sums.transferred_out), 'dialihkan (transferred)', 'total-transferred'],
      [num(sums.cancelled), 'batal (cancelled)', 'total-cancelled'],
      [pct(answered ? within / answered : null), 'tepat waktu (service level)', 'total-sl']
    ].forEach(function (t) {
      totals.appendChild(el('div', {className: 'sum'}, [
        el('span', {className: 'sum-value', 'data-testid': t[2], text: t[0]}),
        el('span', {className: 'sum-label', text: t[1]})
      ]));
    });

    var box = A.clear(document.getElementById('rep-sections'));
    TABLES.forEach(function (spec) {
      var rows = stats[spec.by] || [];
      var shownRows = spec.by === 'staff' ? rows : rows.filter(hasActivity);
      if (spec.groupBy) {
        // Services by agency, in the mall's order of agencies (a stable sort keeps the services' order).
        var rank = {};
        cfg.agencies.forEach(function (a, i) { rank[a.id] = i; });
        shownRows = shownRows.map(function (r, i) { return {r: r, i: i}; }).sort(function (x, y) {
          return (rank[spec.groupBy[x.r.id]] - rank[spec.groupBy[y.r.id]]) || x.i - y.i;
        }).map(function (x) { return x.r; });
      }
      var hidden = rows.length - shownRows.length;
      var section = el('section', {className: 'rep-section', 'data-testid': 'section-' + spec.by}, [
        el('div', {className: 'rep-section-head'}, [
          el('h3', {}, [spec.title, el('span', {className: 'en', text: spec.en})]),
          el('a', {className: 'csv-link', href: csvUrl(from, to, spec.by), download: true,  // named by the server
            'data-testid': 'csv-' + spec.by, text: '⬇ CSV'})
        ])
      ]);
      if (shownRows.length) section.appendChild(el('div', {className: 'card table-wrap'}, [table(spec, shownRows)]));
      else {
        section.appendChild(el('p', {className: 'muted rep-empty', text: single ? 'Tidak ada kegiatan hari itu. (Nothing happened that day.)' :
          'Tidak ada kegiatan dalam rentang itu. (Nothing happened in those days.)'}));
      }
      if (hidden) {
        section.appendChild(el('p', {className: 'muted small', text: hidden + ' baris tanpa kegiatan tidak ditampilkan (ada di CSV). ' +
          hidden + ' row(s) without activity left out here (they are in the CSV).'}));
      }
      box.appendChild(section);
    });
  }

  /* --- loading --- */

  /* The page's URL for a range: today alone needs nothing, a single day ?date=, a range ?from=&to=. */
  function pageQuery(from, to) {
    if (from === to) return from === cfg.day ? '' : '?date=' + encodeURIComponent(from);
    return '?' + rangeQuery(from, to);
  }

  function showError(text, status) {
    A.clear(errorBox);
    errorBox.appendChild(document.createTextNode(text));
    if (status === 401) {
      errorBox.appendChild(document.createTextNode(' '));
      errorBox.appendChild(el('a', {href: A.loginUrl(), text: 'Masuk lagi (Log in again)'}));
    }
    errorBox.hidden = false;
  }

  var seq = 0;
  function load(from, to) {
    var mine = ++seq;
    errorBox.hidden = true;
    fromInput.value = from;
    toInput.value = to;
    toInput.min = from;
    document.getElementById('rep-title').textContent = 'Memuat ' + rangeText(from, to) + '…';
    try {
      history.replaceState(null, '', location.pathname + pageQuery(from, to));
    } catch (e) { /* ignore */ }
    return A.api.get('/api/stats?' + rangeQuery(from, to)).then(function (stats) {
      if (mine !== seq) return;
      render(stats);
    }, function (err) {
      if (mine !== seq) return;
      showError(err.detail, err.status);  // e.g. 422: a reversed range, too many days, a day to come
      document.getElementById('rep-title').textContent = 'Laporan ' + rangeText(from, to);
      document.getElementById('rep-sub').textContent = '';
      xlsxLink.hidden = true;
      A.clear(document.getElementById('rep-totals'));
      A.clear(document.getElementById('rep-sections'));
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var from = fromInput.value;
    var to = toInput.value;
    if (!ISO.test(from) && !ISO.test(to)) {
      showError('Pilih tanggal dulu. (Choose the dates.)');
      return;
    }
    // One date given: that day alone. The server judges the rest (order, length, days to come).
    load(ISO.test(from) ? from : to, ISO.test(to) ? to : from);
  });

  /* Quick ranges, each ending today. */
  var QUICK = {
    today: function () { return cfg.day; },
    week: function () { return addDays(cfg.day, -6); },
    month: function () { return cfg.day.slice(0, 8) + '01'; }
  };
  Array.prototype.forEach.call(form.querySelectorAll('[data-range]'), function (button) {
    button.addEventListener('click', function () {
      load(QUICK[button.getAttribute('data-range')](), cfg.day);
    });
  });
  fromInput.addEventListener('change', function () {
    if (ISO.test(fromInput.value)) toInput.min = fromInput.value;
  });
  document.getElementById('rep-print').addEventListener('click', function () {
    window.print();
  });

  var logout = document.getElementById('logout');
  if (logout) {
    logout.addEventListener('click', function () {
      A.api.post('/api/logout').then(function () {
        window.location.href = A.loginUrl();
      });
    });
  }

  function param(name) {
    var found = new RegExp('[?&]' + name + '=(\\d{4}-\\d{2}-\\d{2})(?:&|$)').exec(location.search);
    return found ? found[1] : null;
  }
  var askedFrom = param('from');
  var askedTo = param('to');
  var askedDay = param('date');
  if (askedFrom || askedTo) load(askedFrom || askedTo, askedTo || askedFrom);
  else if (askedDay) load(askedDay, askedDay);
  else load(cfg.day, cfg.day);
})();

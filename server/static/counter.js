/* Counter (loket) console: call, recall, start, finish, no-show, return, transfer, open/pause/close. */
(function () {
  'use strict';
  var A = window.Antrian;
  var el = A.el;
  var root = document.getElementById('counter');
  var counterId = root.getAttribute('data-counter-id');
  var base = '/api/counters/' + encodeURIComponent(counterId);

  var view = null;
  var busy = false;
  var fetchSeq = 0;
  var refreshTimer = null;
  var infoTimer = null;

  var errorBox = document.getElementById('counter-error');
  var infoBox = document.getElementById('counter-info');
  var transferSelect = document.getElementById('transfer-service');
  var buttons = Array.prototype.slice.call(root.querySelectorAll('button[data-action]'));

  var STATUS_WORDS = {open: 'Buka', paused: 'Istirahat', closed: 'Tutup'};
  var TICKET_WORDS = {called: 'Dipanggil', serving: 'Sedang dilayani'};
  var PRIORITY_WORDS = {elderly: 'Prioritas: lansia', disabled: 'Prioritas: disabilitas', pregnant_or_child: 'Prioritas: ibu hamil / membawa anak'};

  function showError(detail, status) {
    A.clear(errorBox);
    errorBox.hidden = !detail;
    if (!detail) return;
    errorBox.appendChild(document.createTextNode(detail));
    if (status === 401) {
      // The session has ended (or never began): the way out is logging in again.
      errorBox.appendChild(document.createTextNode(' '));
      errorBox.appendChild(el('a', {href: A.loginUrl(), 'data-testid': 'login-link', text: 'Masuk lagi (Log in again)'}));
    }
  }

  function showInfo(text) {
    if (infoTimer) clearTimeout(infoTimer);
    infoBox.textContent = text || '';
    infoBox.hidden = !text;
    if (text) infoTimer = setTimeout(function () { infoBox.hidden = true; }, 8000);
  }

  /* --- reading the counter --- */

  function refresh() {
    var seq = ++fetchSeq;
    return A.api.get(base).then(function (data) {
      if (seq !== fetchSeq) return; // an older answer arriving late
      view = data;
      render();
    }, function (err) {
      if (seq === fetchSeq) showError(err.detail, err.status);
    });
  }

  function refreshSoon() {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      refresh();
    }, 200);
  }

  function enabled(action) {
    if (!view || busy) return false;
    var t = view.ticket;
    var st = t ? t.status : null;
    switch (action) {
      case 'call-next': return !t;
      case 'recall': case 'start': case 'no-show': return st === 'called';
      case 'finish': return st === 'serving';
      case 'return': case 'transfer': return !!t;
      case 'open': return view.status !== 'open';
      case 'pause': return !t && view.status === 'open';
      case 'close': return !t && view.status !== 'closed';
    }
    return false;
  }

  function render() {
    if (!view) return;
    var status = document.getElementById('counter-status');
    status.className = 'counter-status status-' + view.status;
    status.textContent = (STATUS_WORDS[view.status] || view.status) + (view.status === 'paused' && view.pause_reason ? ': ' + view.pause_reason : '');
    var t = view.ticket;
    var current = document.getElementById('current');
    current.className = 'card current' + (t ? ' is-' + t.status : ' is-empty');
    document.getElementById('current-number').textContent = t ? t.number : '—';
    var state = document.getElementById('current-state');
    state.textContent = t ? TICKET_WORDS[t.status] || t.status : '';
    state.className = 'current-state' + (t ? ' state-' + t.status : '');
    var svc = A.clear(document.getElementById('current-service'));
    if (t) svc.appendChild(document.createTextNode(t.service_name));
    else svc.appendChild(el('span', {}, ['Belum ada nomor dipanggil. ', el('span', {className: 'en', text: 'No ticket: press Call next.'})]));
    var meta = A.clear(document.getElementById('current-meta'));
    if (t) {
      if (t.priority) meta.appendChild(el('span', {className: 'chip chip-priority', text: PRIORITY_WORDS[t.priority] || t.priority}));
      if (t.recalls) meta.appendChild(el('span', {className: 'chip', 'data-testid': 'current-recalls', text: 'Dipanggil ulang ' + t.recalls + '×'}));
    }
    tickTimer();
    renderQueues();
    syncButtons();
    document.title = (t ? t.number + ' · ' : '') + view.label;
  }

  function syncButtons() {
    buttons.forEach(function (b) {
      b.disabled = !enabled(b.getAttribute('data-action'));
    });
    transferSelect.disabled = !enabled('transfer');
  }

  function tickTimer() {
    var node = document.getElementById('current-timer');
    var t = view && view.ticket;
    if (!t) {
      node.textContent = '';
      return;
    }
    var since = t.status === 'serving' && t.started_at ? t.started_at : t.called_at;
    var label = t.status === 'serving' ? 'dilayani selama ' : 'sejak dipanggil ';
    node.textContent = since ? label + A.duration(A.serverNow() - Date.parse(since)) : '';
  }

  function renderQueues() {
    var body = A.clear(document.getElementById('queue-rows'));
    if (!view.queues.length) {
      body.appendChild(el('tr', {}, [el('td', {colspan: '5', className: 'muted', text: 'Loket ini belum melayani antrian apa pun.'})]));
      return;
    }
    view.queues.forEach(function (q) {
      body.appendChild(el('tr', {'data-testid': 'queue-' + q.id}, [
        el('td', {}, [el('b', {text: q.prefix}), ' ', q.name]),
        el('td', {className: 'num big', 'data-testid': 'queue-waiting-' + q.id, text: String(q.waiting)}),
        el('td', {className: 'next', text: q.next.length ? q.next.join(', ') : '—'}),
        el('td', {className: 'num', text: q.waiting ? q.longest_wait_minutes + ' mnt' : '—'}),
        el('td', {className: 'num', text: '± ' + q.estimated_wait_minutes + ' mnt'})
      ]));
    });
  }

  /* --- acting --- */

  function post(path, body) {
    // Busy until the counter has been read again, so a quick second key press cannot act on a stale view.
    busy = true;
    syncButtons();
    showError('');
    function done() {
      return refresh().then(function () {
        busy = false;
        syncButtons();
      });
    }
    return A.api.post(base + path, body).then(function (result) {
      return done().then(function () { return result; });
    }, function (err) {
      showError(err.detail, err.status);
      return done().then(function () { return undefined; });
    });
  }

  var actions = {
    'call-next': function () {
      return post('/call-next').then(function (t) {
        if (t === null) showInfo('Tidak ada antrian. (Nobody is waiting.)');
        else if (t) showInfo(t.number + ' dipanggil ke ' + (t.counter_label || view.label) + '.');
      });
    },
    recall: function () {
      return post('/recall').then(function (t) {
        if (!t) return;
        if (t.status === 'no_show') showInfo(t.number + ' tidak datang setelah ' + t.recalls + ' panggilan: ditandai tidak hadir.');
        else showInfo(t.number + ' dipanggil ulang (' + t.recalls + '×).');
      });
    },
    start: function () {
      return post('/start').then(function (t) { if (t) showInfo('Layanan untuk ' + t.number + ' dimulai.'); });
    },
    finish: function () {
      return post('/finish').then(function (t) { if (t) showInfo(t.number + ' selesai dilayani.'); });
    },
    'no-show': function () {
      return post('/no-show').then(function (t) { if (t) showInfo(t.number + ' ditandai tidak hadir.'); });
    },
    'return': function () {
      return post('/return').then(function (t) { if (t) showInfo(t.number + ' dikembalikan ke antrian.'); });
    },
    transfer: function () {
      var serviceId = transferSelect.value;
      if (!serviceId) {
        showError('Pilih layanan tujuan dulu. (Choose the service to transfer to.)');
        transferSelect.focus();
        return;
      }
      return post('/transfer', {service_id: serviceId}).then(function (t) {
        if (t) {
          showInfo(t.number + ' dialihkan ke ' + t.service_name + ' (' + t.agency_name + ').');
          transferSelect.value = '';
        }
      });
    },
    open: function () {
      return post('/open').then(function (c) { if (c) showInfo(c.label + ' dibuka.'); });
    },
    pause: function () {
      var reason = window.prompt('Alasan istirahat (boleh kosong) / Reason for the break (optional):', 'Istirahat');
      if (reason === null) return;
      return post('/pause', {reason: reason}).then(function (c) { if (c) showInfo(c.label + ' istirahat.'); });
    },
    close: function () {
      if (!window.confirm('Tutup loket ini? / Close this counter?')) return;
      return post('/close').then(function (c) { if (c) showInfo(c.label + ' ditutup.'); });
    }
  };

  function run(action) {
    if (!enabled(action)) return;
    actions[action]();
  }

  root.addEventListener('click', function (e) {
    var target = e.target;
    while (target && target !== root && !(target.getAttribute && target.getAttribute('data-action'))) target = target.parentNode;
    if (!target || target === root || target.type === 'submit') return;
    run(target.getAttribute('data-action'));
  });

  document.getElementById('transfer-form').addEventListener('submit', function (e) {
    e.preventDefault();
    run('transfer');
  });

  var KEYS = {n: 'call-next', r: 'recall', s: 'start', f: 'finish', x: 'no-show', k: 'return', o: 'open', p: 'pause', c: 'close'};
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    var tag = (e.target && e.target.tagName) || '';
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') {
      if (e.key === 'Escape') e.target.blur();
      return;
    }
    var key = (e.key || '').toLowerCase();
    if (key === 't') {
      e.preventDefault();
      if (!transferSelect.disabled) transferSelect.focus();
      return;
    }
    if (KEYS[key]) {
      e.preventDefault();
      run(KEYS[key]);
    }
  });

  /* --- the services one can transfer to --- */

  function loadServices() {
    A.api.get('/api/catalog').then(function (catalog) {
      A.clear(transferSelect);
      transferSelect.appendChild(el('option', {value: '', text: '— pilih layanan / choose a service —'}));
      catalog.agencies.forEach(function (agency) {
        var group = el('optgroup', {label: agency.short_name});
        agency.services.forEach(function (s) {
          group.appendChild(el('option', {value: s.id, text: s.name + ' (' + s.name_en + ')'}));
        });
        transferSelect.appendChild(group);
      });
      syncButtons();
    }, function (err) {
      A.clear(transferSelect).appendChild(el('option', {value: '', text: 'Gagal memuat layanan'}));
      showError(err.detail);
    });
  }

  /* --- live: any change on the floor may change this counter's queues --- */

  A.live('/ws/floor', {
    onSnapshot: refreshSoon,
    onEvent: refreshSoon,
    onStatus: A.liveIndicator(document.getElementById('live-status'), function (status, detail) {
      if (status === 'open') refreshSoon(); // catch up on anything missed while away
      if (status === 'denied') showError('Pembaruan langsung berhenti: ' + detail, 401);
    })
  });

  var clock = A.clockFormatters(root.getAttribute('data-timezone'));
  setInterval(function () {
    document.getElementById('counter-clock').textContent = clock.time(A.serverNow());
    tickTimer();
  }, 1000);
  document.getElementById('counter-clock').textContent = clock.time(A.serverNow());

  var logout = document.getElementById('logout');
  if (logout) {
    logout.addEventListener('click', function () {
      A.api.post('/api/logout').then(function () {
        window.location.href = A.loginUrl();
      }, function (err) {
        showError(err.detail, err.status);
      });
    });
  }

  loadServices();
  refresh();
})();

/* Counter (loket) console: call, recall, start, finish, no-show, return, transfer, open/pause/close.
 *
 * Every action is a button with a keyboard shortcut (listed on the page):
 *   N call next · R recall · S start · F finish · X no-show · K return to the queue
 *   T search a service to transfer to (arrows choose, Enter picks, Enter again transfers, Esc cancels)
 *   O open · P pause (asks for a reason) · C close (asks first) · Esc cancels / leaves a text field
 *
 * The counter's state lives on the server: a reload shows it again as it is. The floor feed
 * (/ws/floor) reconnects by itself; any change, and every reconnection, re-reads the counter,
 * and while the feed is down the counter is polled. An action whose answer was lost (no network)
 * keeps its Idempotency-Key, so pressing the same button again never acts twice.
 */
(function () {
  'use strict';
  var A = window.Antrian;
  var el = A.el;
  var root = document.getElementById('counter');
  var counterId = root.getAttribute('data-counter-id');
  var base = '/api/counters/' + encodeURIComponent(counterId);

  var POLL_MS = 10000; // while the live feed is down
  var OFFLINE_NOTICE_MS = 3000; // a blip shorter than this is not worth a banner

  var view = null;
  var busy = false;
  var fetchSeq = 0;
  var refreshTimer = null;
  var infoTimer = null;
  var pollTimer = null;
  var offlineTimer = null;
  var liveStatus = '';
  var unanswered = null; // {signature, key}: the last action that got no answer, retried with the same key

  function $(id) {
    return document.getElementById(id);
  }

  var errorBox = $('counter-error');
  var infoBox = $('counter-info');
  var offlineBox = $('counter-offline');
  var buttons = Array.prototype.slice.call(root.querySelectorAll('button[data-action]'));

  var STATUS_WORDS = {open: 'Buka', paused: 'Istirahat', closed: 'Tutup'};
  var TICKET_WORDS = {called: 'Dipanggil', serving: 'Sedang dilayani'};
  var PRIORITY_WORDS = {elderly: 'Prioritas: lansia', disabled: 'Prioritas: disabilitas', pregnant_or_child: 'Prioritas: ibu hamil / membawa anak'};
  var ACTION_WORDS = {
    'call-next': 'memanggil nomor berikutnya', recall: 'memanggil ulang', start: 'memulai layanan', finish: 'menyelesaikan',
    'no-show': 'menandai tidak hadir', 'return': 'mengembalikan ke antrian', transfer: 'mengalihkan', open: 'membuka loket',
    pause: 'istirahat', close: 'menutup loket'
  };

  /* --- messages ---------------------------------------------------------------------- */

  function currentNumber() {
    return view && view.ticket ? view.ticket.number : 'nomor ini';
  }

  /* The server's refusal in words a clerk can act on (Indonesian), with its own detail beneath. */
  function plainWords(err, action) {
    var what = ACTION_WORDS[action] || 'melakukan ini';
    if (!err) return '';
    if (err.status === 0) {
      return 'Gagal ' + what + ': tidak tersambung ke server. Periksa jaringan, lalu tekan tombolnya lagi — tidak akan dijalankan dua kali.';
    }
    if (err.status === 401) return 'Sesi Anda sudah berakhir. Silakan masuk lagi.';
    if (err.status === 403) return 'Akun Anda tidak diizinkan ' + what + ' di loket ini.';
    switch (err.code) {
      case 'no_current_ticket': return 'Belum ada nomor di loket ini. Tekan "Panggil berikutnya" (N) dulu.';
      case 'counter_busy': return 'Loket masih melayani ' + currentNumber() + '. Selesaikan, tandai tidak hadir, alihkan atau kembalikan nomor itu dulu.';
      case 'not_called': return currentNumber() + ' sudah dilayani, jadi tidak perlu dipanggil ulang.';
      case 'already_started':
        return action === 'no-show' ? 'Layanan untuk ' + currentNumber() + ' sudah dimulai, jadi pengunjungnya hadir. Pilih Selesai atau Alihkan.'
          : 'Layanan untuk ' + currentNumber() + ' sudah dimulai.';
      case 'not_started': return 'Layanan untuk ' + currentNumber() + ' belum dimulai. Tekan Mulai (S) dulu, atau Tidak hadir (X).';
      case 'closed': return 'Loket sedang tutup. Buka dulu (O) sebelum istirahat.';
      case 'not_found': return action === 'transfer' ? 'Layanan tujuan tidak ditemukan. Pilih layanan dari daftar.' : 'Data tidak ditemukan. Muat ulang halaman.';
      case 'invalid':
        if (action === 'transfer') return 'Tidak bisa dialihkan ke layanan itu. Pilih layanan lain, atau kembalikan ke antrian (K).';
        if (action === 'pause') return 'Alasan istirahat terlalu panjang. Singkat saja (di bawah 200 huruf).';
        break;
    }
    if (err.status === 429) return 'Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi.';
    if (err.status >= 500) return 'Server sedang bermasalah. Coba lagi sebentar lagi; jika terus terjadi, hubungi admin.';
    return 'Gagal ' + what + '.';
  }

  /* One message at a time (an error, else the connection notice, else news), so the buttons move as little as possible. */
  function showError(detail, status, plain) {
    A.clear(errorBox);
    errorBox.hidden = !detail && !plain;
    errorBox.setAttribute('data-kind', status === 0 ? 'network' : errorBox.hidden ? '' : 'refusal');
    syncOfflineBox();
    if (errorBox.hidden) return;
    showInfo('');
    errorBox.appendChild(el('span', {className: 'error-words', text: plain || detail}));
    if (status === 401) {
      // The session has ended (or never began): the way out is logging in again.
      errorBox.appendChild(document.createTextNode(' '));
      errorBox.appendChild(el('a', {href: A.loginUrl(), 'data-testid': 'login-link', text: 'Masuk lagi (Log in again)'}));
    }
    if (plain && detail && detail !== plain && status !== 0) errorBox.appendChild(el('span', {className: 'error-detail', text: detail}));
  }

  function showFailure(err, action) {
    showError(err.detail, err.status, plainWords(err, action));
  }

  function showInfo(text) {
    if (infoTimer) clearTimeout(infoTimer);
    infoBox.textContent = text || '';
    infoBox.hidden = !text || !errorBox.hidden;
    if (text) infoTimer = setTimeout(function () { infoBox.hidden = true; }, 8000);
  }

  /* --- reading the counter ------------------------------------------------------------ */

  function refresh() {
    var seq = ++fetchSeq;
    return A.api.get(base).then(function (data) {
      if (seq !== fetchSeq) return; // an older answer arriving late
      view = data;
      if (errorBox.getAttribute('data-source') === 'read') {
        errorBox.removeAttribute('data-source');
        showError('');
      }
      render();
    }, function (err) {
      if (seq !== fetchSeq) return;
      if (err.status === 0 && view) return; // the offline banner says it; the last view stays up
      showError(err.detail, err.status, err.status === 0 ? '' : plainWords(err, 'read'));
      errorBox.setAttribute('data-source', 'read');
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
    var status = $('counter-status');
    status.className = 'counter-status status-' + view.status;
    status.setAttribute('data-status', view.status);
    status.textContent = (STATUS_WORDS[view.status] || view.status) + (view.status === 'paused' && view.pause_reason ? ': ' + view.pause_reason : '');
    var t = view.ticket;
    var current = $('current');
    current.className = 'card current' + (t ? ' is-' + t.status : ' is-empty');
    $('current-number').textContent = t ? t.number : '—';
    var state = $('current-state');
    state.textContent = t ? TICKET_WORDS[t.status] || t.status : '';
    state.className = 'current-state' + (t ? ' state-' + t.status : '');
    var svc = A.clear($('current-service'));
    if (t) svc.appendChild(document.createTextNode(t.service_name));
    else svc.appendChild(el('span', {}, ['Belum ada nomor dipanggil. ', el('span', {className: 'en', text: 'No ticket: press Call next (N).'})]));
    var meta = A.clear($('current-meta'));
    if (t) {
      if (t.priority) meta.appendChild(el('span', {className: 'chip chip-priority', text: PRIORITY_WORDS[t.priority] || t.priority}));
      if (t.recalls) meta.appendChild(el('span', {className: 'chip', 'data-testid': 'current-recalls', text: 'Dipanggil ulang ' + t.recalls + '×'}));
    }
    tickTimer();
    renderQueues();
    syncButtons();
    transfer.sync();
    if (!enabled('pause')) hideAsk('pause');
    if (!enabled('close')) hideAsk('close');
    document.title = (t ? t.number + ' · ' : '') + view.label;
  }

  function syncButtons() {
    buttons.forEach(function (b) {
      b.disabled = !enabled(b.getAttribute('data-action'));
    });
  }

  function tickTimer() {
    var node = $('current-timer');
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
    var body = A.clear($('queue-rows'));
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

  /* --- acting ------------------------------------------------------------------------- */

  function newKey() {
    return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }

  function post(action, path, body) {
    // Busy until the counter has been read again, so a quick second key press cannot act on a stale view.
    busy = true;
    syncButtons();
    showError('');
    var signature = action + ' ' + JSON.stringify(body || {});
    // The same action again after a lost answer: the same key, so the server does it at most once.
    var key = unanswered && unanswered.signature === signature ? unanswered.key : newKey();
    function done() {
      return refresh().then(function () {
        busy = false;
        syncButtons();
        transfer.sync();
      });
    }
    return A.api.post(base + path, body, {idempotencyKey: key}).then(function (result) {
      unanswered = null;
      return done().then(function () { return result; });
    }, function (err) {
      unanswered = err.status === 0 ? {signature: signature, key: key} : null;
      showFailure(err, action);
      return done().then(function () { return undefined; });
    });
  }

  var actions = {
    'call-next': function () {
      return post('call-next', '/call-next').then(function (t) {
        if (t === null) showInfo('Tidak ada yang menunggu di antrian loket ini. (Nobody is waiting.)');
        else if (t) showInfo(t.number + ' dipanggil ke ' + (t.counter_label || view.label) + '.');
      });
    },
    recall: function () {
      return post('recall', '/recall').then(function (t) {
        if (!t) return;
        if (t.status === 'no_show') showInfo(t.number + ' tidak datang setelah ' + t.recalls + ' panggilan: ditandai tidak hadir.');
        else showInfo(t.number + ' dipanggil ulang (' + t.recalls + '×).');
      });
    },
    start: function () {
      return post('start', '/start').then(function (t) { if (t) showInfo('Layanan untuk ' + t.number + ' dimulai.'); });
    },
    finish: function () {
      return post('finish', '/finish').then(function (t) { if (t) showInfo(t.number + ' selesai dilayani.'); });
    },
    'no-show': function () {
      return post('no-show', '/no-show').then(function (t) { if (t) showInfo(t.number + ' ditandai tidak hadir.'); });
    },
    'return': function () {
      return post('return', '/return').then(function (t) { if (t) showInfo(t.number + ' dikembalikan ke antrian.'); });
    },
    transfer: function () {
      return transfer.submit();
    },
    open: function () {
      return post('open', '/open').then(function (c) { if (c) showInfo(c.label + ' dibuka.'); });
    },
    pause: function () {
      showAsk('pause');
    },
    close: function () {
      showAsk('close');
    }
  };

  function run(action) {
    if (!enabled(action)) {
      if (action === 'transfer' && view && !view.ticket && !busy) transfer.say('Belum ada nomor di loket ini untuk dialihkan. Panggil dulu (N).');
      return;
    }
    actions[action]();
  }

  root.addEventListener('click', function (e) {
    var target = e.target;
    while (target && target !== root && !(target.getAttribute && target.getAttribute('data-action'))) target = target.parentNode;
    if (!target || target === root || target.type === 'submit') return;
    run(target.getAttribute('data-action'));
  });

  /* --- pause (with a reason) and close (asks first): inline, never a browser dialog ------ */

  var pauseForm = $('pause-form');
  var pauseReason = $('pause-reason');
  var closeAsk = $('close-ask');

  function askNode(which) {
    return which === 'pause' ? pauseForm : closeAsk;
  }

  function showAsk(which) {
    hideAsk(which === 'pause' ? 'close' : 'pause');
    askNode(which).hidden = false;
    if (which === 'pause') {
      pauseReason.value = '';
      pauseReason.focus();
    } else {
      $('close-confirm').focus();
    }
  }

  function hideAsk(which) {
    var node = askNode(which);
    if (node.hidden) return;
    var hadFocus = node.contains(document.activeElement);
    node.hidden = true;
    if (hadFocus && document.activeElement && document.activeElement.blur) document.activeElement.blur();
  }

  function anyAskOpen() {
    return !pauseForm.hidden || !closeAsk.hidden;
  }

  Array.prototype.forEach.call(root.querySelectorAll('[data-dismiss]'), function (b) {
    b.addEventListener('click', function () { hideAsk(b.getAttribute('data-dismiss')); });
  });
  Array.prototype.forEach.call(root.querySelectorAll('[data-reason]'), function (b) {
    b.addEventListener('click', function () {
      pauseReason.value = b.getAttribute('data-reason');
      pauseReason.focus();
    });
  });

  pauseForm.addEventListener('submit', function (e) {
    e.preventDefault();
    if (!enabled('pause')) {
      hideAsk('pause');
      return;
    }
    var reason = pauseReason.value.replace(/\s+/g, ' ').trim();
    hideAsk('pause');
    post('pause', '/pause', {reason: reason}).then(function (c) {
      if (c) showInfo(c.label + ' istirahat' + (c.pause_reason ? ': ' + c.pause_reason : '') + '. Tekan Buka (O) atau Panggil berikutnya (N) untuk kembali melayani.');
    });
  });

  $('close-confirm').addEventListener('click', function () {
    hideAsk('close');
    if (!enabled('close')) return;
    post('close', '/close').then(function (c) { if (c) showInfo(c.label + ' ditutup.'); });
  });

  /* --- transfer: a search over every service of the mall --------------------------------
   * A combobox: typing filters by the service's Indonesian or English name, its agency
   * (short or full name) or its id; arrows move, Enter picks the highlighted service, Enter
   * again (or the button) transfers; Esc cancels. */

  var transfer = (function () {
    var form = $('transfer-form');
    var input = $('transfer-search');
    var list = $('transfer-list');
    var chosenBox = $('transfer-chosen');
    var errorNode = $('transfer-error');
    var services = []; // {id, name, name_en, agency, agency_name, prefix, haystack}
    var loaded = false;
    var loadFailed = false;
    var loading = false;
    var shown = []; // services in the list, in order
    var active = -1; // index into shown
    var chosen = null;

    function fold(text) {
      var s = String(text || '').toLowerCase();
      if (s.normalize) s = s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      return s.replace(/[^a-z0-9]+/g, ' ').trim();
    }

    function load() {
      if (loading) return;
      loading = true;
      loadFailed = false;
      A.api.get('/api/catalog').then(function (catalog) {
        loading = false;
        services = [];
        catalog.agencies.forEach(function (agency) {
          agency.services.forEach(function (s) {
            services.push({
              id: s.id,
              name: s.name,
              name_en: s.name_en,
              agency: agency.short_name,
              agency_name: agency.name,
              colour: agency.colour,
              names: fold(s.name + ' ' + s.name_en),
              haystack: ' ' + fold([s.name, s.name_en, agency.short_name, agency.name, s.id].join(' '))
            });
          });
        });
        loaded = true;
        if (isOpen()) filter();
      }, function (err) {
        loading = false;
        loadFailed = true;
        if (isOpen()) filter();
        say('Daftar layanan gagal dimuat: ' + err.detail);
      });
    }

    function isOpen() {
      return !list.hidden;
    }

    function currentServiceId() {
      return view && view.ticket ? view.ticket.service_id : null;
    }

    /* Every word typed must appear; a service whose name starts with the words comes first,
       then one where a word starts with them, then the rest, each in catalogue order. */
    function matches(query) {
      var words = fold(query).split(' ').filter(Boolean);
      if (!words.length) return services.slice();
      var scored = [];
      services.forEach(function (s, i) {
        for (var w = 0; w < words.length; w++) if (s.haystack.indexOf(words[w]) < 0) return;
        var q = words.join(' ');
        var rank = s.names.indexOf(q) === 0 || fold(s.name_en).indexOf(q) === 0 ? 0 : (' ' + s.names).indexOf(' ' + words[0]) >= 0 ? 1 : 2;
        scored.push({s: s, rank: rank, i: i});
      });
      scored.sort(function (a, b) { return a.rank - b.rank || a.i - b.i; });
      return scored.map(function (x) { return x.s; });
    }

    function selectable(s) {
      return s && s.id !== currentServiceId();
    }

    function open() {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      placeList();
    }

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }

    /* Open upwards when there is no room below (a console on 1366×768). */
    function placeList() {
      var box = input.getBoundingClientRect();
      var below = window.innerHeight - box.bottom;
      list.classList.toggle('drop-up', below < 240 && box.top > below);
    }

    function filter() {
      var ul = A.clear(list);
      if (!loaded) {
        shown = [];
        active = -1;
        ul.appendChild(el('li', {className: 'transfer-empty', role: 'presentation', text: loadFailed ? 'Daftar layanan gagal dimuat. Tekan T lagi untuk mencoba.' : 'Memuat layanan…'}));
        open();
        return;
      }
      shown = matches(input.value);
      active = -1;
      for (var i = 0; i < shown.length; i++) {
        if (selectable(shown[i])) {
          active = i;
          break;
        }
      }
      if (!shown.length) {
        ul.appendChild(el('li', {className: 'transfer-empty', role: 'presentation', 'data-testid': 'transfer-none',
          text: 'Tidak ada layanan yang cocok dengan "' + input.value.trim() + '". Coba kata lain. (No matching service.)'}));
      }
      var lastAgency = null;
      shown.forEach(function (s, i) {
        if (s.agency !== lastAgency) {
          lastAgency = s.agency;
          ul.appendChild(el('li', {className: 'transfer-group', role: 'presentation', text: s.agency + ' · ' + s.agency_name}));
        }
        var isCurrent = s.id === currentServiceId();
        ul.appendChild(el('li', {
          id: 'transfer-option-' + i,
          className: 'transfer-option' + (isCurrent ? ' is-current' : ''),
          role: 'option',
          'aria-selected': 'false',
          'aria-disabled': isCurrent ? 'true' : null,
          'data-service-id': s.id,
          'data-index': String(i),
          'data-testid': 'transfer-option-' + s.id
        }, [
          el('span', {className: 'option-dot', style: 'background:' + (s.colour || '#6b7580')}),
          el('span', {className: 'option-names'}, [
            el('span', {className: 'option-name', text: s.name}),
            el('span', {className: 'option-en', text: s.name_en + (isCurrent ? ' · layanan saat ini (current service)' : '')})
          ]),
          el('span', {className: 'option-agency', text: s.agency})
        ]));
      });
      highlight();
      open();
    }

    function highlight() {
      var options = list.querySelectorAll('.transfer-option');
      for (var i = 0; i < options.length; i++) {
        var on = Number(options[i].getAttribute('data-index')) === active;
        options[i].classList.toggle('is-active', on);
        options[i].setAttribute('aria-selected', on ? 'true' : 'false');
        if (on) {
          input.setAttribute('aria-activedescendant', options[i].id);
          scrollIntoList(options[i]);
        }
      }
      if (active < 0) input.removeAttribute('aria-activedescendant');
    }

    function scrollIntoList(node) {
      var top = node.offsetTop;
      var bottom = top + node.offsetHeight;
      if (top < list.scrollTop) list.scrollTop = top - 24; // room for the group heading
      else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
    }

    function move(step) {
      if (!shown.length) return;
      var i = active < 0 ? (step > 0 ? -1 : 0) : active;
      for (var n = 0; n < shown.length; n++) {
        i = (i + step + shown.length) % shown.length;
        if (selectable(shown[i])) {
          active = i;
          highlight();
          return;
        }
      }
    }

    function pick(s) {
      if (!selectable(s)) return;
      chosen = s;
      input.value = s.name;
      close();
      say('');
      A.clear(chosenBox).appendChild(el('span', {}, [
        'Tujuan: ', el('b', {text: s.name}), ' · ' + s.agency + ' ',
        el('span', {className: 'en', text: '(' + s.name_en + ') — tekan Enter atau Alihkan. Press Enter or Transfer.'})
      ]));
      chosenBox.hidden = false;
      input.setAttribute('data-chosen', s.id);
    }

    function unpick() {
      chosen = null;
      chosenBox.hidden = true;
      A.clear(chosenBox);
      input.removeAttribute('data-chosen');
    }

    function reset() {
      unpick();
      input.value = '';
      close();
      say('');
    }

    function say(text) {
      errorNode.textContent = text || '';
      errorNode.hidden = !text;
    }

    function submit() {
      if (!view || !view.ticket) {
        say('Belum ada nomor di loket ini untuk dialihkan. Panggil dulu (N).');
        return;
      }
      if (!chosen && isOpen() && active >= 0) pick(shown[active]);
      if (!chosen) {
        say(loaded ? 'Pilih layanan tujuan dulu: ketik namanya, lalu tekan Enter. (Choose the service to transfer to.)'
          : 'Daftar layanan belum dimuat. Tunggu sebentar. (The service list is still loading.)');
        input.focus();
        return;
      }
      var target = chosen;
      var number = view.ticket.number;
      return post('transfer', '/transfer', {service_id: target.id}).then(function (t) {
        if (t) {
          showInfo(number + ' dialihkan ke ' + t.service_name + ' (' + t.agency_name + '). Nomor itu kembali menunggu di antrian barunya.');
          reset();
          if (document.activeElement === input) input.blur();
        }
      });
    }

    /* Enabled with a ticket at the counter; the list is refreshed when the ticket changes. */
    function sync() {
      if (busy) return; // decided again once the action's answer is in
      input.disabled = !enabled('transfer');
      if (input.disabled) {
        if (document.activeElement === input) input.blur();
        reset();
      } else if (chosen && !selectable(chosen)) {
        unpick();
      }
    }

    input.addEventListener('input', function () {
      if (chosen) unpick();
      say('');
      filter();
    });
    input.addEventListener('focus', function () {
      if (!loaded) load(); // again, if it failed before
      if (!chosen) filter();
    });
    input.addEventListener('blur', function () {
      setTimeout(function () { if (document.activeElement !== input) close(); }, 150);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown' || e.key === 'Down') {
        e.preventDefault();
        if (!isOpen()) filter();
        else move(1);
      } else if (e.key === 'ArrowUp' || e.key === 'Up') {
        e.preventDefault();
        if (!isOpen()) filter();
        else move(-1);
      } else if (e.key === 'Enter') {
        e.preventDefault();
        if (isOpen() && active >= 0) pick(shown[active]);
        else if (chosen) run('transfer');
        else if (isOpen() && loaded) say('Tidak ada layanan yang bisa dipilih. Ubah kata pencarian. (Nothing to pick.)');
        else submit();
      } else if (e.key === 'Escape' || e.key === 'Esc') {
        e.preventDefault();
        e.stopPropagation();
        reset();
        input.blur();
      }
    });
    list.addEventListener('mousedown', function (e) {
      e.preventDefault(); // keep the focus in the search
    });
    list.addEventListener('click', function (e) {
      var node = e.target;
      while (node && node !== list && !(node.getAttribute && node.getAttribute('data-index'))) node = node.parentNode;
      if (!node || node === list) return;
      var s = shown[Number(node.getAttribute('data-index'))];
      if (selectable(s)) pick(s);
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      run('transfer');
    });
    window.addEventListener('resize', function () { if (isOpen()) placeList(); });

    return {
      focus: function () {
        if (input.disabled) {
          say('Belum ada nomor di loket ini untuk dialihkan. Panggil dulu (N).');
          return;
        }
        say('');
        input.focus();
        input.select();
      },
      load: load,
      submit: submit,
      sync: sync,
      say: say
    };
  })();

  /* --- keyboard ----------------------------------------------------------------------- */

  var KEYS = {n: 'call-next', r: 'recall', s: 'start', f: 'finish', x: 'no-show', k: 'return', o: 'open', p: 'pause', c: 'close'};
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    var key = (e.key || '').toLowerCase();
    if (key === 'escape' || key === 'esc') {
      if (anyAskOpen()) {
        e.preventDefault();
        hideAsk('pause');
        hideAsk('close');
        return;
      }
    }
    var tag = (e.target && e.target.tagName) || '';
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') {
      if (key === 'escape' || key === 'esc') e.target.blur();
      return;
    }
    if (e.repeat) return; // a held key is one press
    if (key === 't') {
      e.preventDefault();
      transfer.focus();
      return;
    }
    if (KEYS[key]) {
      e.preventDefault();
      run(KEYS[key]);
    }
  });

  /* --- live: any change on the floor may change this counter's queues ------------------- */

  var offline = false;

  function syncOfflineBox() {
    // A failed press already says the server cannot be reached.
    offlineBox.hidden = !offline || errorBox.getAttribute('data-kind') === 'network';
    if (!offlineBox.hidden) infoBox.hidden = true;
  }

  function setOffline(down) {
    if (!down) {
      if (offlineTimer) clearTimeout(offlineTimer);
      offlineTimer = null;
      var wasOff = offline;
      offline = false;
      if (errorBox.getAttribute('data-kind') === 'network') {
        showError('');
        showInfo('Tersambung lagi ke server. Periksa layar: bila tindakan terakhir belum terjadi, tekan tombolnya lagi.');
      } else if (wasOff) {
        showInfo('Tersambung lagi ke server. (Connected again.)');
      }
      syncOfflineBox();
      return;
    }
    if (offlineTimer || offline) return;
    offlineTimer = setTimeout(function () {
      offlineTimer = null;
      if (liveStatus !== 'open') {
        offline = true;
        syncOfflineBox();
      }
    }, OFFLINE_NOTICE_MS);
  }

  function startPolling() {
    if (pollTimer) return;
    pollTimer = setInterval(function () {
      if (liveStatus !== 'open') refresh();
    }, POLL_MS);
  }

  A.live('/ws/floor', {
    onSnapshot: refreshSoon,
    onEvent: refreshSoon,
    onStatus: A.liveIndicator($('live-status'), function (status, detail) {
      liveStatus = status;
      if (status === 'open') {
        setOffline(false);
        refreshSoon(); // catch up on anything missed while away
      } else if (status === 'waiting' || status === 'connecting') {
        setOffline(true);
      }
      if (status === 'denied') {
        setOffline(false);
        showError('Pembaruan langsung berhenti: ' + detail, 401, 'Sesi Anda sudah berakhir atau tidak berlaku. Silakan masuk lagi.');
      }
    })
  });
  startPolling();

  var clock = A.clockFormatters(root.getAttribute('data-timezone'));
  setInterval(function () {
    $('counter-clock').textContent = clock.time(A.serverNow());
    tickTimer();
  }, 1000);
  $('counter-clock').textContent = clock.time(A.serverNow());

  var logout = $('logout');
  if (logout) {
    logout.addEventListener('click', function () {
      A.api.post('/api/logout').then(function () {
        window.location.href = A.loginUrl();
      }, function (err) {
        showFailure(err, 'logout');
      });
    });
  }

  transfer.load();
  refresh();
})();

/* A visitor's ticket status on their phone: live over /ws/tickets/{id}, polling when the socket is down. */
(function () {
  'use strict';
  var A = window.Antrian;
  var root = document.getElementById('status');
  var ticketId = root.getAttribute('data-ticket-id');
  var apiUrl = '/api/tickets/' + encodeURIComponent(ticketId);
  var POLL_MS = 10000;

  var ticket = null;
  var gone = false;
  var liveOpen = false;
  var cancelling = false;
  var pollTimer = null;
  var feed = null;

  function $(id) {
    return document.getElementById(id);
  }

  function counterName(t) {
    return t.counter_label || (t.counter_number ? 'Loket ' + t.counter_number : 'loket');
  }

  var WORDS = {
    waiting: function () { return 'Menunggu giliran'; },
    called: function (t) { return 'Dipanggil: silakan menuju ' + counterName(t); },
    serving: function (t) { return 'Sedang dilayani di ' + counterName(t); },
    served: function () { return 'Selesai dilayani. Terima kasih!'; },
    no_show: function () { return 'Tidak hadir saat dipanggil'; },
    cancelled: function () { return 'Antrian dibatalkan'; }
  };
  var WORDS_EN = {
    waiting: 'Waiting for your turn',
    called: 'Called: please go to the counter',
    serving: 'Being served',
    served: 'Served. Thank you!',
    no_show: 'You were called but did not come',
    cancelled: 'You cancelled this number'
  };
  var HINTS = {
    waiting: 'Anda boleh menunggu di mana saja: halaman ini akan memberi tahu saat giliran Anda tiba. Jangan tutup halaman ini.',
    served: 'Mohon isi survei kepuasan di kios atau di meja informasi.',
    no_show: 'Nomor Anda sudah dilewati. Silakan hubungi petugas informasi atau ambil nomor baru.',
    cancelled: 'Jika masih membutuhkan layanan, silakan ambil nomor baru di kios.'
  };

  function notFound() {
    gone = true;
    stopPolling();
    if (feed) feed.close();
    $('status-loading').hidden = true;
    $('status-ticket').hidden = true;
    $('status-called').hidden = true;
    $('status-missing').hidden = false;
    $('live-status').hidden = true;
    document.title = 'Tiket tidak ditemukan';
  }

  function showError(detail) {
    $('status-error').textContent = detail || '';
    $('status-error').hidden = !detail;
  }

  function render(t) {
    var before = ticket;
    ticket = t;
    $('status-loading').hidden = true;
    $('status-missing').hidden = true;
    $('status-ticket').hidden = false;
    root.setAttribute('data-status', t.status);

    $('ticket-number').textContent = t.number;
    var svc = A.clear($('ticket-service'));
    svc.appendChild(document.createTextNode(t.service_name + ' · ' + t.agency_name));
    svc.appendChild(A.el('span', {className: 'en', text: t.service_name_en}));

    var word = A.clear($('ticket-status'));
    word.className = 'status-word word-' + t.status;
    word.appendChild(document.createTextNode((WORDS[t.status] || function () { return t.status; })(t)));
    word.appendChild(A.el('span', {className: 'en', text: WORDS_EN[t.status] || ''}));

    var waiting = t.status === 'waiting';
    $('status-facts').hidden = !waiting;
    $('ticket-position').textContent = waiting && t.position ? String(t.position) : '–';
    $('ticket-ahead').textContent = waiting && t.people_ahead !== null ? String(t.people_ahead) : '–';
    var wait = A.clear($('ticket-wait'));
    if (waiting && t.estimated_wait_minutes !== null) {
      wait.appendChild(document.createTextNode('± ' + t.estimated_wait_minutes + ' '));
      wait.appendChild(A.el('span', {className: 'fact-unit', text: 'menit'}));
    } else {
      wait.textContent = '–';
    }
    var hint = HINTS[t.status] || '';
    if (waiting && t.position === 1) hint = 'Anda berikutnya! Bersiaplah di dekat loket. (You are next!)';
    $('status-hint').textContent = hint;

    $('btn-cancel').hidden = !waiting;
    $('btn-cancel').disabled = cancelling;

    var called = t.status === 'called';
    $('status-called').hidden = !called;
    if (called) {
      $('called-number').textContent = t.number;
      $('called-counter').textContent = counterName(t);
      $('called-en').textContent = "It's your turn! Please go to " + counterName(t) + '.';
      $('called-recalls').textContent = t.recalls ? 'Panggilan ke-' + (t.recalls + 1) + '. Segera menuju loket!' : '';
      var fresh = !before || before.status !== 'called' || before.recalls !== t.recalls;
      if (fresh) alertVisitor();
    }
    document.title = t.number + ' · ' + (called ? 'Giliran Anda!' : (WORDS[t.status] ? WORDS[t.status](t) : t.status));
  }

  function alertVisitor() {
    var touched = !navigator.userActivation || navigator.userActivation.hasBeenActive; // browsers refuse before the first touch
    if (navigator.vibrate && touched) {
      try {
        navigator.vibrate([400, 200, 400, 200, 400]);
      } catch (e) {
        /* not allowed before the first touch: fine */
      }
    }
    window.scrollTo(0, 0);
  }

  function load() {
    return A.api.get(apiUrl).then(function (t) {
      if (!gone) render(t);
    }, function (err) {
      if (err.status === 404) notFound();
      else if (!ticket) {
        $('status-loading').textContent = err.detail;
      }
    });
  }

  /* Polling only while the live socket is not connected. */
  function startPolling() {
    if (pollTimer || gone) return;
    pollTimer = setInterval(function () {
      if (!liveOpen) load();
    }, POLL_MS);
  }

  function stopPolling() {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  $('btn-cancel').addEventListener('click', function () {
    if (!ticket || cancelling) return;
    if (!window.confirm('Batalkan nomor antrian ' + ticket.number + '? Anda harus mengambil nomor baru jika berubah pikiran.\n\nCancel your number?')) return;
    cancelling = true;
    $('btn-cancel').disabled = true;
    showError('');
    A.api.post(apiUrl + '/cancel').then(function (t) {
      cancelling = false;
      render(t);
    }, function (err) {
      cancelling = false;
      $('btn-cancel').disabled = false;
      showError(err.detail);
      load();
    });
  });

  if (window.WebSocket) {
    feed = A.live('/ws/tickets/' + encodeURIComponent(ticketId), {
      since: false,
      onMessage: function (msg) {
        if (msg.type === 'ticket' && msg.ticket) render(msg.ticket);
        else if (msg.type === 'error') notFound();
      },
      onStatus: A.liveIndicator($('live-status'), function (status) {
        liveOpen = status === 'open';
        if (status === 'gone' && !gone) load(); // closed for good: the day ended or the ticket is unknown
      })
    });
  }
  startPolling();
  load();
})();

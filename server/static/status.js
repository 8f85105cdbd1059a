/* A visitor's ticket status on their phone: live over /ws/tickets/{id}, polling when the socket is down.
 *
 * "Your turn": when the ticket becomes called (or is called again) while the page is open, the phone
 * chimes (WebAudio, no file needed) and vibrates where it may. A page opened or reloaded after the
 * call stays quiet, unless the call is under a minute old and this phone has not alerted it yet.
 * Browsers keep sound off until the visitor first touches the page: the page offers a button for
 * that while waiting, and "Ketuk untuk suara / Tap for sound" if the call came while still blocked.
 * Every alert is logged in window.antrianStatusAlerts (for tests and support).
 */
(function () {
  'use strict';
  var A = window.Antrian;
  var root = document.getElementById('status');
  var ticketId = root.getAttribute('data-ticket-id');
  var apiUrl = '/api/tickets/' + encodeURIComponent(ticketId);
  var POLL_MS = 10000;
  var FRESH_CALL_MS = 60000; // a page opened this soon after the call still alerts it
  var alertedKey = 'antrian.alerted:' + ticketId;
  var alerts = window.antrianStatusAlerts = [];

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
      var low = t.estimated_wait_low, high = t.estimated_wait_high;
      if (low === null || low === undefined) low = high = t.estimated_wait_minutes;
      wait.appendChild(document.createTextNode((low === high ? String(low) : low + '-' + high) + ' '));
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
      var live = !!before && (before.status !== 'called' || before.recalls !== t.recalls);
      var lateArrival = !before && callAge(t) < FRESH_CALL_MS && !alreadyAlerted(t);
      if (live || lateArrival) alertVisitor(t);
    } else {
      $('sound-tap').hidden = true;
    }
    syncSoundHint();
    document.title = t.number + ' · ' + (called ? 'Giliran Anda!' : (WORDS[t.status] ? WORDS[t.status](t) : t.status));
  }

  /* --- the "your turn" alert ---------------------------------------------------------- */

  function callMark(t) {
    return (t.called_at || '') + '|' + t.recalls;
  }

  function callAge(t) {
    var at = t.called_at ? Date.parse(t.called_at) : NaN;
    return isNaN(at) ? Infinity : A.serverNow() - at;
  }

  function alreadyAlerted(t) {
    try {
      return window.localStorage.getItem(alertedKey) === callMark(t);
    } catch (e) {
      return false;
    }
  }

  function rememberAlerted(t) {
    try {
      window.localStorage.setItem(alertedKey, callMark(t));
    } catch (e) {
      /* storage off: a reload may chime once more */
    }
  }

  /* WebAudio: a two-note chime, twice. The context starts suspended until the page is touched. */
  var sound = (function () {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    var ctx = null;

    function context() {
      if (!Ctx) return null;
      if (!ctx) {
        try {
          ctx = new Ctx();
        } catch (e) {
          Ctx = null;
          return null;
        }
      }
      return ctx;
    }

    function tone(c, freq, at, length, volume) {
      var osc = c.createOscillator();
      var gain = c.createGain();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(freq, at);
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(volume, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + length);
      osc.connect(gain);
      gain.connect(c.destination);
      osc.start(at);
      osc.stop(at + length + 0.05);
    }

    function chime(c) {
      var t0 = c.currentTime + 0.05;
      [[988, 0], [784, 0.38], [988, 1.0], [784, 1.38]].forEach(function (n) {
        tone(c, n[0], t0 + n[1], 0.9, 0.6);
      });
    }

    /* Resolves 'played', 'blocked' (autoplay policy) or 'unsupported'. A blocked resume() never
       settles in some browsers, hence the timeout. */
    function play(short) {
      var c = context();
      if (!c) return Promise.resolve('unsupported');
      return new Promise(function (resolve) {
        var settled = false;
        function finish() {
          if (settled) return;
          settled = true;
          if (c.state === 'running') {
            try {
              if (short) tone(c, 988, c.currentTime + 0.02, 0.3, 0.4);
              else chime(c);
              resolve('played');
            } catch (e) {
              resolve('unsupported');
            }
          } else {
            resolve('blocked');
          }
        }
        if (c.state === 'running') {
          finish();
          return;
        }
        try {
          var p = c.resume();
          if (p && p.then) p.then(finish, finish);
        } catch (e) {
          /* old API: the timeout decides */
        }
        setTimeout(finish, 500);
      });
    }

    /* Inside a touch: let sound play from now on (a silent buffer wakes iOS Safari's audio). */
    function unlock() {
      var c = context();
      if (!c) return;
      try {
        if (c.state !== 'running') c.resume();
        var buffer = c.createBuffer(1, 1, 22050);
        var source = c.createBufferSource();
        source.buffer = buffer;
        source.connect(c.destination);
        source.start(0);
      } catch (e) {
        /* nothing more to try */
      }
    }

    return {
      supported: function () { return !!Ctx; },
      ready: function () {
        var c = context();
        return !!c && c.state === 'running';
      },
      onChange: function (fn) {
        var c = context();
        if (c && 'onstatechange' in c) c.onstatechange = fn;
      },
      play: play,
      unlock: unlock
    };
  })();

  function vibrate() {
    var touched = !navigator.userActivation || navigator.userActivation.hasBeenActive; // browsers refuse before the first touch
    if (!navigator.vibrate || !touched) return false;
    try {
      return navigator.vibrate([400, 200, 400, 200, 400]) !== false;
    } catch (e) {
      return false; // not allowed before the first touch: fine
    }
  }

  function alertVisitor(t) {
    rememberAlerted(t);
    var entry = {number: t.number, counter: counterName(t), recalls: t.recalls, at: Date.now(), sound: 'pending', vibrated: vibrate()};
    alerts.push(entry);
    window.scrollTo(0, 0);
    sound.play().then(function (result) {
      entry.sound = result;
      $('sound-tap').hidden = result !== 'blocked' || !ticket || ticket.status !== 'called';
    });
  }

  /* While waiting: offer to switch the sound on, as long as the browser keeps it off, then say it is
     on. One button that changes its words in place: nothing moves under the visitor's finger. */
  function syncSoundHint() {
    var arm = $('sound-arm');
    arm.hidden = !ticket || ticket.status !== 'waiting' || !sound.supported();
    arm.setAttribute('data-state', sound.ready() ? 'on' : 'off');
  }

  $('sound-arm').addEventListener('click', function () {
    sound.unlock();
    sound.play(true).then(syncSoundHint); // a short blip says it works
  });

  $('sound-tap').addEventListener('click', function () {
    sound.unlock();
    vibrate();
    sound.play().then(function (result) {
      var last = alerts[alerts.length - 1];
      if (last && last.sound === 'blocked') last.sound = result === 'played' ? 'played-after-tap' : result;
      $('sound-tap').hidden = result === 'played';
    });
  });

  // Any touch on the page lets later calls chime.
  ['pointerdown', 'touchend', 'keydown'].forEach(function (type) {
    document.addEventListener(type, function () {
      if (!sound.ready()) {
        sound.unlock();
        setTimeout(syncSoundHint, 100);
      }
    }, {passive: true});
  });
  sound.onChange(syncSoundHint);

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

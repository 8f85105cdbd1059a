/* TV display: the number being called, the last calls, queue lengths, clock, chime.
 * Plain ES2015 for TV-stick browsers. Needs /static/api.js and /static/live.js.
 *
 * Announcements: every live call (ticket_called / ticket_recalled) for this display is pushed to
 * window.antrianAnnouncements as {number, counter, counter_id, counter_number, recall, event_id, at},
 * a chime plays (WebAudio, when the browser allows sound) and an "antrian:announce" event is
 * dispatched on window with the same object as `detail`, for a later spoken announcement.
 * Calls from a snapshot (page load, new day) or from a catch-up after a reconnect that are older
 * than 30 s are shown but never announced.
 */
(function () {
  'use strict';
  var A = window.Antrian;
  var el = A.el;
  var cfg = {};
  try {
    cfg = JSON.parse(document.getElementById('display-config').textContent);
  } catch (e) {
    cfg = {};
  }
  var counters = cfg.counters || {};
  var agencies = cfg.agencies || {};
  var agencyIds = cfg.agencyIds || [];
  var counterIds = cfg.counterIds || [];
  var maxCalls = cfg.recentCalls || 8;

  var ANNOUNCE_MAX_AGE_MS = 30000;
  var FLASH_MS = 10000;
  var FLOOR_DEBOUNCE_MS = 700;
  var QUEUE_PAGE_MS = 8000;

  var calls = []; // newest first, one per ticket number
  var queues = [];
  var floorTimer = null;
  var flashTimer = null;
  var announced = {}; // event ids already announced

  window.antrianAnnouncements = window.antrianAnnouncements || [];

  function $(id) {
    return document.getElementById(id);
  }

  /* --- which calls and queues belong on this screen --- */

  function wantCounter(counterId) {
    if (counterIds.length && counterIds.indexOf(counterId) < 0) return false;
    var c = counters[counterId];
    if (agencyIds.length && (!c || agencyIds.indexOf(c.agency) < 0)) return false;
    return true;
  }

  var queueFilter = null;
  if (!agencyIds.length && counterIds.length) {
    queueFilter = {};
    counterIds.forEach(function (id) {
      ((counters[id] && counters[id].queues) || []).forEach(function (q) { queueFilter[q] = true; });
    });
  }

  function wantQueue(q) {
    if (agencyIds.length) return agencyIds.indexOf(q.agency_id) >= 0;
    if (queueFilter) return !!queueFilter[q.id];
    return true;
  }

  function learnCounters(list) {
    (list || []).forEach(function (c) {
      if (!counters[c.id]) counters[c.id] = {label: c.label, number: c.number, agency: c.agency_id, queues: []};
    });
  }

  function counterAgency(counterId) {
    var c = counters[counterId];
    return c ? agencies[c.agency] : null;
  }

  /* --- calls --- */

  function callFrom(ev) {
    var c = counters[ev.counter_id] || {};
    return {
      event_id: ev.id !== undefined ? ev.id : ev.event_id,
      number: ev.number,
      counter_id: ev.counter_id,
      counter_label: ev.counter_label || c.label || ev.counter_id,
      counter_number: ev.counter_number !== undefined ? ev.counter_number : c.number,
      at: ev.at,
      recall: ev.type ? ev.type === 'ticket_recalled' : !!ev.recall
    };
  }

  function addCall(call) {
    calls = calls.filter(function (c) { return c.number !== call.number; });
    calls.unshift(call);
    if (calls.length > maxCalls) calls.length = maxCalls;
  }

  function renderCalls(flash) {
    var current = calls[0];
    var panel = $('tv-current');
    if (!current) {
      panel.className = 'tv-current is-empty';
      $('tv-number').textContent = '–';
      $('tv-counter').textContent = '–';
      $('tv-recall').textContent = '';
    } else {
      var agency = counterAgency(current.counter_id);
      panel.className = 'tv-current';
      panel.style.borderColor = agency ? agency.colour : '';
      $('tv-number').textContent = current.number;
      $('tv-counter').textContent = current.counter_label;
      $('tv-recall').textContent = current.recall ? 'Panggilan ulang · Repeated call' : '';
      if (flash) flashCurrent();
    }
    var list = A.clear($('tv-recent'));
    calls.forEach(function (c, i) {
      var agency = counterAgency(c.counter_id);
      list.appendChild(el('li', {
        className: 'tv-call' + (i === 0 ? ' is-current' : ''),
        style: agency ? 'border-left-color:' + agency.colour : null,
        'data-number': c.number
      }, [
        el('span', {className: 'tv-call-number', text: c.number}),
        el('span', {className: 'tv-call-arrow', text: '→'}),
        el('span', {className: 'tv-call-counter', text: c.counter_label})
      ]));
    });
    $('tv-recent-empty').hidden = calls.length > 0;
  }

  function flashCurrent() {
    var panel = $('tv-current');
    panel.classList.remove('flash');
    void panel.offsetWidth; // restart the animation
    panel.classList.add('flash');
    if (flashTimer) clearTimeout(flashTimer);
    flashTimer = setTimeout(function () { panel.classList.remove('flash'); }, FLASH_MS);
  }

  /* --- announcements: a log, a chime, an event; never an old call --- */

  var audio = null;
  var chimeFreeAt = 0;

  function audioContext() {
    if (audio) return audio;
    var Ctor = window.AudioContext || window.webkitAudioContext;
    if (!Ctor) return null;
    try {
      audio = new Ctor();
    } catch (e) {
      audio = null;
    }
    return audio;
  }

  function soundAllowed() {
    var ctx = audioContext();
    return !!ctx && ctx.state === 'running';
  }

  function updateSoundHint() {
    var ctx = audioContext();
    $('tv-sound').hidden = !ctx || ctx.state === 'running';
  }

  function unlockSound() {
    var ctx = audioContext();
    if (ctx && ctx.state !== 'running' && ctx.resume) {
      ctx.resume().then(updateSoundHint, updateSoundHint);
    }
  }

  ['click', 'touchstart', 'keydown'].forEach(function (type) {
    document.addEventListener(type, unlockSound);
  });

  function chime() {
    // Only when sound already runs: a suspended context would play a backlog of chimes later.
    if (!soundAllowed()) return;
    var ctx = audio;
    var start = Math.max(ctx.currentTime + 0.05, chimeFreeAt); // chimes queue, never overlap
    [[880, 0], [698.46, 0.42], [523.25, 0.84]].forEach(function (note) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      var t0 = start + note[1];
      osc.type = 'sine';
      osc.frequency.value = note[0];
      gain.gain.setValueAtTime(0.0001, t0);
      gain.gain.exponentialRampToValueAtTime(0.4, t0 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 1.1);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(t0);
      osc.stop(t0 + 1.15);
    });
    chimeFreeAt = start + 2.2;
  }

  /* A call is announced only while it is news. With the server's clock known (from the Date header
     of our API calls) the event's own time decides; without it, only events that did not come in
     the catch-up burst right after a reconnect. */
  function isFresh(ev, info) {
    var at = Date.parse(ev.at);
    if (A.clockKnown() && !isNaN(at)) return A.serverNow() - at < ANNOUNCE_MAX_AGE_MS;
    return !(info && info.replay);
  }

  function announce(call) {
    if (announced[call.event_id]) return;
    announced[call.event_id] = true;
    var item = {
      number: call.number,
      counter: call.counter_label,
      counter_id: call.counter_id,
      counter_number: call.counter_number,
      recall: call.recall,
      event_id: call.event_id,
      at: call.at
    };
    window.antrianAnnouncements.push(item);
    if (window.antrianAnnouncements.length > 200) window.antrianAnnouncements.splice(0, 100);
    chime();
    try {
      window.dispatchEvent(new CustomEvent('antrian:announce', {detail: item}));
    } catch (e) {
      /* very old browser: the log is still there */
    }
  }

  /* --- queue lengths --- */

  function renderQueues() {
    var box = A.clear($('tv-queues'));
    queues.filter(wantQueue).forEach(function (q) {
      var agency = agencies[q.agency_id];
      var colour = agency ? agency.colour : '#455a64';
      var name = agency && agency.name !== q.name ? agency.name + ' · ' + q.name : q.name;
      box.appendChild(el('div', {className: 'tv-queue' + (q.waiting ? '' : ' is-zero'), 'data-queue': q.id}, [
        el('span', {className: 'tv-queue-prefix', style: 'background:' + colour, text: q.prefix}),
        el('span', {className: 'tv-queue-name', text: name}),
        el('span', {className: 'tv-queue-count', 'data-testid': 'queue-waiting-' + q.id, text: String(q.waiting)})
      ]));
    });
    box.classList.remove('is-single');
    box.classList.toggle('is-single', !box.firstChild || box.lastChild.offsetTop === box.firstChild.offsetTop);
  }

  function loadFloor() {
    A.api.get('/api/floor').then(function (floor) {
      learnCounters(floor.counters);
      queues = floor.queues;
      renderQueues();
    }, function (err) {
      if (err.status === 401 || err.status === 403) denied(err.detail);
      /* otherwise the live status shows the trouble; keep the last numbers */
    });
  }

  /* No or wrong device token: say so across the whole screen, where the installer will see it. */
  function denied(reason) {
    $('tv-denied-reason').textContent = reason || '';
    $('tv-denied').hidden = false;
  }

  function loadFloorSoon() {
    if (floorTimer) return;
    floorTimer = setTimeout(function () {
      floorTimer = null;
      loadFloor();
    }, FLOOR_DEBOUNCE_MS);
  }

  // Too many queues for the footer: page through them.
  setInterval(function () {
    var box = $('tv-queues');
    if (box.scrollHeight <= box.clientHeight + 2) {
      box.scrollTop = 0;
      return;
    }
    var next = box.scrollTop + box.clientHeight;
    box.scrollTop = next >= box.scrollHeight ? 0 : next;
  }, QUEUE_PAGE_MS);

  /* --- the live feed --- */

  function onSnapshot(msg) {
    var floor = msg.floor || {};
    learnCounters(floor.counters);
    calls = [];
    (floor.recent_calls || []).slice().reverse().forEach(function (c) {
      if (!wantCounter(c.counter_id)) return;
      var call = callFrom(c);
      announced[call.event_id] = true; // already happened: never spoken after a reload
      addCall(call);
    });
    renderCalls(false);
    queues = floor.queues || [];
    renderQueues();
  }

  function onEvent(ev, info) {
    if (ev.type === 'ticket_called' || ev.type === 'ticket_recalled') {
      if (wantCounter(ev.counter_id)) {
        var call = callFrom(ev);
        addCall(call);
        var fresh = isFresh(ev, info);
        renderCalls(fresh);
        if (fresh) announce(call);
        else announced[call.event_id] = true;
      }
    }
    if (ev.type && ev.type.indexOf('ticket_') === 0) loadFloorSoon();
  }

  A.live('/ws/floor', {
    onSnapshot: onSnapshot,
    onEvent: onEvent,
    onStatus: A.liveIndicator($('tv-live'), function (status, detail) {
      document.body.classList.toggle('tv-offline', status !== 'open');
      if (status === 'denied') denied(detail);
      if (status === 'open') loadFloorSoon(); // numbers may have gone stale while away
    })
  });

  /* --- clock --- */

  var clock = A.clockFormatters(cfg.timezone);
  function tick() {
    var now = A.serverNow();
    $('tv-time').textContent = clock.time(now);
    $('tv-date').textContent = clock.date(now);
  }
  setInterval(tick, 1000);
  tick();

  loadFloor(); // also learns the server's clock from the Date header
  renderCalls(false);
  updateSoundHint();
  if (audio && audio.addEventListener) audio.addEventListener('statechange', updateSoundHint);
})();

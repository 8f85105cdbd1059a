/* TV display: the number being called, the last calls, queue lengths, clock, running text, and the
 * spoken call. Plain ES2015 for TV-stick browsers. Needs /static/api.js and /static/live.js.
 *
 * Announcements: every live call (ticket_called / ticket_recalled) for this display is pushed to
 * window.antrianAnnouncements as {number, counter, counter_id, counter_number, recall, event_id, at,
 * queued, start, end, text, texts, repeat, via, notes, status} and an "antrian:announce" event is
 * dispatched on window with the same object as `detail`. The calls are then spoken one at a time
 * (chime, then pre-recorded clips; see "announcements" below); `start`/`end` are performance.now()
 * times, `status` goes queued -> playing -> done (or blocked / failed), `via` says what spoke it.
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

  /* A call is announced only while it is news. With the server's clock known (from the Date header
     of our API calls) the event's own time decides; without it, only events that did not come in
     the catch-up burst right after a reconnect. */
  function isFresh(ev, info) {
    var at = Date.parse(ev.at);
    if (A.clockKnown() && !isNaN(at)) return A.serverNow() - at < ANNOUNCE_MAX_AGE_MS;
    return !(info && info.replay);
  }

  /* --- announcements: a queue of spoken calls; never two at once, never an old call ---
   *
   * Each live call gets its plan from GET /api/announcement (text and audio clips, built in Python:
   * displays/announce.py) as soon as it arrives, and waits its turn: chime and clips one after the
   * other, every part (Indonesian, then English if configured), all `repeat` times; then the next call.
   * A part whose clips cannot be loaded is said by the browser's speech synthesis instead; without
   * that, it is only logged. Every call is logged in window.antrianAnnouncements with `start` and
   * `end` (performance.now()) and the `text` said, so tests can check that nothing overlaps. */

  var CLIP_LOAD_MS = 6000; // a clip not playable by then counts as missing
  var CLIP_SLACK_MS = 3000; // a clip not ended this long after its length: move on
  var PART_GAP_MS = 250; // between Indonesian and English
  var REPEAT_GAP_MS = 700; // between repetitions
  var CALL_GAP_MS = 400; // between one call and the next
  var PLAN_RETRY_MS = 1000;
  var CHIME_URL = '/static/display/clips/chime.wav';

  var speechQueue = []; // {item: log item, plan: promise of its plan}, waiting for their turn
  var speaking = false;
  var clipCache = {}; // url -> HTMLAudioElement (preloaded)
  var soundBlocked = false;

  function now() {
    return window.performance && performance.now ? performance.now() : Date.now();
  }

  function delay(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function note(item, message) {
    item.notes.push(message);
    if (window.console) console.info('[announce] ' + item.number + ': ' + message);
  }

  /* Sound blocked by the browser's autoplay policy: ask for one tap (a TV stick with a remote or a
     mouse), and keep showing the calls meanwhile. Any click, touch or key press enables sound. */
  function setBlocked(blocked) {
    soundBlocked = blocked;
    $('tv-sound').hidden = !blocked;
    $('tv-unlock').hidden = !blocked;
  }

  function unlockSound() {
    if (!soundBlocked) return;
    // A gesture lets this page play from now on; prime the speech engine within it too.
    setBlocked(false);
    var probe = new Audio(CHIME_URL); // its own element: never one a call may be playing
    probe.volume = 0;
    try {
      var played = probe.play();
      if (played && played.then) played.then(function () { probe.pause(); }, function () { /* next call will tell */ });
    } catch (e) { /* the next call will tell */ }
    try {
      if (window.speechSynthesis && window.SpeechSynthesisUtterance) {
        var silent = new SpeechSynthesisUtterance(' ');
        silent.volume = 0;
        window.speechSynthesis.speak(silent);
      }
    } catch (e) { /* no speech synthesis: the clips are enough */ }
  }

  ['click', 'touchstart', 'keydown'].forEach(function (type) {
    document.addEventListener(type, unlockSound);
  });

  function isBlockedError(err) {
    return !!err && (err.name === 'NotAllowedError' || /not allowed|user (didn't )?interact|gesture/i.test(String(err.message)));
  }

  function clip(url) {
    var a = clipCache[url];
    if (!a) {
      a = new Audio();
      a.preload = 'auto';
      a.src = url;
      clipCache[url] = a;
    }
    return a;
  }

  /* Resolves once the clip can play through; rejects when it cannot be loaded. */
  function loaded(url) {
    if (!url) return Promise.reject(new Error('no clip file'));
    var a = clip(url);
    if (a.error) { // failed before: try once more (the file may have been put back)
      delete clipCache[url];
      a = clip(url);
    }
    if (a.readyState >= 4) return Promise.resolve(a);
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { done(new Error('clip did not load in time: ' + url)); }, CLIP_LOAD_MS);
      function done(err) {
        clearTimeout(timer);
        a.removeEventListener('canplaythrough', ok);
        a.removeEventListener('error', bad);
        if (err) reject(err);
        else resolve(a);
      }
      function ok() { done(null); }
      function bad() { done(new Error('clip failed to load: ' + url)); }
      a.addEventListener('canplaythrough', ok);
      a.addEventListener('error', bad);
      if (a.networkState === 0 || a.networkState === 3) a.load();
    });
  }

  function playClip(a) {
    return new Promise(function (resolve, reject) {
      var timer = null;
      function done(err) {
        if (timer) clearTimeout(timer);
        a.removeEventListener('ended', ended);
        a.removeEventListener('error', failed);
        if (err) reject(err);
        else resolve();
      }
      function ended() { done(null); }
      function failed() { done(new Error('clip failed while playing')); }
      a.addEventListener('ended', ended);
      a.addEventListener('error', failed);
      try {
        a.currentTime = 0;
      } catch (e) { /* not seekable yet: it starts at 0 anyway */ }
      var length = isFinite(a.duration) && a.duration > 0 ? a.duration * 1000 : 4000;
      timer = setTimeout(function () {
        a.pause();
        done(null); // stuck (no 'ended' on some TV browsers): go on rather than stall the queue
      }, length + CLIP_SLACK_MS);
      var played;
      try {
        played = a.play();
      } catch (e) {
        done(e);
        return;
      }
      if (played && played.then) played.then(null, done);
    });
  }

  function voiceFor(lang) {
    var synth = window.speechSynthesis;
    var voices = synth && synth.getVoices ? synth.getVoices() : [];
    for (var i = 0; i < voices.length; i++) {
      if (String(voices[i].lang).toLowerCase().replace('_', '-').indexOf(lang) === 0) return voices[i];
    }
    return null;
  }

  /* The browser's own voice: the fallback when the clips are missing. Resolves when done. */
  function speak(text, lang) {
    var synth = window.speechSynthesis;
    var Utterance = window.SpeechSynthesisUtterance;
    if (!synth || !Utterance) return Promise.reject(new Error('no speech synthesis in this browser'));
    return new Promise(function (resolve, reject) {
      var u = new Utterance(text);
      u.lang = lang === 'en' ? 'en-US' : 'id-ID';
      var voice = voiceFor(lang);
      if (voice) u.voice = voice;
      u.rate = 0.9;
      var settled = false;
      var timer = setTimeout(function () { finish(null); }, 2500 + text.length * 120);
      function finish(err) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      }
      u.onend = function () { finish(null); };
      u.onerror = function (ev) {
        var reason = ev && ev.error ? ev.error : 'speech failed';
        var err = new Error(reason);
        if (reason === 'not-allowed') err.name = 'NotAllowedError';
        finish(err);
      };
      synth.speak(u);
    });
  }

  function playPart(item, part) {
    var urls = part.urls || [];
    return Promise.all(urls.map(loaded)).then(function (audios) {
      var chain = Promise.resolve();
      audios.forEach(function (a) {
        chain = chain.then(function () { return playClip(a); });
      });
      return chain.then(function () { item.via.push('clips:' + part.lang); });
    }, function (err) {
      note(item, err.message + '; speech synthesis instead');
      return fallback(item, part);
    });
  }

  /* The chime (when it loads) and the part's text in the browser's voice. Without a voice,
     the chime alone still makes people look at the screen; the failure is logged. */
  function fallback(item, part) {
    var chimeUrl = part.clips && part.clips[0] === 'chime' ? part.urls[0] : null;
    var chimed = !chimeUrl ? Promise.resolve() : loaded(chimeUrl).then(playClip).then(function () {
      item.via.push('chime');
    }, function (err) {
      if (isBlockedError(err)) throw err;
    });
    return chimed.then(function () { return speak(part.text, part.lang); }).then(function () {
      item.via.push('speech:' + part.lang);
    });
  }

  function playPlan(item, plan) {
    var chain = Promise.resolve();
    for (var r = 0; r < plan.repeat; r++) {
      plan.parts.forEach(function (part, i) {
        chain = chain.then(function () {
          if (soundBlocked) throw blockedError();
          return delay(i > 0 ? PART_GAP_MS : 0).then(function () { return playPart(item, part); });
        });
      });
      if (r < plan.repeat - 1) chain = chain.then(function () { return delay(REPEAT_GAP_MS); });
    }
    return chain;
  }

  function blockedError() {
    var err = new Error('sound blocked until someone taps the screen');
    err.name = 'NotAllowedError';
    return err;
  }

  /* Without a plan from the server (it is unreachable), say the call with the browser's voice. */
  function localPlan(item) {
    var n = item.counter_number !== undefined && item.counter_number !== null ? item.counter_number : item.counter;
    return {
      repeat: 1,
      parts: [{lang: 'id', text: 'Nomor antrian ' + item.number + ', silakan menuju loket ' + n + '.', clips: [], urls: [null]}]
    };
  }

  function fetchPlan(item) {
    var url = '/api/announcement?number=' + encodeURIComponent(item.number) +
      '&counter_id=' + encodeURIComponent(item.counter_id) +
      (cfg.id ? '&display_id=' + encodeURIComponent(cfg.id) : '');
    function attempt(triesLeft) {
      return A.api.get(url).then(null, function (err) {
        if (err.status === 0 && triesLeft > 0) return delay(PLAN_RETRY_MS).then(function () { return attempt(triesLeft - 1); });
        throw err;
      });
    }
    return attempt(2).then(null, function (err) {
      note(item, 'no plan from the server (' + err.detail + ')');
      return localPlan(item);
    });
  }

  function pump() {
    if (speaking || !speechQueue.length) return;
    var next = speechQueue.shift();
    var item = next.item;
    speaking = true;
    next.plan.then(function (plan) {
      item.text = plan.parts.length ? plan.parts[0].text : '';
      item.texts = plan.parts.map(function (p) { return p.text; });
      item.repeat = plan.repeat;
      item.status = 'playing';
      item.start = now();
      if (soundBlocked) throw blockedError();
      return playPlan(item, plan);
    }).then(function () {
      item.status = 'done';
    }, function (err) {
      if (isBlockedError(err)) {
        setBlocked(true);
        item.status = 'blocked';
      } else {
        item.status = 'failed';
      }
      note(item, 'not said: ' + err.message);
    }).then(function () {
      if (item.start === null) item.start = now();
      item.end = now();
      return delay(speechQueue.length ? CALL_GAP_MS : 0);
    }).then(function () {
      speaking = false;
      pump();
    });
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
      at: call.at,
      queued: now(),
      start: null,
      end: null,
      text: '',
      texts: [],
      repeat: 0,
      via: [],
      notes: [],
      status: 'queued'
    };
    window.antrianAnnouncements.push(item);
    if (window.antrianAnnouncements.length > 200) window.antrianAnnouncements.splice(0, 100);
    // The plan is fetched now, while an earlier call may still be speaking.
    speechQueue.push({item: item, plan: fetchPlan(item)});
    pump();
    try {
      window.dispatchEvent(new CustomEvent('antrian:announce', {detail: item}));
    } catch (e) {
      /* very old browser: the log is still there */
    }
  }

  /* Can this page play sound without a tap? Ask the browser, or try the chime silently. */
  function probeSound() {
    if (navigator.getAutoplayPolicy) {
      try {
        setBlocked(navigator.getAutoplayPolicy('mediaelement') !== 'allowed');
        return;
      } catch (e) { /* fall through to the probe */ }
    }
    var probe = new Audio(CHIME_URL);
    probe.volume = 0;
    var played;
    try {
      played = probe.play();
    } catch (e) {
      setBlocked(isBlockedError(e));
      return;
    }
    if (played && played.then) {
      played.then(function () { probe.pause(); }, function (err) {
        if (isBlockedError(err)) setBlocked(true);
      });
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

  /* --- running text: a CSS animation; its length only sets the speed --- */

  function fitTicker() {
    var text = $('tv-ticker-text');
    var pxPerSecond = Math.max(60, window.innerHeight * 0.11); // about 120 px/s at 1080p
    text.style.animationDuration = Math.round(text.offsetWidth / pxPerSecond) + 's';
  }

  if (cfg.ticker) {
    $('tv-ticker-text').textContent = cfg.ticker;
    $('tv-ticker').hidden = false;
    document.body.classList.add('tv-has-ticker');
    fitTicker();
    window.addEventListener('resize', fitTicker);
  }

  loadFloor(); // also learns the server's clock from the Date header
  renderCalls(false);
  probeSound();
})();

/* Kiosk: agency -> service -> priority -> ticket. Plain ES2015 for old kiosk browsers. */
(function () {
  'use strict';
  var A = window.Antrian;
  var el = A.el;
  var root = document.getElementById('kiosk');
  var kioskId = root.getAttribute('data-kiosk-id');
  var languages = (root.getAttribute('data-languages') || 'id').split(',');

  var REFRESH_MS = 15000;
  var TICKET_IDLE_MS = 20000;
  var CHOOSING_IDLE_MS = 60000;

  var catalog = null;
  var agencyId = null;
  var service = null;
  var screen = 'agencies';
  var issuing = false;
  var lang = 'id';
  var idleTimer = null;
  var idleDeadline = 0;
  var refreshTimer = null;

  var screens = {
    agencies: document.getElementById('screen-agencies'),
    services: document.getElementById('screen-services'),
    priority: document.getElementById('screen-priority'),
    ticket: document.getElementById('screen-ticket')
  };
  var errorBox = document.getElementById('kiosk-error');
  var closedBanner = document.getElementById('kiosk-closed');
  var priorityButtons = Array.prototype.slice.call(document.querySelectorAll('.priority-btn'));

  /* Text in both languages: the chosen one big, the other small. */
  function bi(idText, enText) {
    return el('span', {className: 'bi'}, [el('span', {className: 't-id', text: idText}), el('span', {className: 't-en', text: enText || idText})]);
  }

  /* Text in the chosen language only (short facts such as "3 menunggu"). */
  function one(idText, enText) {
    return el('span', {className: 'bi bi-one'}, [el('span', {className: 't-id', text: idText}), el('span', {className: 't-en', text: enText || idText})]);
  }

  /* Cheap kiosk and TV-stick browsers often have no colour emoji font: an icon would show as an
     empty box. Draw it once on a canvas and keep it only if coloured pixels come out. */
  var emojiCache = {};
  function emojiWorks(text) {
    if (emojiCache.hasOwnProperty(text)) return emojiCache[text];
    var ok = false;
    try {
      var canvas = document.createElement('canvas');
      canvas.width = canvas.height = 40;
      var g = canvas.getContext('2d');
      g.textBaseline = 'top';
      g.font = '32px sans-serif';
      g.fillStyle = '#000';
      g.fillText(text, 0, 0);
      var d = g.getImageData(0, 0, 40, 40).data;
      for (var i = 0; i < d.length && !ok; i += 4) ok = d[i + 3] > 0 && (d[i] > 60 || d[i + 1] > 60 || d[i + 2] > 60);
    } catch (e) {
      ok = false;
    }
    emojiCache[text] = ok;
    return ok;
  }

  function showError(detail) {
    if (!detail) {
      errorBox.hidden = true;
      errorBox.textContent = '';
      return;
    }
    errorBox.textContent = detail;
    errorBox.hidden = false;
  }

  function show(name) {
    screen = name;
    Object.keys(screens).forEach(function (key) {
      screens[key].hidden = key !== name;
    });
    window.scrollTo(0, 0);
    armIdle();
    if (name === 'agencies') startRefresh();
    else stopRefresh();
  }

  /* --- idle: back to the start when nobody touches the screen --- */

  function armIdle() {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    idleDeadline = 0;
    if (screen === 'agencies') return;
    var wait = screen === 'ticket' ? TICKET_IDLE_MS : CHOOSING_IDLE_MS;
    idleDeadline = Date.now() + wait;
    idleTimer = setTimeout(goHome, wait);
    tickCountdown();
  }

  function tickCountdown() {
    var node = document.getElementById('ticket-countdown');
    if (screen !== 'ticket' || !idleDeadline) {
      node.textContent = '';
      return;
    }
    var left = Math.max(0, Math.ceil((idleDeadline - Date.now()) / 1000));
    A.clear(node).appendChild(bi('Kembali ke awal dalam ' + left + ' detik', 'Back to start in ' + left + ' s'));
  }

  function goHome() {
    if (issuing) return;
    agencyId = null;
    service = null;
    showError('');
    show('agencies');
    loadCatalog();
  }

  ['pointerdown', 'touchstart', 'mousedown', 'keydown'].forEach(function (type) {
    document.addEventListener(type, function () {
      if (screen !== 'agencies') armIdle();
    }, {passive: true});
  });

  /* --- catalogue --- */

  function startRefresh() {
    stopRefresh();
    refreshTimer = setInterval(loadCatalog, REFRESH_MS);
  }

  function stopRefresh() {
    if (refreshTimer) clearInterval(refreshTimer);
    refreshTimer = null;
  }

  function loadCatalog() {
    return A.api.get('/api/catalog?kiosk_id=' + encodeURIComponent(kioskId)).then(function (data) {
      catalog = data;
      closedBanner.hidden = !!data.open;
      if (screen === 'agencies') {
        renderAgencies();
        if (errorBox.getAttribute('data-source') === 'catalog') showError('');
      }
      return data;
    }, function (err) {
      if (screen === 'agencies') {
        showError(err.detail);
        errorBox.setAttribute('data-source', 'catalog');
      }
    });
  }

  function findAgency(id) {
    if (!catalog) return null;
    for (var i = 0; i < catalog.agencies.length; i++) if (catalog.agencies[i].id === id) return catalog.agencies[i];
    return null;
  }

  function waitingText(n) {
    return one(n + ' menunggu', n + ' waiting');
  }

  function renderAgencies() {
    var grid = A.clear(document.getElementById('agency-grid'));
    if (!catalog.agencies.length) {
      grid.appendChild(el('div', {className: 'loading'}, [bi('Tidak ada layanan di kios ini.', 'No services at this kiosk.')]));
      return;
    }
    catalog.agencies.forEach(function (agency) {
      var anyAvailable = agency.services.some(function (s) { return s.available; });
      var icon = agency.icon && emojiWorks(agency.icon) ? el('span', {className: 'agency-icon', 'aria-hidden': 'true', text: agency.icon})
        : el('span', {className: 'agency-icon agency-letter', 'aria-hidden': 'true', text: agency.prefix});
      var tile = el('button', {
        type: 'button',
        className: 'agency-tile' + (anyAvailable ? '' : ' is-unavailable'),
        'data-testid': 'agency-' + agency.id,
        'data-agency': agency.id,
        style: 'border-top-color:' + agency.colour + ';--agency:' + agency.colour,
        onclick: function () { openAgency(agency.id); }
      }, [
        el('span', {className: 'agency-badge', style: 'background:' + agency.colour}, [icon]),
        el('span', {className: 'agency-name', text: agency.short_name}),
        el('span', {className: 'agency-waiting'}, [waitingText(agency.waiting)]),
        anyAvailable ? null : el('span', {className: 'agency-closed'}, [bi('Tidak tersedia', 'Unavailable')])
      ]);
      grid.appendChild(tile);
    });
  }

  function openAgency(id) {
    var agency = findAgency(id);
    if (!agency) return;
    agencyId = id;
    showError('');
    var title = A.clear(document.getElementById('services-title'));
    title.appendChild(el('span', {className: 'title-dot', style: 'background:' + agency.colour}));
    title.appendChild(document.createTextNode(agency.short_name));
    title.appendChild(el('span', {className: 'title-sub', text: agency.name}));
    renderServices(agency);
    show('services');
  }

  function reasonText(reason) {
    if (reason === 'kuota habis') return bi('Kuota habis', 'Quota reached for today');
    if (reason === 'layanan tutup') return bi('Layanan tutup', 'Closed now');
    return bi(reason || 'Tidak tersedia', 'Unavailable');
  }

  function renderServices(agency) {
    var list = A.clear(document.getElementById('service-list'));
    agency.services.forEach(function (s) {
      var facts = el('span', {className: 'service-facts'}, [
        el('span', {className: 'chip'}, [waitingText(s.waiting)]),
        s.available ? el('span', {className: 'chip'}, [one('± ' + s.estimated_wait_minutes + ' menit', '± ' + s.estimated_wait_minutes + ' min')]) : null,
        s.quota_left !== null && s.quota_left !== undefined && s.available
          ? el('span', {className: 'chip chip-quota'}, [one('Sisa kuota ' + s.quota_left, s.quota_left + ' left today')]) : null,
        s.available ? null : el('span', {className: 'chip chip-reason', 'data-testid': 'reason-' + s.id}, [reasonText(s.unavailable_reason)])
      ]);
      var button = el('button', {
        type: 'button',
        className: 'service-btn' + (s.available ? '' : ' is-unavailable'),
        'data-testid': 'service-' + s.id,
        disabled: !s.available,
        'aria-disabled': s.available ? null : 'true',
        style: '--agency:' + agency.colour,
        onclick: function () { if (s.available) chooseService(s); }
      }, [
        el('span', {className: 'service-names'}, [
          el('span', {className: 'service-name', text: s.name}),
          el('span', {className: 'service-name-en', text: s.name_en})
        ]),
        facts
      ]);
      list.appendChild(button);
    });
  }

  function chooseService(s) {
    service = s;
    showError('');
    var agency = findAgency(agencyId);
    var box = A.clear(document.getElementById('priority-service'));
    box.appendChild(el('span', {className: 'title-dot', style: 'background:' + (agency ? agency.colour : '#555')}));
    box.appendChild(el('span', {className: 'chosen-name', text: s.name}));
    box.appendChild(el('span', {className: 'chosen-en', text: (agency ? agency.short_name + ' · ' : '') + s.name_en}));
    setIssuing(false);
    show('priority');
  }

  /* --- issuing: one tap, one ticket --- */

  function setIssuing(on) {
    issuing = on;
    priorityButtons.forEach(function (b) { b.disabled = on; });
    document.getElementById('issuing').hidden = !on;
    Array.prototype.forEach.call(screens.priority.querySelectorAll('.btn-back'), function (b) { b.disabled = on; });
  }

  function issue(priority) {
    if (issuing || !service) return;
    setIssuing(true); // synchronously, before anything else: a second tap finds the buttons disabled
    showError('');
    A.api.post('/api/tickets', {service_id: service.id, priority: priority || null, kiosk_id: kioskId, lang: lang}).then(function (ticket) {
      setIssuing(false);
      showTicket(ticket);
    }, function (err) {
      setIssuing(false);
      showError(err.detail);
      if (err.status === 409) loadCatalog(); // quota or hours changed: refresh what the services screen would show
    });
  }

  priorityButtons.forEach(function (b) {
    b.addEventListener('click', function () { issue(b.getAttribute('data-priority')); });
  });

  function showTicket(t) {
    document.getElementById('ticket-number').textContent = t.number;
    var svc = A.clear(document.getElementById('ticket-service'));
    svc.appendChild(el('span', {className: 'ticket-service-name', text: t.service_name}));
    svc.appendChild(el('span', {className: 'ticket-service-agency', text: t.agency_name + (t.priority ? ' · ' + priorityWords(t.priority) : '')}));
    document.getElementById('ticket-ahead').textContent = t.people_ahead === null || t.people_ahead === undefined ? '0' : String(t.people_ahead);
    A.clear(document.getElementById('ticket-wait')).appendChild(
      one('± ' + (t.estimated_wait_minutes || 0) + ' menit', '± ' + (t.estimated_wait_minutes || 0) + ' min'));
    var path = '/t/' + encodeURIComponent(t.id);
    document.getElementById('ticket-qr').src = path + '/qr.svg';
    var link = document.getElementById('ticket-link');
    link.href = path;
    link.textContent = t.status_url || (location.origin + path);
    show('ticket');
  }

  function priorityWords(p) {
    if (p === 'elderly') return 'Prioritas lansia';
    if (p === 'disabled') return 'Prioritas disabilitas';
    if (p === 'pregnant_or_child') return 'Prioritas ibu & anak';
    return '';
  }

  /* --- buttons, language, clock --- */

  document.addEventListener('click', function (e) {
    var target = e.target;
    while (target && target !== document && !(target.getAttribute && target.getAttribute('data-action'))) target = target.parentNode;
    if (!target || target === document || target.disabled) return;
    var action = target.getAttribute('data-action');
    if (action === 'home') goHome();
    else if (action === 'services' && agencyId) openAgency(agencyId);
  });

  var toggle = document.getElementById('lang-toggle');
  if (languages.indexOf('en') >= 0) {
    toggle.hidden = false;
    toggle.addEventListener('click', function () {
      lang = lang === 'id' ? 'en' : 'id';
      document.body.classList.toggle('lang-en', lang === 'en');
      document.documentElement.lang = lang;
      toggle.textContent = lang === 'id' ? 'English' : 'Bahasa Indonesia';
    });
  }

  document.addEventListener('contextmenu', function (e) { e.preventDefault(); }); // long press on a touch screen

  var clock = A.clockFormatters(root.getAttribute('data-timezone'));
  function tick() {
    var now = A.serverNow();
    document.getElementById('kiosk-time').textContent = clock.time(now);
    document.getElementById('kiosk-date').textContent = clock.date(now);
    tickCountdown();
  }
  setInterval(tick, 1000);
  tick();

  if (!emojiWorks('\ud83e\uddd1')) document.body.classList.add('no-emoji');

  /* Only this kiosk's device token (or a supervisor's session) may issue tickets: tell the
     installer at once rather than the first visitor. */
  function checkSetup() {
    if (!A.me) return;
    A.me().then(function (me) {
      var problem = '';
      if (me.kind === 'kiosk' && me.id !== kioskId) {
        problem = 'Token perangkat ini milik kios "' + me.id + '", bukan "' + kioskId + '". (This device token belongs to another kiosk.)';
      } else if (me.kind !== 'kiosk' && !(me.kind === 'staff' && (me.role === 'supervisor' || me.role === 'admin'))) {
        problem = 'Kios ini belum memiliki token perangkat: buka /kiosk/' + kioskId + '#token=… atau hubungi administrator. ' +
          '(This kiosk has no device token yet.)';
      }
      var box = document.getElementById('kiosk-setup');
      box.textContent = problem;
      box.hidden = !problem;
    }, function () {
      /* an older server without /api/me, or offline: issuing will say what is wrong */
    });
  }
  checkSetup();

  show('agencies');
  loadCatalog();
})();

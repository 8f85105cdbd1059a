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
  var UNPRINTED_IDLE_MS = 45000; // no slip came out: leave the number and QR up long enough for a photo
  var PRINT_POLL_MS = 1000;
  var PRINT_POLL_FOR_MS = 10000;
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
  var ticketIdleMs = TICKET_IDLE_MS;
  var shownTicket = null; // the ticket on the confirmation screen
  var ticketSeq = 0; // bumped when the confirmation screen changes ticket or closes: late answers are dropped
  var reprinting = false;

  var screens = {
    agencies: document.getElementById('screen-agencies'),
    services: document.getElementById('screen-services'),
    priority: document.getElementById('screen-priority'),
    ticket: document.getElementById('screen-ticket')
  };
  var errorBox = document.getElementById('kiosk-error');
  var closedBanner = document.getElementById('kiosk-closed');
  var printerBanner = document.getElementById('kiosk-printer');
  var printBox = document.getElementById('ticket-print');
  var printNotice = document.getElementById('print-notice');
  var printSide = document.getElementById('print-side');
  var reprintButton = document.getElementById('btn-reprint');
  var reprintResult = document.getElementById('reprint-result');
  var receiptBox = document.getElementById('ticket-receipt');
  var receiptText = document.getElementById('receipt-text');
  var priorityButtons = Array.prototype.slice.call(document.querySelectorAll('.priority-btn'));

  /* Text in both languages: the chosen one big, the other small. */
  function bi(idText, enText) {
    return el('span', {className: 'bi'}, [el('span', {className: 't-id', text: idText}), el('span', {className: 't-en', text: enText || idText})]);
  }

  /* Text in the chosen language only (short facts such as "3 menunggu"). */
  /* "15-25 menit": the estimate's range (the expected wait when the range is not known). */
  function waitRange(x) {
    var low = x.estimated_wait_low, high = x.estimated_wait_high;
    if (low === null || low === undefined) low = high = x.estimated_wait_minutes || 0;
    return low === high ? String(low) : low + '-' + high;
  }

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
    updatePrinterBanner();
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
    var wait = screen === 'ticket' ? ticketIdleMs : CHOOSING_IDLE_MS;
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
    closeTicket();
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
      updatePrinterBanner();
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
        s.available ? el('span', {className: 'chip'}, [one(waitRange(s) + ' menit', waitRange(s) + ' min')]) : null,
        s.available && s.past_closing
          ? el('span', {className: 'chip chip-reason', 'data-testid': 'past-closing-' + s.id},
            [one('Mungkin tidak terlayani hari ini', 'May not be served before closing')]) : null,
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
      one(waitRange(t) + ' menit', waitRange(t) + ' min'));
    var path = '/t/' + encodeURIComponent(t.id);
    document.getElementById('ticket-qr').src = path + '/qr.svg';
    var link = document.getElementById('ticket-link');
    link.href = path;
    link.textContent = t.status_url || (location.origin + path);
    ticketSeq += 1;
    shownTicket = t;
    startPrintPanel(t);
    show('ticket');
  }

  function priorityWords(p) {
    var en = lang === 'en';
    if (p === 'elderly') return en ? 'Priority: elderly' : 'Prioritas lansia';
    if (p === 'disabled') return en ? 'Priority: disability' : 'Prioritas disabilitas';
    if (p === 'pregnant_or_child') return en ? 'Priority: pregnant or with a small child' : 'Prioritas ibu & anak';
    return '';
  }

  /* --- the printed slip ---------------------------------------------------------------
   * A kiosk with a printer says whether the slip came out. When it did not, the number and QR
   * stay up longer, the visitor may print it again, and the slip's text is on screen anyway
   * (that is also how the demo's preview printers "print"). A kiosk without a printer shows
   * the number as always. */

  function kioskPrinter() {
    return catalog && catalog.printer ? catalog.printer : null;
  }

  function updatePrinterBanner() {
    var p = kioskPrinter();
    // Before the visitor chooses (and while choosing); the confirmation screen says it itself.
    printerBanner.hidden = !(p && p.usable === false) || screen === 'ticket';
  }

  function closeTicket() {
    ticketSeq += 1;
    shownTicket = null;
    reprinting = false;
    ticketIdleMs = TICKET_IDLE_MS;
  }

  function startPrintPanel(t) {
    reprinting = false;
    reprintButton.disabled = false;
    setReprintResult(null);
    receiptBox.hidden = true;
    receiptText.textContent = '';
    var hasPrinter = !!kioskPrinter() || t.print_status !== 'none';
    printBox.hidden = !hasPrinter;
    screens.ticket.classList.toggle('has-print', hasPrinter);
    if (!hasPrinter) {
      ticketIdleMs = TICKET_IDLE_MS;
      printNotice.setAttribute('data-status', '');
      return;
    }
    renderPrint(t, false);
    loadSlip(t.id, ticketSeq);
  }

  function notice(kind, parts) {
    printNotice.className = 'print-notice print-' + kind;
    A.clear(printNotice);
    parts.forEach(function (p) { if (p) printNotice.appendChild(p); });
  }

  /* Show what the printer did with the ticket's slip. `timedOut`: a pending slip that did not
     come out within PRINT_POLL_FOR_MS. */
  function renderPrint(t, timedOut) {
    var status = t.print_status || 'none';
    var number = t.number;
    var before = ticketIdleMs;
    reprintButton.hidden = true;
    if (status === 'printed') {
      ticketIdleMs = TICKET_IDLE_MS;
      notice('printed', [
        el('span', {className: 'print-icon', 'aria-hidden': 'true', text: '\u2193'}),
        bi('Silakan ambil tiket Anda di bawah.', 'Please take your ticket below.')
      ]);
    } else if (status === 'pending' && !timedOut) {
      ticketIdleMs = TICKET_IDLE_MS;
      notice('pending', [
        el('span', {className: 'print-spinner', 'aria-hidden': 'true'}),
        bi('Tiket sedang dicetak\u2026', 'Printing your ticket\u2026')
      ]);
    } else if (status === 'pending') {
      // Still queued (e.g. the kiosk's print agent is away): it may come out later, so no reprint
      // button (that would print it twice), but the visitor should not count on it.
      ticketIdleMs = UNPRINTED_IDLE_MS;
      notice('unprinted', [
        el('span', {className: 'print-title'}, [bi('Tiket belum tercetak', 'Your ticket has not printed yet')]),
        el('span', {className: 'print-sub'}, [bi(
          'Nomor antrian ' + number + ' tetap berlaku. Silakan foto layar ini atau catat nomor Anda.',
          'Your number ' + number + ' is valid. Please take a photo of this screen or note your number.')])
      ]);
    } else {
      ticketIdleMs = UNPRINTED_IDLE_MS;
      notice('failed', [
        el('span', {className: 'print-title'}, [bi('Tiket tidak dapat dicetak', 'Your ticket could not be printed')]),
        el('span', {className: 'print-sub'}, [bi(
          'Nomor antrian ' + number + ' tetap berlaku. Silakan foto layar ini atau catat nomor Anda.',
          'Your number ' + number + ' is valid. Please take a photo of this screen or note your number.')]),
        t.print_error ? el('span', {className: 'print-error', 'data-testid': 'print-error', text: t.print_error}) : null
      ]);
      reprintButton.hidden = false;
      reprintButton.disabled = reprinting;
    }
    printNotice.setAttribute('data-status', timedOut && status === 'pending' ? 'unprinted' : status);
    if (status === 'pending' && !timedOut) pollPrint(t.id, ticketSeq, Date.now() + PRINT_POLL_FOR_MS);
    if (screen === 'ticket' && ticketIdleMs !== before) armIdle();
    printSide.hidden = reprintButton.hidden && reprintResult.hidden;
    fitReceipt();
  }

  function pollPrint(ticketId, seq, deadline) {
    setTimeout(function () {
      if (seq !== ticketSeq) return;
      A.api.get('/api/tickets/' + encodeURIComponent(ticketId)).then(function (t) {
        if (seq !== ticketSeq) return;
        shownTicket = t;
        if (t.print_status === 'pending' && Date.now() < deadline) pollPrint(ticketId, seq, deadline);
        else renderPrint(t, t.print_status === 'pending');
        if (t.print_status !== 'pending') loadSlip(ticketId, seq);
      }, function () {
        if (seq !== ticketSeq) return;
        if (Date.now() < deadline) pollPrint(ticketId, seq, deadline);
        else renderPrint(shownTicket, true);
      });
    }, PRINT_POLL_MS);
  }

  function loadSlip(ticketId, seq) {
    A.api.get('/api/tickets/' + encodeURIComponent(ticketId) + '/slip').then(function (slip) {
      if (seq !== ticketSeq || !slip || !slip.text) return;
      receiptText.textContent = slipText(slip.text);
      receiptText.className = 'receipt' + (slip.paper_mm && slip.paper_mm < 70 ? ' receipt-58' : '');
      receiptBox.hidden = false;
      fitReceipt();
    }, function () {
      /* the number is on screen all the same */
    });
  }

  /* The slip as printed, less the blank feed and the "cut here" line at its end (the box's edge is the cut). */
  function slipText(text) {
    var rows = text.replace(/\s+$/, '').split('\n');
    if (rows.length && /^-*\s*potong \/ cut\s*-*$/.test(rows[rows.length - 1])) rows.pop();
    while (rows.length && !/\S/.test(rows[rows.length - 1])) rows.pop();
    return rows.join('\n');
  }

  /* The receipt takes whatever height is left: on a small or crowded screen its type gets smaller
     (down to MIN_RECEIPT_PX), then its end is cut off (a fade, like paper still in the printer),
     rather than pushing the page into scrolling. */
  var MIN_RECEIPT_PX = 11;
  var MIN_RECEIPT_HEIGHT = 140;
  function receiptOverflow() {
    return receiptText.getBoundingClientRect().bottom + window.pageYOffset - (window.innerHeight - 36); // the page's bottom padding
  }
  var fitTimer = null;
  function fitReceipt() {
    if (fitTimer) clearTimeout(fitTimer);
    fitTimer = setTimeout(function () {
      fitTimer = null;
      receiptText.style.fontSize = '';
      receiptText.style.maxHeight = '';
      receiptText.classList.remove('receipt-clipped');
      // A phone-sized window scrolls anyway: the receipt keeps its size there.
      if (receiptBox.hidden || screen !== 'ticket' || window.innerWidth <= 800) return;
      for (var i = 0; i < 3; i++) {
        var over = receiptOverflow();
        if (over <= 0) return;
        var style = window.getComputedStyle(receiptText);
        var size = parseFloat(style.fontSize) || 15;
        var text = receiptText.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
        if (size <= MIN_RECEIPT_PX || text <= 0) break;
        receiptText.style.fontSize = Math.max(MIN_RECEIPT_PX, Math.floor(size * (text - over) / text * 10) / 10) + 'px';
      }
      var still = receiptOverflow();
      if (still > 0) {
        receiptText.style.maxHeight = Math.max(MIN_RECEIPT_HEIGHT, receiptText.offsetHeight - still) + 'px';
        receiptText.classList.add('receipt-clipped');
      }
    }, 0);
  }
  window.addEventListener('resize', fitReceipt);

  function setReprintResult(node, kind) {
    A.clear(reprintResult);
    reprintResult.hidden = !node;
    reprintResult.className = 'reprint-result' + (kind ? ' reprint-' + kind : '');
    if (node) reprintResult.appendChild(node);
    printSide.hidden = reprintButton.hidden && reprintResult.hidden;
    fitReceipt();
  }

  function reprintRefusal(err) {
    if (err.code === 'printer_down') {
      return el('span', {}, [
        bi('Printer masih bermasalah. Coba lagi sebentar lagi, atau minta bantuan petugas.',
          'The printer is still not working. Try again in a moment, or ask staff for help.'),
        el('span', {className: 'print-error', text: err.detail})
      ]);
    }
    return el('span', {text: err.detail});
  }

  /* One tap, one reprint: the button is disabled synchronously and the request carries an
     Idempotency-Key (api.js), so a retry after a lost answer does not print twice. */
  function reprint() {
    if (reprinting || !shownTicket) return;
    var seq = ticketSeq;
    var ticketId = shownTicket.id;
    reprinting = true;
    reprintButton.disabled = true;
    setReprintResult(bi('Mencetak ulang\u2026', 'Printing again\u2026'), 'busy');
    A.api.post('/api/tickets/' + encodeURIComponent(ticketId) + '/reprint').then(function (t) {
      if (seq !== ticketSeq) return;
      reprinting = false;
      shownTicket = t;
      setReprintResult(null);
      renderPrint(t, false);
      if (t.print_status !== 'pending') loadSlip(ticketId, seq);
      if (t.print_status === 'failed') {
        setReprintResult(bi('Cetak ulang gagal.', 'Printing again failed.'), 'error');
      }
    }, function (err) {
      if (seq !== ticketSeq) return;
      reprinting = false;
      reprintButton.disabled = false;
      setReprintResult(reprintRefusal(err), 'error');
    });
  }

  reprintButton.addEventListener('click', reprint);

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
      fitReceipt();
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

// Portcullis dashboard. Plain JS, no dependencies. Everything from the server (log lines
// above all: an attacker wrote them) goes into the page as text, never as HTML.
'use strict';

const API = '/api/v1';
const TOKEN_KEY = 'portcullis-token';
const $ = (sel) => document.querySelector(sel);

/** Creates an element with text and attributes; children may be strings or nodes. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else if (k === 'onclick') e.addEventListener('click', v);
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const svgNs = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const e = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// ---- talking to the API

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (method !== 'GET' && token) headers['Authorization'] = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(API + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit', cache: 'no-store',
  });
  let data = null;
  try { data = await r.json(); } catch (e) { /* no body */ }
  if (!r.ok) throw new ApiError(r.status, (data && data.error) || r.statusText);
  return data;
}

/** A write: asks for the token when there is none or it was refused, then tries again. */
async function write(method, path, body) {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!sessionStorage.getItem(TOKEN_KEY)) {
      const t = await askToken(attempt > 0 ? 'That token was refused.' : null);
      if (!t) return null;
    }
    try {
      return await api(method, path, body);
    } catch (e) {
      if (e.status === 401) { sessionStorage.removeItem(TOKEN_KEY); continue; }
      throw e;
    }
  }
  return null;
}

function askToken(error) {
  const dialog = $('#token-dialog');
  const input = $('#token-input');
  const err = $('#token-error');
  input.value = '';
  err.hidden = !error;
  err.textContent = error || '';
  return new Promise((resolve) => {
    const done = (value) => {
      $('#token-form').removeEventListener('submit', onSubmit);
      $('#token-cancel').removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      resolve(value);
    };
    const onSubmit = (ev) => {
      ev.preventDefault();
      const t = input.value.trim();
      if (!t) return;
      sessionStorage.setItem(TOKEN_KEY, t);
      updateTokenButton();
      done(t);
    };
    const onCancel = (ev) => { ev.preventDefault(); done(null); };
    $('#token-form').addEventListener('submit', onSubmit);
    $('#token-cancel').addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    input.focus();
  });
}

function updateTokenButton() {
  const has = !!sessionStorage.getItem(TOKEN_KEY);
  const b = $('#token-button');
  $('#token-label').textContent = has ? 'unlocked' : 'token';
  // an open shackle once the token is there
  $('#lock-shackle').setAttribute('d', has ? 'M8 11V7a4 4 0 0 1 7.5-2' : 'M8 11V8a4 4 0 0 1 8 0v3');
  b.classList.toggle('unlocked', has);
  b.title = has ? 'forget the token' : 'API token for unban and allow';
}

let toastTimer;
function toast(text, bad) {
  const t = $('#toast');
  t.textContent = text;
  t.className = 'toast' + (bad ? ' bad' : '');
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 3500);
}

// ---- formatting

const pad = (n) => String(n).padStart(2, '0');
function clock(epoch) {
  const d = new Date(epoch * 1000);
  return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}
function when(epoch) {
  const d = new Date(epoch * 1000);
  const today = new Date();
  const day = d.toDateString() === today.toDateString() ? '' :
    d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ';
  return day + clock(epoch);
}
function span(seconds) {
  if (seconds < 0) return 'for ever';
  const units = [['w', 604800], ['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  const out = [];
  for (const [u, n] of units) {
    if (seconds >= n) { out.push(Math.floor(seconds / n) + u); seconds %= n; }
    if (out.length === 2) break;
  }
  return out.length ? out.join('') : '0s';
}
function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }
function until(end) {
  if (end === null || end === undefined) return 'for ever';
  const left = end - Date.now() / 1000;
  return left <= 0 ? 'ending' : 'in ' + span(Math.round(left));
}

// ---- bans in force

let lastBans = new Set();

function banRow(b, fresh) {
  return el('tr', { 'data-ip': b.ip, 'data-jail': b.jail, class: fresh ? 'new' : null },
    el('td', { class: 'ip' }, el('a', { href: '#', onclick: (ev) => { ev.preventDefault(); why(b.ip); } }, b.ip),
      b.country ? el('span', { class: 'muted country', title: 'country (countrydb)' }, ' ' + b.country) : null,
      b.inside && b.inside.length ? el('div', { class: 'muted', title: b.inside.join('\n') }, 'earned by ' + b.inside.length + ': ' + b.inside.slice(0, 5).join(', ') + (b.inside.length > 5 ? ' …' : '')) : null),
    el('td', {}, el('span', { class: 'jail' }, b.jail)),
    el('td', { class: 'hide-s' }, when(b.time)),
    el('td', { title: b.end ? when(b.end) : 'for ever' }, until(b.end)),
    el('td', { class: 'num hide-s' }, b.failures || 'cmd'),
    el('td', { class: 'actions' },
      el('button', { class: 'small danger', type: 'button', 'data-action': 'unban', onclick: () => unban(b.ip) }, 'Unban'),
      el('button', { class: 'small ok', type: 'button', 'data-action': 'allow', onclick: () => allow(b.jail, b.ip) }, 'Allow')));
}

/** A ban from the live feed goes on the page at once; the next refresh brings its details. */
function showBan(e) {
  const body = $('#bans tbody');
  if (body.querySelector('tr[data-ip="' + CSS.escape(e.ip) + '"][data-jail="' + CSS.escape(e.jail) + '"]')) return;
  const end = e.bantime < 0 ? null : e.time + e.bantime;
  body.prepend(banRow({ jail: e.jail, ip: e.ip, time: e.time, end, failures: e.failures }, true));
  lastBans.add(e.jail + ' ' + e.ip);
  $('#bans-empty').hidden = true;
  $('#t-banned').textContent = body.children.length;
}

async function loadBans() {
  const bans = await api('GET', '/bans?limit=500');
  const body = $('#bans tbody');
  const seen = new Set();
  body.replaceChildren(...bans.map((b) => {
    const key = b.jail + ' ' + b.ip;
    seen.add(key);
    return banRow(b, !lastBans.has(key));
  }));
  lastBans = seen;
  $('#bans-empty').hidden = bans.length > 0;
  $('#bans-count').textContent = bans.length ? bans.length + (bans.length === 500 ? '+' : '') : '';
  $('#t-banned').textContent = bans.length === 500 ? '500+' : bans.length;
}

// A ban or unban answer (BanResult): whether the store and every action that keeps addresses
// out have taken the change, and if not, what is missing.
function complete(r) {
  return r.stored === r.count && r.actions.every(a => !a.keepsOut || a.failed + a.pending === 0);
}

function notTaken(r) {
  if (complete(r)) return '';
  const parts = [];
  if (r.stored !== r.count) parts.push('stored ' + r.stored + ' of ' + r.count + (r.store ? ': ' + r.store : ''));
  for (const a of r.actions) {
    if (a.keepsOut && a.failed + a.pending > 0) {
      parts.push(a.action + ' applied ' + a.applied + ' (' + a.failed + ' failed, ' + a.pending + ' pending' + (a.error ? ': ' + a.error : '') + ')');
    }
  }
  return '; not complete: ' + parts.join('; ');
}

async function unban(ip) {
  try {
    const r = await write('DELETE', '/bans/' + encodeURIComponent(ip));
    if (r) { toast('Unbanned ' + ip + ' (' + r.count + ' ban' + (r.count === 1 ? '' : 's') + ')' + notTaken(r), !complete(r)); refreshSoon(); }
  } catch (e) { toast(e.message, true); }
}

async function allow(jail, ip) {
  try {
    const r = await write('POST', '/jails/' + encodeURIComponent(jail) + '/allowed', { ip });
    if (!r) return;
    try { await write('DELETE', '/bans/' + encodeURIComponent(ip)); } catch (e) { if (e.status !== 404) throw e; }
    toast(ip + ' allowed in ' + jail + ' and let back in');
    refreshSoon();
  } catch (e) { toast(e.message, true); }
}

// ---- the live feed

const MAX_FEED = 150;

function describe(e) {
  switch (e.kind) {
    case 'failure': return e.ip + ' failed (#' + e.count + ')' + (e.evidence ? ' in ' + (e.evidence.file ? e.evidence.file.split('/').pop() : 'the journal') : '');
    case 'ban': return e.ip + ' banned for ' + span(e.bantime) + (e.failures ? ' after ' + e.failures + ' failures' : ' by command') + ' (ban #' + e.bancount + ')';
    case 'unban': return e.ip + ' unbanned (' + e.reason + ')';
    case 'allow': return e.ip + ' allowed (' + e.reason + ')';
    case 'blocked': return e.ip + ' blocked in the kernel ' + (e.latency * 1000).toFixed(1) + ' ms after its line was read';
    default: return e.ip;
  }
}

function addFeed(e, atTop) {
  const item = el('li', { 'data-kind': e.kind, title: e.evidence ? e.evidence.lines.join('\n') : null },
    el('time', {}, clock(e.time)),
    el('span', { class: 'kind k-' + e.kind }, e.kind),
    el('span', { class: 'what' }, el('span', { class: 'jail' }, e.jail), ' ', describe(e)));
  item.addEventListener('click', () => why(e.ip));
  const feed = $('#feed');
  if (atTop) feed.prepend(item); else feed.append(item);
  while (feed.children.length > MAX_FEED) feed.lastElementChild.remove();
  $('#feed-empty').hidden = true;
}

function connectFeed() {
  const status = $('#feed-status');
  const source = new EventSource(API + '/events');
  source.onopen = () => { status.dataset.state = 'live'; status.textContent = 'live'; };
  source.onerror = () => { status.dataset.state = 'lost'; status.textContent = 'reconnecting…'; };
  for (const kind of ['failure', 'ban', 'unban', 'allow', 'blocked']) {
    source.addEventListener(kind, (m) => {
      const e = JSON.parse(m.data);
      addFeed(e, true);
      if (kind === 'ban') showBan(e);
      if (kind === 'ban' || kind === 'unban' || kind === 'allow') refreshSoon(kind === 'ban' ? 0 : 150);
      if (kind === 'failure') statsSoon();
    });
  }
  source.addEventListener('dropped', (m) => {
    const d = JSON.parse(m.data);
    toast(d.dropped + ' events were too many to show');
  });
}

// ---- charts and top lists

function chart(name, series, from, step) {
  const n = series.failures.length;
  const max = Math.max(1, ...series.failures, ...series.bans);
  const W = 600, H = 84, bw = W / n;
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': name + ' failures and bans' });
  for (const f of [0.5, 1]) {
    const y = H - f * (H - 6);
    g.append(svg('line', { x1: 0, x2: W, y1: y, y2: y, class: 'grid-line' }));
  }
  series.failures.forEach((v, i) => {
    if (!v) return;
    const h = Math.max(2, (v / max) * (H - 6));
    const r = svg('rect', { x: i * bw + 0.5, y: H - h, width: Math.max(1, bw - 1), height: h, class: 'bar-f' });
    r.append(svg('title', {}));
    r.firstChild.textContent = clock(from + i * step) + ': ' + v + ' failures';
    g.append(r);
  });
  series.bans.forEach((v, i) => {
    if (!v) return;
    const h = Math.max(3, (v / max) * (H - 6));
    const r = svg('rect', { x: i * bw + bw * 0.3, y: H - h, width: Math.max(1, bw * 0.4), height: h, class: 'bar-b' });
    r.append(svg('title', {}));
    r.firstChild.textContent = clock(from + i * step) + ': ' + v + ' bans';
    g.append(r);
  });
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  return el('div', { class: 'chart', 'data-jail': name },
    el('div', { class: 'chart-head' }, el('span', { class: 'jail' }, name),
      el('span', { class: 'muted' }, plural(sum(series.failures), 'failure') + ' · ' + plural(sum(series.bans), 'ban') + ' · peak ' + max + '/' + (step === 60 ? 'min' : span(step)))),
    g,
    el('div', { class: 'axis' }, el('span', {}, clock(from).slice(0, 5)), el('span', {}, 'now')));
}

function fillTop(id, rows, cells) {
  const body = $('#' + id + ' tbody');
  body.replaceChildren(...rows.map((r) => el('tr', {}, ...cells(r))));
  document.querySelector('.empty[data-for="' + id + '"]').hidden = rows.length > 0;
}

async function loadStats() {
  const s = await api('GET', '/stats?window=1h&step=1m');
  let failures = 0, bans = 0;
  const charts = [];
  for (const [name, series] of Object.entries(s.jails)) {
    failures += series.failures.reduce((a, b) => a + b, 0);
    bans += series.bans.reduce((a, b) => a + b, 0);
    charts.push(chart(name, series, s.from, s.step));
  }
  $('#charts').replaceChildren(...charts);
  $('#t-failures').textContent = failures;
  $('#t-bans').textContent = bans;
  fillTop('top-addresses', s.addresses, (a) => [
    el('td', { class: 'ip' }, el('a', { href: '#', onclick: (ev) => { ev.preventDefault(); why(a.address); } }, a.address)),
    el('td', { class: 'num' }, a.failures), el('td', { class: 'num' }, a.bans)]);
  fillTop('top-networks', s.networks, (n) => [
    el('td', { class: 'mono' }, n.address), el('td', { class: 'num' }, n.addresses), el('td', { class: 'num' }, n.failures)]);
}

async function loadStatus() {
  const s = await api('GET', '/status');
  const broken = Object.keys(s.broken).length;
  $('#t-jails').textContent = s.jails.length + (broken ? ' (+' + broken + ' broken)' : '');
}

// ---- why an address is banned

function evidenceLines(events) {
  const out = [];
  const regexes = new Set();
  let file;
  for (const c of events) {
    if (!c.evidence) continue;
    const from = c.evidence.file || 'the journal';
    if (from !== file) { out.push(el('div', { class: 'from' }, 'from ', el('code', {}, from))); file = from; }
    for (const l of c.evidence.lines) out.push(el('code', { class: 'line', title: when(c.time) }, l));
    regexes.add(c.evidence.filter + ': ' + c.evidence.regex);
  }
  for (const r of regexes) out.push(el('div', { class: 'regex' }, 'matched by ', el('code', {}, r)));
  return out;
}

function whyEvent(e) {
  let head;
  switch (e.kind) {
    case 'ban': head = 'ban #' + e.bancount + ' for ' + span(e.bantime) + (e.failures ? ' after ' + e.failures + ' failures' : ' by command'); break;
    case 'failure': head = 'failure #' + e.count + (e.evidence && e.evidence.file ? ' in ' + e.evidence.file : ''); break;
    case 'unban': head = 'unban (' + e.reason + ')'; break;
    case 'allow': head = 'allowed until ' + when(e.until) + ' (' + e.reason + ')'; break;
    default: head = e.kind;
  }
  return el('div', { class: 'why-event k-' + e.kind },
    el('div', { class: 'head' }, el('b', { class: 'k-' + e.kind }, e.kind), when(e.time), ' · ', el('span', { class: 'jail' }, e.jail), ' ', head),
    ...evidenceLines(e.causes || [e]));
}

async function why(ip) {
  ip = ip.trim();
  if (!ip) return;
  $('#search-ip').value = ip;
  const panel = $('#why');
  const body = $('#why-body');
  $('#why-title').textContent = ip;
  panel.hidden = false;
  body.replaceChildren(el('p', { class: 'muted' }, 'Looking…'));
  try {
    const h = await api('GET', '/why/' + encodeURIComponent(ip));
    const parts = [];
    for (const [jail, list] of Object.entries(h.trusted || {})) {
      for (const t of list) {
        parts.push(el('p', { class: 'why-summary' }, 'Trusted in ', el('span', { class: 'jail' }, jail),
          ' until ' + when(t.until) + ' (' + t.reason + (t.account ? ' as ' + t.account : '') + (t.detail ? ': ' + t.detail : '')
          + (t.service ? '; ' + t.service + ' only' : '') + '; ' + t.failures + ' failure(s) since).'));
      }
    }
    if (h.country) {
      parts.push(el('p', { class: 'why-summary muted' }, 'Country: ' + h.country + ' (countrydb).'));
    }
    if (h.banned.length) {
      for (const b of h.banned) {
        parts.push(el('p', { class: 'why-summary' }, 'Banned in ', el('span', { class: 'jail' }, b.jail), ' since ' + when(b.time) + ', ' + until(b.end) + ' (ban #' + b.bancount + ').'));
        parts.push(el('div', { class: 'why-actions' },
          el('button', { class: 'small danger', type: 'button', onclick: () => unban(h.ip).then(() => why(h.ip)) }, 'Unban'),
          el('button', { class: 'small ok', type: 'button', onclick: () => allow(b.jail, h.ip).then(() => why(h.ip)) }, 'Allow')));
      }
    } else {
      parts.push(el('p', { class: 'why-summary muted' }, h.events.length ? 'Not banned now.' : 'Nothing is known about this address (events are kept for dbpurgeage).'));
    }
    parts.push(...h.events.map(whyEvent));
    if (h.more) parts.push(el('p', { class: 'muted' }, 'Older events left out.'));
    body.replaceChildren(...parts);
  } catch (e) {
    body.replaceChildren(el('p', { class: 'error' }, e.message));
  }
  panel.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

// ---- refreshing

let refreshTimer, statsTimer;
function refreshSoon(delay) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => { loadBans().catch(() => {}); loadStatus().catch(() => {}); statsSoon(); }, delay || 0);
}
function statsSoon() {
  if (statsTimer) return;
  statsTimer = setTimeout(() => { statsTimer = null; loadStats().catch(() => {}); }, 2000);
}

async function start() {
  updateTokenButton();
  $('#token-button').addEventListener('click', () => {
    if (sessionStorage.getItem(TOKEN_KEY)) { sessionStorage.removeItem(TOKEN_KEY); updateTokenButton(); toast('Token forgotten'); }
    else askToken(null);
  });
  $('#search').addEventListener('submit', (ev) => { ev.preventDefault(); why($('#search-ip').value); });
  $('#why-close').addEventListener('click', () => { $('#why').hidden = true; });
  connectFeed();
  try {
    const recent = await api('GET', '/history?limit=40');
    for (const e of recent) addFeed(e, false);
  } catch (e) { /* the feed fills as it goes */ }
  await Promise.allSettled([loadBans(), loadStats(), loadStatus()]);
  setInterval(() => { loadBans().catch(() => {}); loadStats().catch(() => {}); loadStatus().catch(() => {}); }, 30000);
}

document.addEventListener('DOMContentLoaded', start);

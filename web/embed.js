// Knobs embed script: put Knobs panels into any page, on any origin, with no other dependency.
//
//   <div data-knobs="https://knobs.example/#v=2&panel=quiz" data-knobs-title="Quiz: how a model learns"></div>
//   <script src="https://knobs.example/embed.js" defer></script>
//
// Each <div data-knobs="LINK"> becomes an iframe showing that link in embed mode (embed=1): it gets a
// title, grows and shrinks with its content (auto-height), and the app's events are re-dispatched on
// the div as DOM CustomEvents named "knobs:<event>" (they bubble, so one listener on document sees all).
// A relative LINK is relative to this script, i.e. to the Knobs site. The host page's origin is added
// as host=, so the app sends its events to this page and to no other, and accepts this page's commands.
//
// window.KnobsEmbed:
//   version                      the message schema this script speaks (1)
//   mount(div) -> iframe         turns one div into a frame (done for every [data-knobs] div at load)
//   mountAll(root = document)    mounts the divs added since
//   command(div, name, args)     -> Promise of {ok, error?}; waits for the app's "ready"
//
// The message schema is documented in docs/embedding.md ("Embedding").
(function () {
  'use strict';

  const SCHEMA = 1;
  const DEFAULT_TITLE = 'Knobs: a tiny language model you can train and explore';
  const DEFAULT_HEIGHT = 480;
  const MIN_HEIGHT = 120;
  const REPLY_TIMEOUT_MS = 15000;

  if (window.KnobsEmbed) return;   // loaded twice: the first copy already mounts everything

  // document.currentScript is only set while this file first runs; resolve links against it then.
  const scriptUrl = (document.currentScript && document.currentScript.src) || document.baseURI;
  const records = [];       // one per mounted frame
  let nextRequest = 1;

  function warn(...args) {
    console.warn('[knobs embed]', ...args);
  }

  // The hash of a Knobs link is a list of key=value pairs; lists inside values use bare commas, so
  // the pairs are edited as text rather than re-encoded by URLSearchParams (which would escape them).
  function embedLink(link) {
    const url = new URL(link, scriptUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`not an http(s) link: ${link}`);
    const pairs = url.hash.replace(/^#/, '').split('&').filter((pair) => pair !== '');
    const keyOf = (pair) => pair.split('=')[0];
    const kept = pairs.filter((pair) => keyOf(pair) !== 'embed');
    if (!kept.some((pair) => keyOf(pair) === 'v')) kept.unshift('v=2');
    kept.push('embed=1');
    if (!kept.some((pair) => keyOf(pair) === 'host')) {
      if (window.location.origin === 'null') {
        warn('this page has no origin (opened from a file?): the embedded app cannot send it events');
      } else {
        kept.push('host=' + encodeURIComponent(window.location.origin).replace(/%3A/gi, ':').replace(/%2F/gi, '/'));
      }
    }
    url.hash = kept.join('&');
    return url;
  }

  function numberAttribute(element, name, fallback) {
    const value = Number(element.getAttribute(name));
    return element.hasAttribute(name) && Number.isFinite(value) && value > 0 ? value : fallback;
  }

  function mount(element) {
    if (!(element instanceof Element)) throw new TypeError('KnobsEmbed.mount(div): div must be an element');
    const existing = records.find((record) => record.element === element);
    if (existing) return existing.iframe;
    let url;
    try {
      url = embedLink(element.getAttribute('data-knobs') || '');
    } catch (error) {
      warn(`data-knobs="${element.getAttribute('data-knobs')}" is not a Knobs link:`, error.message);
      return null;
    }
    const iframe = document.createElement('iframe');
    iframe.src = url.href;
    iframe.title = element.getAttribute('data-knobs-title') || DEFAULT_TITLE;
    // Copy link and copy-to-clipboard buttons inside a cross-origin frame need the host's permission.
    iframe.setAttribute('allow', 'clipboard-write');
    if (element.getAttribute('data-knobs-loading') === 'lazy') iframe.loading = 'lazy';
    // Styles set through the CSSOM, which a strict style-src policy on the host page still allows.
    iframe.style.display = 'block';
    iframe.style.width = '100%';
    iframe.style.border = '0';
    iframe.style.height = numberAttribute(element, 'data-knobs-height', DEFAULT_HEIGHT) + 'px';
    const record = {
      element, iframe, origin: url.origin, ready: false, queue: [], pending: new Map(),
      minHeight: numberAttribute(element, 'data-knobs-min-height', MIN_HEIGHT),
      maxHeight: numberAttribute(element, 'data-knobs-max-height', Infinity),
    };
    records.push(record);
    element.replaceChildren(iframe);   // any fallback content (a plain link) gives way to the frame
    element.setAttribute('data-knobs-mounted', '');
    return iframe;
  }

  function mountAll(root) {
    const scope = root || document;
    return Array.from(scope.querySelectorAll('[data-knobs]:not([data-knobs-mounted])'), mount).filter(Boolean);
  }

  function applyHeight(record, height) {
    if (typeof height !== 'number' || !Number.isFinite(height) || height <= 0) return;
    const clamped = Math.round(Math.min(record.maxHeight, Math.max(record.minHeight, height)));
    // Small differences are rounding between the two documents; following them could make the frame jitter.
    const current = parseFloat(record.iframe.style.height) || 0;
    if (Math.abs(clamped - current) >= 2) record.iframe.style.height = clamped + 'px';
  }

  function send(record, request) {
    record.iframe.contentWindow.postMessage(
      { type: 'knobs:command', version: SCHEMA, id: request.id, command: request.command, args: request.args }, record.origin);
  }

  function command(target, name, args) {
    const record = records.find((r) => r.element === target || r.iframe === target);
    if (!record) return Promise.reject(new TypeError('KnobsEmbed.command(div, name, args): div is not a mounted [data-knobs] element'));
    if (typeof name !== 'string' || name === '') return Promise.reject(new TypeError('KnobsEmbed.command(div, name, args): name must be a string'));
    const request = { id: `knobs-${nextRequest++}`, command: name, args: args && typeof args === 'object' ? args : {} };
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        record.pending.delete(request.id);
        resolve({ ok: false, error: `no reply from the app within ${REPLY_TIMEOUT_MS / 1000} s` });
      }, REPLY_TIMEOUT_MS);
      record.pending.set(request.id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      // Before "ready" the app may not be listening yet: hold the command until it is.
      if (record.ready) send(record, request);
      else record.queue.push(request);
    });
  }

  let warnedVersion = false;
  window.addEventListener('message', (event) => {
    // Only our frames, from the origin we loaded them from; everything else on the page is not ours.
    const record = records.find((r) => r.iframe.contentWindow === event.source);
    if (!record || event.origin !== record.origin) return;
    const message = event.data;
    if (!message || typeof message !== 'object' || (message.type !== 'knobs:event' && message.type !== 'knobs:reply')) return;
    if (message.version !== SCHEMA) {
      if (!warnedVersion) warn(`the app speaks message version ${message.version}; this script speaks ${SCHEMA}. Load embed.js from the same site as the app.`);
      warnedVersion = true;
      return;
    }
    if (message.type === 'knobs:reply') {
      const done = record.pending.get(message.id);
      if (done) {
        record.pending.delete(message.id);
        done(message.error === undefined ? { ok: message.ok === true } : { ok: message.ok === true, error: message.error });
      }
      return;
    }
    if (typeof message.event !== 'string') return;
    const data = message.data;
    if (message.event === 'ready') {
      record.ready = true;
      if (data && data.height) applyHeight(record, data.height);
      for (const request of record.queue.splice(0)) send(record, request);
    } else if (message.event === 'resize') {
      applyHeight(record, data && data.height);
    }
    record.element.dispatchEvent(new CustomEvent('knobs:' + message.event, { detail: data, bubbles: true }));
  });

  window.KnobsEmbed = Object.freeze({ version: SCHEMA, mount, mountAll, command });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => mountAll(document));
  else mountAll(document);
})();

  // ==== web/glue/40-clipboard-events.js ================================================================
  // What the C++ side calls back for: the clipboard, its events to knobs.on() listeners and its fatal errors;
  // and notify(), the page's way to show a notice among the app's own.

  // ---- clipboard (copy) and events: called from C++ ---------------------------------------------

  function copyWithSelection(text) {
    const helper = document.createElement('textarea');
    helper.value = text;
    helper.setAttribute('readonly', '');
    helper.setAttribute('aria-hidden', 'true');
    helper.className = 'clipboard-helper';
    const previous = document.activeElement;
    document.body.appendChild(helper);
    helper.select();
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
    helper.remove();
    if (previous && typeof previous.focus === 'function') previous.focus({ preventScroll: true });
    if (!copied) console.warn('[knobs] the browser refused to copy to the clipboard');
    return copied;
  }

  // Resolves to whether the text reached the clipboard. Never rejects.
  function writeClipboard(text) {
    const value = String(text === undefined || text === null ? '' : text);
    try {
      if (navigator.clipboard && typeof navigator.clipboard.writeText === 'function' && window.isSecureContext) {
        return navigator.clipboard.writeText(value).then(() => true, () => copyWithSelection(value));
      }
      return Promise.resolve(copyWithSelection(value));
    } catch (error) {
      console.warn('[knobs] copy failed:', error);
      return Promise.resolve(false);
    }
  }

  function copyText(text) {
    // Never throw back into wasm: the C++ caller cannot handle a JS exception.
    writeClipboard(text);
  }

  const listeners = new Map();   // event name -> Set of functions ('*' receives every event)

  function deliver(name, payload) {
    for (const key of [name, '*']) {
      const set = listeners.get(key);
      if (!set) continue;
      for (const fn of Array.from(set)) {
        try {
          if (key === '*') fn(name, payload);
          else fn(payload, name);
        } catch (error) {
          console.error(`[knobs] a listener for "${name}" threw:`, error);
        }
      }
    }
  }

  // Listeners run in a microtask, after the current call into wasm has returned: a listener may
  // call knobs.state() or knobs.command() without re-entering the C++ frame that emitted the event.
  function emitLocal(name, payload) {
    queueMicrotask(() => deliver(name, payload));
  }

  function emitFromApp(name, json) {
    try {
      if (typeof name !== 'string' || name === '') {
        console.warn('[knobs] knobsGlue.emit() needs an event name, got', name);
        return;
      }
      let payload = null;
      if (json !== undefined && json !== null && json !== '') {
        try {
          payload = JSON.parse(String(json));
        } catch {
          console.warn(`[knobs] event "${name}" carried invalid JSON; passing the raw text`);
          payload = String(json);
        }
      }
      emitLocal(name, payload);
    } catch (error) {
      console.warn('[knobs] emit failed:', error);
    }
  }

  // main() calls this when it cannot go on (e.g. "webgl2": no context); kinds as in STRINGS.errors.
  function fatalFromApp(kind, message) {
    try {
      const known = kind === 'webgl2' ? 'no-webgl2' : String(kind);
      const detail = new Error(message ? String(message) : `the app reported "${kind}"`);
      fail(STRINGS.en.errors[known] ? known : 'crash', {}, detail);
    } catch (error) {
      console.warn('[knobs] fatal() failed:', error);
    }
  }

  // ---- notices from the page -------------------------------------------------------------------------

  function noticeStrings() {
    return STRINGS[currentLanguage()].notices;
  }

  // File names come from the learner's disk; keep them readable inside a one-line notice.
  function shortName(name) {
    const text = String(name || '');
    return text.length > 80 ? text.slice(0, 77) + '…' : text;
  }

  // Shows a message among the app's own notices (the "notify" command). Always later, in a task of its
  // own: the callers are often inside a call from C++ (a frame), which must not be re-entered. For the
  // same reason `text` may be a function, called then: the notice strings depend on the app's language,
  // which only the app knows.
  // At most `max` characters, never half of one: slicing UTF-16 could split an emoji's surrogate pair,
  // which would reach the app as U+FFFD.
  function cutText(text, max) {
    const chars = Array.from(text);
    return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
  }

  // A notice in the app. With `refusedPurpose` ('weights' or 'text') it is a file refused before reading,
  // which the panel that takes such files also shows on its error line.
  function notify(text, isError, refusedPurpose) {
    const show = () => {
      if (!runtime.running || fatalError) return;
      const message = cutText(String(typeof text === 'function' ? text() : text), 320);   // the commands take 1000 bytes
      (isError ? console.warn : console.info)('[knobs]', message);
      let reply = refusedPurpose ? api.command('file_refused', { purpose: refusedPurpose, text: message }) : null;
      // An engine without file_refused (an older build) still shows the notice.
      if (!reply || !reply.ok) reply = api.command('notify', { text: message, error: Boolean(isError) });
      if (!reply.ok) console.warn('[knobs] notify:', reply.error);
    };
    if (runtime.running) setTimeout(show, 0);
    else readyPromise.then(show, () => {});
  }

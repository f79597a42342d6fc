  // ==== web/glue/90-page-api.js ========================================================================
  // window.knobs, the page API (docs/page-api.md): ready, state(), command(), on()/off(), links and files.

  // ---- the page API: window.knobs ----------------------------------------------------------------

  const readyControl = {};
  const readyPromise = new Promise((resolve, reject) => {
    readyControl.resolve = resolve;
    readyControl.reject = reject;
  });
  // Mark it handled: a page that never awaits `ready` should not get an "unhandled rejection" report.
  // Anyone who does await it still sees the rejection.
  readyPromise.catch(() => {});

  let cachedVersion = null;

  const api = {
    get version() {
      if (cachedVersion === null && runtime.running) {
        cachedVersion = readCString(callExport('knobs_version', [], 0)) || null;
      }
      return cachedVersion;
    },
    ready: readyPromise,
    isReady: () => runtime.ready,
    state() {
      if (!runtime.running) return null;
      return rawState();
    },
    command(name, args) {
      if (typeof name !== 'string' || name === '') {
        throw new TypeError('knobs.command(name, args): name must be a non-empty string, e.g. "set_theme"');
      }
      if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
        throw new TypeError('knobs.command(name, args): args must be a plain object, e.g. { theme: "light" }');
      }
      if (args && Object.prototype.hasOwnProperty.call(args, 'cmd')) {
        throw new TypeError('knobs.command(name, args): put the command in `name`, not in args.cmd');
      }
      if (fatalError) return { ok: false, error: `Knobs is not running (${fatalError.kind})` };
      if (!runtime.running) return { ok: false, error: 'Knobs is still loading; await knobs.ready first' };
      const request = JSON.stringify(Object.assign({ cmd: name }, args || {}));
      const reply = readCString(callWithString('knobs_command', request, 0));
      try {
        return JSON.parse(reply);
      } catch {
        return { ok: false, error: `the app answered with invalid JSON: ${reply.slice(0, 200)}` };
      }
    },
    on(event, fn) {
      if (typeof event !== 'string' || event === '') throw new TypeError('knobs.on(event, fn): event must be a non-empty string');
      if (typeof fn !== 'function') throw new TypeError('knobs.on(event, fn): fn must be a function');
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(fn);
      return () => api.off(event, fn);
    },
    off(event, fn) {
      const set = listeners.get(event);
      return set ? set.delete(fn) : false;
    },
    timings: () => Object.assign({}, timings),
    // The address of the current state (this page + the app's fragment), or null before the engine runs.
    link: () => linkUrl(),
    copyLink: () => copyLink(),
    // Opens a File or Blob as the file picker would; resolves to whether the app took it.
    openFile(file, purpose) {
      if (!(file instanceof Blob)) throw new TypeError('knobs.openFile(file, purpose): file must be a File or Blob');
      if (purpose !== undefined && !FILE_PURPOSES[purpose]) {
        throw new TypeError('knobs.openFile(file, purpose): purpose must be "weights" or "text" (or left out)');
      }
      return openFile(file, purpose);
    },
  };
  Object.defineProperty(window, 'knobs', { value: Object.freeze(api), enumerable: true });

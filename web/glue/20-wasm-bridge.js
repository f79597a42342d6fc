  // ==== web/glue/20-wasm-bridge.js =====================================================================
  // Calling into the engine: whether main() runs yet, the boot timings, and the helpers every later piece
  // uses to call a C++ export (passing strings on the wasm heap) and to read the app's state and catalog.

  // ---- the Emscripten runtime and the C++ exports ------------------------------------------------

  const runtime = {
    running: false,      // main() has started: exports may be called
    ready: false,        // the app has drawn its first frame
    warnedMissing: new Set(),
  };

  const timings = {};    // performance.now() at each boot milestone (ms since navigation start)
  function mark(name) {
    timings[name] = performance.now();
    try { performance.mark('knobs:' + name); } catch { /* the User Timing API is optional */ }
  }

  function exportFunction(name) {
    const fn = window.Module && window.Module['_' + name];
    return typeof fn === 'function' ? fn : null;
  }

  // Calls a C++ export if this build has it; warns once if not, so a partial build still runs.
  function callExport(name, args, fallback) {
    const fn = exportFunction(name);
    if (!fn) {
      if (!runtime.warnedMissing.has(name)) {
        runtime.warnedMissing.add(name);
        console.warn(`[knobs] this build does not export ${name}(); the page continues without it`);
      }
      return fallback;
    }
    return fn.apply(null, args);
  }

  // Passes a JS string as a NUL-terminated UTF-8 C string on the wasm heap. The heap (not the
  // stack, which ccall would use) so a large paste cannot overflow the 1 MB stack.
  function callWithString(name, text, fallback) {
    const fn = exportFunction(name);
    if (!fn) return callExport(name, [], fallback);
    const M = window.Module;
    const size = M.lengthBytesUTF8(text) + 1;
    const ptr = M._malloc(size);
    if (!ptr) throw new Error(`out of memory passing ${size} bytes to ${name}()`);
    try {
      M.stringToUTF8(text, ptr, size);
      return fn(ptr);
    } finally {
      M._free(ptr);
    }
  }

  function readCString(ptr) {
    return ptr ? window.Module.UTF8ToString(ptr) : '';
  }

  function rawState() {
    return JSON.parse(readCString(callExport('knobs_state_json', [], 0)) || 'null');
  }

  function safeState() {
    try {
      return rawState();
    } catch {
      return null;
    }
  }

  // A list the app and the page share, from the catalog in the app's state (src/app/catalog.h): 'panels'
  // (the panel ids in tab order), 'languages' or 'training_milestones'. The app is their one source, so the
  // glue keeps no copy; [] when the state has no such list.
  function catalogList(snapshot, name) {
    const catalog = snapshot && snapshot.catalog;
    return catalog && Array.isArray(catalog[name]) ? catalog[name] : [];
  }

  // ==== web/glue/95-boot.js ============================================================================
  // Starting up: download and compile the wasm, load knobs.js, wait for main() and the first frame; the
  // display settings restored at start; page visibility and the WebGL context; and boot(), which runs it
  // all. The last piece: it closes the wrapper that 00-config-strings.js opens.

  // ---- boot --------------------------------------------------------------------------------------

  // A file's name as messages show it: without the build id its address carries ("knobs.wasm", not
  // "knobs.wasm?v=…"); the id is in <html data-knobs-build> and the technical details.
  function shownName(url) {
    return url.replace(/[?#].*$/, '');
  }

  // Downloads the wasm with a streaming reader (for the progress bar) and compiles it while it
  // arrives. Resolves to a WebAssembly.Module; rejects with a KnobsLoadError.
  async function downloadAndCompile(url) {
    const strings = STRINGS[browserLanguage()];
    setProgress(0, strings.downloading, '');
    let response;
    try {
      response = await fetch(url, { credentials: 'same-origin' });
    } catch (error) {
      // In a frame sandboxed without allow-same-origin the page has an opaque origin, so this fetch is
      // cross-origin and fails for want of CORS headers: say that rather than blame the network.
      throw new KnobsLoadError(hasOpaqueOrigin() ? 'sandbox' : 'network', { file: shownName(url) }, error);
    }
    if (!response.ok) {
      const status = `${response.status}${response.statusText ? ' ' + response.statusText : ''}`;
      throw new KnobsLoadError('http', { file: shownName(url), status }, new Error(`HTTP ${status} for ${response.url || url}`));
    }
    // Content-Length counts encoded bytes; with compression it would not match what the reader
    // yields, so the bar is only a fraction when the body is not encoded.
    const encoded = (response.headers.get('Content-Encoding') || 'identity') !== 'identity';
    const total = encoded ? 0 : Number(response.headers.get('Content-Length')) || 0;
    let loaded = 0;
    const report = () => {
      if (total > 0 && loaded <= total) {
        setProgress(PHASE_END.download * loaded / total, strings.downloading,
          fill(strings.of, { done: megabytes(loaded), total: megabytes(total) }));
      } else {
        setIndeterminate(strings.downloading, megabytes(loaded));
      }
    };
    report();

    let body;
    if (response.body && typeof response.body.getReader === 'function') {
      const reader = response.body.getReader();
      body = new ReadableStream({
        async pull(controller) {
          let chunk;
          try {
            chunk = await reader.read();
          } catch (error) {
            controller.error(new KnobsLoadError('network', { file: shownName(url) }, error));
            return;
          }
          if (chunk.done) {
            mark('wasmDownloaded');
            controller.close();
            return;
          }
          loaded += chunk.value.byteLength;
          report();
          controller.enqueue(chunk.value);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      });
    } else {
      body = null;
    }

    const afterDownload = () => setProgress(PHASE_END.download, strings.compiling, '');
    try {
      if (body && typeof WebAssembly.compileStreaming === 'function') {
        const streamed = new Response(body, { headers: { 'Content-Type': 'application/wasm' } });
        const module = await WebAssembly.compileStreaming(streamed);
        afterDownload();
        return module;
      }
      const bytes = await (body ? new Response(body) : response).arrayBuffer();
      if (!timings.wasmDownloaded) mark('wasmDownloaded');
      loaded = bytes.byteLength;
      report();
      afterDownload();
      return await WebAssembly.compile(bytes);
    } catch (error) {
      if (error instanceof KnobsLoadError) throw error;
      if (error instanceof WebAssembly.CompileError) throw new KnobsLoadError('compile', { file: shownName(url) }, error);
      // compileStreaming reports a failed stream as a TypeError.
      throw new KnobsLoadError('network', { file: shownName(url) }, error);
    }
  }

  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.addEventListener('load', () => resolve());
      script.addEventListener('error', () => {
        // A script error event has no status; ask the server so the message can say what happened.
        fetch(url, { method: 'HEAD', cache: 'no-store' })
          .then((response) => response.ok ? '' : ` (${response.status})`, () => '')
          .then((status) => reject(new KnobsLoadError('script', { file: shownName(url), status },
            new Error(`could not load ${url}${status}`))));
      });
      document.head.appendChild(script);
    });
  }

  // After the first visit the app works offline: sw.js keeps a copy of its files. Registered once the app
  // runs, so installing it (which downloads this build's files once more, past the HTTP cache) never
  // competes with the first start. Where browsers allow no service worker (an insecure http:// address,
  // a sandboxed frame without an origin, storage disabled) the app simply stays online-only.
  // <html data-knobs-offline> says how it went: "registering", "ready", or "unavailable".
  function keepOfflineCopy() {
    const root = document.documentElement;
    if (!config.serviceWorkerUrl) return;
    let container = null;
    try {
      if (window.isSecureContext && window.origin !== 'null') container = navigator.serviceWorker || null;
    } catch { /* reading navigator.serviceWorker throws where storage is blocked */ }
    if (!container) {
      root.dataset.knobsOffline = 'unavailable';
      return;
    }
    root.dataset.knobsOffline = 'registering';
    container.register(config.serviceWorkerUrl)
      .then(() => container.ready)
      .then(() => { root.dataset.knobsOffline = 'ready'; },
        (error) => {
          root.dataset.knobsOffline = 'unavailable';
          console.info(`[knobs] no offline copy (${describeCause(error)}); the app works online as before`);
        });
  }

  // Polls the app until it reports its first rendered frame.
  function waitForFirstFrame() {
    const tick = () => {
      if (fatalError) return;
      const snapshot = safeState();
      if (snapshot && snapshot.ready === true) {
        mark('firstFrame');
        runtime.ready = true;
        setPageState('ready');
        hideLoader();
        // Top-level page: take the keyboard right away. In an iframe, never steal focus from the host.
        // No focus ring for this: the user did not navigate here with the keyboard.
        if (window.top === window && document.activeElement === document.body) {
          canvas.focus({ preventScroll: true, focusVisible: false });
        }
        readyControl.resolve(api);
        emitLocal('ready', { version: api.version });
        keepOfflineCopy();
        return;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  function onMainStarted() {
    if (runtime.running || fatalError) return;
    mark('mainStarted');
    runtime.running = true;
    const strings = STRINGS[browserLanguage()];
    setProgress(PHASE_END.start, strings.starting, '');
    // main() has created the GLFW window (possibly at a default size): give it the real one.
    syncCanvasSize(true);
    callExport('knobs_set_visible', [document.visibilityState === 'hidden' ? 0 : 1]);
    if (contextState.lost) callExport('knobs_context_lost', []);
    watchPointerKind();
    watchReducedMotion();
    restoreDisplaySettings();
    startLinks();
    announceToHost();
    openShippedModel();
    watchState();
    watchMirror();
    waitForFirstFrame();
  }

  // Tells the app a media query's answer with `command {key: matches}`, now and whenever it changes.
  function tellMediaQuery(query, command, key) {
    if (typeof window.matchMedia !== 'function') return;
    const media = window.matchMedia(query);
    const tell = () => {
      const reply = api.command(command, { [key]: media.matches });
      if (!reply.ok) console.warn(`[knobs] ${command}:`, reply.error);
    };
    tell();
    media.addEventListener('change', tell);
  }

  // Touch-first devices get bigger targets: whether the main pointer is coarse, now and whenever it
  // changes (a tablet's keyboard cover attached, a mouse plugged in).
  function watchPointerKind() {
    tellMediaQuery('(pointer: coarse)', 'set_pointer', 'coarse');
  }

  // prefers-reduced-motion: the app stops its animations (knobs turning, the lifecycle's flow) while the
  // system asks for less motion, unless the learner chose otherwise in the Help panel.
  function watchReducedMotion() {
    tellMediaQuery('(prefers-reduced-motion: reduce)', 'set_system_motion', 'reduce');
  }

  // ---- display settings in localStorage: the UI scale and the motion choice ---------------------------
  // They belong to the learner and this browser, not to a link: a shared link never changes the size of
  // someone else's text. The glue restores them at start and saves them whenever the state shows a change.

  const DISPLAY_KEY = 'knobs.display.v1';
  const display = { saved: null };

  function restoreDisplaySettings() {
    let stored = null;
    try {
      stored = JSON.parse(window.localStorage.getItem(DISPLAY_KEY) || 'null');
    } catch (error) {
      console.warn(`[knobs] could not read the display settings (${describeCause(error)}); using the defaults`);
    }
    if (stored && typeof stored === 'object') {
      if (typeof stored.ui_scale === 'number') api.command('set_ui_scale', { scale: stored.ui_scale });
      if (typeof stored.motion === 'string') api.command('set_motion', { motion: stored.motion });
    }
    // An engine without the display settings (an older build, or the tests' fake engine) has no `motion`.
    const snapshot = safeState();
    if (snapshot && snapshot.motion) {
      display.saved = JSON.stringify({ ui_scale: snapshot.ui_scale, motion: snapshot.motion.setting });
    }
  }

  function saveDisplaySettings(snapshot) {
    if (typeof snapshot.ui_scale !== 'number' || !snapshot.motion) return;
    const mine = { ui_scale: snapshot.ui_scale, motion: snapshot.motion.setting };
    const text = JSON.stringify(mine);
    if (text === display.saved) return;
    const before = display.saved ? JSON.parse(display.saved) : {};
    display.saved = text;
    try {
      // Only what this tab changed is written over the stored record: a change another tab made to the
      // other setting since is kept.
      let stored = null;
      try {
        stored = JSON.parse(window.localStorage.getItem(DISPLAY_KEY) || 'null');
      } catch { /* unreadable: replaced below */ }
      const merged = stored && typeof stored === 'object' && !Array.isArray(stored) ? stored : {};
      for (const key of Object.keys(mine)) if (mine[key] !== before[key] || !(key in merged)) merged[key] = mine[key];
      window.localStorage.setItem(DISPLAY_KEY, JSON.stringify({ ui_scale: merged.ui_scale, motion: merged.motion }));
    } catch (error) {
      console.warn(`[knobs] could not save the display settings (${describeCause(error)})`);
    }
  }

  // A WebAssembly trap inside the main loop is rethrown by Emscripten as an uncaught error and stops
  // the loop without calling onAbort. Only errors that come from the engine are treated as fatal.
  function isEngineError(error, filename) {
    if (typeof WebAssembly === 'object' && error instanceof WebAssembly.RuntimeError) return true;
    return typeof filename === 'string' && /(^|\/)knobs\.js(\?|#|$)/.test(filename);
  }

  window.addEventListener('error', (event) => {
    if (isEngineError(event.error, event.filename)) fail('crash', {}, event.error || event.message);
  });
  window.addEventListener('unhandledrejection', (event) => {
    if (isEngineError(event.reason)) fail('crash', {}, event.reason);
  });

  // ---- page visibility and the WebGL context --------------------------------------------------------

  document.addEventListener('visibilitychange', () => {
    if (runtime.running) callExport('knobs_set_visible', [document.visibilityState === 'hidden' ? 0 : 1]);
  });

  const contextState = { lost: false, timer: 0 };

  canvas.addEventListener('webglcontextlost', (event) => {
    // Without preventDefault the browser never restores the context.
    event.preventDefault();
    contextState.lost = true;
    if (runtime.running) callExport('knobs_context_lost', []);
    emitLocal('contextlost', null);
    clearTimeout(contextState.timer);
    contextState.timer = setTimeout(() => {
      if (!contextState.lost || fatalError) return;
      contextLostShown = true;
      setPageState('context-lost');
      renderError('context-lost', {}, '');
    }, config.contextRestoreTimeoutMs);
  });

  canvas.addEventListener('webglcontextrestored', () => {
    contextState.lost = false;
    clearTimeout(contextState.timer);
    if (runtime.running) callExport('knobs_context_restored', []);
    if (contextLostShown && !fatalError) {
      contextLostShown = false;
      ui.error.hidden = true;
      setPageState(runtime.ready ? 'ready' : 'loading');
    }
    emitLocal('contextrestored', null);
  });

  // ---- start -----------------------------------------------------------------------------------------

  function boot() {
    mark('glueStarted');
    // Which build runs here, for people and tests: index.html's <meta name="knobs-build"> says which build
    // the page is, this says which build the glue is (docs/embedding.md, "Offline").
    document.documentElement.dataset.knobsBuild = BUILD_ID;
    localizeShell();
    installInputHandlers();
    installDropHandlers();
    createFileInput();
    startEmbedding();

    if (!hasWebAssembly()) return fail('no-wasm', {}, new Error('WebAssembly is not defined'));
    if (!hasWasmSimd()) return fail('no-simd', {}, new Error('WebAssembly.validate rejected a SIMD module'));
    const side = probeWebGL2();
    if (!side) return fail('no-webgl2', {}, new Error('getContext("webgl2") returned null'));
    maxCanvasSide = side;

    startSizing();
    slowHintTimer = setTimeout(() => {
      ui.slowHint.textContent = STRINGS[browserLanguage()].slow;
      ui.slowHint.hidden = false;
    }, config.slowStartHintMs);

    const compiled = downloadAndCompile(config.wasmUrl).then((module) => {
      mark('wasmCompiled');
      // The model downloads while the engine instantiates and starts, not against the engine's download.
      if (!shippedModel) fetchShippedModel();
      return module;
    });
    compiled.catch((error) => fail(error.kind || 'compile', error.values || { file: shownName(config.wasmUrl) }, error));

    window.Module = {
      canvas,
      print: (text) => console.log(text),
      printErr: (text) => { rememberStderr(text); console.warn(text); },
      // Emscripten calls this instead of fetching the wasm itself; we already have it compiling.
      instantiateWasm(imports, receiveInstance) {
        compiled
          .then((module) => WebAssembly.instantiate(module, imports).then((instance) => {
            mark('wasmInstantiated');
            receiveInstance(instance, module);
          }, (error) => fail('instantiate', {}, error)))
          .catch((error) => {
            // A download/compile failure is already reported above; anything else started here.
            if (!(error instanceof KnobsLoadError)) fail('crash', {}, error);
          });
        return {};   // exports arrive later, through receiveInstance
      },
      onRuntimeInitialized: () => mark('runtimeInitialized'),
      postRun: [onMainStarted],
      onAbort: (what) => fail('abort', {}, what instanceof Error ? what : new Error(String(what))),
    };

    loadScript(config.scriptUrl).catch((error) => fail(error.kind || 'script', error.values || { file: shownName(config.scriptUrl) }, error));
  }

  boot();
})();

// Knobs web glue: boots the Emscripten build (knobs.js + knobs.wasm) and makes a full-window
// ImGui canvas behave like a good citizen of a web page (or an iframe).
//
// Public surface (documented in docs/page-api.md):
//   window.knobs      the page API: version, ready, isReady(), state(), command(), on(), off(), timings()
//   window.knobsGlue  called by the C++ side: copyText(text), emit(name, jsonString), started(),
//                     fatal(kind, message)
//
// This file must load BEFORE knobs.js: Emscripten's GLFW registers its keyboard listeners on `window`
// in the capture phase, and ours must be registered first to be able to stop events before GLFW sees
// them (listeners on the same target and phase run in registration order).
(function () {
  'use strict';

  // ---- configuration ---------------------------------------------------------------------------

  // Tests may shorten the timers by defining window.KNOBS_CONFIG before this script runs.
  const userConfig = (typeof window.KNOBS_CONFIG === 'object' && window.KNOBS_CONFIG) || {};
  const config = {
    wasmUrl: 'knobs.wasm',
    scriptUrl: 'knobs.js',
    // How long a lost WebGL context may stay lost before we tell the user to reload.
    contextRestoreTimeoutMs: positiveNumber(userConfig.contextRestoreTimeoutMs, 4000),
    // When to reassure the user that a slow start is still a start.
    slowStartHintMs: positiveNumber(userConfig.slowStartHintMs, 15000),
    // Largest canvas side in pixels we ask for; the GPU's own limit may be lower.
    maxCanvasSide: 8192,
    // The device pixel ratios the app renders at (set_canvas_size() in src/app/commands.cpp clamps to
    // the same range). Browser zoom multiplies the ratio, so 500% on a 2x screen asks for 10.
    minDpr: 0.5,
    maxDpr: 4,
  };

  function positiveNumber(value, fallback) {
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
  }

  // ---- strings (the app speaks English and Brazilian Portuguese; so does its loader) ------------

  const STRINGS = {
    en: {
      tagline: 'Turn the knobs. Watch a tiny language model learn.',
      loading: 'Loading…',
      downloading: 'Downloading the engine…',
      compiling: 'Preparing the engine…',
      starting: 'Starting…',
      of: '{done} of {total}',
      progressLabel: 'Loading Knobs',
      slow: 'This is taking longer than usual. Slower devices may need a little while.',
      reload: 'Reload',
      details: 'Technical details',
      canvasLabel: 'Knobs playground: a tiny language model you can train and explore',
      canvasHelp: 'Use the mouse, touch or the keyboard inside the playground. Tab and Shift+Tab move the focus out of it; in a text field, press Escape first.',
      errors: {
        'no-wasm': ['Your browser cannot run WebAssembly',
          'Knobs runs a small neural network with WebAssembly, which this browser does not offer or has turned off.',
          'Use a current version of Chrome, Edge, Firefox or Safari. If a security setting or policy disables WebAssembly (some hardened modes do), allow it for this site.'],
        'no-simd': ['Your browser is too old for Knobs',
          'Knobs needs WebAssembly SIMD, which this browser does not support.',
          'Update your browser: Chrome and Edge 91, Firefox 89 and Safari 16.4 or newer all work.'],
        'no-webgl2': ['WebGL 2 is not available',
          'Knobs draws its interface with WebGL 2, and this browser could not create a WebGL 2 context.',
          'Turn on hardware acceleration in your browser settings, update the browser or graphics driver, or try another browser.'],
        'http': ['Knobs could not be downloaded',
          'The server answered {status} for {file}.',
          'Reload the page. If you are running Knobs yourself, build it first (make web) and serve build/web/site.'],
        'network': ['Knobs could not be downloaded',
          'The network failed while downloading {file}.',
          'Check your connection and reload the page.'],
        'compile': ['Knobs could not start',
          'The downloaded engine ({file}) is not valid WebAssembly.',
          'Reload without the cache (Ctrl+Shift+R, or Cmd+Shift+R on a Mac). If that does not help, the site\'s files are damaged: rebuild and deploy them again.'],
        'instantiate': ['Knobs could not start',
          'The two engine files (knobs.js and knobs.wasm) do not fit together, probably because they come from different builds.',
          'Reload without the cache (Ctrl+Shift+R, or Cmd+Shift+R on a Mac). If you deploy Knobs, deploy both files from the same build.'],
        'script': ['Knobs could not be downloaded',
          'The browser could not load {file}{status}.',
          'Reload the page. If you are running Knobs yourself, build it first (make web) and serve build/web/site.'],
        'abort': ['Knobs stopped unexpectedly',
          'The engine hit an error it could not recover from.',
          'Reload the page. If it happens again, please report it with the technical details below.'],
        'crash': ['Knobs stopped unexpectedly',
          'The engine crashed.',
          'Reload the page. If it happens again, please report it with the technical details below.'],
        'context-lost': ['The graphics context was lost',
          'The browser reset the graphics for this page. This can happen after the computer sleeps, a driver update, or when many tabs use the GPU.',
          'Reload the page to continue.'],
      },
    },
    'pt-BR': {
      tagline: 'Gire os botões. Veja um pequeno modelo de linguagem aprender.',
      loading: 'Carregando…',
      downloading: 'Baixando o motor…',
      compiling: 'Preparando o motor…',
      starting: 'Iniciando…',
      of: '{done} de {total}',
      progressLabel: 'Carregando o Knobs',
      slow: 'Está demorando mais que o normal. Aparelhos mais lentos podem precisar de um tempinho.',
      reload: 'Recarregar',
      details: 'Detalhes técnicos',
      canvasLabel: 'Playground do Knobs: um pequeno modelo de linguagem para treinar e explorar',
      canvasHelp: 'Use o mouse, o toque ou o teclado dentro do playground. Tab e Shift+Tab tiram o foco dele; num campo de texto, aperte Esc antes.',
      errors: {
        'no-wasm': ['Seu navegador não executa WebAssembly',
          'O Knobs roda uma pequena rede neural com WebAssembly, que este navegador não oferece ou desativou.',
          'Use uma versão atual do Chrome, Edge, Firefox ou Safari. Se uma configuração ou política de segurança desativa o WebAssembly (alguns modos reforçados fazem isso), permita-o para este site.'],
        'no-simd': ['Seu navegador é antigo demais para o Knobs',
          'O Knobs precisa de WebAssembly SIMD, que este navegador não suporta.',
          'Atualize o navegador: Chrome e Edge 91, Firefox 89 e Safari 16.4 ou mais novos funcionam.'],
        'no-webgl2': ['WebGL 2 não está disponível',
          'O Knobs desenha a interface com WebGL 2, e este navegador não conseguiu criar um contexto WebGL 2.',
          'Ative a aceleração de hardware nas configurações do navegador, atualize o navegador ou o driver de vídeo, ou tente outro navegador.'],
        'http': ['Não foi possível baixar o Knobs',
          'O servidor respondeu {status} para {file}.',
          'Recarregue a página. Se você mesmo roda o Knobs, compile-o primeiro (make web) e sirva build/web/site.'],
        'network': ['Não foi possível baixar o Knobs',
          'A rede falhou durante o download de {file}.',
          'Verifique sua conexão e recarregue a página.'],
        'compile': ['O Knobs não conseguiu iniciar',
          'O motor baixado ({file}) não é um WebAssembly válido.',
          'Recarregue sem o cache (Ctrl+Shift+R, ou Cmd+Shift+R no Mac). Se não resolver, os arquivos do site estão danificados: compile e publique-os de novo.'],
        'instantiate': ['O Knobs não conseguiu iniciar',
          'Os dois arquivos do motor (knobs.js e knobs.wasm) não combinam, provavelmente porque vêm de compilações diferentes.',
          'Recarregue sem o cache (Ctrl+Shift+R, ou Cmd+Shift+R no Mac). Se você publica o Knobs, publique os dois arquivos da mesma compilação.'],
        'script': ['Não foi possível baixar o Knobs',
          'O navegador não conseguiu carregar {file}{status}.',
          'Recarregue a página. Se você mesmo roda o Knobs, compile-o primeiro (make web) e sirva build/web/site.'],
        'abort': ['O Knobs parou inesperadamente',
          'O motor encontrou um erro do qual não consegue se recuperar.',
          'Recarregue a página. Se acontecer de novo, relate o problema com os detalhes técnicos abaixo.'],
        'crash': ['O Knobs parou inesperadamente',
          'O motor travou.',
          'Recarregue a página. Se acontecer de novo, relate o problema com os detalhes técnicos abaixo.'],
        'context-lost': ['O contexto gráfico foi perdido',
          'O navegador reiniciou os gráficos desta página. Isso pode acontecer depois que o computador hiberna, numa atualização de driver ou quando muitas abas usam a GPU.',
          'Recarregue a página para continuar.'],
      },
    },
  };

  // Before the app runs we follow the browser's languages; afterwards, the app's own setting.
  function browserLanguage() {
    const wanted = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en']);
    for (const tag of wanted) {
      const lower = String(tag).toLowerCase();
      if (lower.startsWith('pt')) return 'pt-BR';
      if (lower.startsWith('en')) return 'en';
    }
    return 'en';
  }

  function currentLanguage() {
    const snapshot = runtime.running ? safeState() : null;
    if (snapshot && STRINGS[snapshot.lang]) return snapshot.lang;
    return browserLanguage();
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
  }

  // ---- DOM -------------------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);
  const canvas = $('canvas');
  const ui = {
    loader: $('loader'),
    tagline: $('tagline'),
    progress: $('progress'),
    progressFill: $('progress-fill'),
    statusText: $('status-text'),
    statusAmount: $('status-amount'),
    slowHint: $('slow-hint'),
    error: $('error'),
    errorTitle: $('error-title'),
    errorMessage: $('error-message'),
    errorHint: $('error-hint'),
    errorDetails: $('error-details'),
    errorDetailsLabel: $('error-details-label'),
    errorDetailsText: $('error-details-text'),
    errorReload: $('error-reload'),
    canvasHelp: $('canvas-help'),
  };
  if (!canvas || !ui.loader || !ui.error) {
    // index.html and this file ship together; if they do not match, say so instead of failing obscurely.
    throw new Error('knobs-glue.js: index.html lacks the #canvas, #loader or #error element');
  }

  function setPageState(value) {
    document.documentElement.dataset.knobsState = value;
  }

  function localizeShell() {
    const lang = browserLanguage();
    const strings = STRINGS[lang];
    document.documentElement.lang = lang;
    ui.tagline.textContent = strings.tagline;
    ui.statusText.textContent = strings.loading;
    ui.progress.setAttribute('aria-label', strings.progressLabel);
    ui.errorReload.textContent = strings.reload;
    ui.errorDetailsLabel.textContent = strings.details;
    canvas.setAttribute('aria-label', strings.canvasLabel);
    ui.canvasHelp.textContent = strings.canvasHelp;
  }

  // ---- loader ----------------------------------------------------------------------------------

  const numberFormat = new Intl.NumberFormat(browserLanguage(), { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  function megabytes(bytes) {
    return numberFormat.format(bytes / (1024 * 1024)) + ' MB';
  }

  // The bar is split by phase: the download dominates the wait, so it gets most of the bar.
  const PHASE_END = { download: 90, compile: 95, start: 99, ready: 100 };
  let shownPercent = 0;

  // Writes only real changes: the status line is a live region, and rewriting the same words would
  // make screen readers repeat them.
  function setText(element, text) {
    if (text !== undefined && element.textContent !== text) element.textContent = text;
  }

  function setProgress(percent, text, amount) {
    // Never move backwards: phases overlap (compiling streams alongside downloading).
    shownPercent = Math.max(shownPercent, Math.min(100, percent));
    ui.progress.classList.remove('indeterminate');
    ui.progressFill.style.transform = `scaleX(${(shownPercent / 100).toFixed(4)})`;
    ui.progress.setAttribute('aria-valuenow', String(Math.round(shownPercent)));
    setText(ui.statusText, text);
    setText(ui.statusAmount, amount);
  }

  function setIndeterminate(text, amount) {
    ui.progress.classList.add('indeterminate');
    ui.progress.removeAttribute('aria-valuenow');
    setText(ui.statusText, text);
    setText(ui.statusAmount, amount);
  }

  let slowHintTimer = 0;
  function hideLoader() {
    clearTimeout(slowHintTimer);
    setProgress(PHASE_END.ready, '', '');
    ui.loader.classList.add('done');
    ui.loader.setAttribute('aria-busy', 'false');
    // Remove it from the accessibility tree and hit testing once the fade is over.
    const finish = () => { ui.loader.hidden = true; };
    ui.loader.addEventListener('transitionend', finish, { once: true });
    setTimeout(finish, 400);
  }

  // ---- errors ----------------------------------------------------------------------------------

  class KnobsLoadError extends Error {
    constructor(kind, values, cause) {
      super(`${kind}: ${describeCause(cause) || JSON.stringify(values || {})}`);
      this.name = 'KnobsLoadError';
      this.kind = kind;
      this.values = values || {};
      this.cause = cause;
    }
  }

  function describeCause(cause) {
    if (cause === undefined || cause === null) return '';
    if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
    return String(cause);
  }

  const recentStderr = [];
  function rememberStderr(line) {
    recentStderr.push(String(line));
    if (recentStderr.length > 20) recentStderr.shift();
  }

  let fatalError = null;       // the first fatal error wins; later ones are only logged
  let contextLostShown = false;

  function renderError(kind, values, detailText) {
    const strings = STRINGS[currentLanguage()];
    const [title, message, hint] = strings.errors[kind] || strings.errors.crash;
    ui.errorTitle.textContent = fill(title, values || {});
    ui.errorMessage.textContent = fill(message, values || {});
    ui.errorHint.textContent = fill(hint, values || {});
    ui.errorReload.textContent = strings.reload;
    ui.errorDetailsLabel.textContent = strings.details;
    ui.errorDetailsText.textContent = detailText || '';
    ui.errorDetails.hidden = !detailText;
    ui.error.hidden = false;
    ui.loader.hidden = true;
    clearTimeout(slowHintTimer);
    // Move focus to the action so keyboard and screen-reader users land on it, but never pull focus
    // into an iframe the user is not interacting with.
    if (window.top === window || document.hasFocus()) ui.errorReload.focus({ preventScroll: true });
  }

  // A fatal error: the app cannot go on. Shows the error screen, rejects `ready`, emits `error`.
  function fail(kind, values, cause) {
    if (fatalError) {
      console.warn('[knobs] a further error after the first one:', kind, cause);
      return;
    }
    const error = cause instanceof KnobsLoadError ? cause : new KnobsLoadError(kind, values, cause);
    fatalError = error;
    const details = [describeCause(cause), ...recentStderr.slice(-8)].filter(Boolean).join('\n');
    console.error('[knobs]', kind, cause);
    setPageState('error');
    renderError(kind, values, details);
    readyControl.reject(error);
    emitLocal('error', { kind, message: ui.errorMessage.textContent });
  }

  ui.errorReload.addEventListener('click', () => window.location.reload());

  // ---- feature checks --------------------------------------------------------------------------

  // The smallest module using a SIMD instruction: (func (result v128) v128.const i32x4 0 0 0 0).
  const SIMD_PROBE = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,       // magic, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,             // type section: () -> v128
    0x03, 0x02, 0x01, 0x00,                               // function section: one function of type 0
    0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c,             // code: no locals, v128.const
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,       //   16 immediate bytes
    0x0b,                                                 //   end
  ]);

  function hasWebAssembly() {
    return typeof WebAssembly === 'object' && WebAssembly !== null &&
      typeof WebAssembly.instantiate === 'function' && typeof WebAssembly.Module === 'function';
  }

  function hasWasmSimd() {
    try {
      return WebAssembly.validate(SIMD_PROBE);
    } catch {
      return false;
    }
  }

  // Returns the usable canvas-side limit, or 0 if WebGL 2 is unavailable.
  function probeWebGL2() {
    let gl = null;
    try {
      gl = document.createElement('canvas').getContext('webgl2');
    } catch {
      gl = null;
    }
    if (!gl) return 0;
    const renderbuffer = gl.getParameter(gl.MAX_RENDERBUFFER_SIZE) || config.maxCanvasSide;
    const viewport = gl.getParameter(gl.MAX_VIEWPORT_DIMS);
    const viewportSide = viewport ? Math.min(viewport[0], viewport[1]) : config.maxCanvasSide;
    // Free the probe's context now rather than waiting for garbage collection: browsers cap contexts.
    const lose = gl.getExtension('WEBGL_lose_context');
    if (lose) lose.loseContext();
    return Math.min(renderbuffer, viewportSide, config.maxCanvasSide);
  }

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

  // ---- canvas size and device pixel ratio ----------------------------------------------------------

  let maxCanvasSide = config.maxCanvasSide;
  let lastSize = null;   // { cssW, cssH, dpr, pxW, pxH } last applied

  function measureCanvas() {
    const rect = canvas.getBoundingClientRect();
    const cssW = Math.max(1, Math.round(rect.width));
    const cssH = Math.max(1, Math.round(rect.height));
    let dpr = Math.min(config.maxDpr, Math.max(config.minDpr, window.devicePixelRatio || 1));
    // Never ask for more pixels than the GPU can back; the effective ratio shrinks instead, so the
    // rule pixel = round(css x dpr) still holds for the numbers the C++ side receives.
    dpr = Math.min(dpr, maxCanvasSide / cssW, maxCanvasSide / cssH);
    return { cssW, cssH, dpr, pxW: Math.round(cssW * dpr), pxH: Math.round(cssH * dpr) };
  }

  let warnedSizeMismatch = false;
  function syncCanvasSize(force) {
    const size = measureCanvas();
    if (!force && lastSize && size.cssW === lastSize.cssW && size.cssH === lastSize.cssH &&
        size.dpr === lastSize.dpr) {
      return;
    }
    lastSize = size;
    // Set the pixel size ourselves first: before main() there is nobody else to do it, and after it
    // the C++ side (through glfwSetWindowSize) will find the canvas already right.
    if (canvas.width !== size.pxW) canvas.width = size.pxW;
    if (canvas.height !== size.pxH) canvas.height = size.pxH;
    if (runtime.running) {
      callExport('knobs_resize', [size.cssW, size.cssH, size.dpr]);
      if ((canvas.width !== size.pxW || canvas.height !== size.pxH) && !warnedSizeMismatch) {
        warnedSizeMismatch = true;
        console.warn(`[knobs] knobs_resize(${size.cssW}, ${size.cssH}, ${size.dpr}) left the canvas at ` +
          `${canvas.width}x${canvas.height} pixels; expected ${size.pxW}x${size.pxH} (round(css x dpr))`);
      }
    }
  }

  // DPR changes (browser zoom, moving the window to another monitor) do not always change the CSS
  // size, so a resize observer alone misses them. A resolution media query fires exactly then.
  let dprQuery = null;
  function watchDevicePixelRatio() {
    if (dprQuery) dprQuery.removeEventListener('change', onDprChange);
    dprQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    dprQuery.addEventListener('change', onDprChange);
  }
  function onDprChange() {
    watchDevicePixelRatio();
    syncCanvasSize(false);
  }

  function startSizing() {
    syncCanvasSize(true);
    watchDevicePixelRatio();
    if (typeof ResizeObserver === 'function') {
      const observer = new ResizeObserver(() => syncCanvasSize(false));
      // The device-pixel box also changes when only the DPR does; browsers without it get content-box.
      try {
        observer.observe(canvas, { box: 'device-pixel-content-box' });
      } catch {
        observer.observe(canvas);
      }
    }
    window.addEventListener('resize', () => syncCanvasSize(false));
  }

  // ---- input -------------------------------------------------------------------------------------

  const canvasHasFocus = () => document.activeElement === canvas;
  const wantsKeyboard = () => runtime.running && callExport('knobs_wants_keyboard', [], 0) === 1;
  const wantsWheel = () => runtime.running && callExport('knobs_wants_wheel', [], 0) === 1;

  // Keys whose default action scrolls the page (or, in an iframe, the host page).
  const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', 'Home', 'End']);

  // keyCodes whose keydown we let through to GLFW, so the matching keyup reaches it too even if
  // focus moved in between (otherwise ImGui would see a key stuck down).
  const forwardedKeys = new Map();   // keyCode -> { key, code }
  let releasingKeys = false;

  function onKeyDown(event) {
    if (releasingKeys) return;
    if (!canvasHasFocus()) {
      // Typing in the host page or in a form field must not drive the app.
      event.stopImmediatePropagation();
      return;
    }
    if (event.key === 'Tab' && !wantsKeyboard()) {
      // Let the browser move focus out of the canvas. GLFW would preventDefault Tab (a keyboard
      // trap, worst inside an iframe), so it must not see this event at all.
      event.stopImmediatePropagation();
      return;
    }
    forwardedKeys.set(event.keyCode, { key: event.key, code: event.code });
    if (SCROLL_KEYS.has(event.key)) event.preventDefault();
  }

  function onKeyPress(event) {
    if (releasingKeys) return;
    if (!canvasHasFocus()) {
      event.stopImmediatePropagation();
      return;
    }
    // Space scrolls the page as the default action of keypress (not keydown). Cancelling it here
    // still lets GLFW, which listens after us, turn it into a character for ImGui text fields.
    if (event.key === ' ') event.preventDefault();
  }

  function onKeyUp(event) {
    if (releasingKeys) return;
    if (forwardedKeys.has(event.keyCode)) {
      forwardedKeys.delete(event.keyCode);
      return;   // GLFW saw the press, so it must see the release
    }
    event.stopImmediatePropagation();
  }

  // When the canvas loses focus with keys held (Tab out while Shift is down, a click elsewhere),
  // send GLFW the releases now; the real keyups will arrive somewhere we do not forward.
  function releaseForwardedKeys() {
    if (forwardedKeys.size === 0) return;
    const held = Array.from(forwardedKeys.entries());
    forwardedKeys.clear();
    releasingKeys = true;
    try {
      for (const [keyCode, { key, code }] of held) {
        const release = new KeyboardEvent('keyup', { key, code, bubbles: true, cancelable: true });
        // GLFW reads the legacy keyCode, which KeyboardEvent's constructor cannot set.
        Object.defineProperty(release, 'keyCode', { value: keyCode });
        Object.defineProperty(release, 'which', { value: keyCode });
        window.dispatchEvent(release);
      }
    } finally {
      releasingKeys = false;
    }
  }

  // The wheel: the canvas takes it only when the pointer is over something in the app that scrolls;
  // otherwise the event goes on to the browser, which scrolls the page (or the page around the iframe).
  function onWheel(event) {
    if (event.target !== canvas) return;
    if (!wantsWheel()) event.stopImmediatePropagation();
  }

  // Touch: Emscripten's GLFW turns both the touch events and the browser's compatibility mouse events
  // into presses, so one tap would click twice. We take the touch events, cancel them (which also
  // cancels the compatibility mouse events and the synthetic click), and replay the first finger as
  // plain mouse events on the canvas.
  let activeTouchId = null;

  function findTouch(list, id) {
    for (let i = 0; i < list.length; i++) if (list[i].identifier === id) return list[i];
    return null;
  }

  function dispatchMouse(type, point, buttons) {
    const init = {
      bubbles: true, cancelable: true, view: window, detail: type === 'mousemove' ? 0 : 1,
      clientX: point.clientX, clientY: point.clientY, screenX: point.screenX, screenY: point.screenY,
      button: 0, buttons,
    };
    canvas.dispatchEvent(new MouseEvent(type, init));
  }

  function onTouchStart(event) {
    if (event.target !== canvas) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (activeTouchId !== null) return;   // a second finger: ImGui has one pointer
    const touch = event.changedTouches[0];
    activeTouchId = touch.identifier;
    if (!canvasHasFocus()) canvas.focus({ preventScroll: true });
    // Move first, so ImGui knows what is under the finger before the press arrives.
    dispatchMouse('mousemove', touch, 0);
    dispatchMouse('mousedown', touch, 1);
  }

  function onTouchMove(event) {
    if (event.target !== canvas) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const touch = activeTouchId === null ? null : findTouch(event.changedTouches, activeTouchId);
    if (!touch) return;
    dispatchMouse('mousemove', touch, 1);
  }

  function onTouchEnd(event) {
    if (event.target !== canvas) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const touch = activeTouchId === null ? null : findTouch(event.changedTouches, activeTouchId);
    if (!touch) return;
    activeTouchId = null;
    dispatchMouse('mouseup', touch, 0);
  }

  function installInputHandlers() {
    const capture = { capture: true };
    const activeCapture = { capture: true, passive: false };
    window.addEventListener('keydown', onKeyDown, capture);
    window.addEventListener('keypress', onKeyPress, capture);
    window.addEventListener('keyup', onKeyUp, capture);
    window.addEventListener('wheel', onWheel, activeCapture);
    window.addEventListener('mousewheel', onWheel, activeCapture);
    // Window-level touch listeners are passive by default in Chrome; ours must be able to cancel.
    window.addEventListener('touchstart', onTouchStart, activeCapture);
    window.addEventListener('touchmove', onTouchMove, activeCapture);
    window.addEventListener('touchend', onTouchEnd, activeCapture);
    window.addEventListener('touchcancel', onTouchEnd, activeCapture);

    canvas.addEventListener('blur', releaseForwardedKeys);
    // Keep receiving mouse events while a button is held outside the canvas (dragging a slider
    // past the edge), so the release is never lost.
    canvas.addEventListener('pointerdown', (event) => {
      if (event.pointerType === 'mouse' && canvas.setPointerCapture) {
        try { canvas.setPointerCapture(event.pointerId); } catch { /* pointer already gone */ }
      }
    });
    // ImGui has its own right-click menus; the browser's would cover them.
    canvas.addEventListener('contextmenu', (event) => event.preventDefault());

    // Paste: the browser hands us the text (no clipboard permission needed). It arrives after the
    // Ctrl+V keydown and before the next frame.
    document.addEventListener('paste', (event) => {
      if (!canvasHasFocus() || !runtime.running) return;
      const text = event.clipboardData ? event.clipboardData.getData('text/plain') : '';
      event.preventDefault();
      if (text) callWithString('knobs_paste', text);
    });
  }

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

  function copyText(text) {
    const value = String(text === undefined || text === null ? '' : text);
    try {
      if (navigator.clipboard && typeof navigator.clipboard.writeText === 'function' && window.isSecureContext) {
        navigator.clipboard.writeText(value).catch(() => copyWithSelection(value));
      } else {
        copyWithSelection(value);
      }
    } catch (error) {
      // Never throw back into wasm: the C++ caller cannot handle a JS exception.
      console.warn('[knobs] copy failed:', error);
    }
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

  window.knobsGlue = Object.freeze({
    copyText,
    emit: emitFromApp,
    fatal: fatalFromApp,
    // main() calls this once its window exists, just before it enters the main loop.
    started: () => onMainStarted(),
  });

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
  };
  Object.defineProperty(window, 'knobs', { value: Object.freeze(api), enumerable: true });

  // ---- boot --------------------------------------------------------------------------------------

  // Downloads the wasm with a streaming reader (for the progress bar) and compiles it while it
  // arrives. Resolves to a WebAssembly.Module; rejects with a KnobsLoadError.
  async function downloadAndCompile(url) {
    const strings = STRINGS[browserLanguage()];
    setProgress(0, strings.downloading, '');
    let response;
    try {
      response = await fetch(url, { credentials: 'same-origin' });
    } catch (error) {
      throw new KnobsLoadError('network', { file: url }, error);
    }
    if (!response.ok) {
      const status = `${response.status}${response.statusText ? ' ' + response.statusText : ''}`;
      throw new KnobsLoadError('http', { file: url, status }, new Error(`HTTP ${status} for ${response.url || url}`));
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
            controller.error(new KnobsLoadError('network', { file: url }, error));
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
      if (error instanceof WebAssembly.CompileError) throw new KnobsLoadError('compile', { file: url }, error);
      // compileStreaming reports a failed stream as a TypeError.
      throw new KnobsLoadError('network', { file: url }, error);
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
          .then((status) => reject(new KnobsLoadError('script', { file: url, status },
            new Error(`could not load ${url}${status}`))));
      });
      document.head.appendChild(script);
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
    waitForFirstFrame();
  }

  // Touch-first devices get bigger targets: tell the app whether the main pointer is coarse, now and
  // whenever it changes (a tablet's keyboard cover attached, a mouse plugged in).
  function watchPointerKind() {
    if (typeof window.matchMedia !== 'function') return;
    const coarse = window.matchMedia('(pointer: coarse)');
    const tell = () => {
      const reply = api.command('set_pointer', { coarse: coarse.matches });
      if (!reply.ok) console.warn('[knobs] set_pointer:', reply.error);
    };
    tell();
    coarse.addEventListener('change', tell);
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
    localizeShell();
    installInputHandlers();

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
      return module;
    });
    compiled.catch((error) => fail(error.kind || 'compile', error.values || { file: config.wasmUrl }, error));

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

    loadScript(config.scriptUrl).catch((error) => fail(error.kind || 'script', error.values || { file: config.scriptUrl }, error));
  }

  boot();
})();

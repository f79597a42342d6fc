  // ==== web/glue/10-loader-errors.js ===================================================================
  // What the page shows before the app, or instead of it: the elements the glue fills, the loading bar, the
  // error screen (fail(), the one way every later piece stops the page) and the checks for WebAssembly, SIMD
  // and WebGL 2 that decide between the two.

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
    dropHint: $('drop-hint'),
    dropHintText: $('drop-hint-text'),
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

  // Sizes in the words' language: "10.5 MB" in English, "10,5 MB" in Portuguese.
  const numberFormats = new Map();
  function numberFormat(lang, fractionDigits) {
    const key = `${lang}/${fractionDigits}`;
    if (!numberFormats.has(key)) {
      numberFormats.set(key, new Intl.NumberFormat(lang, { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }));
    }
    return numberFormats.get(key);
  }
  function megabytes(bytes, lang = browserLanguage()) {
    return numberFormat(lang, 1).format(bytes / (1024 * 1024)) + ' MB';
  }
  // A size and its limit as a refusal states them, in the app's language: in megabytes, or in bytes when
  // one decimal would show the same number twice ("10.0 MB … up to 10.0 MB" for one byte over).
  function sizeAndLimit(bytes, limit) {
    const lang = currentLanguage();
    if (megabytes(bytes, lang) !== megabytes(limit, lang)) return { size: megabytes(bytes, lang), limit: megabytes(limit, lang) };
    const count = numberFormat(lang, 0);
    return { size: `${count.format(bytes)} bytes`, limit: `${count.format(limit)} bytes` };
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
    running.reject(error);
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

  // A frame sandboxed without allow-same-origin runs with the opaque origin "null".
  function hasOpaqueOrigin() {
    return window.origin === 'null';
  }

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

// Knobs web glue: boots the Emscripten build (knobs.js + knobs.wasm) and makes a full-window
// ImGui canvas behave like a good citizen of a web page (or an iframe).
//
// Public surface (documented in docs/page-api.md):
//   window.knobs      the page API: version, ready, isReady(), state(), command(), on(), off(), timings(),
//                     link(), copyLink(), openFile(file, purpose)
//   window.knobsGlue  called by the C++ side: copyText(text), emit(name, jsonString), started(),
//                     fatal(kind, message), pickFile(purpose), download(name, bytes, mime),
//                     saveProgress(json), loadProgress(), copyLink(),
//                     trainWorker.{available(), sendCorpus(id, bytes), sendChunk(bytes)}
// It also opens dropped files, loads the shipped model, keeps the address on the current link, and,
// inside another page (host=), talks to that page with postMessage (docs/embedding.md).
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
    // The model the inference panel starts with (`make models` writes it); the app works without it.
    modelUrl: 'models/default.knobs',
    // Largest files the page reads, checked before reading. Texts: the app's own limit
    // (kMaxUserTextBytes in src/core/utf8.h). Weights: the largest model config.h allows, with the
    // largest LoRA adapter, is about 21 MB as a file (the L preset about 11 MB); the loader refuses
    // more than 8 Mi parameters, 32 MiB.
    maxTextBytes: 10 * 1024 * 1024,
    maxWeightsBytes: 32 * 1024 * 1024,
    // How often the page looks at the app's state: to keep the address bar on the current link, and
    // (embedded) to report the content height and training milestones to the host page.
    linkSyncMs: positiveNumber(userConfig.linkSyncMs, 500),
    embedPollMs: positiveNumber(userConfig.embedPollMs, 250),
    // How long a download's object URL stays alive: the browser reads it after click() returns.
    downloadUrlLifetimeMs: positiveNumber(userConfig.downloadUrlLifetimeMs, 60000),
    // How often the accessibility mirror asks the app for a fresh capture (a captured frame costs
    // more than a plain one, so not every frame).
    a11yPollMs: positiveNumber(userConfig.a11yPollMs, 750),
    // The training worker's script, relative to the page like knobs.js; started the first time the app trains.
    trainWorkerUrl: 'train-worker.js',
    // The service worker that keeps the app's files for offline use (sw.js, next to this file).
    // KNOBS_CONFIG = { serviceWorker: false } leaves it out.
    serviceWorkerUrl: userConfig.serviceWorker === false ? null : 'sw.js',
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
      canvasHelp: 'Use the mouse, touch or the keyboard inside the playground. Tab and Shift+Tab move the focus out of it; in a text field, press Escape first. After the playground comes a text version of it, for screen readers and the keyboard: Tab reaches its panel tabs and the lesson\'s controls.',
      mirror: {
        label: 'Knobs as text',
        regions: { topbar: 'Toolbar', lesson: 'Lesson', lab: 'Lab', single: 'Panels', notices: 'Notices',
          popup: 'Menu', dialog: 'Dialog', tooltip: 'Tip' },
        tabs: 'Panels',
        editHint: 'Opens this control inside the playground: type a value and press Enter, or use the arrow keys; Tab leaves the playground.',
      },
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
        'sandbox': ['Knobs cannot run in this frame',
          'This page shows Knobs in a sandboxed frame without an origin of its own, so the browser does not let it download {file}.',
          'If you made this page, allow the same origin in the frame (sandbox="allow-scripts allow-same-origin") or embed Knobs with embed.js.'],
      },
      // Notices the page shows inside the app (through the "notify" command), in the app's language.
      notices: {
        tooLarge: '{name} is too large to open: {size}, and Knobs opens {what} of up to {limit}.',
        whatText: 'texts',
        whatWeights: 'weights files',
        readFailed: 'Could not read {name}: {reason}',
        noMemory: 'There is not enough memory to open {name} ({size}).',
        oneFile: 'Drop one file at a time; only {name} was opened.',
        linkCopied: 'Link copied.',
        linkNotCopied: 'The browser did not let Knobs copy the link. It is also in the address bar.',
        linkUnavailable: 'This version of Knobs cannot make a link.',
        linkRefused: 'The link in the address was not loaded: {reason}',
        linkedFileFailed: 'The link names {name}, which could not be loaded: {reason}',
        linkedFileTooLarge: 'The link names {name}, which is {size}; Knobs takes files of up to {limit} from a link.',
        noStorage: 'This browser does not let Knobs store your progress; it will be gone when you close the page.',
        dropHint: 'Drop a .knobs weights file or a text file',
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
      canvasHelp: 'Use o mouse, o toque ou o teclado dentro do playground. Tab e Shift+Tab tiram o foco dele; num campo de texto, aperte Esc antes. Depois do playground vem uma versão dele em texto, para leitores de tela e para o teclado: o Tab chega às abas dos painéis e aos controles da lição.',
      mirror: {
        label: 'O Knobs em texto',
        regions: { topbar: 'Barra de ferramentas', lesson: 'Lição', lab: 'Laboratório', single: 'Painéis', notices: 'Avisos',
          popup: 'Menu', dialog: 'Diálogo', tooltip: 'Dica' },
        tabs: 'Painéis',
        editHint: 'Abre este controle dentro do playground: digite um valor e aperte Enter, ou use as setas; Tab sai do playground.',
      },
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
        'sandbox': ['O Knobs não pode rodar neste quadro',
          'Esta página mostra o Knobs num quadro isolado (sandbox) sem origem própria, e por isso o navegador não o deixa baixar {file}.',
          'Se você fez esta página, permita a mesma origem no quadro (sandbox="allow-scripts allow-same-origin") ou incorpore o Knobs com o embed.js.'],
      },
      notices: {
        tooLarge: '{name} é grande demais para abrir: {size}, e o Knobs abre {what} de até {limit}.',
        whatText: 'textos',
        whatWeights: 'arquivos de pesos',
        readFailed: 'Não foi possível ler {name}: {reason}',
        noMemory: 'Não há memória suficiente para abrir {name} ({size}).',
        oneFile: 'Solte um arquivo por vez; só {name} foi aberto.',
        linkCopied: 'Link copiado.',
        linkNotCopied: 'O navegador não deixou o Knobs copiar o link. Ele também está na barra de endereço.',
        linkUnavailable: 'Esta versão do Knobs não consegue criar um link.',
        linkRefused: 'O link do endereço não foi carregado: {reason}',
        linkedFileFailed: 'O link indica {name}, que não pôde ser carregado: {reason}',
        linkedFileTooLarge: 'O link indica {name}, que tem {size}; o Knobs aceita arquivos de até {limit} vindos de um link.',
        noStorage: 'Este navegador não deixa o Knobs guardar seu progresso; ele será perdido quando você fechar a página.',
        dropHint: 'Solte um arquivo de pesos .knobs ou um arquivo de texto',
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
      // Typing in the host page or in a form field must not drive the app. Keys in the accessibility
      // mirror are its own (the browser's default actions still happen: Tab, Space, Enter, the arrow
      // keys in a radio group).
      if (mirror.root && event.target instanceof Node && mirror.root.contains(event.target)) onMirrorKey(event);
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
  function notify(text, isError) {
    const show = () => {
      if (!runtime.running || fatalError) return;
      const message = String(typeof text === 'function' ? text() : text).slice(0, 320);   // the command takes 1000 bytes
      (isError ? console.warn : console.info)('[knobs]', message);
      const reply = api.command('notify', { text: message, error: Boolean(isError) });
      if (!reply.ok) console.warn('[knobs] notify:', reply.error);
    };
    if (runtime.running) setTimeout(show, 0);
    else readyPromise.then(show, () => {});
  }

  // ---- files: the picker, drag-and-drop, knobs.openFile and the shipped model -------------------------

  const FILE_PURPOSES = {
    // iOS greys out files whose type it does not know unless a generic type is accepted too.
    weights: { accept: '.knobs,application/octet-stream', limit: () => config.maxWeightsBytes, what: 'whatWeights' },
    text: { accept: '.txt,text/plain,text/*', limit: () => config.maxTextBytes, what: 'whatText' },
  };

  // What a file is for when nobody said: a weights file by its extension, anything else is text.
  function purposeForName(name) {
    return /\.knobs$/i.test(String(name || '')) ? 'weights' : 'text';
  }

  // A NUL-terminated UTF-8 copy of `text` on the wasm heap; the caller frees it.
  function heapString(text) {
    const M = window.Module;
    const size = M.lengthBytesUTF8(text) + 1;
    const ptr = M._malloc(size);
    if (!ptr) throw new Error(`out of memory passing ${size} bytes`);
    M.stringToUTF8(text, ptr, size);
    return ptr;
  }

  // Hands bytes to knobs_open_bytes (the app validates them and shows its own notice, good or bad).
  // Returns {ok: whether the app took them, copyMs, appMs}: the two parts that block the page.
  function openBytes(bytes, name, purpose) {
    const fn = exportFunction('knobs_open_bytes');
    if (!fn) {
      callExport('knobs_open_bytes', [], 0);   // warns once that this build cannot open files
      return { ok: false, copyMs: 0, appMs: 0 };
    }
    const M = window.Module;
    const started = performance.now();
    const ptr = M._malloc(Math.max(1, bytes.length));
    if (!ptr) {
      notify(() => fill(noticeStrings().noMemory, { name: shortName(name), size: megabytes(bytes.length) }), true);
      return { ok: false, copyMs: 0, appMs: 0 };
    }
    let namePtr = 0;
    let purposePtr = 0;
    try {
      namePtr = heapString(name);
      purposePtr = heapString(purpose);
      // Read HEAPU8 only now: a _malloc that grew the memory replaced the old view.
      M.HEAPU8.set(bytes, ptr);
      const copied = performance.now();
      const ok = fn(ptr, bytes.length, namePtr, purposePtr) === 1;
      return { ok, copyMs: copied - started, appMs: performance.now() - copied };
    } finally {
      M._free(ptr);
      if (namePtr) M._free(namePtr);
      if (purposePtr) M._free(purposePtr);
    }
  }

  // Files open one at a time, in the order they came, once the app runs.
  let fileQueue = Promise.resolve();
  function openFile(file, purpose) {
    const task = fileQueue.then(() => openFileNow(file, purpose));
    fileQueue = task.catch(() => {});
    return task;
  }

  async function openFileNow(file, purpose) {
    const kind = FILE_PURPOSES[purpose] ? purpose : purposeForName(file.name);
    const name = typeof file.name === 'string' && file.name ? file.name : (kind === 'weights' ? 'weights.knobs' : 'text.txt');
    const limit = FILE_PURPOSES[kind].limit();
    // Refuse by size before reading: a 2 GB video dropped by mistake must not be loaded into memory.
    if (file.size > limit) {
      notify(() => fill(noticeStrings().tooLarge, {
        name: shortName(name), size: megabytes(file.size), limit: megabytes(limit), what: noticeStrings()[FILE_PURPOSES[kind].what],
      }), true);
      emitLocal('file', { name, purpose: kind, bytes: file.size, ok: false, error: 'too-large' });
      return false;
    }
    let buffer;
    try {
      // Read off the main thread; only the copy into the heap and the app's parse below block it.
      buffer = await file.arrayBuffer();
    } catch (error) {
      notify(() => fill(noticeStrings().readFailed, { name: shortName(name), reason: error && error.message ? error.message : String(error) }), true);
      emitLocal('file', { name, purpose: kind, bytes: file.size, ok: false, error: 'unreadable' });
      return false;
    }
    try {
      await readyPromise;
    } catch {
      return false;   // the engine failed to start: nothing to open the file into
    }
    const { ok, copyMs, appMs } = openBytes(new Uint8Array(buffer), name, kind);
    emitLocal('file', { name, purpose: kind, bytes: buffer.byteLength, ok, copyMs, appMs });
    return ok;
  }

  // The picker: one hidden <input type=file>, created at boot so tests can also fill it directly.
  let fileInput = null;
  let pickPurpose = null;   // what the pending pickFile() asked for

  function createFileInput() {
    fileInput = document.createElement('input');
    fileInput.type = 'file';
    fileInput.id = 'file-input';
    fileInput.hidden = true;
    fileInput.tabIndex = -1;
    fileInput.setAttribute('aria-hidden', 'true');
    fileInput.addEventListener('change', () => {
      const file = fileInput.files && fileInput.files[0];
      const purpose = pickPurpose;
      pickPurpose = null;
      fileInput.value = '';   // so choosing the same file again is a change again
      if (file) openFile(file, purpose).catch((error) => console.warn('[knobs] opening a file failed:', error));
    });
    fileInput.addEventListener('cancel', () => { pickPurpose = null; });
    document.body.appendChild(fileInput);
  }

  // Called by C++ when a button asks for a file. The click that pressed the button is recent enough
  // (transient user activation) for the browser to open the dialog.
  function pickFile(purpose) {
    try {
      const kind = String(purpose);
      if (!FILE_PURPOSES[kind]) {
        console.warn(`[knobs] pickFile(${JSON.stringify(kind)}): the purpose must be "weights" or "text"`);
        return;
      }
      if (!fileInput) createFileInput();
      pickPurpose = kind;
      fileInput.accept = FILE_PURPOSES[kind].accept;
      fileInput.click();
    } catch (error) {
      console.warn('[knobs] pickFile failed:', error);
    }
  }

  // Drag-and-drop anywhere on the page: .knobs files are weights, anything else is text.
  let dropHintTimer = 0;

  function draggingFiles(event) {
    const types = event.dataTransfer && event.dataTransfer.types;
    return Boolean(types) && Array.prototype.indexOf.call(types, 'Files') !== -1;
  }

  function showDropHint() {
    if (!ui.dropHint) return;
    if (ui.dropHint.hidden) {
      ui.dropHintText.textContent = noticeStrings().dropHint;
      ui.dropHint.hidden = false;
    }
    // dragover repeats every few tens of milliseconds while a drag is over the page: when it stops
    // for a while, the drag has left (or was cancelled with Escape, which fires nothing here).
    clearTimeout(dropHintTimer);
    dropHintTimer = setTimeout(hideDropHint, 400);
  }

  function hideDropHint() {
    clearTimeout(dropHintTimer);
    if (ui.dropHint) ui.dropHint.hidden = true;
  }

  function onDragOver(event) {
    if (!draggingFiles(event)) return;
    event.preventDefault();   // accept the drop; otherwise the browser would navigate to the file
    event.dataTransfer.dropEffect = 'copy';
    showDropHint();
  }

  function onDrop(event) {
    if (!draggingFiles(event)) return;
    event.preventDefault();
    hideDropHint();
    const files = event.dataTransfer.files;
    if (!files || files.length === 0) return;
    const file = files[0];
    openFile(file, purposeForName(file.name)).catch((error) => console.warn('[knobs] opening a file failed:', error));
    if (files.length > 1) notify(() => fill(noticeStrings().oneFile, { name: shortName(file.name) }), false);
  }

  function installDropHandlers() {
    window.addEventListener('dragenter', onDragOver);
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('dragleave', (event) => { if (event.relatedTarget === null) hideDropHint(); });
    window.addEventListener('drop', onDrop);
  }

  // Saving a file: the bytes (already copied out of the wasm heap) become a Blob behind a temporary link.
  function safeFileName(name) {
    const cleaned = String(name || '').replace(/[\u0000-\u001f\u007f"*/:<>?\\|]/g, '_').replace(/^[.\s]+/, '').trim();
    return cleaned.slice(0, 120) || 'knobs-download';
  }

  function download(name, bytes, mime) {
    try {
      if (!(bytes instanceof ArrayBuffer) && !ArrayBuffer.isView(bytes)) {
        console.warn('[knobs] download(name, bytes, mime): bytes must be a Uint8Array');
        return;
      }
      const fileName = safeFileName(name);
      const type = typeof mime === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(mime) ? mime : 'application/octet-stream';
      const url = URL.createObjectURL(new Blob([bytes], { type }));
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      link.rel = 'noopener';
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      link.remove();
      // The browser fetches the object URL after click() returns; revoking at once can cancel the download.
      setTimeout(() => URL.revokeObjectURL(url), config.downloadUrlLifetimeMs);
      emitLocal('download', { name: fileName, bytes: bytes.byteLength, mime: type });
    } catch (error) {
      console.warn('[knobs] download failed:', error);
    }
  }

  // The model the inference panel starts with. Fetched while the engine downloads, opened once it runs.
  let shippedModel = null;

  function setModelState(value) {
    document.documentElement.dataset.knobsModel = value;
  }

  function fetchShippedModel() {
    setModelState('loading');
    shippedModel = fetch(config.modelUrl, { credentials: 'same-origin' }).then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${config.modelUrl}`);
      return response.arrayBuffer();
    });
    shippedModel.catch(() => {});   // reported once the engine runs
  }

  function openShippedModel() {
    if (!shippedModel) fetchShippedModel();
    shippedModel.then((buffer) => {
      if (fatalError) return;
      const { ok } = openBytes(new Uint8Array(buffer), 'default.knobs', 'shipped');
      setModelState(ok ? 'loaded' : 'refused');
      if (!ok) console.warn(`[knobs] the app refused ${config.modelUrl} (see its notice); inference works once a model is trained or opened`);
      emitLocal('model', { ok, bytes: buffer.byteLength });
    }, (error) => {
      // Not fatal: the inference panel says the model is not available, everything else works.
      setModelState('missing');
      console.info(`[knobs] no shipped model (${describeCause(error)}); the inference panel will say so`);
      emitLocal('model', { ok: false, error: describeCause(error) });
    }).catch((error) => console.warn('[knobs] opening the shipped model failed:', error));
  }

  // ---- lesson progress in localStorage ----------------------------------------------------------------

  const PROGRESS_KEY = 'knobs.progress.v1';
  // A course author's lesson (content= in the link) keeps its own record: its ids are not the built-in
  // lesson's, and a learner's progress in one must never overwrite the other.
  let progressKey = PROGRESS_KEY;
  let storageProblemShown = false;

  // Storage can be disabled (privacy settings, a sandboxed frame) or full: the lesson goes on without it.
  function storageProblem(action, error) {
    console.warn(`[knobs] could not ${action} the lesson progress (${describeCause(error)}); continuing without storage`);
    if (storageProblemShown) return;
    storageProblemShown = true;
    notify(() => noticeStrings().noStorage, true);
  }

  function saveProgress(json) {
    try {
      window.localStorage.setItem(progressKey, String(json));
    } catch (error) {
      storageProblem('save', error);
    }
  }

  function loadProgress() {
    try {
      const text = window.localStorage.getItem(progressKey);
      return typeof text === 'string' ? text : '';
    } catch (error) {
      storageProblem('load', error);
      return '';
    }
  }

  // ---- links: the address follows the app's state -----------------------------------------------------

  const links = {
    baseline: null,   // the fragment of the app as it started (after any link in the address)
    address: '',      // the fragment in the address as the glue last saw or wrote it
    written: null,    // the app's fragment the glue last wrote (the browser may spell it differently)
    warned: false,
  };

  function addressWithoutHash() {
    return window.location.href.split('#')[0];
  }

  // The fragment of the current state ("#v=2&..."), or null when this build cannot make links.
  function appFragment() {
    if (!runtime.running || fatalError) return null;
    const reply = api.command('link');
    return reply && reply.ok && typeof reply.data === 'string' && reply.data ? reply.data : null;
  }

  function loadLink(fragment) {
    const reply = api.command('load_link', { fragment });
    if (reply.ok) return true;
    if (/unknown command/.test(reply.error || '')) console.warn('[knobs] this build cannot load links; ignoring', fragment);
    else notify(() => fill(noticeStrings().linkRefused, { reason: reply.error }), true);
    return false;
  }

  // At start, before the first frame: the link in the address becomes the state the learner sees.
  function startLinks() {
    const hash = window.location.hash;
    if (hash.length > 1) loadLink(hash);
    links.baseline = appFragment();
    links.address = hash;
    // Typing a new fragment, an in-page link, or Back/Forward between fragments. (replaceState, used
    // below to follow the state, fires no hashchange, so this never loops.)
    window.addEventListener('hashchange', () => {
      links.address = window.location.hash;
      links.written = null;
      if (window.location.hash.length > 1 && !fatalError) loadLink(window.location.hash);
    });
  }

  // Keeps the address bar on the link to the current state, without adding history entries. A fresh app
  // keeps a bare address until something changes.
  function followLink(snapshot) {
    if (inFrame || typeof snapshot.fragment !== 'string' || !snapshot.fragment) return;
    const fragment = snapshot.fragment;
    const current = window.location.hash;
    // An address that changed since we last looked is a new link on its way to `hashchange`: it must be
    // loaded, not overwritten with the state from before it.
    if (current !== links.address) return;
    if (fragment === current || fragment === links.written || (current.length <= 1 && fragment === links.baseline)) return;
    try {
      window.history.replaceState(window.history.state, '', addressWithoutHash() + fragment);
      links.address = window.location.hash;
      links.written = fragment;
    } catch (error) {
      if (!links.warned) console.warn('[knobs] could not update the address:', error);
      links.warned = true;
    }
  }

  function linkUrl() {
    const fragment = appFragment();
    return fragment === null ? null : addressWithoutHash() + fragment;
  }

  // The "copy link" button and knobs.copyLink(): the address of the current state to the clipboard,
  // with a notice saying so (and what the link cannot carry, such as the learner's own text).
  async function copyLink() {
    const url = linkUrl();
    if (url === null) {
      notify(() => noticeStrings().linkUnavailable, true);
      return null;
    }
    const copied = await writeClipboard(url);
    const snapshot = safeState();
    const notes = snapshot && Array.isArray(snapshot.link_notes) ? snapshot.link_notes.filter((note) => typeof note === 'string') : [];
    if (copied) notify(() => [noticeStrings().linkCopied, ...notes].join(' '), false);
    else notify(() => noticeStrings().linkNotCopied, true);
    emitLocal('linkcopied', { url, copied });
    return url;
  }

  // ---- training milestones (from the state; the host page and knobs.on('training') get them) ----------

  const STEP_MILESTONES = [100, 250, 500, 1000, 2000, 5000, 10000, 20000];
  const training = { running: false, step: 0, next: 0, divergence: '' };

  function trackTraining(snapshot) {
    const run = snapshot.lab && snapshot.lab.pretrain;
    if (!run || typeof run.step !== 'number') return;
    const report = (milestone, extra) => emitLocal('training', Object.assign({
      milestone, step: run.step, loss: run.loss ?? null, val_loss: run.val_loss ?? null, tokens_seen: run.tokens_seen ?? null,
    }, extra));
    if (run.step < training.step) {
      // A new run (reset, or new settings): its milestones are still ahead.
      training.next = 0;
      training.divergence = '';
    }
    training.step = run.step;
    if (run.running && !training.running) report('started');
    while (training.next < STEP_MILESTONES.length && run.step >= STEP_MILESTONES[training.next]) {
      report('steps', { target: STEP_MILESTONES[training.next] });
      training.next++;
    }
    const divergence = typeof run.divergence === 'string' ? run.divergence : '';
    if (divergence && divergence !== training.divergence) report('diverged', { reason: divergence });
    if (!run.running && training.running) report('stopped');
    training.divergence = divergence;
    training.running = Boolean(run.running);
  }

  // ---- embedding: messages to and from the host page (docs/embedding.md) -------------------------------

  const EMBED_SCHEMA = 1;
  const inFrame = window.parent !== window;
  // Read once, from the address the page was opened with: a later fragment cannot redirect the events.
  const embed = readEmbedOptions();

  function validOrigin(text) {
    if (typeof text !== 'string' || text === '') return null;
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text ? text : null;
    } catch {
      return null;
    }
  }

  function readEmbedOptions() {
    const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    const host = validOrigin(params.get('host'));
    if (params.has('host') && !host) {
      console.warn(`[knobs] host=${params.get('host')} is not an origin such as https://example.org; the host page gets no events`);
    }
    return {
      on: params.get('embed') === '1',
      // Messages flow only inside a frame whose page named its origin.
      host: inFrame ? host : null,
      height: -1,          // the content height last reported
      warnedParent: false,
    };
  }

  // postMessage's target origin makes the browser drop the message unless the parent is that origin;
  // checking first only avoids a console error per event when it is not.
  function parentIsHost() {
    const ancestors = window.location.ancestorOrigins;
    if (ancestors && ancestors.length > 0 && ancestors[0] !== embed.host) {
      if (!embed.warnedParent) {
        embed.warnedParent = true;
        console.warn(`[knobs] host=${embed.host} is not the embedding page's origin (${ancestors[0]}); it gets no events`);
      }
      return false;
    }
    return true;
  }

  function postToHost(message) {
    if (!embed.host || !parentIsHost()) return;
    try {
      window.parent.postMessage(Object.assign({ version: EMBED_SCHEMA }, message), embed.host);
    } catch (error) {
      console.warn('[knobs] could not send a message to the host page:', error);
    }
  }

  function sendEvent(event, data) {
    postToHost({ type: 'knobs:event', event, data: data === undefined ? null : data });
  }

  function contentHeight(snapshot) {
    const value = snapshot && snapshot.embed ? snapshot.embed.content_height : undefined;
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.ceil(value) : null;
  }

  function reportHeight(snapshot) {
    const height = contentHeight(snapshot);
    if (height === null || height === embed.height) return;
    embed.height = height;
    sendEvent('resize', { height });
  }

  const roundTo = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;

  // App and glue events, in the shape the host page gets them. Results follow xAPI's "result" object
  // (score {raw, min, max, scaled}, success, completion, ISO 8601 duration, response).
  function hostEvent(name, payload) {
    const p = payload && typeof payload === 'object' ? payload : {};
    switch (name) {
      case 'quiz_answered':
        return {
          question: p.question, correct: p.correct, selected: p.selected, attempt: p.attempt,
          result: { success: p.correct === true, response: Array.isArray(p.selected) ? p.selected.join('[,]') : '' },
        };
      case 'quiz_completed':
        return { result: { score: p.score, success: p.success, completion: p.completion !== false, duration: p.duration }, duration_s: p.duration_s };
      case 'matching_completed': {
        const max = Number(p.max) || 0;
        const raw = Number(p.score) || 0;
        return {
          round: p.round, attempt: p.attempt, mistakes: p.mistakes, duration_s: p.duration_s,
          // Success: every pair matched at the first try.
          result: {
            score: { raw, min: 0, max, scaled: max > 0 ? roundTo(raw / max, 4) : 0 },
            success: max > 0 && raw === max, completion: true, duration: p.duration,
          },
        };
      }
      case 'training':
      case 'error':
        return p;
      default:
        return undefined;   // everything else stays inside the page
    }
  }

  function forwardToHost(name, payload) {
    const data = hostEvent(name, payload);
    if (data !== undefined) sendEvent(name, data);
  }

  const PANEL_IDS = ['lifecycle', 'table', 'matching', 'quiz', 'faq', 'about', 'pretrain', 'knobs', 'inference', 'finetune', 'weights', 'cost'];

  // What the host page may ask. Each returns the app's reply, {ok} or {ok: false, error}.
  const HOST_COMMANDS = {
    load_preset(args) {
      if (typeof args.id !== 'string' || args.id === '') return { ok: false, error: 'load_preset needs a string "id"' };
      return api.command('load_preset', { id: args.id });
    },
    set_panel(args) {
      const panels = typeof args.panel === 'string' ? args.panel.split(',') : args.panel;
      if (!Array.isArray(panels) || panels.length < 1 || panels.length > 2 || !panels.every((id) => PANEL_IDS.includes(id))) {
        return { ok: false, error: `set_panel needs "panel": one or two of ${PANEL_IDS.join(', ')}` };
      }
      // The same key the embedding link uses, so a command and a link show the same thing.
      return api.command('load_link', { fragment: '#v=2&panel=' + panels.join(',') });
    },
    set_lang(args) {
      if (typeof args.lang !== 'string') return { ok: false, error: 'set_lang needs "lang": "en" or "pt-BR"' };
      return api.command('set_lang', { lang: args.lang });
    },
    reset_progress() {
      return api.command('reset_progress');
    },
  };

  function onHostMessage(event) {
    // Only the page that embeds us, from the origin it declared: anything else is ignored, silently,
    // since other scripts on the web post messages of their own.
    if (!embed.host || event.source !== window.parent || event.origin !== embed.host) return;
    const message = event.data;
    if (!message || typeof message !== 'object' || message.type !== 'knobs:command') return;
    const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : null;
    const reply = (result) => postToHost({
      type: 'knobs:reply', id, ok: Boolean(result && result.ok), ...(result && !result.ok ? { error: String(result.error) } : {}),
    });
    if (message.version !== EMBED_SCHEMA) {
      reply({ ok: false, error: `message version ${JSON.stringify(message.version)} is not supported; this Knobs speaks version ${EMBED_SCHEMA}` });
      return;
    }
    const name = typeof message.command === 'string' ? message.command : '';
    if (!Object.prototype.hasOwnProperty.call(HOST_COMMANDS, name)) {
      reply({ ok: false, error: `unknown command ${JSON.stringify(name)} (known: ${Object.keys(HOST_COMMANDS).join(', ')})` });
      return;
    }
    const args = message.args && typeof message.args === 'object' && !Array.isArray(message.args) ? message.args : {};
    running.promise.then(() => reply(HOST_COMMANDS[name](args)),
      (error) => reply({ ok: false, error: `Knobs is not running (${error.kind})` }));
  }

  // Commands from the host need only a running engine, not a drawn frame: browsers draw no frames in a
  // cross-origin frame scrolled out of view, and a host may well talk to such a frame.
  const running = {};
  running.promise = new Promise((resolve, reject) => {
    running.resolve = resolve;
    running.reject = reject;
  });
  running.promise.catch(() => {});

  // Called when the engine runs (not at the first frame, for the same reason): the host may send commands.
  function announceToHost() {
    running.resolve();
    const snapshot = safeState();
    const height = contentHeight(snapshot);
    if (height !== null) embed.height = height;
    sendEvent('ready', { app: api.version, lang: snapshot ? snapshot.lang : null, height });
  }

  function startEmbedding() {
    if (embed.on) document.documentElement.dataset.knobsEmbed = '';
    if (embed.on && !embed.host && inFrame) {
      console.warn('[knobs] embedded without host=<origin of this page>: the page gets no events and its commands are ignored');
    }
    if (!embed.host) return;
    window.addEventListener('message', onHostMessage);
    listeners.set('*', (listeners.get('*') || new Set()).add(forwardToHost));
  }

  // ---- accessibility mirror ----------------------------------------------------------------------------

  // A screen reader sees the canvas as one image. Every config.a11yPollMs the app captures a frame as
  // lines of text and controls in drawing order (src/ui/a11y.h); here they become DOM after the canvas:
  // a section per window with a heading, the tabs as a tablist, paragraphs, and buttons that activate
  // the ImGui item they stand for. The lesson panels also send their structure, which becomes native
  // elements: a section per panel, the comparison as a <table> with header cells, each quiz question as
  // a <fieldset> of radio buttons or checkboxes, the matching cards as toggle buttons (aria-pressed),
  // and the FAQ questions as headings holding disclosure buttons.
  //
  // The keyboard: the selected tab of each tablist (arrow keys move between tabs) and every control
  // inside a lesson panel are in the Tab order, after the canvas; everything else stays out of it
  // (tabindex -1) and is reached in a screen reader's browse mode. The mirror is visually hidden until
  // the focus enters it; then it shows as a panel over the page (knobs.css), so a sighted keyboard user
  // always sees where the focus is. Tab from its last control leaves the page (or the iframe): no trap.
  // Elements are kept by key between captures, so the reading position and the focus survive updates,
  // and only the notices region is a live region; it also reads out the app's announcements (quiz
  // feedback and scores, matches).
  const mirror = {
    root: null,
    regions: new Map(),   // region name -> { section, heading, tablist, content, list, said }
    lastFrame: 0,
    waitSeq: 0,           // the last activation asked for; captures drawn before it took effect are skipped
    waitSince: 0,
    saidSeq: 0,           // the last announcement put in the live region
    timer: 0,
    nextId: 1,
    hintId: 'a11y-mirror-edit-hint',
  };

  const MIRROR_ROLES = {
    button: { tag: 'button' },
    checkbox: { tag: 'button', role: 'checkbox' },
    radio: { tag: 'button', role: 'radio' },
    tab: { tag: 'button', role: 'tab' },
    disclosure: { tag: 'button' },
    input: { tag: 'button' },
    combo: { tag: 'button' },
    toggle: { tag: 'button' },
    page: { tag: 'button' },
    text: { tag: 'p' },
    heading: { tag: 'h3' },   // a section title inside a panel (ImGui's SeparatorText)
  };

  function mirrorStrings(lang) {
    return (STRINGS[lang] || STRINGS[currentLanguage()]).mirror;
  }

  function setAttr(element, name, value) {
    if (value === null || value === undefined) {
      if (element.hasAttribute(name)) element.removeAttribute(name);
    } else if (element.getAttribute(name) !== String(value)) {
      element.setAttribute(name, String(value));
    }
  }

  function mirrorUid(prefix) {
    return `a11y-${prefix}-${mirror.nextId++}`;
  }

  function mirrorText(node) {
    if ((node.role === 'input' || node.role === 'combo') && node.value) return `${node.label}: ${node.value}`;
    return node.label;
  }

  // What a node becomes, given the group it sits in: `context` = { kind, name, inPanel, panelHeading }.
  // Returns the element placed in the parent (`knobsControl` is the element that acts, `knobsSlot` where
  // a group's children go).
  function makeMirrorElement(node, context) {
    if (node.role === 'group') return makeMirrorGroup(node);
    const choice = (node.role === 'radio' && context.kind === 'radiogroup') ||
      (node.role === 'checkbox' && context.kind === 'checkboxgroup');
    if (choice) {
      // A native radio button or checkbox in its label: Tab, the arrow keys and Space work as usual.
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = node.role;
      const text = document.createElement('span');
      label.append(input, text);
      label.knobsControl = input;
      label.knobsText = text;
      label.dataset.knobsRole = node.role;
      input.dataset.knobsRole = node.role;
      return label;
    }
    if (node.role === 'toggle') {
      // A card: a toggle button, with its partner named in a description once matched.
      const wrap = document.createElement('div');
      const button = document.createElement('button');
      button.type = 'button';
      const description = document.createElement('span');
      description.id = mirrorUid('desc');
      wrap.append(button, description);
      wrap.knobsControl = button;
      wrap.knobsText = button;
      wrap.knobsDescription = description;
      button.dataset.knobsRole = node.role;
      return wrap;
    }
    if (node.role === 'disclosure' && node.level) {
      // A FAQ question: a heading that holds the button unfolding its answer (the accordion pattern).
      const heading = document.createElement('h' + Math.min(6, Math.max(2, node.level | 0)));
      const button = document.createElement('button');
      button.type = 'button';
      heading.append(button);
      heading.knobsControl = button;
      heading.knobsText = button;
      button.dataset.knobsRole = node.role;
      return heading;
    }
    const kind = MIRROR_ROLES[node.role] || MIRROR_ROLES.button;
    const element = document.createElement(kind.tag);
    if (kind.tag === 'button') element.type = 'button';
    if (kind.role) element.setAttribute('role', kind.role);
    element.dataset.knobsRole = node.role;
    element.knobsControl = kind.tag === 'button' ? element : null;
    element.knobsText = element;
    return element;
  }

  function makeMirrorGroup(node) {
    let element;
    let slot;
    switch (node.kind) {
      case 'panel': {
        element = document.createElement('section');
        const heading = document.createElement('h3');
        heading.id = mirrorUid('panel');
        slot = document.createElement('div');
        element.append(heading, slot);
        element.knobsHeading = heading;
        break;
      }
      case 'table': {
        // A wrapper, so the table's description can sit before it and be pointed at.
        element = document.createElement('div');
        const description = document.createElement('p');
        description.id = mirrorUid('desc');
        const table = document.createElement('table');
        const caption = document.createElement('caption');
        slot = document.createElement('tbody');
        table.append(caption, slot);
        element.append(description, table);
        element.knobsTable = table;
        element.knobsCaption = caption;
        element.knobsDescription = description;
        break;
      }
      case 'row':
        element = slot = document.createElement('tr');
        break;
      case 'cell':
        element = slot = document.createElement(node.header ? 'th' : 'td');
        if (node.header) element.scope = node.header === 'row' ? 'row' : 'col';
        break;
      case 'radiogroup':
      case 'checkboxgroup': {
        element = document.createElement('fieldset');
        const legend = document.createElement('legend');
        const description = document.createElement('p');
        description.id = mirrorUid('desc');
        slot = document.createElement('div');
        element.append(legend, description, slot);
        element.knobsLegend = legend;
        element.knobsDescription = description;
        break;
      }
      default:
        element = slot = document.createElement('div');
    }
    element.dataset.knobsKind = node.kind;
    element.knobsSlot = slot;
    return element;
  }

  function updateMirrorGroup(element, node, context) {
    const description = node.description || '';
    switch (node.kind) {
      case 'panel':
        setText(element.knobsHeading, node.label);
        element.knobsHeading.hidden = !node.label;
        setAttr(element, 'aria-labelledby', node.label ? element.knobsHeading.id : null);
        break;
      case 'table':
        setText(element.knobsCaption, node.label);
        element.knobsCaption.hidden = !node.label;
        // A table without its own caption is named by its panel's heading.
        setAttr(element.knobsTable, 'aria-labelledby', !node.label && context.panelHeading ? context.panelHeading : null);
        setText(element.knobsDescription, description);
        element.knobsDescription.hidden = !description;
        setAttr(element.knobsTable, 'aria-describedby', description ? element.knobsDescription.id : null);
        break;
      case 'radiogroup':
      case 'checkboxgroup':
        setText(element.knobsLegend, node.label);
        setText(element.knobsDescription, description);
        element.knobsDescription.hidden = !description;
        setAttr(element, 'aria-describedby', description ? element.knobsDescription.id : null);
        break;
      case 'set':   // one column of matching cards
        setAttr(element, 'role', 'group');
        setAttr(element, 'aria-label', node.label || null);
        break;
      default:
        break;
    }
  }

  function updateMirrorElement(element, node, context) {
    if (node.role === 'group') {
      updateMirrorGroup(element, node, context);
      return;
    }
    setText(element.knobsText, mirrorText(node));
    const control = element.knobsControl;
    if (!node.id || !control) return;   // text and headings
    control.dataset.knobsId = String(node.id >>> 0);
    if (control.tagName === 'INPUT') {
      // A native radio button or checkbox, whose state follows the app's.
      control.name = context.name;
      control.checked = !!node.checked;
      control.disabled = !!node.disabled;
      return;
    }
    // Buttons stay focusable when they cannot act (aria-disabled, not disabled), so the focus is never
    // thrown out of the mirror when a control turns off under it.
    setAttr(control, 'aria-disabled', node.disabled ? 'true' : null);
    setAttr(control, 'aria-checked', node.role === 'checkbox' || node.role === 'radio' ? String(!!node.checked) : null);
    setAttr(control, 'aria-selected', node.role === 'tab' ? String(!!node.checked) : null);
    setAttr(control, 'aria-expanded', node.role === 'disclosure' ? String(!!node.expanded) : null);
    setAttr(control, 'aria-haspopup', node.role === 'combo' ? 'listbox' : null);
    setAttr(control, 'aria-current', node.role === 'page' && node.checked ? 'step' : null);
    if (node.role === 'toggle') {
      setAttr(control, 'aria-pressed', String(!!node.pressed));
      setText(element.knobsDescription, node.description || '');
      setAttr(control, 'aria-describedby', node.description ? element.knobsDescription.id : null);
      element.dataset.knobsMatched = node.matched ? 'true' : 'false';
    } else {
      setAttr(control, 'aria-describedby', node.role === 'input' ? mirror.hintId : null);
    }
    if (node.role !== 'tab') control.tabIndex = context.inPanel ? 0 : -1;
  }

  // Puts `nodes` into `parent` in order, reusing the element of each key from the last capture. Stale
  // elements go first, so elements that stay are rarely moved (moving one would drop its focus).
  function reconcileMirror(parent, nodes, context) {
    const existing = new Map();
    for (const child of Array.from(parent.children)) {
      if (child.dataset.knobsKey) existing.set(child.dataset.knobsKey, child);
    }
    const seen = new Map();
    const wanted = nodes.map((node) => {
      // Controls are known by their ImGui id; groups by their kind and name; text by its words (and
      // which repeat of them it is).
      const base = node.id ? node.role + ':' + (node.id >>> 0)
        : node.role === 'group' ? 'group:' + node.kind + ':' + node.key : node.role + ':' + node.label;
      const repeat = seen.get(base) || 0;
      seen.set(base, repeat + 1);
      return { node, key: base + '#' + repeat };
    });
    const keep = new Map(wanted.map((w) => [w.key, w.node]));
    for (const [key, element] of existing) {
      if (!keep.has(key) || element.dataset.knobsShape !== shapeOf(keep.get(key), context)) {
        element.remove();
        existing.delete(key);
      }
    }
    wanted.forEach(({ node, key }, index) => {
      let element = existing.get(key);
      if (!element) {
        element = makeMirrorElement(node, context);
        element.dataset.knobsKey = key;
        element.dataset.knobsShape = shapeOf(node, context);
      }
      updateMirrorElement(element, node, context);
      const at = parent.children[index];
      if (at !== element) parent.insertBefore(element, at || null);
      if (node.role === 'group') reconcileGroup(element, node, context);
    });
  }

  // What decides an element's tag: a node that changes it is made afresh.
  function shapeOf(node, context) {
    if (node.role === 'group') return 'group:' + node.kind + ':' + (node.header || '');
    const inGroup = context.kind === 'radiogroup' || context.kind === 'checkboxgroup';
    return node.role + ':' + (node.level || 0) + ':' + (inGroup ? 'choice' : '');
  }

  function reconcileGroup(element, node, context) {
    const inner = {
      kind: node.kind,
      name: node.kind === 'radiogroup' || node.kind === 'checkboxgroup' ? 'knobs-' + node.key : context.name,
      inPanel: context.inPanel || node.kind === 'panel',
      panelHeading: node.kind === 'panel' && node.label ? element.knobsHeading.id : context.panelHeading,
    };
    const children = node.children || [];
    if (node.kind !== 'cards') {
      reconcileMirror(element.knobsSlot, children, inner);
      return;
    }
    // The cards: one group per column ("Concepts", "Definitions"), in the order they first come.
    const sets = new Map();
    for (const child of children) {
      const set = child.set || '';
      if (!sets.has(set)) sets.set(set, []);
      sets.get(set).push(child);
    }
    const setNodes = Array.from(sets.keys()).map((set) => ({ role: 'group', kind: 'set', key: set, label: set, children: sets.get(set) }));
    reconcileMirror(element.knobsSlot, setNodes, inner);
  }

  function mirrorRegion(name, strings) {
    let region = mirror.regions.get(name);
    if (!region) {
      const section = document.createElement('section');
      const heading = document.createElement('h2');
      heading.id = 'a11y-region-' + name.replace(/[^a-z0-9_-]/gi, '_');
      section.setAttribute('aria-labelledby', heading.id);
      const tablist = document.createElement('div');
      tablist.setAttribute('role', 'tablist');
      const content = document.createElement('div');
      let list = content;
      let said = null;
      // New notices and announcements are read out as they arrive; nothing else talks over the learner.
      if (name === 'notices') {
        content.setAttribute('role', 'status');
        content.setAttribute('aria-live', 'polite');
        list = document.createElement('div');
        said = document.createElement('div');
        content.append(list, said);
      }
      section.append(heading, tablist, content);
      section.dataset.knobsRegion = name;
      region = { section, heading, tablist, content, list, said };
      mirror.regions.set(name, region);
    }
    setText(region.heading, strings.regions[name] || name);
    setAttr(region.tablist, 'aria-label', strings.tabs);
    return region;
  }

  // Roving focus in a tablist: the selected tab is the Tab stop, the arrow keys (and Home, End) move
  // between tabs, and Enter or Space opens one. Called by onKeyDown, which keeps the mirror's keys from
  // the app.
  function onMirrorKey(event) {
    const tablist = event.target.closest('[role="tablist"]');
    if (!tablist) return;
    const tabs = Array.from(tablist.querySelectorAll('[role="tab"]'));
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const moves = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
    for (const tab of tabs) tab.tabIndex = tab === next ? 0 : -1;
    next.focus();
  }

  function updateTabStops(tablist) {
    const tabs = Array.from(tablist.querySelectorAll('[role="tab"]'));
    if (tabs.some((tab) => tab.tabIndex === 0 && tab === document.activeElement)) return;   // moving by arrows
    const selected = tabs.find((tab) => tab.getAttribute('aria-selected') === 'true') || tabs[0];
    for (const tab of tabs) tab.tabIndex = tab === selected ? 0 : -1;
  }

  function renderMirror(capture) {
    const strings = mirrorStrings(capture.lang);
    setAttr(mirror.root, 'lang', capture.lang);
    setAttr(mirror.root, 'aria-label', strings.label);
    const hint = document.getElementById(mirror.hintId);
    if (hint) setText(hint, strings.editHint);
    const byRegion = new Map();
    for (const node of capture.nodes || []) {
      if (!byRegion.has(node.region)) byRegion.set(node.region, { tabs: [], content: [] });
      byRegion.get(node.region)[node.role === 'tab' ? 'tabs' : 'content'].push(node);
    }
    // The notices' live region stays even while empty: screen readers announce what is added to a live
    // region they already know, not a region that appears with its text.
    if (!byRegion.has('notices')) byRegion.set('notices', { tabs: [], content: [] });
    const top = { kind: '', name: '', inPanel: false, panelHeading: null };
    let index = 1;   // child 0 is the edit hint
    for (const [name, parts] of byRegion) {
      const region = mirrorRegion(name, strings);
      reconcileMirror(region.tablist, parts.tabs, top);
      updateTabStops(region.tablist);
      region.tablist.hidden = parts.tabs.length === 0;
      reconcileMirror(region.list, parts.content, top);
      const at = mirror.root.children[index];
      if (at !== region.section) mirror.root.insertBefore(region.section, at || null);
      index++;
    }
    for (const [name, region] of mirror.regions) {
      if (byRegion.has(name)) continue;
      region.section.remove();
      mirror.regions.delete(name);
    }
  }

  // The app's announcements, each once, into the live region (the last few stay for browse mode).
  function sayMirror(announcements) {
    const region = mirror.regions.get('notices');
    if (!region || !region.said || !Array.isArray(announcements)) return;
    for (const item of announcements) {
      if (!(item.seq > mirror.saidSeq)) continue;
      mirror.saidSeq = item.seq;
      const line = document.createElement('p');
      line.textContent = item.text;
      line.dataset.knobsSaid = String(item.seq);
      region.said.append(line);
    }
    while (region.said.children.length > 5) region.said.firstElementChild.remove();
  }

  // Acting through the mirror: ImGui activates the item on the next frame; the mirror shows the result
  // from the first capture drawn after it (its "settled" number reaches this activation's).
  function activateMirror(control, forInput) {
    const seq = callExport('knobs_a11y_activate', [Number(control.dataset.knobsId) | 0, forInput ? 1 : 0], 0) >>> 0;
    if (seq > 0) {
      mirror.waitSeq = Math.max(mirror.waitSeq, seq);
      mirror.waitSince = performance.now();
      scheduleMirror(50);
    }
    return seq > 0;
  }

  function onMirrorClick(event) {
    const element = event.target.closest('[data-knobs-id]');
    if (!element || !mirror.root.contains(element) || element.tagName === 'INPUT') return;   // inputs: onMirrorChange
    if (element.getAttribute('aria-disabled') === 'true') return;
    const forInput = element.dataset.knobsRole === 'input';
    if (element.dataset.knobsRole === 'toggle') {
      // Pressed at once, so a screen reader reads the new state; the next capture confirms it.
      setAttr(element, 'aria-pressed', String(element.getAttribute('aria-pressed') !== 'true'));
    }
    const ok = activateMirror(element, forInput);
    // A slider or field is edited inside the canvas, which takes the keys from here on.
    if (ok && forInput) canvas.focus({ preventScroll: true });
  }

  // A radio button or checkbox changed by Space, the arrow keys or a click: the same choice in the app.
  function onMirrorChange(event) {
    const input = event.target;
    if (input.tagName !== 'INPUT' || !input.dataset.knobsId || !mirror.root.contains(input)) return;
    activateMirror(input, false);
  }

  // The element with the focus, and the groups around it, so the focus can be put back after an update
  // that took it away (an element replaced, or a radio button that became disabled).
  function focusTrail() {
    const active = document.activeElement;
    if (!active || !mirror.root.contains(active)) return null;
    const trail = [];
    for (let e = active; e && e !== mirror.root; e = e.parentElement) trail.push(e);
    return trail;
  }

  function restoreFocus(trail) {
    if (!trail || mirror.root.contains(document.activeElement)) return;
    for (const element of trail) {
      if (!element.isConnected) continue;
      const focusable = element.matches('button, input:not([disabled]), [tabindex]');
      if (!focusable) element.tabIndex = -1;   // a group or section: the nearest thing that is still there
      element.focus({ preventScroll: true });
      if (document.activeElement === element) return;
    }
  }

  function scheduleMirror(delay) {
    clearTimeout(mirror.timer);
    mirror.timer = setTimeout(tickMirror, delay);
  }

  let mirrorWarned = false;
  function tickMirror() {
    if (fatalError) return;
    let settled = true;
    if (document.visibilityState !== 'hidden') {
      try {
        const capture = JSON.parse(readCString(callExport('knobs_a11y_json', [], 0)) || 'null');
        // A capture drawn before the learner's last action took effect would undo it on screen for a
        // moment. (Frames stop while the page is hidden; after 2 s any capture will do.)
        if (mirror.waitSeq && performance.now() - mirror.waitSince > 2000) mirror.waitSeq = 0;
        settled = !capture || (capture.settled >>> 0) >= mirror.waitSeq;
        if (capture && capture.frame && capture.frame !== mirror.lastFrame && settled) {
          mirror.lastFrame = capture.frame;
          const trail = focusTrail();
          renderMirror(capture);
          restoreFocus(trail);
          mirror.root.dataset.knobsFrame = String(capture.frame);
        }
        if (capture) sayMirror(capture.announcements);
        callExport('knobs_a11y_request', []);
      } catch (error) {
        if (!mirrorWarned) console.warn('[knobs] updating the accessibility mirror failed:', error);
        mirrorWarned = true;
      }
    }
    // Waiting for an action's effect: look again soon rather than a whole poll later.
    scheduleMirror(settled ? config.a11yPollMs : 50);
  }

  function watchMirror() {
    mirror.root = $('a11y-mirror');
    if (!mirror.root) return;
    mirror.root.addEventListener('click', onMirrorClick);
    mirror.root.addEventListener('change', onMirrorChange);
    tickMirror();
  }

  // ---- watching the state ------------------------------------------------------------------------------

  // One look at the state every so often (not every frame: the snapshot is a few kilobytes of JSON)
  // keeps the address on the current link, the host page's frame at the content's height, and
  // reports training milestones.
  // Files a link names (content=lesson.json, corpus_url=text.txt) are fetched from the page's own origin
  // only, once per file, and handed to the app, which validates them like any other file it is given.
  const LINKED_FILE_LIMITS = { content: 2 * 1024 * 1024, linked_text: () => config.maxTextBytes };
  const linkedFilesAsked = new Set();

  function fetchLinkedFiles(snapshot) {
    const wanted = snapshot.fetch;
    if (!wanted || typeof wanted !== 'object') return;
    for (const purpose of Object.keys(LINKED_FILE_LIMITS)) {
      const file = wanted[purpose];
      if (typeof file !== 'string' || !file || linkedFilesAsked.has(purpose + ':' + file)) continue;
      linkedFilesAsked.add(purpose + ':' + file);
      fetchLinkedFile(file, purpose);
    }
  }

  async function fetchLinkedFile(file, purpose) {
    const failed = (reason) => notify(() => fill(noticeStrings().linkedFileFailed, { name: file, reason }), true);
    let url;
    try {
      url = new URL(file, document.baseURI);
    } catch (error) {
      failed(describeCause(error));
      return;
    }
    // The app only accepts plain relative paths, so this cannot happen; checked again because it is cheap.
    if (url.origin !== window.location.origin) {
      failed('not on this site');
      return;
    }
    let buffer;
    try {
      const response = await fetch(url.href, { credentials: 'same-origin', redirect: 'error' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      buffer = await response.arrayBuffer();
    } catch (error) {
      failed(describeCause(error));
      return;
    }
    const limitOf = LINKED_FILE_LIMITS[purpose];
    const limit = typeof limitOf === 'function' ? limitOf() : limitOf;
    if (buffer.byteLength > limit) {
      notify(() => fill(noticeStrings().linkedFileTooLarge, { name: file, size: megabytes(buffer.byteLength), limit: megabytes(limit) }), true);
      return;
    }
    if (fatalError) return;
    if (purpose === 'content') progressKey = PROGRESS_KEY + ':' + file;
    const { ok } = openBytes(new Uint8Array(buffer), file, purpose);
    if (purpose === 'content' && !ok) progressKey = PROGRESS_KEY;
  }

  function watchState() {
    const period = embed.host ? config.embedPollMs : config.linkSyncMs;
    let warned = false;
    const tick = () => {
      if (fatalError) return;
      if (document.visibilityState !== 'hidden') {
        try {
          const snapshot = rawState();
          if (snapshot) {
            followLink(snapshot);
            fetchLinkedFiles(snapshot);
            trackTraining(snapshot);
            saveDisplaySettings(snapshot);
            if (embed.host) reportHeight(snapshot);
          }
        } catch (error) {
          if (!warned) console.warn('[knobs] reading the state failed:', error);
          warned = true;
        }
      }
      setTimeout(tick, period);
    };
    setTimeout(tick, period);
  }

  // ---- the training worker ------------------------------------------------------------------------
  // Training chunks (src/core/train_chunk.h) run in a Web Worker with an engine-only wasm instance
  // (train-worker.js), so training gets a core of its own instead of the slice of each frame the UI can
  // spare. The C++ side sends the training text once and then one encoded request per chunk; each result
  // goes back into the app through knobs_offload_result. The worker starts on the first send, not at page
  // load, so it adds nothing to the app's start. If it fails (it could not start, or the engine in
  // it stopped), the app hears it once through knobs_offload_failed and trains in the page as before.

  const trainWorker = { worker: null, failed: false };

  function trainWorkerFailed(reason) {
    if (trainWorker.failed) return;
    trainWorker.failed = true;
    if (trainWorker.worker) trainWorker.worker.terminate();
    trainWorker.worker = null;
    console.warn(`[knobs] the training worker stopped (${reason}); training continues in the page`);
    const fn = exportFunction('knobs_offload_failed');
    if (fn && runtime.running) fn();
  }

  // A chunk's result: copied into the app's heap for knobs_offload_result, freed after the call.
  function deliverTrainResult(buffer) {
    const fn = exportFunction('knobs_offload_result');
    if (!fn || !runtime.running || fatalError) return;
    const M = window.Module;
    const bytes = new Uint8Array(buffer);
    const ptr = M._malloc(Math.max(1, bytes.length));
    if (!ptr) {
      trainWorkerFailed(`no memory for a result of ${bytes.length} bytes`);
      return;
    }
    try {
      // Read HEAPU8 only now: a _malloc that grew the memory replaced the old view.
      M.HEAPU8.set(bytes, ptr);
      fn(ptr, bytes.length);
    } finally {
      M._free(ptr);
    }
  }

  function onTrainWorkerMessage(event) {
    const data = event.data;
    if (data === null || typeof data !== 'object') return;
    if (data.type === 'result' && data.bytes instanceof ArrayBuffer) deliverTrainResult(data.bytes);
    else if (data.type === 'error') trainWorkerFailed(typeof data.message === 'string' ? data.message : 'an error');
  }

  // The running worker, started on first use; null once it has failed.
  function startedTrainWorker() {
    if (trainWorker.failed) return null;
    if (trainWorker.worker) return trainWorker.worker;
    let worker;
    try {
      // Relative to the page, like knobs.js: the site works from any folder.
      worker = new Worker(new URL(config.trainWorkerUrl, document.baseURI));
    } catch (error) {
      trainWorkerFailed(describeCause(error));
      return null;
    }
    worker.addEventListener('message', onTrainWorkerMessage);
    worker.addEventListener('messageerror', () => trainWorkerFailed('a message from it could not be read'));
    worker.addEventListener('error', (event) => {
      // Reported here, once, instead of as an uncaught error of the page.
      event.preventDefault();
      trainWorkerFailed(event.message || `${config.trainWorkerUrl} could not be loaded`);
    });
    trainWorker.worker = worker;
    return worker;
  }

  // Posts a copy of `bytes` (a view into the app's heap, which may move or be reused once the call
  // returns); the copy's buffer is transferred, not cloned again. Returns whether it was sent.
  function postToTrainWorker(message, bytes) {
    if (!(bytes instanceof Uint8Array)) {
      console.warn('[knobs] trainWorker: the bytes must be a Uint8Array, got', bytes);
      return false;
    }
    const worker = startedTrainWorker();
    if (!worker) return false;
    const copy = bytes.slice().buffer;
    try {
      worker.postMessage(Object.assign(message, { bytes: copy }), [copy]);
    } catch (error) {
      trainWorkerFailed(describeCause(error));
      return false;
    }
    return true;
  }

  const trainWorkerApi = Object.freeze({
    available: () => typeof Worker === 'function' && !trainWorker.failed,
    sendCorpus(id, bytes) {
      if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
        console.warn('[knobs] trainWorker.sendCorpus: the id must be a uint32, got', id);
        return false;
      }
      return postToTrainWorker({ type: 'corpus', id }, bytes);
    },
    sendChunk: (bytes) => postToTrainWorker({ type: 'chunk' }, bytes),
  });

  window.knobsGlue = Object.freeze({
    copyText,
    emit: emitFromApp,
    fatal: fatalFromApp,
    // main() calls this once its window exists, just before it enters the main loop.
    started: () => onMainStarted(),
    pickFile,
    download,
    saveProgress,
    loadProgress,
    // From a button inside a frame: the work (which calls back into the app) waits until the frame is over.
    copyLink: () => {
      Promise.resolve().then(copyLink).catch((error) => console.warn('[knobs] copyLink failed:', error));
    },
    trainWorker: trainWorkerApi,
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
      // In a frame sandboxed without allow-same-origin the page has an opaque origin, so this fetch is
      // cross-origin and fails for want of CORS headers: say that rather than blame the network.
      throw new KnobsLoadError(hasOpaqueOrigin() ? 'sandbox' : 'network', { file: url }, error);
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

  // After the first visit the app works offline: sw.js keeps a copy of its files. Registered once the app
  // runs, so installing it (which downloads the files once more, usually from the HTTP cache) never
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
    const text = JSON.stringify({ ui_scale: snapshot.ui_scale, motion: snapshot.motion.setting });
    if (text === display.saved) return;
    display.saved = text;
    try {
      window.localStorage.setItem(DISPLAY_KEY, text);
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

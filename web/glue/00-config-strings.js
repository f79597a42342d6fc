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
//
// The source is web/glue/*.js, joined in name order into this one file by the build
// (cmake/copy_web.cmake): a single script keeps the strict CSP (docs/security.md), the offline list in
// sw.js and embedding as they are. This first piece opens the wrapper below and the last one closes it,
// so all the pieces share one scope. Edit the pieces, never the joined file; the browser tests check that
// the site's copy is exactly the pieces joined (glue-pieces.test.mjs).
//
// ==== web/glue/00-config-strings.js: the overview above, the timers and limits tests may change, and the
// loader's own strings in both languages (the page has to speak before the engine has loaded).
(function () {
  'use strict';

  // ---- configuration ---------------------------------------------------------------------------

  // The build this glue belongs to, stamped by cmake/copy_web.cmake (a SHA-256 prefix of the site's
  // files). Every file the page loads is asked for with it, as "?v=<id>": a new build has new addresses, so
  // no browser or HTTP cache can hand this page another build's engine, model or training worker, and the
  // service worker knows which build a request belongs to (docs/embedding.md, "Offline").
  const BUILD_ID = '@KNOBS_BUILD_ID@';
  const ofThisBuild = (file) => `${file}?v=${BUILD_ID}`;

  // Tests may shorten the timers by defining window.KNOBS_CONFIG before this script runs.
  const userConfig = (typeof window.KNOBS_CONFIG === 'object' && window.KNOBS_CONFIG) || {};
  const config = {
    wasmUrl: ofThisBuild('knobs.wasm'),
    scriptUrl: ofThisBuild('knobs.js'),
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
    modelUrl: ofThisBuild('models/default.knobs'),
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
    trainWorkerUrl: ofThisBuild('train-worker.js'),
    // The service worker that keeps the app's files for offline use (sw.js, next to this file). Its own
    // address carries the build too, so a new build's page always installs the new build's worker (a
    // host that keeps old file times would otherwise answer the browser's update check with "not
    // modified"). KNOBS_CONFIG = { serviceWorker: false } leaves it out.
    serviceWorkerUrl: userConfig.serviceWorker === false ? null : ofThisBuild('sw.js'),
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
        moreThan: 'more than {size}',
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
        moreThan: 'mais de {size}',
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

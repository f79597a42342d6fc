  // ==== web/glue/80-state-worker.js ====================================================================
  // The regular look at the state (the address, linked files, training milestones, display settings, the
  // embedded height), the training worker, and window.knobsGlue: every function the C++ side calls.

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
    const limitOf = LINKED_FILE_LIMITS[purpose];
    const limit = typeof limitOf === 'function' ? limitOf() : limitOf;
    const tooLarge = (sizes) => notify(() => fill(noticeStrings().linkedFileTooLarge, { name: file, ...sizes }), true);
    let buffer;
    const controller = new AbortController();
    try {
      const response = await fetch(url.href, { credentials: 'same-origin', redirect: 'error', signal: controller.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      // Never more than the limit in memory: refused by its declared size before a byte is read, and read
      // with a running count otherwise (no Content-Length, or one that understates), stopped one chunk past it.
      const declared = Number(response.headers.get('Content-Length'));
      if (Number.isFinite(declared) && declared > limit) {
        controller.abort();
        tooLarge(sizeAndLimit(declared, limit));
        linkedFileStats.lastReadBytes = 0;
        linkedFileStats.lastChunkBytes = 0;
        return;
      }
      buffer = await readAtMost(response, limit, controller);
      if (!buffer) {
        const lang = currentLanguage();
        tooLarge({ size: fill(noticeStrings().moreThan, { size: megabytes(limit, lang) }), limit: megabytes(limit, lang) });
        return;
      }
    } catch (error) {
      failed(describeCause(error));
      return;
    }
    if (fatalError) return;
    if (purpose === 'content') progressKey = PROGRESS_KEY + ':' + file;
    const { ok } = openBytes(new Uint8Array(buffer), file, purpose);
    if (purpose === 'content' && !ok) progressKey = PROGRESS_KEY;
  }

  // For the tests: how many bytes the last linked file's read took in (stopped one chunk past the limit).
  const linkedFileStats = { lastReadBytes: 0, lastChunkBytes: 0 };

  // The body's bytes, or null as soon as they pass `limit` (the download is then cancelled).
  async function readAtMost(response, limit, controller) {
    if (!response.body) {
      const whole = await response.arrayBuffer();   // no stream to count: a browser without response bodies
      linkedFileStats.lastReadBytes = whole.byteLength;
      return whole.byteLength > limit ? null : whole;
    }
    const reader = response.body.getReader();
    const chunks = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      linkedFileStats.lastReadBytes = total;
      linkedFileStats.lastChunkBytes = value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        controller.abort();
        return null;
      }
      chunks.push(value);
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    return bytes.buffer;
  }

  function watchState() {
    const period = embed.host || h5p.on ? config.embedPollMs : config.linkSyncMs;
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
            if (h5p.on) h5pResize(snapshot);
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
    // Read-only figures for the tests (tests/browser/linked-files.test.mjs): how far a linked file's read got.
    linkedFileStats: () => ({ ...linkedFileStats }),
  });

  // ==== web/glue/50-files-progress.js ==================================================================
  // Files in and out: the picker, drag-and-drop, knobs.openFile, downloads and the shipped model, checked for
  // size before they are read; and the lesson progress, which the app keeps in localStorage through the glue.

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
      notify(() => fill(noticeStrings().noMemory, { name: shortName(name), size: megabytes(bytes.length, currentLanguage()) }), true);
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
        name: shortName(name), ...sizeAndLimit(file.size, limit), what: noticeStrings()[FILE_PURPOSES[kind].what],
      }), true, kind);
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

  // A page may keep the progress elsewhere: the SCORM package (scorm/knobs-scorm.js) keeps it in the
  // course platform's suspend data, so it follows the learner instead of this browser.
  const progressStore = userConfig.progressStore && typeof userConfig.progressStore.load === 'function' &&
    typeof userConfig.progressStore.save === 'function' ? userConfig.progressStore : null;

  function saveProgress(json) {
    if (progressStore) return void progressStore.save(String(json));
    try {
      window.localStorage.setItem(progressKey, String(json));
    } catch (error) {
      storageProblem('save', error);
    }
  }

  // Another tab of the same lesson saved: the app merges that record into its own (src/lesson/progress.h),
  // so this tab shows the other's answers at once and its next save keeps them. The browser fires
  // `storage` only in the other tabs of this origin, never in the tab that wrote.
  window.addEventListener('storage', (event) => {
    if (event.key !== progressKey || event.storageArea !== safeLocalStorage() || !runtime.running) return;
    callExport('knobs_progress_changed', []);
  });

  function safeLocalStorage() {
    try {
      return window.localStorage;
    } catch {
      return null;  // reading localStorage throws where storage is blocked
    }
  }

  function loadProgress() {
    if (progressStore) return String(progressStore.load() || '');
    try {
      const text = window.localStorage.getItem(progressKey);
      return typeof text === 'string' ? text : '';
    } catch (error) {
      storageProblem('load', error);
      return '';
    }
  }

// Knobs training worker: runs chunks of optimizer steps in a second, engine-only wasm instance
// (knobs_train_worker.js + .wasm, built from src/platform/train_worker.cpp), so training gets a core of
// its own instead of the slice of each frame the UI can spare. Started by knobs-glue.js (trainWorker)
// the first time the app trains; see docs/page-api.md.
//
// Messages from the page:
//   {type: 'corpus', id: uint32, bytes: ArrayBuffer}  the training text chunks name by id (replaces any other)
//   {type: 'chunk', bytes: ArrayBuffer}               an encoded TrainChunkRequest (src/core/train_chunk.h)
// Messages to the page:
//   {type: 'ready'}                                   the engine is instantiated
//   {type: 'result', bytes: ArrayBuffer}              the encoded TrainChunkResult of each chunk, in order
//   {type: 'error', message: string}                  the engine could not start or failed; nothing more follows
// A bad request is not an error here: the engine answers it with a result that carries the reason.
'use strict';

let engine = null;      // the instantiated module, once ready
let failed = false;     // after an error every message is dropped: the page has been told to stop using us
const pending = [];     // messages that arrived before the engine was ready, in order

function fail(error) {
  if (failed) return;
  failed = true;
  pending.length = 0;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  self.postMessage({ type: 'error', message });
}

// Copies `buffer` into the engine's heap, calls `use(ptr, length)`, and frees the copy.
function withHeapCopy(buffer, use) {
  const bytes = new Uint8Array(buffer);
  const ptr = engine._tw_alloc(bytes.length);
  if (!ptr) throw new Error(`out of memory copying ${bytes.length} bytes into the training engine`);
  try {
    // Read HEAPU8 only after the allocation: growing the memory replaces the view.
    engine.HEAPU8.set(bytes, ptr);
    return use(ptr, bytes.length);
  } finally {
    engine._tw_free(ptr);
  }
}

function handle(data) {
  if (data.type === 'corpus') {
    withHeapCopy(data.bytes, (ptr, length) => engine._tw_set_corpus(data.id, ptr, length));
  } else {
    const length = withHeapCopy(data.bytes, (ptr, n) => engine._tw_run(ptr, n));
    const resultPtr = engine._tw_result();
    // slice() copies out of the heap, so the buffer can be transferred.
    const result = engine.HEAPU8.slice(resultPtr, resultPtr + length).buffer;
    self.postMessage({ type: 'result', bytes: result }, [result]);
  }
}

// Only the two shapes above are taken; anything else is ignored.
function wellFormed(data) {
  if (data === null || typeof data !== 'object' || !(data.bytes instanceof ArrayBuffer)) return false;
  if (data.type === 'chunk') return true;
  return data.type === 'corpus' && Number.isInteger(data.id) && data.id >= 0 && data.id <= 0xffffffff;
}

self.addEventListener('message', (event) => {
  if (failed || !wellFormed(event.data)) return;
  if (!engine) {
    pending.push(event.data);
    return;
  }
  try {
    handle(event.data);
  } catch (error) {
    fail(error);
  }
});

// The build this file belongs to, stamped by cmake/copy_web.cmake. The page starts it as
// "train-worker.js?v=<its build>"; a page that kept running across a deploy gets the new build's file at
// that address from a static host, and the new engine may not speak the old page's chunk format. That
// mix is refused here, as a failure to start: the page then trains in its own frames, with its own engine.
const BUILD_ID = '@KNOBS_BUILD_ID@';
const askedFor = new URL(self.location.href).searchParams.get('v');
if (askedFor !== null && askedFor !== BUILD_ID) {
  fail(new Error(`the page is build ${askedFor} and this training worker is build ${BUILD_ID}; reload the page`));
}

// A missing or damaged knobs_train_worker.js is reported like any other failure to start. The engine and
// its wasm are asked for with this build's id, like every file of the app.
if (!failed) {
  try {
    importScripts(`knobs_train_worker.js?v=${BUILD_ID}`);
  } catch (error) {
    fail(error);
  }
}
if (!failed) {
  createKnobsTrainWorker({
    locateFile: (file, directory) => `${directory}${file}?v=${BUILD_ID}`,
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    onAbort: (what) => fail(what instanceof Error ? what : new Error(`the training engine aborted: ${what}`)),
  }).then((instance) => {
    if (failed) return;
    engine = instance;
    self.postMessage({ type: 'ready' });
    try {
      while (pending.length > 0 && !failed) handle(pending.shift());
    } catch (error) {
      fail(error);
    }
  }, fail);
}

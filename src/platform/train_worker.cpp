// The training Web Worker's wasm entry (knobs_train_worker.js + .wasm, loaded by web/train-worker.js): a
// second, engine-only instance that runs training chunks (src/core/train_chunk.h) away from the thread
// that draws. No ImGui, GL or app code, so the worker's download is the engine alone.
//
// The worker script talks to these exports only: it copies bytes in with tw_alloc, calls, and copies the
// result out of the heap before the next call.
#include <emscripten/emscripten.h>

#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "core/train_chunk.h"
#include "core/utf8.h"

namespace {

// The one corpus the worker keeps: the page sends a text once and names it by id in every chunk, so
// 10 MB do not cross threads with each chunk. A new text replaces the old one.
uint32_t g_corpus_id = 0;
std::vector<uint8_t> g_corpus;

// The last chunk's result, kept until the next tw_run so the worker script can read it in place.
std::vector<uint8_t> g_result;

}  // namespace

extern "C" {

// Heap buffers for the worker script to copy messages into. 0 when n is negative or memory is exhausted.
EMSCRIPTEN_KEEPALIVE uint8_t* tw_alloc(int n) {
    if (n < 0) return nullptr;
    return static_cast<uint8_t*>(std::malloc(n > 0 ? static_cast<size_t>(n) : 1));
}

EMSCRIPTEN_KEEPALIVE void tw_free(uint8_t* p) { std::free(p); }

// Copies the text (the caller frees its buffer afterwards). A text over the app's own limit is not
// kept, and the previous one is dropped too, so chunks naming either id get a "wrong corpus" result
// instead of training on something the page did not mean.
EMSCRIPTEN_KEEPALIVE void tw_set_corpus(uint32_t corpus_id, const uint8_t* text, int len) {
    g_corpus.clear();
    g_corpus_id = 0;
    if (len < 0 || static_cast<size_t>(len) > knobs::kMaxUserTextBytes || (len > 0 && !text)) return;
    g_corpus.assign(text, text + len);
    g_corpus_id = corpus_id;
}

// Runs one chunk; the result's bytes stay at tw_result() until the next call. Returns their length.
EMSCRIPTEN_KEEPALIVE int tw_run(const uint8_t* request, int len) {
    const std::span<const uint8_t> bytes = (request && len > 0)
        ? std::span<const uint8_t>(request, static_cast<size_t>(len)) : std::span<const uint8_t>();
    g_result = knobs::run_train_chunk_bytes(bytes, g_corpus_id, g_corpus);
    return static_cast<int>(g_result.size());
}

EMSCRIPTEN_KEEPALIVE const uint8_t* tw_result() { return g_result.data(); }

}  // extern "C"

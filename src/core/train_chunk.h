// A few optimizer steps computed away from the thread that draws: the browser's training Web Worker runs
// them in a second, engine-only wasm instance, so training gets a core of its own instead of the slice of
// each frame the UI can spare.
//
// Only pre-training is supported: every parameter is trainable (no LoRA adapters), so the AdamW moments
// have one entry per parameter.
//
// A chunk is a pure function of its request: the model's configuration and parameters, the training
// configuration, the trainer's progress (step counters and AdamW moments) and the training text. It builds a
// Trainer in that state, runs whole optimizer steps, and returns the new state with every step's stats. The
// steps are the engine's own (Trainer::step), so the parameters after a chunk are the same bits the
// caller's own Trainer would reach with the same steps — that is what keeps a shared link trustworthy
// whichever thread trained.
//
// The request and result travel as bytes (encode/decode below): little-endian, a magic and a version, then
// the fields in order; floats as IEEE-754 bits. The decoders validate every size before allocating and
// refuse anything inconsistent with a message.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config.h"
#include "trainer.h"

namespace knobs {

struct TrainChunkRequest {
    uint32_t chunk_id = 0;      // echoed in the result, so a caller can drop results it no longer wants
    uint32_t corpus_id = 0;     // which training text (the worker keeps the last one it was sent)
    ModelConfig config;
    TrainConfig train;          // train.lr is the current peak learning rate
    int steps = 1;              // optimizer steps to run, 1..kMaxChunkSteps; stops early after a non-finite one
    std::vector<float> params;  // (num_params) the model's parameters before the chunk
    TrainProgress progress;     // the trainer's state before the chunk
    bool operator==(const TrainChunkRequest&) const = default;
};

struct TrainChunkResult {
    uint32_t chunk_id = 0;
    std::string error;                     // non-empty: nothing was trained (bad request, wrong corpus)
    std::vector<StepStats> steps;          // one per optimizer step run, in order
    std::vector<float> params;             // (num_params) after the last step
    std::vector<float> params_before_last; // (num_params) before the last step: the knobs colour by its sign
    std::vector<float> grads;              // (num_params) the last step's gradients, as the model holds them
    TrainProgress progress;                // after the last step
    double ms = 0;                         // wall time spent training (building the trainer included)
    bool operator==(const TrainChunkResult&) const = default;
};

inline constexpr int kMaxChunkSteps = 64;

std::vector<uint8_t> encode(const TrainChunkRequest& r);
std::vector<uint8_t> encode(const TrainChunkResult& r);
// False (and a reason in *error) for bytes that are not a complete, consistent message of that kind.
bool decode(std::span<const uint8_t> bytes, TrainChunkRequest* out, std::string* error);
bool decode(std::span<const uint8_t> bytes, TrainChunkResult* out, std::string* error);

// Runs the chunk on `train_text` (which must be the text the request's corpus_id names; the caller checks).
TrainChunkResult run_train_chunk(const TrainChunkRequest& request, std::span<const uint8_t> train_text);

// The worker's whole job in one call: decode, run, encode. `text_corpus_id` names `train_text`; a request
// for another corpus is not run. A request that does not decode, or names another corpus, gets a result
// with the reason in `error` (and chunk_id 0 when it did not decode).
std::vector<uint8_t> run_train_chunk_bytes(std::span<const uint8_t> request, uint32_t text_corpus_id,
                                           std::span<const uint8_t> train_text);

}  // namespace knobs

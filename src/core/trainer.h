// Training: random windows of the corpus, cross-entropy, AdamW, a warmup + cosine learning-rate schedule,
// global gradient-norm clipping, and micro-batches so one optimizer step can be spread over many frames.
//
// Determinism. The windows of micro-batch m of step s come from an Rng seeded by (seed, s, m), and the
// micro-batches of a step are always accumulated in order, so the parameters after N steps are the same
// bits whether the caller runs step() N times or run_micro_batch() one frame at a time.
//
// Cache blocking. A micro-batch is computed in chunks of chunk_size() sequences, each a forward and a
// backward, so the activations a backward reads back are still in the CPU cache (forward activations of
// 4 default-size sequences are ~3.5 MB, a typical L2 holds 1-2 MB; measured natively per CPU second:
// 23k -> 27k tokens/s). The
// gradient is the same mean over the micro-batch, and the chunking depends only on the configuration.
//
// Weight decay (decoupled, AdamW) applies only to the 2-D weight matrices -- wte, wpe, qkvw, attprojw,
// fcw, fcprojw -- and not to biases or LayerNorm parameters: decay pulls weights toward zero, which
// regularises matrices but would only fight the LayerNorm gains (whose neutral value is 1) and offsets.
// Under LoRA every adapter entry is a 2-D matrix entry and is decayed, which pulls the adapted model
// back toward the base.
//
// Errors. Everything a learner controls has a non-throwing check (validate(cfg), Trainer::check()); the
// wasm build has no C++ exceptions, so the throwing paths are for programming errors and checked callers.
//
// Divergence. If the loss, the gradient norm, or any proposed new parameter or moment is not finite,
// the step is reported with finite == false and nothing is applied: parameters and optimizer state keep
// their previous values (the step still counts, so the next one sees new data).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model.h"

namespace knobs {

struct TrainConfig {
    float lr = 3e-3f;           // peak learning rate (after warmup)
    int warmup_steps = 20;      // linear warmup from lr/warmup to lr
    int total_steps = 2000;     // cosine decay reaches min_lr_ratio * lr here, and stays
    float min_lr_ratio = 0.1f;
    float weight_decay = 0.1f;
    float beta1 = 0.9f, beta2 = 0.95f, eps = 1e-8f;
    float grad_clip = 1.0f;     // max global gradient L2 norm; 0 turns clipping off
    int batch_size = 16;        // sequences per optimizer step
    int micro_batch_size = 4;   // sequences per forward/backward; batch_size % micro_batch_size == 0
    uint64_t seed = 1;          // data order
    float moved_threshold = 1e-4f;  // a parameter "moved" in a step when |change| exceeds this
    bool operator==(const TrainConfig&) const = default;
};

// Empty when valid, otherwise a sentence a learner can read.
std::string validate(const TrainConfig& cfg);

// The micro-batch the app and the CLI split a batch of `batch_size` sequences into: 2 when the batch is
// even, else 1. Small micro-batches keep each slice of work well inside a frame's budget in the browser,
// and the results do not depend on the split (see Determinism above), so the CLI uses the same one and
// trains the same bits as the app.
int interactive_micro_batch(int batch_size);

// Divergence by the numbers, for whoever runs the steps (the CLI; the app's lab has the same rule): a
// 1-based `step` past the warmup whose loss is over 3 times the best loss seen so far (and over 2 nats, so
// a model that is already good is not stopped by noise) means the learning rate is too high. A non-finite
// step (StepStats::finite == false) is divergence too; this is the finite case.
bool loss_exploded(float loss, int step, int warmup_steps, float best_loss);

// One optimizer step, stage by stage (forward, loss, backward, update) for the "step anatomy" view.
struct StepStats {
    int step = -1;             // 0-based index of the optimizer step; -1 before the first
    float loss = 0;            // mean training loss over the step's batch (nats)
    float grad_norm = 0;       // global L2 norm of the gradient, before clipping
    float clip_scale = 1;      // factor the gradient was multiplied by (1: not clipped)
    float update_norm = 0;     // L2 norm of the change applied to the parameters
    float max_update = 0;      // largest |change| of a single parameter
    float lr = 0;              // learning rate used
    size_t knobs_moved = 0;    // parameters whose |change| > moved_threshold
    size_t knobs_total = 0;    // trainable parameters
    bool finite = true;        // false: non-finite loss, gradient or update; nothing was applied
    uint64_t tokens = 0;       // tokens in the batch
    double flops_forward = 0, flops_loss = 0, flops_backward = 0, flops_update = 0;
    double ms_forward = 0, ms_backward = 0, ms_update = 0;  // wall time; forward includes the loss
    bool operator==(const StepStats&) const = default;
};

// What a Trainer carries from one step to the next besides the model's parameters (progress() and
// resume()), so another Trainer -- in another thread or wasm instance -- can take over between steps.
struct TrainProgress {
    int step = 0;              // optimizer steps completed (sets the learning-rate schedule and the data order)
    int adam_t = 0;            // AdamW's bias-correction counter (steps that were applied)
    uint64_t tokens_seen = 0;
    double total_flops = 0;
    std::vector<float> m, v;   // (n_trainable) AdamW moments, same layout as the trainable parameters
    bool operator==(const TrainProgress&) const = default;
};

class Trainer {
public:
    // The model and both texts must outlive the trainer. `train` needs at least block_size + 1 bytes;
    // `val` may be empty (validation_loss() is then NaN) or must also hold a window.
    // Empty when a trainer can be built from these, otherwise a sentence a learner can read.
    static std::string check(const Model& model, std::span<const uint8_t> train, std::span<const uint8_t> val,
                             const TrainConfig& cfg);
    // Throws std::invalid_argument with check()'s message (call check() first in the wasm build, where a
    // throw aborts).
    Trainer(Model& model, std::span<const uint8_t> train, std::span<const uint8_t> val, const TrainConfig& cfg);

    // One micro-batch: forward, backward, accumulate. Returns true when it completed an optimizer step.
    bool run_micro_batch();
    // Runs micro-batches until one optimizer step completes; returns its stats.
    StepStats step();

    const StepStats& last_step() const { return last_; }
    int step_index() const { return step_; }                  // optimizer steps completed
    int micro_index() const { return micro_; }                // micro-batches into the current step
    int micro_batches_per_step() const { return cfg_.batch_size / cfg_.micro_batch_size; }
    int chunk_size() const { return chunk_; }                 // sequences per forward/backward
    uint64_t tokens_seen() const { return tokens_seen_; }
    double total_flops() const { return total_flops_; }       // forward + loss + backward + update so far

    // Mean loss over max_batches (at least 1) micro-batches of evenly spaced windows of `val` (always the
    // same windows). Does not touch gradients, optimizer state or the data order.
    float validation_loss(int max_batches = 8);

    // Sets the peak learning rate; the schedule keeps running (warmup/cosine multiply the new peak).
    // Takes effect at the next update, mid-step included. A value that is not finite or is negative is
    // refused: returns false and keeps the old rate.
    bool set_lr(float lr);
    float peak_lr() const { return cfg_.lr; }
    float current_lr() const { return scheduled_lr(cfg_, step_); }  // what the next update will use
    static float scheduled_lr(const TrainConfig& cfg, int step);

    // The windows of the last micro-batch trained on: (micro_batch_size, T) bytes, targets shifted by one.
    std::span<const uint8_t> last_inputs() const { return inputs_; }
    std::span<const uint8_t> last_targets() const { return targets_; }

    const TrainConfig& config() const { return cfg_; }
    std::span<const float> adam_m() const { return m_; }
    std::span<const float> adam_v() const { return v_; }

    // The state between optimizer steps. Throws std::logic_error in the middle of a step
    // (micro_index() != 0): half a step's accumulated gradient lives in the model and is not part of it.
    TrainProgress progress() const;
    // Continues from `p` (taken from a trainer of the same model shape and config, whose parameters the
    // caller has copied into this trainer's model): the next step is
    // p.step, with the same data, schedule and moments, so the parameters follow the same bits as the
    // trainer `p` came from. Drops any half-done step and forgets last_step() (it belongs to the other
    // run). Returns an empty string, or the reason `p` does not fit this trainer -- and then changes nothing.
    std::string resume(const TrainProgress& p);

private:
    struct Segment {  // a run of trainable parameters sharing one weight-decay setting
        size_t offset, count;
        bool decay;
    };
    void check_model_unchanged() const;
    void sample(std::span<const uint8_t> text, uint64_t rng_seed);
    void apply_update();

    Model& model_;
    std::span<const uint8_t> train_, val_;
    TrainConfig cfg_;
    int T_;
    int chunk_;
    bool lora_mode_;
    size_t n_trainable_;
    std::vector<Segment> segments_;
    std::vector<float> m_, v_, m_next_, v_next_, p_next_;
    std::vector<uint8_t> inputs_, targets_;          // (micro_batch_size, T) training windows
    std::vector<uint8_t> val_inputs_, val_targets_;  // (micro_batch_size, T) validation windows

    int step_ = 0, micro_ = 0, adam_t_ = 0;
    uint64_t tokens_seen_ = 0;
    double total_flops_ = 0;
    double loss_sum_ = 0;
    StepStats pending_{}, last_{};
};

}  // namespace knobs

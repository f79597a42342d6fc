// The lab: the real models the panels demonstrate with, and the scheduler that advances them a bounded
// amount each frame. Panels read the plain *View structs; only apply() (commands.h) calls the methods that
// change the lab. The engine objects live behind the pimpl in lab.cpp.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/sampling.h"
#include "core/weights_file.h"

namespace knobs {

enum class CorpusChoice : int { english, portuguese, course, user };
const char* corpus_key(CorpusChoice c);
bool corpus_from_key(const std::string& key, CorpusChoice* out);

enum class SizePreset : int { S, M, L, custom };
ModelConfig size_preset_config(SizePreset p);  // S is the default (~0.12M parameters)
const char* size_key(SizePreset p);
bool size_from_key(const std::string& key, SizePreset* out);

// Everything that defines a pre-training run; with the same settings the run is bit-identical.
struct TrainSettings {
    SizePreset size = SizePreset::S;
    ModelConfig custom = size_preset_config(SizePreset::S);
    CorpusChoice corpus = CorpusChoice::english;
    // Tuned so the default model samples mostly grammatical sentences after about a minute of training in
    // the browser: the cosine schedule ends at ~1,000 steps, about 60 s at 15-20k tokens/s (docs/models.md).
    float lr = 1e-2f;
    int batch_size = 16;
    int warmup_steps = 30;
    int total_steps = 1000;
    float weight_decay = 0.1f;
    float grad_clip = 1.0f;
    uint64_t seed = 1;
    int sample_every = 50;  // steps between live samples
    ModelConfig config() const { return size == SizePreset::custom ? custom : size_preset_config(size); }
    bool operator==(const TrainSettings&) const = default;
};

struct LossPoint {
    int step = 0;
    float seconds = 0;  // training wall time when measured
    float train = 0;    // loss of that optimizer step's batch (nats per byte)
    float val = 0;      // validation loss, NaN when not measured at this step
};
struct QualityPoint {
    int step = 0;
    float seconds = 0;
    float grammatical = 0;  // share of complete sampled sentences the grammar accepts
    int sentences = 0;
};
struct Sample {
    int step = 0;
    std::string text;
};

// The four stages of the last optimizer step, with their real numbers.
struct StepAnatomy {
    bool valid = false;
    int step = 0;
    float loss = 0;
    float grad_norm = 0;
    float update_norm = 0;
    float lr = 0;
    size_t knobs_moved = 0;  // parameters the update turned by more than TrainConfig::moved_threshold
    size_t knobs_total = 0;
    float max_change = 0;     // largest |change| of one parameter
    double flops_forward = 0, flops_backward = 0, flops_update = 0;
};

struct PretrainView {
    bool running = false;
    int step = 0;
    uint64_t tokens_seen = 0;
    double tokens_per_s = 0;   // measured over the last second of training
    double train_seconds = 0;  // wall time spent inside training steps
    float last_loss = 0, last_val = 0, lr_now = 0;
    size_t params = 0;
    uint64_t checksum = 0;
    double flops = 0;
    std::vector<LossPoint> history;
    std::vector<QualityPoint> quality;
    std::vector<Sample> samples;
    StepAnatomy anatomy;
    std::string divergence;   // why training stopped on its own (NaN/Inf/exploding loss); empty otherwise
    bool can_restore = false; // a last good snapshot exists
    // The run's corpus is still being built (spread over frames, see Lab::update); training starts after.
    bool preparing = false;
    float prepare_progress = 0;  // 0..1
    std::string error;        // the last refused setting or corpus, for the panel
    bool in_worker = false;   // the last steps ran in the training worker, not in the frames
};

// Which model inference and fine-tuning start from.
enum class ModelSource : int { shipped, trained, tuned, opened };
const char* source_key(ModelSource s);
// A weights checksum as the app shows it everywhere: 16 hex digits in groups of four.
std::string checksum_text(uint64_t c);

struct GenToken {
    uint8_t byte = 0;
    float prob = 0;
    std::array<Candidate, 8> top{};
    int num_top = 0;
    double ms = 0;
    double flops = 0;
};

struct InferenceView {
    ModelSource source = ModelSource::shipped;
    bool available = false;     // the chosen source has a model
    std::string model_label;
    size_t params = 0;
    int context = 0;
    bool generating = false;
    std::string prompt_text;    // what was fed
    std::vector<GenToken> tokens;
    std::string output;         // decoded generated text (never half a UTF-8 character)
    uint64_t checksum_before = 0, checksum_after = 0;
    double ms_per_token = 0, tokens_per_s = 0, flops_per_token = 0;
    // Chat: the whole conversation, and how much of it the model can still see.
    std::string conversation;
    size_t window_start_byte = 0;   // bytes before this are outside the context window ("forgotten")
};

struct FinetuneView {
    ModelSource base = ModelSource::shipped;
    bool lora = true;
    int rank = 4;
    float alpha = 8.0f;
    CorpusChoice corpus = CorpusChoice::portuguese;
    bool running = false;
    bool preparing = false;        // the domain corpus is still being built; tuning starts after
    float prepare_progress = 0;    // 0..1
    int step = 0;
    int steps_target = 200;
    size_t trainable = 0, total = 0;
    uint64_t base_checksum_before = 0, base_checksum_now = 0;
    float loss = 0;
    std::vector<LossPoint> history;
    float forgetting_before = 0, forgetting_after = 0;  // validation loss on the original (English) corpus
    std::string base_output, tuned_output;               // same prompt and seed
    std::string error;
};

struct SizeLatency {
    std::string label;
    size_t params = 0;
    double ms_per_token = 0;
    double flops_per_token = 0;
    int tokens = 0;
};

// What one kind of work has cost since the page opened, with the weights checksum before and after:
// the comparison table's measured rows.
struct ActivityLedger {
    double flops = 0;
    double seconds = 0;
    uint64_t tokens = 0;
    bool started = false;
    uint64_t checksum_before = 0;  // weights when this activity last started
    uint64_t checksum_after = 0;   // weights after its most recent unit of work
};

struct CostView {
    ActivityLedger pretrain, finetune, inference;
    std::vector<SizeLatency> latency;  // measured
    bool measuring = false;
};

enum class LabActivity { idle, pretraining, finetuning, inference };

struct WeightsView {
    std::string last_saved_name;
    size_t last_saved_bytes = 0;
    std::string open_error;  // the last refused file's message
    std::string opened_name;
};

// Training in a second thread: the browser's training Web Worker, a second, engine-only wasm instance (see
// core/train_chunk.h). The platform gives the two senders; each chunk's result comes back through
// Lab::offload_result. Without them (natively, in most tests, or after the worker failed) training runs
// inside each frame's budget. Either way the run is the same bits.
struct TrainOffload {
    std::function<void(uint32_t corpus_id, std::span<const uint8_t> train_text)> send_corpus;
    std::function<void(std::span<const uint8_t> request)> send_chunk;
};

class Lab {
public:
    Lab();
    ~Lab();
    Lab(const Lab&) = delete;
    Lab& operator=(const Lab&) = delete;

    // ---- scheduler ----
    // Advances training, fine-tuning, generation and measurements for at most about budget_ms.
    void update(double budget_ms);
    bool busy() const;
    // Trains in a worker from now on (or, with empty senders, in the frames again).
    void set_train_offload(TrainOffload offload);
    // A chunk's result from the worker. Results the lab no longer waits for (the learner paused, stepped,
    // reset or changed a setting since it was sent) are dropped: the lab's own state is still the truth.
    // The next chunk goes out at once, unless `send_next` is false (a hidden page: training waits for the
    // next frame, which a hidden page does not draw).
    void offload_result(std::span<const uint8_t> bytes, bool send_next = true);
    // The worker is gone (it failed to start, or crashed): training continues in the frames.
    void offload_failed();
    // Pre-training is running in the worker (a chunk is out, or the next one is due).
    bool training_in_worker() const;
    // How long the worker rests between chunks (FrameBudget::worker_rest_ms): on a machine where it slows
    // the page's drawing, training gives some of the CPU back.
    void set_worker_rest_ms(double ms);
    // What the lab is doing right now (for the lifecycle map's highlight).
    LabActivity activity() const;

    // ---- pre-training ----
    const TrainSettings& settings() const;
    // Applies settings. Changing the architecture, corpus or seed resets the run (the panel asks first);
    // the learning rate and the other optimiser settings apply mid-run. Returns an error message or "".
    std::string apply_settings(const TrainSettings& s);
    bool settings_need_reset(const TrainSettings& s) const;
    void set_user_text(std::string text, std::string name);  // the "user" corpus; validated on use
    void set_course_text(std::string text);
    void play();
    // Plays and pauses by itself exactly after optimizer step `step` (a link's run=N).
    void play_until(int step);
    void pause();
    void step_once();
    void reset();
    void restore_last_good();
    const PretrainView& pretrain() const;
    std::string loss_csv() const;
    // Read-only access to a tensor of the model being trained, for the knob panel and heatmaps.
    std::span<const float> tensor_values(Tensor t) const;
    std::span<const float> tensor_grads(Tensor t) const;
    std::span<const float> tensor_last_update(Tensor t) const;  // last step's change per parameter
    ModelConfig model_config() const;

    // ---- inference ----
    void set_inference_source(ModelSource s);
    void generate(const std::string& prompt, const SamplingConfig& sampling, uint64_t seed, int max_tokens);
    void chat_send(const std::string& message, const SamplingConfig& sampling, uint64_t seed, int max_tokens);
    void chat_clear();
    void stop_generation();
    const InferenceView& inference() const;
    bool has_model(ModelSource s) const;

    // ---- fine-tuning ----
    std::string start_finetune(ModelSource base, CorpusChoice corpus, bool lora, int rank, float alpha, int steps,
                               uint64_t seed);
    void pause_finetune();
    const FinetuneView& finetune() const;

    // ---- weights files ----
    // The current model of `source` as a weights file (the file IS the model).
    std::vector<uint8_t> save(ModelSource source, std::string* error) const;
    // Loads a weights file into the `opened` slot (or `shipped` when is_shipped). On error the current
    // models stay as they were and the message says why.
    std::string open(std::span<const uint8_t> bytes, const std::string& name, bool is_shipped = false);
    // A weights file the page refused before the lab saw it (too large to read): the weights panel's error
    // line says so, like any other refused file.
    void refuse_open(std::string message);
    const WeightsView& weights() const;
    // What the file of that model would contain, section by section (cached until the weights change).
    const WeightsAnatomy& anatomy(ModelSource s) const;  // cached per model and checksum
    uint64_t checksum(ModelSource s) const;
    size_t param_count(ModelSource s) const;
    size_t lora_count(ModelSource s, int rank) const;  // adapter parameters LoRA of that rank would add

    // ---- cost and latency ----
    void measure_latency();  // generates a few tokens with S, M, L and the current model and records ms/token
    const CostView& cost() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace knobs

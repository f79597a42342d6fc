#include "app/lab.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <sstream>
#include <utility>

#include "core/checksum.h"
#include "core/corpus.h"
#include "core/generate.h"
#include "core/grammar.h"
#include "core/model.h"
#include "core/train_chunk.h"
#include "core/trainer.h"
#include "core/utf8.h"
#include "core/weights_file.h"

namespace knobs {

namespace {
using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
// Generated corpora: enough text that a small model does not memorise it in the first minutes.
constexpr size_t kGeneratedCorpusBytes = 1u << 20;
constexpr int kValEvery = 25;         // steps between validation-loss measurements
constexpr int kValBatches = 2;        // batches per measurement: enough to be steady, cheap per frame
constexpr int kSampleBytes = 160;
constexpr float kExplodingLossFactor = 3.0f;  // loss this many times above its best is divergence
constexpr int kGoodSnapshotEvery = 25;        // steps between snapshots "restore last good weights" returns to
// A worker chunk aims at this much training: short enough that the loss chart, the knobs and the status move
// a few times a second, long enough that the round trip to the worker (up to a frame, 50-70 ms with software
// WebGL) costs little of the worker's time.
constexpr double kChunkTargetMs = 400;

// Why step `step` (1-based, of the run) stops the run, or "" when it does not: non-finite numbers, or a
// loss far above the best seen so far (a learning rate too high).
std::string divergence_reason(const StepStats& st, int step, int warmup_steps, float best_loss) {
    if (!st.finite || !std::isfinite(st.loss))
        return "The loss became NaN or infinite: the learning rate is too high for this model. "
               "Training paused; lower the learning rate and restore the last good weights.";
    if (step > warmup_steps && st.loss > kExplodingLossFactor * best_loss && st.loss > 2.0f)
        return "The loss exploded (" + std::to_string(st.loss) + " vs. a best of " + std::to_string(best_loss) +
               "): the learning rate is too high. Training paused.";
    return {};
}
}  // namespace

const char* corpus_key(CorpusChoice c) {
    switch (c) {
        case CorpusChoice::english: return "english";
        case CorpusChoice::portuguese: return "portuguese";
        case CorpusChoice::course: return "course";
        case CorpusChoice::user: return "user";
    }
    return "english";
}
bool corpus_from_key(const std::string& key, CorpusChoice* out) {
    for (auto c : {CorpusChoice::english, CorpusChoice::portuguese, CorpusChoice::course, CorpusChoice::user})
        if (key == corpus_key(c)) {
            *out = c;
            return true;
        }
    return false;
}

ModelConfig size_preset_config(SizePreset p) {
    switch (p) {
        case SizePreset::S: return {2, 4, 64, 64};      // ~0.12M: trains at watchable speed
        case SizePreset::M: return {4, 4, 128, 128};    // ~0.8M
        case SizePreset::L: return {6, 8, 192, 128};    // ~2.7M
        case SizePreset::custom: break;
    }
    return {2, 4, 64, 64};
}
const char* size_key(SizePreset p) {
    switch (p) {
        case SizePreset::S: return "S";
        case SizePreset::M: return "M";
        case SizePreset::L: return "L";
        case SizePreset::custom: return "custom";
    }
    return "S";
}
bool size_from_key(const std::string& key, SizePreset* out) {
    for (auto p : {SizePreset::S, SizePreset::M, SizePreset::L, SizePreset::custom})
        if (key == size_key(p)) {
            *out = p;
            return true;
        }
    return false;
}
const char* source_key(ModelSource s) {
    switch (s) {
        case ModelSource::shipped: return "shipped";
        case ModelSource::trained: return "trained";
        case ModelSource::tuned: return "tuned";
        case ModelSource::opened: return "opened";
    }
    return "shipped";
}

// A model plus what it was trained on, as one slot the panels can pick.
struct ModelSlot {
    std::unique_ptr<Model> model;
    TrainingMeta meta;
    std::string label;
};

struct Lab::Impl {
    // ---- pre-training ----
    TrainSettings settings;
    std::string user_text, user_name, course_text;
    std::string course_error;  // why the course text cannot be a corpus (it is checked once, when set)
    std::optional<Corpus> corpus;
    std::optional<CorpusBuild> corpus_build;  // the run's corpus while it is being built; then `corpus`
    ModelSlot trained;
    std::unique_ptr<Trainer> trainer;
    bool running = false;
    int steps_requested = 0;  // single steps queued by "step"
    int stop_at_step = 0;     // play_until: pause after this step (0: no limit)
    PretrainView pv;
    std::vector<float> prev_params, last_update;  // for the knob colours and step anatomy
    std::vector<float> good_params;               // last good snapshot for "restore"
    int good_step = 0;
    int step_offset = 0;  // steps done by earlier optimisers of this run
    float best_loss = std::numeric_limits<float>::infinity();
    double step_ms = 0;  // wall time of the micro-batches of the step in progress
    double rate_window_s = 0;
    uint64_t rate_window_tokens = 0;

    // ---- pre-training in the worker (TrainOffload) ----
    TrainOffload offload;          // empty senders: every step runs in the frames
    uint32_t corpus_serial = 0;    // names each pre-training corpus this lab built, for the worker
    uint32_t corpus_sent = 0;      // the corpus the worker holds (0: none)
    uint32_t chunk_serial = 0;     // ids of the chunks sent
    uint32_t chunk_awaited = 0;    // the chunk whose result is wanted (0: none in flight)
    int frames_until_step = 0;     // steps up to this one run in the frames (a divergence found in a chunk)
    double chunk_ms_per_step = 0;  // measured in the worker; sizes the next chunk (0: not yet known)
    double worker_rest_ms = 0;     // the pause between a result and the next chunk (set_worker_rest_ms)
    Clock::time_point last_result_at{};

    // ---- inference ----
    ModelSlot shipped, opened, tuned;
    InferenceView iv;
    std::unique_ptr<Generator> gen;
    const Model* gen_model = nullptr;
    Rng gen_rng{1};
    SamplingConfig gen_sampling;
    int gen_remaining = 0;
    bool chat_mode = false;
    Utf8StreamDecoder decoder;
    double gen_ms_total = 0;
    int gen_count = 0;

    // ---- fine-tuning ----
    FinetuneView fv;
    std::unique_ptr<Trainer> ft_trainer;
    std::optional<Corpus> ft_corpus;
    std::optional<CorpusBuild> ft_corpus_build;  // the domain corpus while it is being built
    TrainConfig ft_config;
    std::optional<Corpus> forgetting_corpus;
    std::vector<float> ft_base_params;  // copy kept for the side-by-side base output

    // ---- cost ----
    CostView cv;
    std::vector<SizePreset> latency_queue;

    WeightsView wv;
    WeightsAnatomy anatomy;
    uint64_t anatomy_key = 0;
    ModelSource anatomy_source = ModelSource::shipped;

    // The tuned model's effective weights: for LoRA, base + adapters, so the table shows that the model
    // that answers did change while the base (fv.base_checksum_now) did not.
    uint64_t tuned_effective_checksum() const {
        const Model& t = *tuned.model;
        if (!t.lora_enabled()) return t.checksum();
        return t.checksum() ^ weights_checksum(t.lora_params());
    }

    ModelSlot* slot(ModelSource s) {
        switch (s) {
            case ModelSource::shipped: return &shipped;
            case ModelSource::trained: return &trained;
            case ModelSource::tuned: return &tuned;
            case ModelSource::opened: return &opened;
        }
        return &shipped;
    }

    // ---- corpora ----
    // Starts building a corpus. The work happens in slices (build_some) so that a megabyte of generated
    // sentences or 10 MB of a learner's text never blocks a frame; errors (a text too short for the
    // context) come at once. The texts a build reads (user_text, course_text) outlive it: set_user_text
    // and set_course_text finish a build that reads them first (finish_builds_reading).
    std::optional<CorpusBuild> begin_corpus(CorpusChoice c, uint64_t seed, int context, std::string* error) {
        error->clear();
        switch (c) {
            case CorpusChoice::english: return CorpusBuild(Language::english, seed, kGeneratedCorpusBytes);
            case CorpusChoice::portuguese: return CorpusBuild(Language::portuguese, seed, kGeneratedCorpusBytes);
            case CorpusChoice::course: {
                if (!course_error.empty()) return *error = course_error, std::nullopt;
                CorpusBuild b = CorpusBuild::from_clean_text("course-text", course_text, kDefaultValFraction, context, error);
                if (!error->empty()) return std::nullopt;
                return b;
            }
            case CorpusChoice::user: {
                if (user_text.empty()) return *error = "Paste or open a text first (up to 10 MB of UTF-8).", std::nullopt;
                // Checked by sanitize_user_text when it was opened (commands.cpp, url_state.cpp).
                CorpusBuild b = CorpusBuild::from_clean_text("user:" + user_name, user_text, kDefaultValFraction, context, error);
                if (!error->empty()) return std::nullopt;
                return b;
            }
        }
        *error = "unknown corpus";
        return std::nullopt;
    }

    // Advances `build` until it is done or `budget_ms` (from t0) is spent; at least one slice per call, so
    // a build always progresses. Returns true when done.
    static bool build_some(CorpusBuild& build, Clock::time_point t0, double budget_ms) {
        constexpr size_t kSliceBytes = 16 * 1024;  // well under a millisecond of work, even as wasm
        do {
            if (build.advance(kSliceBytes)) return true;
        } while (ms_since(t0) < budget_ms);
        return false;
    }

    // The pre-training corpus is complete: the optimiser can start.
    void corpus_ready() {
        corpus = corpus_build->take();
        corpus_build.reset();
        if (++corpus_serial == 0) ++corpus_serial;  // 0 names no corpus
        trainer = std::make_unique<Trainer>(*trained.model, corpus->train, corpus->val, train_config());
        pv.preparing = false;
        pv.prepare_progress = 1;
    }
    // Finishes a build in progress at once, for the rare callers that need the optimiser now.
    void finish_corpus_now() {
        if (!corpus_build) return;
        corpus_build->advance(SIZE_MAX);
        corpus_ready();
    }

    // The fine-tuning corpus is complete: tuning can start, from the forgetting meter's "before".
    void ft_corpus_ready() {
        ft_corpus = ft_corpus_build->take();
        ft_corpus_build.reset();
        ft_trainer = std::make_unique<Trainer>(*tuned.model, ft_corpus->train, ft_corpus->val, ft_config);
        {
            Trainer probe(*tuned.model, forgetting_corpus->train, forgetting_corpus->val, ft_config);
            fv.forgetting_before = probe.validation_loss(4);
        }
        fv.preparing = false;
        fv.prepare_progress = 1;
    }
    void finish_ft_corpus_now() {
        if (!ft_corpus_build) return;
        ft_corpus_build->advance(SIZE_MAX);
        ft_corpus_ready();
    }

    // Before the learner's or the course's text is replaced: a build in progress that reads it is finished
    // (the run was set up on that text). Builds of generated sentences read neither and stay sliced:
    // finishing one here would put a megabyte of generation into the file-open that replaces the text.
    void finish_builds_reading(CorpusChoice text) {
        if (settings.corpus == text) finish_corpus_now();
        if (fv.corpus == text) finish_ft_corpus_now();
    }

    std::string start_run() {
        drop_chunk();
        frames_until_step = 0;
        const ModelConfig cfg = settings.config();
        if (auto e = validate(cfg); !e.empty()) return e;
        std::string error;
        auto build = begin_corpus(settings.corpus, settings.seed, cfg.block_size, &error);
        if (!build) return error;
        corpus_build = std::move(build);
        corpus.reset();
        trainer.reset();
        trained.model = std::make_unique<Model>(cfg);
        trained.model->init_weights(settings.seed);
        trained.meta = {};
        trained.meta.corpus_id = corpus_build->id();
        trained.meta.seed = settings.seed;
        trained.label = "your run";
        pv = {};  // preparing: set when the learner asks for training, which is when the build runs
        pv.params = trained.model->num_params();
        pv.checksum = trained.model->checksum();
        cv.pretrain.started = true;
        cv.pretrain.checksum_before = cv.pretrain.checksum_after = pv.checksum;
        prev_params.assign(trained.model->params().begin(), trained.model->params().end());
        last_update.assign(prev_params.size(), 0.0f);
        good_params = prev_params;
        good_step = 0;
        step_offset = 0;
        best_loss = std::numeric_limits<float>::infinity();
        rate_window_s = 0;
        rate_window_tokens = 0;
        return {};
    }

    // A new optimiser on the current weights (after a divergence, or when optimiser settings change). The
    // step count continues from where it was; the schedule of the new optimiser starts again (a warmup).
    void restart_optimizer() {
        drop_chunk();
        if (corpus_build) return finish_corpus_now();  // no optimiser yet: the new settings start it
        step_offset = pv.step;
        trainer = std::make_unique<Trainer>(*trained.model, corpus->train, corpus->val, train_config());
    }

    TrainConfig train_config() const {
        TrainConfig tc;
        tc.lr = settings.lr;
        tc.warmup_steps = settings.warmup_steps;
        tc.total_steps = settings.total_steps;
        tc.weight_decay = settings.weight_decay;
        tc.grad_clip = settings.grad_clip;
        tc.batch_size = settings.batch_size;
        tc.micro_batch_size = interactive_micro_batch(settings.batch_size);  // a frame's worth of work
        tc.seed = settings.seed;
        return tc;
    }

    // The run's weights are needed after `step` (1-based): a validation loss, a live sample or a snapshot of
    // good weights is taken there. A worker chunk ends at such a step, so every step inside it can be
    // recorded from its numbers alone.
    bool weights_needed_after(int step) const {
        return step == 1 || step % kValEvery == 0 || step % settings.sample_every == 0 ||
               step - good_step >= kGoodSnapshotEvery;
    }

    // Records one finished optimizer step. `weights_here`: the model holds the weights after this step (always
    // in the frames; for a worker chunk, only at its last step — the steps before it are recorded from their
    // numbers, and their weights were never on this thread).
    void record_step(const StepStats& st, double step_ms, bool weights_here) {
        Model& m = *trained.model;
        const int step = step_offset + st.step + 1;
        pv.step = step;
        pv.last_loss = st.loss;
        pv.lr_now = st.lr;
        pv.train_seconds += step_ms / 1000.0;
        rate_window_s += step_ms / 1000.0;
        rate_window_tokens += st.tokens;
        if (rate_window_s >= 1.0 || pv.tokens_per_s == 0) {
            pv.tokens_per_s = rate_window_tokens / std::max(rate_window_s, 1e-9);
            if (rate_window_s >= 1.0) rate_window_s = 0, rate_window_tokens = 0;
        }
        const double step_flops = st.flops_forward + st.flops_loss + st.flops_backward + st.flops_update;
        if (weights_here) {
            // Each knob's last change, for the knob panel's colours.
            auto p = m.params();
            for (size_t i = 0; i < p.size(); ++i) {
                last_update[i] = p[i] - prev_params[i];
                prev_params[i] = p[i];
            }
            pv.tokens_seen = trainer->tokens_seen();
            pv.checksum = m.checksum();
            pv.flops = trainer->total_flops();
        } else {
            pv.tokens_seen += st.tokens;
            pv.flops += step_flops;
        }
        // The update's numbers as the trainer measured them while applying it, wherever the step ran, so
        // "moved" means one thing: turned by more than TrainConfig::moved_threshold.
        pv.anatomy = {true, step, st.loss, st.grad_norm, st.update_norm, st.lr, st.knobs_moved, st.knobs_total,
                      st.max_update, st.flops_forward, st.flops_backward, st.flops_update};
        trained.meta.steps = static_cast<uint64_t>(step);
        trained.meta.tokens_seen = pv.tokens_seen;
        cv.pretrain.flops += step_flops;
        cv.pretrain.seconds += step_ms / 1000.0;
        cv.pretrain.tokens += st.tokens;
        cv.pretrain.checksum_after = pv.checksum;

        LossPoint lp{step, static_cast<float>(pv.train_seconds), st.loss, kNaN};
        pv.divergence = divergence_reason(st, step, settings.warmup_steps, best_loss);
        if (!pv.divergence.empty()) {
            running = false;
            pv.running = false;
            pv.can_restore = true;
        } else {
            best_loss = std::min(best_loss, st.loss);
            if (weights_here && (step % kValEvery == 0 || step == 1)) {
                lp.val = trainer->validation_loss(kValBatches);
                pv.last_val = lp.val;
            }
            // Snapshot good weights now and then so "restore" has something recent.
            if (weights_here && step - good_step >= kGoodSnapshotEvery) {
                auto p = m.params();
                good_params.assign(p.begin(), p.end());
                good_step = step;
            }
        }
        pv.history.push_back(lp);
        if (weights_here && step % settings.sample_every == 0 && pv.divergence.empty()) take_sample();
    }

    // ---- the worker ----
    bool offload_on() const { return offload.send_chunk && offload.send_corpus; }
    // Forgets the chunk in flight: whatever the lab does next starts from its own state.
    void drop_chunk() { chunk_awaited = 0; }

    // How many steps the next chunk runs: up to the next step whose weights the lab needs, the run's end or
    // its pause point, and about kChunkTargetMs of work.
    int next_chunk_steps() const {
        int end = pv.step + 1;
        const int last = stop_at_step > 0 ? std::min(stop_at_step, settings.total_steps) : settings.total_steps;
        while (end < last && end - pv.step < kMaxChunkSteps && !weights_needed_after(end)) ++end;
        int steps = std::max(1, end - pv.step);
        if (chunk_ms_per_step > 0)
            steps = std::min(steps, std::max(1, static_cast<int>(kChunkTargetMs / chunk_ms_per_step)));
        else
            steps = 1;  // the first chunk measures the speed
        return steps;
    }

    // Sends the next chunk when the run is playing, the worker is idle, rested, and the trainer is between
    // steps. A single step, a step begun in the frames, or steps up to a divergence found in a chunk stay
    // in the frames. Returns whether pre-training belongs to the worker right now.
    bool worker_turn() const {
        return offload_on() && running && steps_requested == 0 && trainer && trainer->micro_index() == 0 &&
               pv.step >= frames_until_step;
    }
    void maybe_send_chunk() {
        if (worker_turn() && chunk_awaited == 0 && ms_since(last_result_at) >= worker_rest_ms) send_chunk();
    }

    void send_chunk() {
        if (corpus_sent != corpus_serial) {
            offload.send_corpus(corpus_serial, corpus->train);
            corpus_sent = corpus_serial;
        }
        TrainChunkRequest rq;
        rq.chunk_id = ++chunk_serial;
        if (rq.chunk_id == 0) rq.chunk_id = ++chunk_serial;  // 0 means "none in flight"
        rq.corpus_id = corpus_serial;
        rq.config = trained.model->config();
        rq.train = trainer->config();
        rq.steps = next_chunk_steps();
        auto p = std::as_const(*trained.model).params();
        rq.params.assign(p.begin(), p.end());
        rq.progress = trainer->progress();
        chunk_awaited = rq.chunk_id;
        offload.send_chunk(encode(rq));
    }

    // Applies a chunk the worker finished, as if its steps had run here.
    void apply_chunk(TrainChunkResult& r) {
        const size_t n = r.steps.size();
        // A divergence before the chunk's last step: the lab would have paused there, with those weights.
        // The chunk is dropped and its steps run again in the frames, which stop exactly at it.
        float best = best_loss;
        for (size_t i = 0; i + 1 < n; ++i) {
            const int step = step_offset + r.steps[i].step + 1;
            if (!divergence_reason(r.steps[i], step, settings.warmup_steps, best).empty()) {
                frames_until_step = step;
                return;
            }
            best = std::min(best, r.steps[i].loss);
        }
        const double ms_each = r.ms / static_cast<double>(n);
        chunk_ms_per_step = ms_each;
        for (size_t i = 0; i + 1 < n; ++i) record_step(r.steps[i], ms_each, /*weights_here=*/false);
        // The last step: the worker's weights and optimizer state become the lab's.
        auto p = trained.model->params();
        if (r.params.size() != p.size() || r.params_before_last.size() != p.size() || r.grads.size() != p.size())
            return offload_failed_now();
        // The gradients too, for the knob panel's "show gradients" heatmap.
        trained.model->set_grads(r.grads);
        std::copy(r.params.begin(), r.params.end(), p.begin());
        prev_params = std::move(r.params_before_last);
        if (auto e = trainer->resume(r.progress); !e.empty()) {
            // Cannot happen for a result of this lab's own request; keep training honest if it does.
            offload_failed_now();
            return;
        }
        pv.in_worker = true;
        record_step(r.steps[n - 1], ms_each, /*weights_here=*/true);
        if (pv.step >= settings.total_steps || (stop_at_step > 0 && pv.step >= stop_at_step)) {
            stop_at_step = 0;
            running = false;
            pv.running = false;
        }
    }

    void offload_failed_now() {
        offload = {};
        corpus_sent = 0;
        drop_chunk();
        pv.in_worker = false;
    }

    void take_sample() {
        Model& m = *trained.model;
        Generator g(m.config(), m.params());
        if (!g.ok()) return;
        // Start each sample at a sentence start ("\n") so the grammar check sees whole sentences.
        const uint8_t nl = '\n';
        g.feed(std::span<const uint8_t>(&nl, 1));
        Rng rng(settings.seed * 7919 + static_cast<uint64_t>(pv.step));
        SamplingConfig sc;
        sc.temperature = kGrammarSampleTemperature;  // the temperature the quality figures are stated at
        std::vector<uint8_t> out;
        for (int i = 0; i < kSampleBytes; ++i) out.push_back(g.sample_next(sc, rng).token);
        const std::string text = display_text(out);
        pv.samples.push_back({pv.step, text});
        if (pv.samples.size() > 50) pv.samples.erase(pv.samples.begin());
        if (settings.corpus == CorpusChoice::english || settings.corpus == CorpusChoice::portuguese) {
            const Language lang = settings.corpus == CorpusChoice::english ? Language::english : Language::portuguese;
            GrammarScore gs = score_grammar(text, lang);
            pv.quality.push_back({pv.step, static_cast<float>(pv.train_seconds), static_cast<float>(gs.share()),
                                  static_cast<int>(gs.sentences)});
        }
    }
};

Lab::Lab() : impl_(std::make_unique<Impl>()) {}
Lab::~Lab() = default;

const TrainSettings& Lab::settings() const { return impl_->settings; }
const PretrainView& Lab::pretrain() const { return impl_->pv; }
const InferenceView& Lab::inference() const { return impl_->iv; }
const FinetuneView& Lab::finetune() const { return impl_->fv; }
const CostView& Lab::cost() const { return impl_->cv; }
const WeightsView& Lab::weights() const { return impl_->wv; }

bool Lab::settings_need_reset(const TrainSettings& s) const {
    const TrainSettings& c = impl_->settings;
    return !impl_->trained.model || s.config() != c.config() || s.corpus != c.corpus || s.seed != c.seed ||
           s.batch_size != c.batch_size;
}

std::string Lab::apply_settings(const TrainSettings& s) {
    Impl& m = *impl_;
    if (auto e = validate(s.config()); !e.empty()) return m.pv.error = e;
    if (!(s.lr > 0 && s.lr <= 10 && std::isfinite(s.lr))) return m.pv.error = "learning rate must be in (0, 10]";
    if (s.batch_size < 1 || s.batch_size > 64) return m.pv.error = "batch size must be between 1 and 64";
    const bool reset_needed = settings_need_reset(s);
    m.drop_chunk();  // the next chunk is sent with the new settings
    m.settings = s;
    m.pv.error.clear();
    if (reset_needed) {
        if (auto e = m.start_run(); !e.empty()) {
            m.trained.model.reset();
            m.trainer.reset();
            m.running = false;
            return m.pv.error = e;
        }
    } else if (m.trainer) {
        const TrainConfig now = m.trainer->config();
        const TrainConfig want = m.train_config();
        if (now.weight_decay != want.weight_decay || now.grad_clip != want.grad_clip ||
            now.warmup_steps != want.warmup_steps || now.total_steps != want.total_steps) {
            m.restart_optimizer();  // keeps the weights; the step count continues
        }
        m.trainer->set_lr(s.lr);
    }
    return {};
}

void Lab::set_user_text(std::string text, std::string name) {
    impl_->finish_builds_reading(CorpusChoice::user);  // a build in progress may read the old text
    impl_->user_text = std::move(text);
    impl_->user_name = std::move(name);
}
void Lab::set_course_text(std::string text) {
    impl_->finish_builds_reading(CorpusChoice::course);
    // Checked once here, like a learner's text when it is opened, so a run on it only copies it.
    SanitizedText clean = sanitize_user_text(text);
    impl_->course_error = clean.ok() ? std::string() : "The course text cannot be trained on: " + clean.error;
    impl_->course_text = clean.ok() ? std::move(clean.text) : std::string();
}

void Lab::play() {
    Impl& m = *impl_;
    if (!m.trained.model)
        if (auto e = m.start_run(); !e.empty()) {
            m.pv.error = e;
            return;
        }
    if (!m.pv.divergence.empty()) return;  // restore or reset first
    m.running = true;
    m.pv.running = true;
    m.pv.preparing = m.corpus_build.has_value();
}
void Lab::play_until(int step) {
    impl_->stop_at_step = step;
    if (impl_->pv.step < step) play();
}

void Lab::pause() {
    impl_->drop_chunk();  // the run pauses where the learner saw it
    impl_->stop_at_step = 0;
    impl_->running = false;
    impl_->pv.running = false;
    impl_->pv.preparing = false;  // the build waits, like training
    impl_->steps_requested = 0;
}
void Lab::step_once() {
    Impl& m = *impl_;
    m.drop_chunk();
    if (!m.trained.model && !m.start_run().empty()) return;
    if (!m.pv.divergence.empty()) return;
    m.running = false;
    m.pv.running = false;
    ++m.steps_requested;
    m.pv.preparing = m.corpus_build.has_value();
}
void Lab::reset() {
    Impl& m = *impl_;
    m.running = false;
    m.steps_requested = 0;
    if (auto e = m.start_run(); !e.empty()) m.pv.error = e;
}
void Lab::restore_last_good() {
    Impl& m = *impl_;
    m.drop_chunk();
    if (!m.trained.model || m.good_params.empty()) return;
    auto p = m.trained.model->params();
    std::copy(m.good_params.begin(), m.good_params.end(), p.begin());
    m.prev_params = m.good_params;
    // A fresh optimiser from the good weights: the moments were poisoned by the bad steps.
    m.pv.step = m.good_step;
    m.restart_optimizer();
    m.pv.divergence.clear();
    m.pv.can_restore = false;
    m.pv.checksum = m.trained.model->checksum();
    m.best_loss = std::numeric_limits<float>::infinity();
    while (!m.pv.history.empty() && m.pv.history.back().step > m.good_step) m.pv.history.pop_back();
}

std::string Lab::loss_csv() const {
    std::ostringstream os;
    os << "step,seconds,train_loss,val_loss\n";
    for (const auto& p : impl_->pv.history) {
        os << p.step << ',' << p.seconds << ',' << p.train << ',';
        if (std::isfinite(p.val)) os << p.val;
        os << '\n';
    }
    return os.str();
}

std::span<const float> Lab::tensor_values(Tensor t) const {
    return impl_->trained.model ? impl_->trained.model->tensor(t) : std::span<const float>{};
}
std::span<const float> Lab::tensor_grads(Tensor t) const {
    return impl_->trained.model ? impl_->trained.model->tensor_grad(t) : std::span<const float>{};
}
std::span<const float> Lab::tensor_last_update(Tensor t) const {
    const Impl& m = *impl_;
    if (!m.trained.model || m.last_update.empty()) return {};
    const ParamLayout& L = m.trained.model->layout();
    const int i = static_cast<int>(t);
    return std::span<const float>(m.last_update).subspan(L.offset[i], L.size[i]);
}
ModelConfig Lab::model_config() const {
    return impl_->trained.model ? impl_->trained.model->config() : impl_->settings.config();
}

void Lab::set_train_offload(TrainOffload offload) {
    impl_->drop_chunk();
    impl_->offload = std::move(offload);
    impl_->corpus_sent = 0;
}

void Lab::offload_result(std::span<const uint8_t> bytes, bool send_next) {
    Impl& m = *impl_;
    TrainChunkResult r;
    std::string error;
    if (!decode(bytes, &r, &error)) return m.offload_failed_now();  // not this lab's worker talking
    if (m.chunk_awaited == 0 || r.chunk_id != m.chunk_awaited) return;  // dropped: paused, reset, changed
    m.chunk_awaited = 0;
    if (!r.error.empty() || r.steps.empty()) return m.offload_failed_now();
    if (!m.trainer || !m.trained.model) return;
    m.apply_chunk(r);
    m.last_result_at = Clock::now();
    // At once, rather than at the next frame: the worker's time is the run's speed.
    if (send_next) m.maybe_send_chunk();
}

bool Lab::training_in_worker() const {
    const Impl& m = *impl_;
    return m.chunk_awaited != 0 || m.worker_turn();
}
void Lab::set_worker_rest_ms(double ms) { impl_->worker_rest_ms = std::max(0.0, ms); }

void Lab::offload_failed() { impl_->offload_failed_now(); }

bool Lab::busy() const {
    const Impl& m = *impl_;
    return m.running || m.steps_requested > 0 || m.iv.generating || m.fv.running || !m.latency_queue.empty();
}

LabActivity Lab::activity() const {
    const Impl& m = *impl_;
    if (m.fv.running) return LabActivity::finetuning;
    if (m.running || m.steps_requested > 0) return LabActivity::pretraining;
    if (m.iv.generating) return LabActivity::inference;
    return LabActivity::idle;
}

bool Lab::has_model(ModelSource s) const { return impl_->slot(s)->model != nullptr; }
uint64_t Lab::checksum(ModelSource s) const {
    const auto* sl = impl_->slot(s);
    return sl->model ? sl->model->checksum() : 0;
}
size_t Lab::param_count(ModelSource s) const {
    const auto* sl = impl_->slot(s);
    return sl->model ? sl->model->num_params() : 0;
}

size_t Lab::lora_count(ModelSource s, int rank) const {
    const auto* sl = impl_->slot(s);
    return sl->model ? lora_param_count(sl->model->config(), rank) : 0;
}

// ---- inference ----
void Lab::set_inference_source(ModelSource s) {
    Impl& m = *impl_;
    stop_generation();
    m.iv.source = s;
    const ModelSlot* sl = m.slot(s);
    m.iv.available = sl->model != nullptr;
    m.iv.model_label = sl->label;
    m.iv.params = sl->model ? sl->model->num_params() : 0;
    m.iv.context = sl->model ? sl->model->config().block_size : 0;
    m.gen.reset();
    m.gen_model = nullptr;
}

void Lab::generate(const std::string& prompt, const SamplingConfig& sampling, uint64_t seed, int max_tokens) {
    Impl& m = *impl_;
    set_inference_source(m.iv.source);
    const ModelSlot* sl = m.slot(m.iv.source);
    if (!sl->model) return;
    m.gen = std::make_unique<Generator>(sl->model->config(), std::as_const(*sl->model).params());
    m.gen_model = sl->model.get();
    m.chat_mode = false;
    m.iv.tokens.clear();
    m.iv.output.clear();
    m.iv.prompt_text = prompt;
    m.iv.checksum_before = sl->model->checksum();
    m.iv.checksum_after = 0;
    m.cv.inference.started = true;
    m.cv.inference.checksum_before = m.iv.checksum_before;
    m.decoder.reset();
    m.gen_rng.reseed(seed);
    m.gen_sampling = sampling;
    m.gen_remaining = std::clamp(max_tokens, 1, 2000);
    m.gen_ms_total = 0;
    m.gen_count = 0;
    const auto t0 = Clock::now();
    m.gen->feed(std::string_view(prompt.empty() ? std::string("\n") : prompt));
    m.cv.inference.seconds += ms_since(t0) / 1000.0;
    m.cv.inference.flops += m.gen->total_flops();
    m.iv.generating = true;
}

void Lab::chat_send(const std::string& message, const SamplingConfig& sampling, uint64_t seed, int max_tokens) {
    Impl& m = *impl_;
    const ModelSlot* sl = m.slot(m.iv.source);
    if (!sl->model) return;
    // The whole conversation is sent again every turn: the model has no memory but its context window.
    std::string convo = m.iv.conversation + "> " + message + "\n";
    generate(convo, sampling, seed, max_tokens);
    m.chat_mode = true;
    m.iv.conversation = convo;
}

void Lab::chat_clear() {
    stop_generation();
    impl_->iv.conversation.clear();
    impl_->iv.window_start_byte = 0;
}

void Lab::stop_generation() {
    Impl& m = *impl_;
    if (m.iv.generating && m.gen_model) {
        m.iv.checksum_after = m.gen_model->checksum();
        m.cv.inference.checksum_after = m.iv.checksum_after;
    }
    m.iv.generating = false;
    m.gen_remaining = 0;
}

// ---- fine-tuning ----
std::string Lab::start_finetune(ModelSource base, CorpusChoice corpus, bool lora, int rank, float alpha, int steps,
                                uint64_t seed) {
    Impl& m = *impl_;
    FinetuneView& f = m.fv;
    const ModelSlot* b = m.slot(base);
    if (!b->model) return f.error = "That base model is not available yet.";
    if (lora && (rank < kMinLoraRank || rank > kMaxLoraRank)) return f.error = "LoRA rank must be between 1 and 16.";
    if (lora && !(alpha > 0 && std::isfinite(alpha))) return f.error = "LoRA alpha must be a positive number.";
    const ModelConfig cfg = b->model->config();
    std::string error;
    auto build = m.begin_corpus(corpus, seed, cfg.block_size, &error);
    if (!build) return f.error = error;
    m.ft_corpus_build = std::move(build);
    m.ft_corpus.reset();
    m.ft_trainer.reset();
    // Small (64 KB): built at once, it is the forgetting meter's yardstick.
    m.forgetting_corpus = make_english_corpus(seed + 1, 1u << 16);

    m.tuned.model = std::make_unique<Model>(cfg);
    auto src = std::as_const(*b->model).params();
    std::copy(src.begin(), src.end(), m.tuned.model->params().begin());
    m.ft_base_params.assign(src.begin(), src.end());
    if (lora) m.tuned.model->enable_lora(rank, alpha, seed);
    m.tuned.meta = b->meta;
    m.tuned.meta.base_checksum = b->model->checksum();
    m.tuned.meta.corpus_id = m.ft_corpus_build->id();
    m.tuned.label = std::string(lora ? "LoRA" : "full") + " fine-tune";

    TrainConfig& tc = m.ft_config;
    tc = {};
    tc.lr = lora ? 3e-3f : 1e-3f;
    tc.warmup_steps = 10;
    tc.total_steps = std::clamp(steps, 10, 5000);
    tc.batch_size = 8;
    tc.micro_batch_size = 2;
    tc.weight_decay = lora ? 0.0f : 0.1f;
    tc.seed = seed;

    f = {};
    f.base = base;
    f.lora = lora;
    f.rank = rank;
    f.alpha = alpha;
    f.corpus = corpus;
    f.steps_target = tc.total_steps;
    f.trainable = m.tuned.model->trainable_params();
    f.total = m.tuned.model->num_params() + (lora ? m.tuned.model->lora_params().size() : 0);
    f.base_checksum_before = m.tuned.meta.base_checksum;
    f.base_checksum_now = m.tuned.model->checksum();
    m.cv.finetune.started = true;
    m.cv.finetune.checksum_before = m.cv.finetune.checksum_after = f.base_checksum_before;
    f.preparing = true;
    f.running = true;
    return {};
}

void Lab::pause_finetune() {
    impl_->fv.running = false;
    impl_->fv.preparing = false;
}

// ---- weights files ----
std::vector<uint8_t> Lab::save(ModelSource source, std::string* error) const {
    const Impl& m = *impl_;
    const ModelSlot* sl = const_cast<Impl&>(m).slot(source);
    if (!sl->model) {
        if (error) *error = "There is no model to save yet.";
        return {};
    }
    WeightsFile wf;
    wf.config = sl->model->config();
    wf.meta = sl->meta;
    auto p = std::as_const(*sl->model).params();
    wf.params.assign(p.begin(), p.end());
    if (sl->model->lora_enabled()) {
        LoraSection ls;
        ls.rank = sl->model->lora_rank();
        ls.alpha = sl->model->lora_alpha();
        ls.base_checksum = weights_checksum(wf.params);
        auto lp = sl->model->lora_params();
        ls.params.assign(lp.begin(), lp.end());
        wf.lora = std::move(ls);
    }
    auto bytes = save_weights(wf, error);
    const_cast<Impl&>(m).wv.last_saved_bytes = bytes.size();
    return bytes;
}

std::string Lab::open(std::span<const uint8_t> bytes, const std::string& name, bool is_shipped) {
    Impl& m = *impl_;
    LoadResult r = load_weights(bytes);
    if (!r.ok()) {
        m.wv.open_error = name + ": " + r.message;
        return m.wv.open_error;
    }
    ModelSlot& sl = is_shipped ? m.shipped : m.opened;
    if (m.gen_model == sl.model.get()) {
        stop_generation();
        m.gen.reset();
        m.gen_model = nullptr;
    }
    sl.model = std::make_unique<Model>(r.file.config);
    std::copy(r.file.params.begin(), r.file.params.end(), sl.model->params().begin());
    if (r.file.lora) {
        sl.model->enable_lora(r.file.lora->rank, r.file.lora->alpha, 0);
        std::copy(r.file.lora->params.begin(), r.file.lora->params.end(), sl.model->lora_params().begin());
    }
    sl.meta = r.file.meta;
    sl.label = is_shipped ? "shipped pretrained model" : name;
    m.wv.open_error.clear();
    if (!is_shipped) m.wv.opened_name = name;
    if (m.iv.source == (is_shipped ? ModelSource::shipped : ModelSource::opened)) set_inference_source(m.iv.source);
    return {};
}

void Lab::refuse_open(std::string message) { impl_->wv.open_error = std::move(message); }

const WeightsAnatomy& Lab::anatomy(ModelSource s) const {
    Impl& m = *impl_;
    const ModelSlot* sl = m.slot(s);
    const uint64_t key = sl->model ? sl->model->checksum() ^ (sl->model->lora_enabled() ? 0x9e37u : 0u) : 0;
    if (key != m.anatomy_key || s != m.anatomy_source) {
        std::string err;
        auto bytes = save(s, &err);
        m.anatomy = bytes.empty() ? WeightsAnatomy{} : inspect_weights(bytes);
        if (bytes.empty()) {
            m.anatomy.error = LoadError::bad_header;
            m.anatomy.message = err;
        }
        m.anatomy_key = key;
        m.anatomy_source = s;
    }
    return m.anatomy;
}

// ---- cost ----
void Lab::measure_latency() {
    Impl& m = *impl_;
    m.cv.latency.clear();
    m.latency_queue = {SizePreset::S, SizePreset::M, SizePreset::L};
    m.cv.measuring = true;
}

// ---- the scheduler ----
void Lab::update(double budget_ms) {
    Impl& m = *impl_;
    const auto t0 = Clock::now();

    // Generation first: it streams one token at a time and is cheap.
    while (m.iv.generating && m.gen && ms_since(t0) < budget_ms * 0.5) {
        if (m.gen_remaining <= 0) {
            stop_generation();
            break;
        }
        const auto tt = Clock::now();
        GeneratedToken gt = m.gen->sample_next(m.gen_sampling, m.gen_rng);
        const double ms = ms_since(tt);
        GenToken tok{gt.token, gt.prob, {}, gt.num_top, ms, gt.flops};
        std::copy(gt.top.begin(), gt.top.end(), tok.top.begin());
        m.iv.tokens.push_back(tok);
        m.iv.output += m.decoder.feed(gt.token);
        m.gen_ms_total += ms;
        ++m.gen_count;
        m.iv.ms_per_token = m.gen_ms_total / m.gen_count;
        m.iv.tokens_per_s = 1000.0 / std::max(m.iv.ms_per_token, 1e-6);
        m.iv.flops_per_token = gt.flops;
        m.cv.inference.flops += gt.flops;
        m.cv.inference.seconds += ms / 1000.0;
        ++m.cv.inference.tokens;
        --m.gen_remaining;
        if (m.chat_mode) {
            // A chat reply ends at the end of its line.
            m.iv.window_start_byte = m.gen->window_start();
            if (gt.token == '\n') m.gen_remaining = 0;
        }
        if (m.gen_remaining <= 0) {
            m.iv.output += m.decoder.flush();
            if (m.chat_mode) {
                m.iv.conversation += m.iv.output;
                if (m.iv.conversation.empty() || m.iv.conversation.back() != '\n') m.iv.conversation += '\n';
            }
            stop_generation();
        }
    }

    // Pre-training: the corpus first, if it is still being built, then micro-batches until the budget is spent.
    if ((m.running || m.steps_requested > 0) && m.corpus_build) {
        if (Impl::build_some(*m.corpus_build, t0, budget_ms))
            m.corpus_ready();
        else
            m.pv.prepare_progress = static_cast<float>(m.corpus_build->progress());
    }
    // Playing, with a worker: whole steps go to the worker, a chunk at a time, and the frame only draws.
    const bool to_worker = m.worker_turn();
    m.maybe_send_chunk();
    while (!to_worker && (m.running || m.steps_requested > 0) && m.trainer && ms_since(t0) < budget_ms) {
        const auto ts = Clock::now();
        const bool stepped = m.trainer->run_micro_batch();
        m.step_ms += ms_since(ts);
        if (stepped) {
            m.pv.in_worker = false;
            m.record_step(m.trainer->last_step(), m.step_ms, /*weights_here=*/true);
            m.step_ms = 0;
            if (m.steps_requested > 0) --m.steps_requested;
            if (m.pv.step >= m.settings.total_steps || (m.stop_at_step > 0 && m.pv.step >= m.stop_at_step)) {
                m.stop_at_step = 0;
                m.running = false;
                m.pv.running = false;
            }
        }
    }

    // Fine-tuning, likewise.
    if (m.fv.running && m.ft_corpus_build) {
        if (Impl::build_some(*m.ft_corpus_build, t0, budget_ms))
            m.ft_corpus_ready();
        else
            m.fv.prepare_progress = static_cast<float>(m.ft_corpus_build->progress());
    }
    while (m.fv.running && m.ft_trainer && ms_since(t0) < budget_ms) {
        const auto tf = Clock::now();
        const bool stepped = m.ft_trainer->run_micro_batch();
        m.cv.finetune.seconds += ms_since(tf) / 1000.0;
        if (stepped) {
            const StepStats& st = m.ft_trainer->last_step();
            m.fv.step = m.ft_trainer->step_index();
            m.fv.loss = st.loss;
            m.fv.history.push_back({m.fv.step, 0, st.loss, kNaN});
            m.fv.base_checksum_now = m.tuned.model->checksum();
            m.cv.finetune.flops += st.flops_forward + st.flops_loss + st.flops_backward + st.flops_update;
            m.cv.finetune.tokens += st.tokens;
            m.cv.finetune.checksum_after = m.tuned_effective_checksum();
            if (m.fv.step >= m.fv.steps_target || !st.finite) {
                m.fv.running = false;
                m.tuned.meta.steps = static_cast<uint64_t>(m.fv.step);
                // The same windows as forgetting_before (they depend on the config's micro-batch size).
                Trainer probe(*m.tuned.model, m.forgetting_corpus->train, m.forgetting_corpus->val, m.ft_config);
                m.fv.forgetting_after = probe.validation_loss(4);
                // Same prompt and seed through the base and the tuned model.
                auto sample = [](const ModelConfig& cfg, std::span<const float> params, const Model* lora_model) {
                    std::vector<float> merged;
                    if (lora_model && lora_model->lora_enabled()) {
                        Model tmp(cfg);
                        std::copy(params.begin(), params.end(), tmp.params().begin());
                        tmp.enable_lora(lora_model->lora_rank(), lora_model->lora_alpha(), 0);
                        auto lp = lora_model->lora_params();
                        std::copy(lp.begin(), lp.end(), tmp.lora_params().begin());
                        tmp.merge_lora();
                        auto tp = std::as_const(tmp).params();
                        merged.assign(tp.begin(), tp.end());
                        params = merged;
                    }
                    Generator g(cfg, params);
                    g.feed(std::string_view("\n"));
                    Rng rng(42);
                    SamplingConfig sc;
                    sc.temperature = 0.7f;
                    std::vector<uint8_t> out;
                    for (int i = 0; i < 120; ++i) out.push_back(g.sample_next(sc, rng).token);
                    return display_text(out);
                };
                const ModelConfig cfg = m.tuned.model->config();
                m.fv.base_output = sample(cfg, m.ft_base_params, nullptr);
                if (m.tuned.model->lora_enabled()) {
                    m.fv.tuned_output = sample(cfg, std::as_const(*m.tuned.model).params(), m.tuned.model.get());
                } else {
                    m.fv.tuned_output = sample(cfg, std::as_const(*m.tuned.model).params(), nullptr);
                }
            }
        }
    }

    // Latency measurements: one model size per frame.
    if (!m.latency_queue.empty() && ms_since(t0) < budget_ms) {
        const SizePreset p = m.latency_queue.front();
        m.latency_queue.erase(m.latency_queue.begin());
        const ModelConfig cfg = size_preset_config(p);
        Model model(cfg);
        model.init_weights(1);
        Generator g(cfg, std::as_const(model).params());
        g.feed(std::string_view("\n"));
        Rng rng(1);
        SamplingConfig sc;
        const int n = 24;
        double flops = 0;
        const auto tg = Clock::now();
        for (int i = 0; i < n; ++i) flops += g.sample_next(sc, rng).flops;
        const double ms = ms_since(tg) / n;
        m.cv.latency.push_back({size_key(p), model.num_params(), ms, flops / n, n});
        if (m.latency_queue.empty()) m.cv.measuring = false;
    }
}

std::string checksum_text(uint64_t c) {
    const std::string h = checksum_hex(c);
    return h.substr(0, 4) + " " + h.substr(4, 4) + " " + h.substr(8, 4) + " " + h.substr(12, 4);
}

}  // namespace knobs

#include "train_chunk.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <limits>
#include <utility>

namespace knobs {

namespace {

constexpr uint8_t kRequestMagic[4] = {'K', 'N', 'R', 'Q'};
constexpr uint8_t kResultMagic[4] = {'K', 'N', 'R', 'S'};
// 2: results carry the last step's gradients. A worker and a page from different builds (a stale cache)
// refuse each other's messages with a clear message, and the page trains in its frames instead.
constexpr uint32_t kChunkFormatVersion = 2;

// std::bit_cast, which the libc++ of the Emscripten the project builds with (3.1.6) does not have yet.
template <class To, class From>
To bit_copy(const From& from) {
    static_assert(sizeof(To) == sizeof(From));
    To to;
    std::memcpy(&to, &from, sizeof to);
    return to;
}

// ---- little-endian fields, independent of the host's byte order ----
// (weights_file.cpp writes at fixed header offsets; these messages are read front to back, so a
// cursor that knows how many bytes remain is the simpler tool.)

class ByteWriter {
public:
    void bytes(const uint8_t* p, size_t n) { out_.insert(out_.end(), p, p + n); }
    void u8(uint8_t v) { out_.push_back(v); }
    void u32(uint32_t v) {
        for (int i = 0; i < 4; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void u64(uint64_t v) {
        for (int i = 0; i < 8; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void i32(int v) { u32(static_cast<uint32_t>(v)); }
    void f32(float v) { u32(bit_copy<uint32_t>(v)); }
    void f64(double v) { u64(bit_copy<uint64_t>(v)); }
    void text(const std::string& s) {
        u32(static_cast<uint32_t>(s.size()));
        bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    }
    // A count, then the values' IEEE-754 bits.
    void floats(std::span<const float> values) {
        u32(static_cast<uint32_t>(values.size()));
        const size_t at = out_.size();
        out_.resize(at + 4 * values.size());
        if constexpr (std::endian::native == std::endian::little) {
            if (!values.empty()) std::memcpy(out_.data() + at, values.data(), 4 * values.size());
        } else {
            for (size_t i = 0; i < values.size(); ++i) {
                const uint32_t bits = bit_copy<uint32_t>(values[i]);
                for (int k = 0; k < 4; ++k) out_[at + 4 * i + k] = static_cast<uint8_t>(bits >> (8 * k));
            }
        }
    }
    std::vector<uint8_t> take() { return std::move(out_); }

private:
    std::vector<uint8_t> out_;
};

// Reads fields front to back. The first problem is kept and every later read returns zeros, so a decoder
// reads straight through and checks failed() where a value matters. An empty reason is no failure, so
// checks that return "" when all is well can be passed straight to fail().
class ByteReader {
public:
    explicit ByteReader(std::span<const uint8_t> bytes) : rest_(bytes) {}
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    void fail(std::string why) {
        if (!failed()) error_ = std::move(why);
    }
    size_t remaining() const { return rest_.size(); }

    bool magic(const uint8_t (&expected)[4], const char* kind) {
        if (rest_.size() < 4 || std::memcmp(rest_.data(), expected, 4) != 0)
            fail(std::string("these bytes are not a ") + kind);
        else
            rest_ = rest_.subspan(4);
        return !failed();
    }
    uint8_t u8(const char* what) {
        const uint8_t* p = take(1, what);
        return p ? p[0] : 0;
    }
    uint32_t u32(const char* what) {
        const uint8_t* p = take(4, what);
        uint32_t v = 0;
        if (p)
            for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
        return v;
    }
    uint64_t u64(const char* what) {
        const uint8_t* p = take(8, what);
        uint64_t v = 0;
        if (p)
            for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
        return v;
    }
    int i32(const char* what) { return static_cast<int32_t>(u32(what)); }
    float f32(const char* what) { return bit_copy<float>(u32(what)); }
    double f64(const char* what) { return bit_copy<double>(u64(what)); }
    size_t u64_size(const char* what) {  // a 64-bit count that must fit this host's size_t (wasm32: 32 bits)
        const uint64_t v = u64(what);
        if (static_cast<uint64_t>(static_cast<size_t>(v)) != v) fail(std::string(what) + " is too large");
        return static_cast<size_t>(v);
    }
    std::string text(const char* what) {
        const uint32_t n = u32(what);
        const uint8_t* p = take(n, what);
        return p ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
    }
    // A float vector whose count must be `expected`. The count is checked -- against `expected` and
    // against the bytes that are really there -- before anything is allocated.
    std::vector<float> floats(const char* what, size_t expected) {
        const uint32_t n = u32(what);
        if (!failed() && n != expected)
            fail("expected " + std::to_string(expected) + " values for " + what + ", found " + std::to_string(n));
        return floats_of(n, what);
    }
    // A float vector of any count the remaining bytes can hold.
    std::vector<float> floats(const char* what) { return floats_of(u32(what), what); }

private:
    const uint8_t* take(size_t n, const char* what) {
        if (failed()) return nullptr;
        if (rest_.size() < n) {
            fail(std::string("the message ends inside ") + what);
            return nullptr;
        }
        const uint8_t* p = rest_.data();
        rest_ = rest_.subspan(n);
        return p;
    }
    std::vector<float> floats_of(uint32_t n, const char* what) {
        if (failed()) return {};
        if (n > rest_.size() / 4) {
            fail(std::string("the message ends inside ") + what + " (" + std::to_string(n) + " values announced)");
            return {};
        }
        std::vector<float> values(n);
        const uint8_t* p = take(4 * static_cast<size_t>(n), what);
        if constexpr (std::endian::native == std::endian::little) {
            if (n > 0) std::memcpy(values.data(), p, 4 * static_cast<size_t>(n));
        } else {
            for (size_t i = 0; i < n; ++i) {
                uint32_t bits = 0;
                for (int k = 3; k >= 0; --k) bits = (bits << 8) | p[4 * i + k];
                values[i] = bit_copy<float>(bits);
            }
        }
        return values;
    }

    std::span<const uint8_t> rest_;
    std::string error_;
};

void check_version(ByteReader& in, const char* kind) {
    const uint32_t version = in.u32("the version");
    if (!in.failed() && version != kChunkFormatVersion)
        in.fail(std::string(kind) + " version " + std::to_string(version) + " is not supported (this build reads " +
                std::to_string(kChunkFormatVersion) + ")");
}

void check_at_end(ByteReader& in) {
    if (!in.failed() && in.remaining() != 0)
        in.fail(std::to_string(in.remaining()) + " unexpected bytes after the end of the message");
}

// The request checks both decode() and run_train_chunk() need, one message each.
std::string config_error(const ModelConfig& cfg) {
    const std::string problem = validate(cfg);
    return problem.empty() ? problem : "invalid model settings: " + problem;
}
std::string train_config_error(const TrainConfig& tc) {
    const std::string problem = validate(tc);
    return problem.empty() ? problem : "invalid training settings: " + problem;
}
std::string steps_error(int steps) {
    if (steps >= 1 && steps <= kMaxChunkSteps) return {};
    return "a chunk runs 1 to " + std::to_string(kMaxChunkSteps) + " steps, not " + std::to_string(steps);
}

void write(ByteWriter& out, const TrainProgress& p) {
    out.i32(p.step);
    out.i32(p.adam_t);
    out.u64(p.tokens_seen);
    out.f64(p.total_flops);
    out.floats(p.m);
    out.floats(p.v);
}

// The counters' values (non-negative, adam_t <= step) and the moments' are Trainer::resume()'s to judge.
TrainProgress read_progress(ByteReader& in, size_t n_trainable) {
    TrainProgress p;
    p.step = in.i32("the step counter");
    p.adam_t = in.i32("AdamW's counter");
    p.tokens_seen = in.u64("the token count");
    p.total_flops = in.f64("the FLOP count");
    p.m = in.floats("the first moments", n_trainable);
    p.v = in.floats("the second moments", n_trainable);
    return p;
}

void write(ByteWriter& out, const StepStats& s) {
    out.i32(s.step);
    out.f32(s.loss);
    out.f32(s.grad_norm);
    out.f32(s.clip_scale);
    out.f32(s.update_norm);
    out.f32(s.max_update);
    out.f32(s.lr);
    out.u64(s.knobs_moved);
    out.u64(s.knobs_total);
    out.u8(s.finite ? 1 : 0);
    out.u64(s.tokens);
    out.f64(s.flops_forward);
    out.f64(s.flops_loss);
    out.f64(s.flops_backward);
    out.f64(s.flops_update);
    out.f64(s.ms_forward);
    out.f64(s.ms_backward);
    out.f64(s.ms_update);
}

StepStats read_step(ByteReader& in) {
    StepStats s;
    s.step = in.i32("a step's index");
    s.loss = in.f32("a step's loss");
    s.grad_norm = in.f32("a step's gradient norm");
    s.clip_scale = in.f32("a step's clip scale");
    s.update_norm = in.f32("a step's update norm");
    s.max_update = in.f32("a step's largest update");
    s.lr = in.f32("a step's learning rate");
    s.knobs_moved = in.u64_size("a step's moved-knob count");
    s.knobs_total = in.u64_size("a step's knob count");
    const uint8_t finite = in.u8("a step's finite flag");
    if (finite > 1) in.fail("a step's finite flag is " + std::to_string(finite) + " (0 or 1)");
    s.finite = finite == 1;
    s.tokens = in.u64("a step's token count");
    s.flops_forward = in.f64("a step's forward FLOPs");
    s.flops_loss = in.f64("a step's loss FLOPs");
    s.flops_backward = in.f64("a step's backward FLOPs");
    s.flops_update = in.f64("a step's update FLOPs");
    s.ms_forward = in.f64("a step's forward time");
    s.ms_backward = in.f64("a step's backward time");
    s.ms_update = in.f64("a step's update time");
    return s;
}

// What decode() refuses, for requests built in memory.
std::string request_error(const TrainChunkRequest& r) {
    if (std::string e = config_error(r.config); !e.empty()) return e;
    if (std::string e = train_config_error(r.train); !e.empty()) return e;
    if (std::string e = steps_error(r.steps); !e.empty()) return e;
    const size_t n = param_count(r.config);
    if (r.params.size() != n)
        return "the request has " + std::to_string(r.params.size()) + " parameters; the model has " + std::to_string(n);
    if (r.progress.step > std::numeric_limits<int>::max() - r.steps)
        return "the step counter (" + std::to_string(r.progress.step) + ") cannot count " + std::to_string(r.steps) +
               " more steps";
    return {};
}

TrainChunkResult failed_result(uint32_t chunk_id, std::string error) {
    TrainChunkResult result;
    result.chunk_id = chunk_id;
    result.error = std::move(error);
    return result;
}

}  // namespace

std::vector<uint8_t> encode(const TrainChunkRequest& r) {
    ByteWriter out;
    out.bytes(kRequestMagic, 4);
    out.u32(kChunkFormatVersion);
    out.u32(r.chunk_id);
    out.u32(r.corpus_id);
    out.i32(r.config.n_layer);
    out.i32(r.config.n_head);
    out.i32(r.config.n_embd);
    out.i32(r.config.block_size);
    const TrainConfig& t = r.train;
    out.f32(t.lr);
    out.i32(t.warmup_steps);
    out.i32(t.total_steps);
    out.f32(t.min_lr_ratio);
    out.f32(t.weight_decay);
    out.f32(t.beta1);
    out.f32(t.beta2);
    out.f32(t.eps);
    out.f32(t.grad_clip);
    out.i32(t.batch_size);
    out.i32(t.micro_batch_size);
    out.u64(t.seed);
    out.f32(t.moved_threshold);
    out.i32(r.steps);
    out.floats(r.params);
    write(out, r.progress);
    return out.take();
}

std::vector<uint8_t> encode(const TrainChunkResult& r) {
    ByteWriter out;
    out.bytes(kResultMagic, 4);
    out.u32(kChunkFormatVersion);
    out.u32(r.chunk_id);
    out.text(r.error);
    out.u32(static_cast<uint32_t>(r.steps.size()));
    for (const StepStats& s : r.steps) write(out, s);
    out.floats(r.params);
    out.floats(r.params_before_last);
    out.floats(r.grads);
    write(out, r.progress);
    out.f64(r.ms);
    return out.take();
}

// The end of a decoder: nothing may follow the message; on success the message goes to *out.
template <class Message>
bool finish(ByteReader& in, Message&& message, Message* out, std::string* error) {
    check_at_end(in);
    if (in.failed()) {
        if (error) *error = in.error();
        return false;
    }
    if (error) error->clear();
    *out = std::move(message);
    return true;
}

bool decode(std::span<const uint8_t> bytes, TrainChunkRequest* out, std::string* error) {
    ByteReader in(bytes);
    TrainChunkRequest r;
    if (in.magic(kRequestMagic, "training chunk request")) check_version(in, "training chunk request");
    r.chunk_id = in.u32("the chunk id");
    r.corpus_id = in.u32("the corpus id");
    r.config.n_layer = in.i32("the model settings");
    r.config.n_head = in.i32("the model settings");
    r.config.n_embd = in.i32("the model settings");
    r.config.block_size = in.i32("the model settings");
    // Validated before param_count() uses it: a valid configuration bounds every size that follows.
    in.fail(config_error(r.config));
    TrainConfig& t = r.train;
    t.lr = in.f32("the training settings");
    t.warmup_steps = in.i32("the training settings");
    t.total_steps = in.i32("the training settings");
    t.min_lr_ratio = in.f32("the training settings");
    t.weight_decay = in.f32("the training settings");
    t.beta1 = in.f32("the training settings");
    t.beta2 = in.f32("the training settings");
    t.eps = in.f32("the training settings");
    t.grad_clip = in.f32("the training settings");
    t.batch_size = in.i32("the training settings");
    t.micro_batch_size = in.i32("the training settings");
    t.seed = in.u64("the training settings");
    t.moved_threshold = in.f32("the training settings");
    in.fail(train_config_error(t));
    r.steps = in.i32("the step count");
    in.fail(steps_error(r.steps));
    const size_t n_params = in.failed() ? 0 : param_count(r.config);
    r.params = in.floats("the parameters", n_params);
    r.progress = read_progress(in, n_params);  // pre-training: every parameter is trainable
    return finish(in, std::move(r), out, error);
}

bool decode(std::span<const uint8_t> bytes, TrainChunkResult* out, std::string* error) {
    ByteReader in(bytes);
    TrainChunkResult r;
    if (in.magic(kResultMagic, "training chunk result")) check_version(in, "training chunk result");
    r.chunk_id = in.u32("the chunk id");
    r.error = in.text("the error message");
    const uint32_t n_steps = in.u32("the step count");
    if (!in.failed() && n_steps > static_cast<uint32_t>(kMaxChunkSteps))
        in.fail("a result holds at most " + std::to_string(kMaxChunkSteps) + " steps, not " + std::to_string(n_steps));
    for (uint32_t i = 0; i < n_steps && !in.failed(); ++i) r.steps.push_back(read_step(in));
    r.params = in.floats("the parameters");
    r.params_before_last = in.floats("the parameters before the last step", r.params.size());
    r.grads = in.floats("the gradients of the last step", r.params.size());
    r.progress = read_progress(in, r.params.size());
    r.ms = in.f64("the wall time");
    return finish(in, std::move(r), out, error);
}

TrainChunkResult run_train_chunk(const TrainChunkRequest& request, std::span<const uint8_t> train_text) {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    if (std::string e = request_error(request); !e.empty()) return failed_result(request.chunk_id, std::move(e));
    Model model(request.config);
    std::copy(request.params.begin(), request.params.end(), model.params().begin());
    if (std::string e = Trainer::check(model, train_text, {}, request.train); !e.empty())
        return failed_result(request.chunk_id, std::move(e));
    Trainer trainer(model, train_text, {}, request.train);
    if (std::string e = trainer.resume(request.progress); !e.empty())
        return failed_result(request.chunk_id, std::move(e));

    TrainChunkResult result;
    result.chunk_id = request.chunk_id;
    result.steps.reserve(static_cast<size_t>(request.steps));
    for (int s = 0; s < request.steps; ++s) {
        result.params_before_last.assign(model.params().begin(), model.params().end());
        result.steps.push_back(trainer.step());
        if (!result.steps.back().finite) break;  // the caller decides what follows a divergence
    }
    result.params.assign(model.params().begin(), model.params().end());
    result.grads.assign(model.grads().begin(), model.grads().end());
    result.progress = trainer.progress();
    result.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    return result;
}

std::vector<uint8_t> run_train_chunk_bytes(std::span<const uint8_t> request, uint32_t text_corpus_id,
                                           std::span<const uint8_t> train_text) {
    TrainChunkRequest r;
    std::string error;
    if (!decode(request, &r, &error)) return encode(failed_result(0, "the training request is unreadable: " + error));
    if (r.corpus_id != text_corpus_id)
        return encode(failed_result(r.chunk_id, "this worker holds training text " + std::to_string(text_corpus_id) +
                                                    ", not text " + std::to_string(r.corpus_id)));
    return encode(run_train_chunk(r, train_text));
}

}  // namespace knobs

// Training chunks: a Trainer handed over between steps (progress / resume) continues bit-identically, a
// chunk reaches the bits the caller's own trainer would, and the byte messages round-trip and refuse
// damage without crashing.
#include "core/train_chunk.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixtures.h"

using namespace knobs;
using namespace knobs::test;
using Catch::Matchers::ContainsSubstring;

namespace {

const ModelConfig kTiny{1, 2, 16, 16};
const ModelConfig kTwoLayers{2, 2, 16, 16};

std::vector<uint8_t> training_text() {
    std::string s;
    for (int i = 0; i < 40; ++i) s += "the quick brown fox jumps over the lazy dog. ";
    return std::vector<uint8_t>(s.begin(), s.end());
}

TrainConfig small_training(uint64_t seed) {
    TrainConfig tc;
    tc.batch_size = 4;
    tc.micro_batch_size = 2;
    tc.warmup_steps = 2;
    tc.total_steps = 20;
    tc.seed = seed;
    return tc;
}

std::vector<float> params_of(const Model& m) { return std::vector<float>(m.params().begin(), m.params().end()); }

bool same_bits(std::span<const float> a, std::span<const float> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// The request a caller would send after its trainer has taken `trainer.step_index()` steps.
TrainChunkRequest request_from(const Model& model, const Trainer& trainer, int steps) {
    TrainChunkRequest r;
    r.chunk_id = 7;
    r.corpus_id = 3;
    r.config = model.config();
    r.train = trainer.config();
    r.steps = steps;
    r.params = params_of(model);
    r.progress = trainer.progress();
    return r;
}

// A result with every wall-time field zeroed, so two runs of the same chunk compare equal.
TrainChunkResult without_times(TrainChunkResult r) {
    r.ms = 0;
    for (StepStats& s : r.steps) s.ms_forward = s.ms_backward = s.ms_update = 0;
    return r;
}

uint32_t u32_at(const std::vector<uint8_t>& b, size_t at) {
    return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}
void put_u32_at(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Where a request's parameter count sits: magic, version, chunk id, corpus id (16 bytes), the model
// settings (4 x 4), the training settings (12 x 4 + the 8-byte seed), the step count (4).
constexpr size_t kRequestParamCountAt = 16 + 16 + 56 + 4;

}  // namespace

TEST_CASE("[core] a resumed trainer continues bit-identically", "[core]") {
    const uint64_t seed = GENERATE(3, 11);
    const ModelConfig cfg = GENERATE(kTiny, kTwoLayers);
    const std::vector<uint8_t> text = training_text();
    const TrainConfig tc = small_training(seed);

    Model a(cfg);
    a.init_weights(seed);
    Trainer ta(a, text, {}, tc);
    for (int s = 0; s < 7; ++s) ta.step();

    Model b(cfg);
    b.init_weights(seed);
    Trainer tb(b, text, {}, tc);
    for (int s = 0; s < 3; ++s) tb.step();
    const TrainProgress handed_over = tb.progress();
    CHECK(handed_over.step == 3);
    CHECK(handed_over.adam_t == 3);
    CHECK(handed_over.tokens_seen == tb.tokens_seen());
    CHECK(handed_over.total_flops == tb.total_flops());
    CHECK(same_bits(handed_over.m, tb.adam_m()));
    CHECK(same_bits(handed_over.v, tb.adam_v()));

    Model c(cfg);  // never initialised: everything it trains from comes from b
    std::copy(b.params().begin(), b.params().end(), c.params().begin());
    Trainer tcont(c, text, {}, tc);

    SECTION("from a fresh trainer") { REQUIRE(tcont.resume(handed_over).empty()); }
    SECTION("from a trainer half-way through a step of its own") {
        tcont.run_micro_batch();
        REQUIRE(tcont.micro_index() == 1);
        REQUIRE(tcont.resume(handed_over).empty());
        CHECK(tcont.micro_index() == 0);
        CHECK(tcont.last_step().step == -1);  // the half step's run is forgotten
    }
    for (int s = 0; s < 4; ++s) tcont.step();
    CHECK(same_bits(c.params(), a.params()));
    CHECK(tcont.progress() == ta.progress());
    CHECK(tcont.last_step().loss == ta.last_step().loss);
    CHECK(tcont.last_step().step == 6);
}

TEST_CASE("[core] resume refuses progress that does not fit and changes nothing", "[core]") {
    const std::vector<uint8_t> text = training_text();
    Model model(kTiny);
    model.init_weights(1);
    Trainer trainer(model, text, {}, small_training(1));
    trainer.step();
    trainer.step();
    const TrainProgress before = trainer.progress();
    const std::vector<float> params_before = params_of(model);

    TrainProgress bad = before;
    std::string expected_reason;
    SECTION("too few first moments") {
        bad.m.pop_back();
        expected_reason = "moments";
    }
    SECTION("too many second moments") {
        bad.v.push_back(0);
        expected_reason = "moments";
    }
    SECTION("a negative step counter") {
        bad.step = -1;
        expected_reason = "negative";
    }
    SECTION("more AdamW steps than steps") {
        bad.adam_t = bad.step + 1;
        expected_reason = "cannot exceed";
    }
    SECTION("a NaN first moment") {
        bad.m[5] = std::numeric_limits<float>::quiet_NaN();
        expected_reason = "moment 5";
    }
    SECTION("a negative second moment") {
        bad.v[9] = -1e-9f;
        expected_reason = "moment 9";
    }
    SECTION("an infinite FLOP count") {
        bad.total_flops = std::numeric_limits<double>::infinity();
        expected_reason = "FLOP";
    }
    CHECK_THAT(trainer.resume(bad), ContainsSubstring(expected_reason));
    CHECK(trainer.progress() == before);
    CHECK(same_bits(model.params(), params_before));
#if KNOBS_TEST_EXCEPTIONS
    trainer.run_micro_batch();
    CHECK_THROWS_AS(trainer.progress(), std::logic_error);  // half a step is not a hand-over point
#endif
}

TEST_CASE("[core] a train chunk reaches the same bits as the caller's own steps", "[core]") {
    struct Case {
        int before, steps;
    };
    const Case c = GENERATE(values<Case>({{0, 1}, {2, 3}, {1, 5}}));
    const uint64_t seed = GENERATE(4, 9);
    const std::vector<uint8_t> text = training_text();
    Model model(kTiny);
    model.init_weights(seed);
    Trainer trainer(model, text, {}, small_training(seed));
    for (int s = 0; s < c.before; ++s) trainer.step();
    const TrainChunkRequest request = request_from(model, trainer, c.steps);

    const TrainChunkResult result = run_train_chunk(request, text);
    REQUIRE(result.error.empty());
    CHECK(result.chunk_id == request.chunk_id);
    REQUIRE(result.steps.size() == static_cast<size_t>(c.steps));

    std::vector<float> params_before_last;
    for (int s = 0; s < c.steps; ++s) {
        params_before_last = params_of(model);
        const StepStats st = trainer.step();
        CHECK(result.steps[s].step == st.step);
        CHECK(result.steps[s].loss == st.loss);
        CHECK(result.steps[s].grad_norm == st.grad_norm);
        CHECK(result.steps[s].knobs_moved == st.knobs_moved);
        CHECK(result.steps[s].flops_forward == st.flops_forward);
    }
    CHECK(same_bits(result.params, model.params()));
    CHECK(same_bits(result.params_before_last, params_before_last));
    CHECK(same_bits(result.grads, std::as_const(model).grads()));
    CHECK(result.progress == trainer.progress());
    // The chunk reports the wall time it took; how long that is belongs to make bench, not to a test.
    CHECK(std::isfinite(result.ms));
    CHECK(result.ms >= 0);
}

TEST_CASE("[core] train chunk messages survive encode and decode", "[core]") {
    const std::vector<uint8_t> text = training_text();
    Model model(kTiny);
    model.init_weights(2);
    Trainer trainer(model, text, {}, small_training(2));
    trainer.step();
    TrainChunkRequest request = request_from(model, trainer, 2);
    request.train.lr = 0.0123f;  // every field away from its default
    request.train.warmup_steps = 5;
    request.train.total_steps = 99;
    request.train.min_lr_ratio = 0.25f;
    request.train.weight_decay = 0.05f;
    request.train.beta1 = 0.8f;
    request.train.beta2 = 0.9f;
    request.train.eps = 1e-7f;
    request.train.grad_clip = 0.5f;
    request.train.seed = 0x123456789ABCDEFull;
    request.train.moved_threshold = 2e-4f;

    SECTION("a request") {
        TrainChunkRequest decoded;
        std::string error = "stale";
        REQUIRE(decode(encode(request), &decoded, &error));
        CHECK(error.empty());
        CHECK(decoded == request);
    }
    SECTION("a result") {
        const TrainChunkResult result = run_train_chunk(request, text);
        REQUIRE(result.error.empty());
        TrainChunkResult decoded;
        std::string error;
        REQUIRE(decode(encode(result), &decoded, &error));
        CHECK(decoded == result);
    }
    SECTION("a result with an error") {
        TrainChunkResult result;
        result.chunk_id = 12;
        result.error = "something went wrong";
        TrainChunkResult decoded;
        std::string error;
        REQUIRE(decode(encode(result), &decoded, &error));
        CHECK(decoded == result);
    }
    SECTION("the worker's bytes-in, bytes-out call is the same chunk") {
        TrainChunkResult via_bytes;
        std::string error;
        REQUIRE(decode(run_train_chunk_bytes(encode(request), request.corpus_id, text), &via_bytes, &error));
        CHECK(without_times(via_bytes) == without_times(run_train_chunk(request, text)));
    }
}

TEST_CASE("[core] train chunk decoding refuses damaged bytes", "[core]") {
    const std::vector<uint8_t> text = training_text();
    Model model(kTiny);
    model.init_weights(5);
    Trainer trainer(model, text, {}, small_training(5));
    const TrainChunkRequest request = request_from(model, trainer, 2);
    const std::vector<uint8_t> good = encode(request);
    REQUIRE(u32_at(good, kRequestParamCountAt) == model.num_params());

    TrainChunkRequest out;
    std::string error;
    auto refused = [&](const std::vector<uint8_t>& bytes, const std::string& reason) {
        out = request;
        error.clear();
        const bool decoded = decode(bytes, &out, &error);
        INFO("error: " << error);
        CHECK_FALSE(decoded);
        CHECK_THAT(error, ContainsSubstring(reason));
        CHECK(out == request);  // a refused message leaves the output alone
    };

    SECTION("every truncation") {
        size_t accepted = 0, silent = 0;
        for (size_t n = 0; n < good.size(); ++n) {
            error.clear();
            accepted += decode(std::span(good).first(n), &out, &error) ? 1 : 0;
            silent += error.empty() ? 1 : 0;
        }
        CHECK(accepted == 0);
        CHECK(silent == 0);
    }
    SECTION("another magic") {
        std::vector<uint8_t> bytes = good;
        bytes[1] ^= 0x20;
        refused(bytes, "not a training chunk request");
        refused(encode(TrainChunkResult{}), "not a training chunk request");  // a result is not a request
    }
    SECTION("another version") {
        std::vector<uint8_t> bytes = good;
        put_u32_at(bytes, 4, 1);
        refused(bytes, "version 1");
    }
    SECTION("a parameter count of 4 billion") {
        std::vector<uint8_t> bytes = good;
        put_u32_at(bytes, kRequestParamCountAt, 0xFFFFFFFFu);
        refused(bytes, "4294967295");
    }
    SECTION("a result announcing 4 billion parameters") {
        // An error result with no steps: magic, version, chunk id, an empty message, a zero step count.
        std::vector<uint8_t> bytes = encode(TrainChunkResult{});
        constexpr size_t kResultParamCountAt = 4 + 4 + 4 + 4 + 4;
        REQUIRE(u32_at(bytes, kResultParamCountAt) == 0);
        put_u32_at(bytes, kResultParamCountAt, 0xFFFFFFFFu);
        TrainChunkResult result;
        CHECK_FALSE(decode(bytes, &result, &error));
        CHECK_THAT(error, ContainsSubstring("ends inside the parameters"));
    }
    SECTION("a result announcing more steps than a chunk runs") {
        std::vector<uint8_t> bytes = encode(TrainChunkResult{});
        put_u32_at(bytes, 16, kMaxChunkSteps + 1);
        TrainChunkResult result;
        CHECK_FALSE(decode(bytes, &result, &error));
        CHECK_THAT(error, ContainsSubstring("at most"));
    }
    SECTION("trailing bytes") {
        std::vector<uint8_t> bytes = good;
        bytes.push_back(0);
        refused(bytes, "1 unexpected bytes");
        std::vector<uint8_t> result_bytes = encode(TrainChunkResult{});
        result_bytes.push_back(0);
        TrainChunkResult result;
        CHECK_FALSE(decode(result_bytes, &result, &error));
    }
    SECTION("parameters of the wrong size") {
        TrainChunkRequest bad = request;
        bad.params.pop_back();
        refused(encode(bad), "for the parameters");
        CHECK_THAT(run_train_chunk(bad, text).error, ContainsSubstring("parameters"));
    }
    SECTION("moments of the wrong size") {
        TrainChunkRequest bad = request;
        bad.progress.v.push_back(0);
        refused(encode(bad), "for the second moments");
        CHECK_THAT(run_train_chunk(bad, text).error, ContainsSubstring("moments"));
    }
    SECTION("a step count outside 1..kMaxChunkSteps") {
        TrainChunkRequest bad = request;
        bad.steps = GENERATE(0, -1, kMaxChunkSteps + 1);
        refused(encode(bad), "steps");
        const TrainChunkResult result = run_train_chunk(bad, text);
        CHECK_THAT(result.error, ContainsSubstring("steps"));
        CHECK(result.steps.empty());
    }
    SECTION("invalid model settings") {
        TrainChunkRequest bad = request;
        bad.config.n_head = 3;  // does not divide the width
        refused(encode(bad), "invalid model settings");
        CHECK_THAT(run_train_chunk(bad, text).error, ContainsSubstring("invalid model settings"));
    }
    SECTION("invalid training settings") {
        TrainChunkRequest bad = request;
        bad.train.micro_batch_size = 3;
        refused(encode(bad), "invalid training settings");
        CHECK_THAT(run_train_chunk(bad, text).error, ContainsSubstring("invalid training settings"));
    }
    SECTION("a finite flag that is neither 0 nor 1") {
        TrainChunkResult result = run_train_chunk(request, text);
        REQUIRE(result.error.empty());
        std::vector<uint8_t> bytes = encode(result);
        // The first step's flag follows its index, six floats and two 8-byte counts.
        const size_t flag_at = 4 + 4 + 4 + 4 + 4 + 4 + 6 * 4 + 2 * 8;
        REQUIRE(bytes[flag_at] == 1);
        bytes[flag_at] = 2;
        CHECK_FALSE(decode(bytes, &result, &error));
        CHECK_THAT(error, ContainsSubstring("finite flag"));
    }
}

TEST_CASE("[core] a train chunk refuses requests it cannot run", "[core]") {
    const std::vector<uint8_t> text = training_text();
    Model model(kTiny);
    model.init_weights(6);
    Trainer trainer(model, text, {}, small_training(6));
    const TrainChunkRequest request = request_from(model, trainer, 3);
    TrainChunkResult result;
    std::string error;

    SECTION("a request for another text: not run, chunk id echoed") {
        REQUIRE(decode(run_train_chunk_bytes(encode(request), request.corpus_id + 1, text), &result, &error));
        CHECK_THAT(result.error, ContainsSubstring("training text 4"));
        CHECK(result.chunk_id == request.chunk_id);
    }
    SECTION("bytes that are no request: chunk id 0") {
        std::vector<uint8_t> bytes = encode(request);
        bytes.resize(bytes.size() / 2);
        REQUIRE(decode(run_train_chunk_bytes(bytes, request.corpus_id, text), &result, &error));
        CHECK_THAT(result.error, ContainsSubstring("unreadable"));
        CHECK(result.chunk_id == 0);
    }
    SECTION("a text shorter than a window") {
        const std::vector<uint8_t> short_text(kTiny.block_size, 'a');
        result = run_train_chunk(request, short_text);
        CHECK_THAT(result.error, ContainsSubstring("training text has 16 bytes"));
    }
    SECTION("progress the trainer refuses") {
        TrainChunkRequest bad = request;
        bad.progress.adam_t = 1;  // more AdamW steps than steps
        result = run_train_chunk(bad, text);
        CHECK_THAT(result.error, ContainsSubstring("cannot exceed"));
    }
    SECTION("a step counter that would overflow") {
        TrainChunkRequest bad = request;
        bad.progress.step = std::numeric_limits<int>::max() - 1;
        result = run_train_chunk(bad, text);
        CHECK_THAT(result.error, ContainsSubstring("step counter"));
    }
    CHECK(result.steps.empty());
    CHECK(result.params.empty());
}

TEST_CASE("[core] a train chunk stops after a non-finite step", "[core]") {
    const std::vector<uint8_t> text = training_text();
    Model model(kTiny);
    model.init_weights(8);
    Trainer trainer(model, text, {}, small_training(8));
    trainer.step();
    TrainChunkRequest request = request_from(model, trainer, 5);
    // A NaN gain in the final LayerNorm makes every logit, and so the loss, NaN.
    const size_t lnfw_at = model.layout().offset[static_cast<int>(Tensor::lnfw)];
    request.params[lnfw_at] = std::numeric_limits<float>::quiet_NaN();

    const TrainChunkResult result = run_train_chunk(request, text);
    REQUIRE(result.error.empty());
    REQUIRE(result.steps.size() == 1);
    CHECK_FALSE(result.steps[0].finite);
    CHECK(same_bits(result.params, request.params));  // nothing applied
    CHECK(same_bits(result.params_before_last, request.params));
    CHECK(result.progress.step == request.progress.step + 1);  // the step still counts
    CHECK(result.progress.adam_t == request.progress.adam_t);
    CHECK(result.progress.m == request.progress.m);
}

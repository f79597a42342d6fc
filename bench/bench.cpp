// knobs_bench: training throughput and matrix-kernel speed, printed as ONE JSON object on stdout.
//
//   train_tokens_per_s, train_gflops          the default model (L=2 H=4 C=64 T=64), TrainConfig defaults
//   train_tokens_per_s_large, train_gflops_large   a ~0.8M-parameter model (L=4 H=4 C=128 T=64)
//   matmul_best_gflops                        the fastest of the training's matrix products, each timed
//                                             alone with hot caches (the ceiling training is measured against)
//   params_default, params_large
//   *_cpu                                     the same rates per second of this process's CPU time, which
//                                             stay meaningful on a loaded machine (wall time is the target)
//
// FLOPs come from flops.h (what the code computes). Every timing follows a warm-up: in a browser or
// node, WebAssembly starts in a baseline compiler and is recompiled with optimisations only once it
// is hot, and the first seconds would otherwise measure the baseline tier.
// Usage: knobs_bench [seconds per measurement, default 3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "core/corpus.h"
#include "core/generate.h"
#include "core/flops.h"
#include "core/kernels.h"
#include "core/model.h"
#include "core/rng.h"
#include "core/trainer.h"

#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
#else
#include <ctime>
#endif

using namespace knobs;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// CPU time of this process (node: process.cpuUsage, which also counts the engine's compiler threads).
double cpu_seconds() {
#if defined(__EMSCRIPTEN__)
    return EM_ASM_DOUBLE({
        if (typeof process !== 'undefined' && process.cpuUsage) {
            const u = process.cpuUsage();
            return (u.user + u.system) / 1e6;
        }
        return performance.now() / 1e3;
    });
#else
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
#endif
}

struct TrainResult {
    double tokens_per_s = 0, gflops = 0;
    double tokens_per_cpu_s = 0, gflops_cpu = 0;
    size_t params = 0;
    float loss = 0;
};

TrainResult bench_training(const ModelConfig& cfg, const Corpus& corpus, double warmup_s, double measure_s) {
    Model model(cfg);
    model.init_weights(1);
    const TrainConfig tc;  // the defaults the app starts from
    Trainer trainer(model, corpus.train, corpus.val, tc);
    const auto w0 = Clock::now();
    while (seconds_since(w0) < warmup_s) trainer.step();
    const double flops0 = trainer.total_flops();
    const uint64_t tokens0 = trainer.tokens_seen();
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    double elapsed = 0;
    while ((elapsed = seconds_since(t0)) < measure_s) trainer.step();
    const double cpu = cpu_seconds() - c0;
    TrainResult r;
    r.tokens_per_s = static_cast<double>(trainer.tokens_seen() - tokens0) / elapsed;
    r.gflops = (trainer.total_flops() - flops0) / elapsed / 1e9;
    r.tokens_per_cpu_s = static_cast<double>(trainer.tokens_seen() - tokens0) / cpu;
    r.gflops_cpu = (trainer.total_flops() - flops0) / cpu / 1e9;
    r.params = model.num_params();
    r.loss = trainer.last_step().loss;
    return r;
}

// The matrix products of one training forward/backward of the default model, as the kernels see them:
// M rows (tokens of one compute chunk or of a whole micro-batch), K depth, N output columns.
struct Product {
    const char* name;
    int M, N, K;
    bool transposed_a;  // gemm_tn (weight gradients) instead of gemm_nn
};

struct Rate {
    double wall = 0, cpu = 0;  // GFLOP/s
};

Rate bench_product(const Product& p, double seconds) {
    Rng rng(7);
    std::vector<float> a(static_cast<size_t>(p.M) * p.K), b(static_cast<size_t>(p.K) * p.N), c(static_cast<size_t>(p.M) * p.N);
    for (float& x : a) x = rng.normal();
    for (float& x : b) x = rng.normal();
    std::vector<float> scratch(std::max(kernels::gemm_nn_scratch(p.K), kernels::gemm_tn_scratch(p.M, p.K)));
    // As training calls them: the right operand packed panel by panel inside the call, and gemm_tn's copy
    // of A^T included.
    auto run = [&] {
        if (p.transposed_a)
            kernels::gemm_tn(c.data(), p.N, a.data(), p.M, kernels::rows_of(b.data(), p.N), p.M, p.N, p.K, true,
                             kernels::Causal::none, scratch.data());
        else
            kernels::gemm_nn(c.data(), p.N, a.data(), p.K, kernels::rows_of(b.data(), p.N), nullptr, p.M, p.N, p.K,
                             false, kernels::Causal::none, scratch.data());
    };
    // Best of several short windows: the kernel's speed, not the machine's other load.
    Rate best;
    const auto t_end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (Clock::now() < t_end) {
        const auto t0 = Clock::now();
        const double c0 = cpu_seconds();
        int calls = 0;
        double elapsed = 0;
        do {
            run();
            ++calls;
        } while ((elapsed = seconds_since(t0)) < 0.05);
        const double gflop = 2.0 * p.M * p.N * p.K * calls / 1e9;
        best.wall = std::max(best.wall, gflop / elapsed);
        best.cpu = std::max(best.cpu, gflop / std::max(cpu_seconds() - c0, 1e-9));
    }
    return best;
}

}  // namespace

struct InferResult {
    double ms_pos10 = 0, ms_pos200 = 0;
};

// Best-of-N timing of single generated tokens at two positions (the machine is shared, so the minimum is
// the least disturbed measurement of the same work). Each round times the tokens at positions 10..13 and
// 200..203 one by one: four samples per position for one (costly) refill of the cache, and four positions
// differ by 2% of the attention work at most.
InferResult bench_inference(double budget_s) {
    constexpr int kSamplesPerRound = 4;
    const ModelConfig cfg{4, 4, 128, 256};
    Model model(cfg);
    model.init_weights(3);
    Generator gen(cfg, std::as_const(model).params());
    SamplingConfig sc;
    sc.greedy = true;
    InferResult r;
    r.ms_pos10 = r.ms_pos200 = 1e30;
    auto time_tokens = [&](Rng& rng, double* best_ms) {
        for (int i = 0; i < kSamplesPerRound; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            gen.sample_next(sc, rng);
            *best_ms = std::min(*best_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
    };
    const auto t_end = std::chrono::steady_clock::now() + std::chrono::duration<double>(std::max(0.5, budget_s));
    int rounds = 0;
    while (rounds < 5 || (std::chrono::steady_clock::now() < t_end && rounds < 200)) {
        gen.reset();
        std::vector<uint8_t> prompt(10, 'a');
        gen.feed(prompt);
        Rng rng(1);
        time_tokens(rng, &r.ms_pos10);  // positions 10..13
        std::vector<uint8_t> more(200 - 10 - kSamplesPerRound, 'b');
        gen.feed(more);  // now 200 tokens in the window
        time_tokens(rng, &r.ms_pos200);  // positions 200..203
        ++rounds;
    }
    return r;
}

int main(int argc, char** argv) {
    const double measure_s = argc > 1 ? std::max(0.2, std::atof(argv[1])) : 3.0;
    const Corpus corpus = make_english_corpus(1, 1 << 20);

    const ModelConfig def{};                 // L=2 H=4 C=64 T=64
    const ModelConfig large{4, 4, 128, 64};  // ~0.83M parameters
    const TrainResult d = bench_training(def, corpus, 2.0, measure_s);
    const TrainResult l = bench_training(large, corpus, 1.0, measure_s);

    const int C = def.n_embd, T = def.block_size, V = kVocabSize;
    const int chunk_rows = T, micro_rows = TrainConfig{}.micro_batch_size * T;
    std::vector<Product> products;
    for (int M : {chunk_rows, micro_rows}) {
        products.push_back({"qkv", M, 3 * C, C, false});
        products.push_back({"fc", M, 4 * C, C, false});
        products.push_back({"fcproj", M, C, 4 * C, false});
        products.push_back({"head", M, V, C, false});
        products.push_back({"dW qkv", 3 * C, C, M, true});
        products.push_back({"dW fc", 4 * C, C, M, true});
        products.push_back({"dW fcproj", C, 4 * C, M, true});
    }
    for (const Product& p : products) bench_product(p, 0.1);  // warm-up (tier-up in wasm)
    double best = 0, best_cpu = 0;
    std::string best_name;
    for (const Product& p : products) {
        const Rate g = bench_product(p, std::max(0.1, measure_s / 10));
        best_cpu = std::max(best_cpu, g.cpu);
        if (g.wall > best) {
            best = g.wall;
            best_name = std::string(p.name) + " " + std::to_string(p.M) + "x" + std::to_string(p.N) + "x" + std::to_string(p.K);
        }
    }

    // Inference with the KV cache: ms per generated token early (position 10) and late (position 200) in a
    // 256-token context; with the cache the late token costs only its extra attention.
    const InferResult inf = bench_inference(measure_s);

#if defined(__EMSCRIPTEN__)
    const char* target = "wasm";
#else
    const char* target = "native";
#endif
    std::printf(
        "{\"target\": \"%s\", \"train_tokens_per_s\": %.0f, \"train_gflops\": %.3f, \"matmul_best_gflops\": %.3f, "
        "\"matmul_best_shape\": \"%s\", \"train_tokens_per_s_large\": %.0f, \"train_gflops_large\": %.3f, "
        "\"params_default\": %zu, \"params_large\": %zu, \"train_vs_matmul\": %.3f, "
        "\"train_tokens_per_s_cpu\": %.0f, \"train_gflops_cpu\": %.3f, \"matmul_best_gflops_cpu\": %.3f, "
        "\"train_tokens_per_s_large_cpu\": %.0f, \"infer_ms_per_token_pos10\": %.4f, \"infer_ms_per_token_pos200\": %.4f, "
        "\"kv_cache_ratio\": %.3f}\n",
        target, d.tokens_per_s, d.gflops, best, best_name.c_str(), l.tokens_per_s, l.gflops, d.params, l.params,
        best > 0 ? d.gflops / best : 0.0, d.tokens_per_cpu_s, d.gflops_cpu, best_cpu, l.tokens_per_cpu_s, inf.ms_pos10,
        inf.ms_pos200, inf.ms_pos10 > 0 ? inf.ms_pos200 / inf.ms_pos10 : 0.0);
    return 0;
}

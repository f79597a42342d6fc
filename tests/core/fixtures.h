// Shared helpers for the engine tests: double-precision reference implementations written straight from
// the definitions (naive loops, no shared code with src/core), central finite differences, and float
// comparison matchers.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <span>
#include <string>
#include <vector>

#include "catch_amalgamated.hpp"
#include "core/config.h"
#include "core/rng.h"

// The wasm build has no C++ exceptions (a throw aborts), so assertions about throwing paths are compiled
// natively only; the non-throwing checks that guard those paths are tested on both targets.
#if defined(__EMSCRIPTEN__)
#define KNOBS_TEST_EXCEPTIONS 0
#else
#define KNOBS_TEST_EXCEPTIONS 1
#endif

namespace knobs::test {

using Vec = std::vector<double>;

inline std::vector<float> random_floats(size_t n, Rng& rng, float scale = 1.0f) {
    std::vector<float> v(n);
    for (float& x : v) x = scale * rng.normal();
    return v;
}
inline std::vector<uint8_t> random_tokens(size_t n, Rng& rng, uint32_t vocab = 256) {
    std::vector<uint8_t> v(n);
    for (uint8_t& x : v) x = static_cast<uint8_t>(rng.below(vocab));
    return v;
}
inline Vec to_double(std::span<const float> v) { return Vec(v.begin(), v.end()); }

// d/dx_i f(x) by central differences on a double function.
template <class F>
double central_difference(Vec& x, size_t i, F&& f, double h = 1e-5) {
    const double keep = x[i];
    x[i] = keep + h;
    const double up = f(x);
    x[i] = keep - h;
    const double down = f(x);
    x[i] = keep;
    return (up - down) / (2 * h);
}

// Passes when |actual - expected| <= abs_tol or <= rel_tol * |expected| (Catch2's matchers, combined in
// the assertion itself so the temporaries outlive the check).
#define KNOBS_CHECK_CLOSE(actual, expected, rel_tol, abs_tol)                                       \
    CHECK_THAT((actual), Catch::Matchers::WithinAbs((expected), (abs_tol)) ||                          \
                             Catch::Matchers::WithinRel(static_cast<double>(expected), (rel_tol)))

// ---- reference layers (double) ------------------------------------------------------------------------
inline Vec ref_layernorm(const Vec& x, const Vec& w, const Vec& b, int rows, int C) {
    Vec out(x.size());
    for (int r = 0; r < rows; ++r) {
        double mean = 0, var = 0;
        for (int i = 0; i < C; ++i) mean += x[r * C + i];
        mean /= C;
        for (int i = 0; i < C; ++i) var += (x[r * C + i] - mean) * (x[r * C + i] - mean);
        var /= C;
        const double rstd = 1.0 / std::sqrt(var + 1e-5);
        for (int i = 0; i < C; ++i) out[r * C + i] = (x[r * C + i] - mean) * rstd * w[i] + b[i];
    }
    return out;
}

// out (rows, OC) = x (rows, C) W^T + b, W stored (OC, C); empty b means no bias.
inline Vec ref_matmul(const Vec& x, const Vec& W, const Vec& b, int rows, int C, int OC) {
    Vec out(static_cast<size_t>(rows) * OC);
    for (int r = 0; r < rows; ++r)
        for (int o = 0; o < OC; ++o) {
            double s = b.empty() ? 0.0 : b[o];
            for (int i = 0; i < C; ++i) s += x[r * C + i] * W[o * C + i];
            out[r * OC + o] = s;
        }
    return out;
}

// Causal multi-head attention over qkv (B, T, 3C) -> (B, T, C).
inline Vec ref_attention(const Vec& qkv, int B, int T, int C, int NH) {
    const int hs = C / NH;
    Vec out(static_cast<size_t>(B) * T * C, 0.0);
    std::vector<double> w(T);
    for (int b = 0; b < B; ++b)
        for (int h = 0; h < NH; ++h)
            for (int t = 0; t < T; ++t) {
                const double* q = &qkv[(b * T + t) * 3 * C + h * hs];
                double mx = -1e300;
                for (int u = 0; u <= t; ++u) {
                    const double* k = &qkv[(b * T + u) * 3 * C + C + h * hs];
                    double s = 0;
                    for (int i = 0; i < hs; ++i) s += q[i] * k[i];
                    w[u] = s / std::sqrt(static_cast<double>(hs));
                    mx = std::max(mx, w[u]);
                }
                double sum = 0;
                for (int u = 0; u <= t; ++u) sum += (w[u] = std::exp(w[u] - mx));
                for (int u = 0; u <= t; ++u) {
                    const double* v = &qkv[(b * T + u) * 3 * C + 2 * C + h * hs];
                    for (int i = 0; i < hs; ++i) out[(b * T + t) * C + h * hs + i] += w[u] / sum * v[i];
                }
            }
    return out;
}

inline double ref_gelu(double x) {
    return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / std::numbers::pi) * (x + 0.044715 * x * x * x)));
}

// Mean over rows of -log softmax(logits)[target].
inline double ref_cross_entropy(const Vec& logits, const uint8_t* targets, int rows, int V) {
    double total = 0;
    for (int r = 0; r < rows; ++r) {
        double mx = -1e300, sum = 0;
        for (int i = 0; i < V; ++i) mx = std::max(mx, logits[r * V + i]);
        for (int i = 0; i < V; ++i) sum += std::exp(logits[r * V + i] - mx);
        total += std::log(sum) + mx - logits[r * V + targets[r]];
    }
    return total / rows;
}

// W + scale * B A, with A (r, IC), B (OC, r).
inline Vec ref_lora_merge(const Vec& W, const Vec& A, const Vec& Bm, double scale, int OC, int IC, int r) {
    Vec out = W;
    for (int o = 0; o < OC; ++o)
        for (int i = 0; i < IC; ++i) {
            double s = 0;
            for (int k = 0; k < r; ++k) s += Bm[o * r + k] * A[k * IC + i];
            out[o * IC + i] += scale * s;
        }
    return out;
}

// ---- reference model ----------------------------------------------------------------------------------
struct RefLora {
    Vec params;  // config.h storage order
    int rank = 0;
    double alpha = 0;
};

// Mean cross-entropy of the whole model in double. `p` is the flat parameter buffer (param_layout order).
inline double ref_model_loss(const ModelConfig& cfg, const Vec& p, const uint8_t* inputs, const uint8_t* targets, int B,
                             int T, const RefLora* lora = nullptr) {
    const int C = cfg.n_embd, L = cfg.n_layer, NH = cfg.n_head, V = kVocabSize, BT = B * T;
    const ParamLayout lay = param_layout(cfg);
    auto slice = [&](Tensor t, int l) {
        const size_t n = lay.size[static_cast<int>(t)] / (t == Tensor::wte || t == Tensor::wpe || t == Tensor::lnfw ||
                                                                  t == Tensor::lnfb
                                                              ? 1
                                                              : L);
        const size_t off = lay.offset[static_cast<int>(t)] + static_cast<size_t>(l) * n;
        return Vec(p.begin() + off, p.begin() + off + n);
    };
    // Adapted weights: qkv (3C,C), attproj (C,C), fc (4C,C), fcproj (C,4C), adapters in config.h order.
    size_t lora_off = 0;
    auto weight = [&](Tensor t, int l, int out, int in) {
        Vec W = slice(t, l);
        if (!lora) return W;
        const int r = lora->rank;
        Vec A(lora->params.begin() + lora_off, lora->params.begin() + lora_off + r * in);
        lora_off += static_cast<size_t>(r) * in;
        Vec Bm(lora->params.begin() + lora_off, lora->params.begin() + lora_off + out * r);
        lora_off += static_cast<size_t>(out) * r;
        return ref_lora_merge(W, A, Bm, lora->alpha / r, out, in, r);
    };

    Vec x(static_cast<size_t>(BT) * C);
    const Vec wte = slice(Tensor::wte, 0), wpe = slice(Tensor::wpe, 0);
    for (int b = 0; b < B; ++b)
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < C; ++i) x[(b * T + t) * C + i] = wte[inputs[b * T + t] * C + i] + wpe[t * C + i];
    for (int l = 0; l < L; ++l) {
        const Vec Wqkv = weight(Tensor::qkvw, l, 3 * C, C);
        const Vec Wproj = weight(Tensor::attprojw, l, C, C);
        const Vec Wfc = weight(Tensor::fcw, l, 4 * C, C);
        const Vec Wfcproj = weight(Tensor::fcprojw, l, C, 4 * C);
        const Vec h1 = ref_layernorm(x, slice(Tensor::ln1w, l), slice(Tensor::ln1b, l), BT, C);
        const Vec qkv = ref_matmul(h1, Wqkv, slice(Tensor::qkvb, l), BT, C, 3 * C);
        const Vec att = ref_attention(qkv, B, T, C, NH);
        const Vec proj = ref_matmul(att, Wproj, slice(Tensor::attprojb, l), BT, C, C);
        for (size_t i = 0; i < x.size(); ++i) x[i] += proj[i];
        const Vec h2 = ref_layernorm(x, slice(Tensor::ln2w, l), slice(Tensor::ln2b, l), BT, C);
        Vec fc = ref_matmul(h2, Wfc, slice(Tensor::fcb, l), BT, C, 4 * C);
        for (double& v : fc) v = ref_gelu(v);
        const Vec down = ref_matmul(fc, Wfcproj, slice(Tensor::fcprojb, l), BT, 4 * C, C);
        for (size_t i = 0; i < x.size(); ++i) x[i] += down[i];
    }
    const Vec hf = ref_layernorm(x, slice(Tensor::lnfw, 0), slice(Tensor::lnfb, 0), BT, C);
    const Vec logits = ref_matmul(hf, wte, {}, BT, C, V);
    return ref_cross_entropy(logits, targets, BT, V);
}

}  // namespace knobs::test

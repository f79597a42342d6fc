// The same bits on every platform need a*b+c to stay two roundings (no fused multiply-add). The project's
// targets (x86-64 SSE2 baseline, wasm SIMD128) have no FMA instruction; this keeps Clang honest too.
#ifdef __clang__
#pragma clang fp contract(off)
#endif

#include "generate.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "kernels.h"
#include "ops.h"

namespace knobs {

namespace {

// ---- kernels ------------------------------------------------------------------------------------
// Each kernel returns the FLOPs it performed (see generate.h for the counting rules), so the total the
// generator reports is derived from what actually ran, and flops_per_token() composes the same functions.
//
// Determinism: every output element is computed by one fixed sequence of IEEE operations that does not
// depend on how many tokens are encoded together, so a prompt fed at once or token by token gives the
// same bits, natively and in wasm.

// The vector type, loads, selects and the vectorised exp come from kernels.h, shared with training.
using kernels::v4f;
using kernels::splat;
using kernels::load;
using kernels::store;
using kernels::exp_v4;

// Partial sums per dot product: 8 lanes, two vectors. Each lane is plain IEEE arithmetic, so the vector
// code computes exactly what the scalar definition says (lane j sums the products i = j mod 8, in order)
// on every platform. Compilers do not vectorise a float sum on their own (no -ffast-math), so it is
// written out.
constexpr int kLanes = 8;

// Fixed pairwise combination of the 8 lanes, then the tail (IC % 8 leftover elements) in order.
inline float finish_dot(v4f lo, v4f hi, const float* w, const float* x, int from, int to) {
    float s = kernels::hsum(lo) + kernels::hsum(hi);
    for (int i = from; i < to; ++i) s += w[i] * x[i];
    return s;
}

double linear_flops(int N, int IC, int OC, bool has_bias) {
    return static_cast<double>(N) * OC * (2.0 * IC + (has_bias ? 1 : 0));
}

// out = inp W^T + bias for N rows. Weights are stored (out, in) row-major. Four weight rows at a time
// share each load of the input row, and each block of rows is reused across all N inputs while it is
// hot in L1 (that is what makes re-encoding a batch cheaper than N separate token steps).
double linear_forward(float* out,           // (N, OC)
                      const float* inp,     // (N, IC)
                      const float* weight,  // (OC, IC)
                      const float* bias,    // (OC) or nullptr
                      int N, int IC, int OC) {
    const int main_end = IC / kLanes * kLanes;
    int o = 0;
    for (; o + 4 <= OC; o += 4) {
        const float* w0 = weight + static_cast<size_t>(o) * IC;
        const float* w1 = w0 + IC;
        const float* w2 = w1 + IC;
        const float* w3 = w2 + IC;
        for (int n = 0; n < N; ++n) {
            const float* x = inp + static_cast<size_t>(n) * IC;
            v4f a0lo{}, a0hi{}, a1lo{}, a1hi{}, a2lo{}, a2hi{}, a3lo{}, a3hi{};
            for (int i = 0; i < main_end; i += kLanes) {
                const v4f xlo = load(x + i), xhi = load(x + i + 4);
                a0lo += load(w0 + i) * xlo, a0hi += load(w0 + i + 4) * xhi;
                a1lo += load(w1 + i) * xlo, a1hi += load(w1 + i + 4) * xhi;
                a2lo += load(w2 + i) * xlo, a2hi += load(w2 + i + 4) * xhi;
                a3lo += load(w3 + i) * xlo, a3hi += load(w3 + i + 4) * xhi;
            }
            float* y = out + static_cast<size_t>(n) * OC + o;
            y[0] = finish_dot(a0lo, a0hi, w0, x, main_end, IC);
            y[1] = finish_dot(a1lo, a1hi, w1, x, main_end, IC);
            y[2] = finish_dot(a2lo, a2hi, w2, x, main_end, IC);
            y[3] = finish_dot(a3lo, a3hi, w3, x, main_end, IC);
            if (bias)
                for (int r = 0; r < 4; ++r) y[r] += bias[o + r];
        }
    }
    for (; o < OC; ++o) {  // leftover rows: the same arithmetic, one row at a time
        const float* w0 = weight + static_cast<size_t>(o) * IC;
        for (int n = 0; n < N; ++n) {
            const float* x = inp + static_cast<size_t>(n) * IC;
            v4f a0lo{}, a0hi{};
            for (int i = 0; i < main_end; i += kLanes)
                a0lo += load(w0 + i) * load(x + i), a0hi += load(w0 + i + 4) * load(x + i + 4);
            float& y = out[static_cast<size_t>(n) * OC + o];
            y = finish_dot(a0lo, a0hi, w0, x, main_end, IC);
            if (bias) y += bias[o];
        }
    }
    return linear_flops(N, IC, OC, bias != nullptr);
}

// The layers shared with training (ops.h) run the same arithmetic as Model::forward. Their FLOPs, counted
// by the rules above from ops.cpp's code (and equal to what flops.cpp counts for training):
double layernorm_flops(int N, int C) {
    // mean: C adds + 1 divide; variance: C subtracts + C multiply-adds + 1 divide;
    // 1/sqrt(var + eps): add, sqrt, divide; normalise: subtract, two multiplies, add per element.
    return static_cast<double>(N) * (8.0 * C + 5);
}
// x / (1 + exp(-2u)) with u = k (x + c x^3): x*x, c*, 1+, x*, *(-2k), exp, 1+, divide.
double gelu_flops(size_t count) { return 8.0 * static_cast<double>(count); }
double residual_flops(size_t count) { return static_cast<double>(count); }
double encoder_flops(int N, int C) { return static_cast<double>(N) * C; }

// scores[0, n) <- exp(scores - max); returns their sum (the caller folds the 1/sum into its output).
// NaN scores propagate into the sum rather than being hidden.
inline float softmax_in_place(float* scores, int n) {  // scores: (n)
    const int n4 = n / 4 * 4;
    v4f max4 = splat(scores[0]);
    for (int s = 0; s < n4; s += 4) max4 = kernels::vmax(load(scores + s), max4);
    float max = kernels::hmax(max4);
    for (int s = n4; s < n; ++s) max = scores[s] > max ? scores[s] : max;
    v4f sum4 = splat(0.0f);
    for (int s = 0; s < n4; s += 4) {
        const v4f e = exp_v4(load(scores + s) - splat(max));
        store(scores + s, e);
        sum4 += e;
    }
    float sum = kernels::hsum(sum4);
    for (int s = n4; s < n; ++s) {
        scores[s] = kernels::exp_approx(scores[s] - max);
        sum += scores[s];
    }
    return sum;
}

// scores[s0, s0 + 4*NV) = q . k_s, each a sum over d = 0, 1, .. in order, held in NV independent
// vector registers across the whole loop over d (more chains in flight hide the add latency).
template <int NV>
inline void score_block(float* scores, const float* q_scaled, const float* kh, int s0, int hs, int T) {
    v4f acc[NV];
    for (auto& a : acc) a = splat(0.0f);
    for (int d = 0; d < hs; ++d) {
        const v4f qd = splat(q_scaled[d]);
        const float* kd = kh + static_cast<size_t>(d) * T + s0;
        for (int v = 0; v < NV; ++v) acc[v] += qd * load(kd + 4 * v);
    }
    for (int v = 0; v < NV; ++v) store(scores + s0 + 4 * v, acc[v]);
}

// y[d0, d0 + 4*NV) = (sum over s < keys, in order, of w_s v_s[d]) * inv_sum, with NV register chains.
template <int NV>
inline void weighted_sum_block(float* y, const float* weights, const float* vh, float inv_sum, int d0, int keys,
                               int hs) {
    v4f acc[NV];
    for (auto& a : acc) a = splat(0.0f);
    for (int t = 0; t < keys; ++t) {
        const v4f w = splat(weights[t]);
        const float* v = vh + static_cast<size_t>(t) * hs + d0;
        for (int i = 0; i < NV; ++i) acc[i] += w * load(v + 4 * i);
    }
    for (int i = 0; i < NV; ++i) store(y + d0 + 4 * i, acc[i] * splat(inv_sum));
}

// One query against one head's cache: y (hs) = softmax(q . k_s) weighted sum of v_s over s < keys.
// Every score is a sum over d = 0, 1, .. in that order and every output a sum over s = 0, 1, .. in that
// order, whichever block size or tail computes it, so the bits never depend on the path taken.
inline void attend(float* y,               // (hs)
                   float* scores,          // (T) scratch
                   const float* q_scaled,  // (hs) query already multiplied by 1/sqrt(hs)
                   const float* kh,        // (hs, T) keys, transposed
                   const float* vh,        // (T, hs) values
                   int keys, int hs, int T) {
    int s = 0;
    for (; s + 32 <= keys; s += 32) score_block<8>(scores, q_scaled, kh, s, hs, T);
    for (; s + 8 <= keys; s += 8) score_block<2>(scores, q_scaled, kh, s, hs, T);
    for (; s < keys; ++s) {
        float acc = 0.0f;
        for (int d = 0; d < hs; ++d) acc += q_scaled[d] * kh[static_cast<size_t>(d) * T + s];
        scores[s] = acc;
    }
    const float inv_sum = 1.0f / softmax_in_place(scores, keys);
    int d = 0;
    for (; d + 32 <= hs; d += 32) weighted_sum_block<8>(y, scores, vh, inv_sum, d, keys, hs);
    for (; d + 16 <= hs; d += 16) weighted_sum_block<4>(y, scores, vh, inv_sum, d, keys, hs);
    for (; d + 4 <= hs; d += 4) weighted_sum_block<1>(y, scores, vh, inv_sum, d, keys, hs);
    for (; d < hs; ++d) {
        float acc = 0.0f;
        for (int t = 0; t < keys; ++t) acc += scores[t] * vh[static_cast<size_t>(t) * hs + d];
        y[d] = acc * inv_sum;
    }
}

double attention_flops(int keys, int C, int H) {
    // Per head (hs = C/H): scale q (hs), scores (2*hs*k), subtract max + exp + sum (3k), 1/sum (1),
    // weighted sum of values (2*hs*k), normalise (hs).
    return 4.0 * C * keys + 3.0 * H * keys + 2.0 * C + H;
}

// Causal self-attention of n new tokens at positions first_pos.. against the layer's cache. Their keys
// and values are written into the cache first, so token j sees positions 0..first_pos+j.
double attention_forward(float* out,            // (n, C)
                         float* k_cache,        // (H, hs, T) this layer's keys, transposed
                         float* v_cache,        // (H, T, hs) this layer's values
                         float* scores,         // (T) scratch
                         const float* qkv,      // (n, 3C) q | k | v; head h is the slice [h*hs, (h+1)*hs)
                         int first_pos, int n, int C, int H, int T) {
    const int hs = C / H;
    assert(hs * H == C && first_pos >= 0 && first_pos + n <= T);
    for (int j = 0; j < n; ++j) {
        const int p = first_pos + j;
        const float* k = qkv + static_cast<size_t>(j) * 3 * C + C;
        const float* v = k + C;
        for (int h = 0; h < H; ++h) {
            float* kh = k_cache + static_cast<size_t>(h) * hs * T;
            float* vh = v_cache + (static_cast<size_t>(h) * T + p) * hs;
            for (int d = 0; d < hs; ++d) {
                kh[static_cast<size_t>(d) * T + p] = k[h * hs + d];
                vh[d] = v[h * hs + d];
            }
        }
    }
    double flops = 0;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
    float q_scaled[kMaxWidth];
    for (int j = 0; j < n; ++j) {
        const int keys = first_pos + j + 1;
        const float* q = qkv + static_cast<size_t>(j) * 3 * C;
        for (int h = 0; h < H; ++h) {
            const float* kh = k_cache + static_cast<size_t>(h) * hs * T;  // (hs, T)
            const float* vh = v_cache + static_cast<size_t>(h) * T * hs;  // (T, hs)
            for (int d = 0; d < hs; ++d) q_scaled[d] = q[h * hs + d] * scale;
            attend(out + static_cast<size_t>(j) * C + h * hs, scores, q_scaled, kh, vh, keys, hs, T);
        }
        flops += attention_flops(keys, C, H);
    }
    return flops;
}

// Tokens re-encoded or prefilled per batch: enough to reuse each weight block many times while it is in
// L1, small enough that the activations of a batch stay in L2.
constexpr int kBatchTokens = 32;

}  // namespace

// ---- the generator ----------------------------------------------------------------------------------

Generator::Generator(const ModelConfig& cfg, std::span<const float> params) : cfg_(cfg), params_(params) {
    error_ = validate(cfg);
    if (error_.empty() && params.size() != param_count(cfg))
        error_ = "the weights do not fit this model: expected " + std::to_string(param_count(cfg)) +
                 " numbers, got " + std::to_string(params.size());
    if (!error_.empty()) {
        params_ = {};
        return;
    }
    const size_t L = cfg.n_layer, C = cfg.n_embd, T = cfg.block_size, V = kVocabSize;
    layout_ = param_layout(cfg);
    block_ = std::min(cfg.block_size, kBatchTokens);
    tokens_kept_on_slide_ = cfg.block_size / 2;
    // Everything is allocated once, here: generating never allocates (sequence_ aside).
    k_cache_.assign(L * C * T, 0.0f);
    v_cache_.assign(L * T * C, 0.0f);
    x_.assign(block_ * C, 0.0f);
    xn_.assign(block_ * C, 0.0f);
    qkv_.assign(block_ * 3 * C, 0.0f);
    att_.assign(block_ * C, 0.0f);
    proj_.assign(block_ * C, 0.0f);
    hidden_.assign(block_ * 4 * C, 0.0f);
    ln_mean_.assign(block_, 0.0f);
    ln_rstd_.assign(block_, 0.0f);
    scores_.assign(T, 0.0f);
    logits_.assign(V, 0.0f);
    probs_.assign(V, 0.0f);
}

void Generator::reset() {
    sequence_.clear();
    cached_ = 0;
    slides_ = 0;
    has_logits_ = false;
    total_flops_ = 0;
}

std::span<const float> Generator::last_logits() const {
    return has_logits_ ? std::span<const float>(logits_) : std::span<const float>();
}

std::span<const float> Generator::last_probs() const {
    return has_logits_ ? std::span<const float>(probs_) : std::span<const float>();
}

void Generator::feed(std::span<const uint8_t> tokens) {
    if (!ok() || tokens.empty()) return;
    advance(tokens);
}

void Generator::feed(std::string_view text) {
    feed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

GeneratedToken Generator::sample_next(const SamplingConfig& sampling, Rng& rng) {
    GeneratedToken g;
    if (!ok() || !has_logits_) return g;  // num_top == 0: nothing to continue from
    const double flops_before = total_flops_;
    const TokenDistribution dist = make_distribution(logits_, sampling);
    g.token = draw(dist, rng);
    g.prob = dist.sample_prob[g.token];
    g.model_prob = dist.model_prob[g.token];
    g.num_top = top_candidates(g.top, dist);
    advance(std::span<const uint8_t>(&g.token, 1));
    g.position = cached_ - 1;
    g.flops = total_flops_ - flops_before;
    return g;
}

void Generator::advance(std::span<const uint8_t> tokens) {
    // Where will the window slide while these tokens go in? Only the window after the last slide matters
    // for what comes next, so a long paste skips encoding tokens that would be forgotten within this same
    // call. The positions follow the same schedule as feeding token by token, so the cache (and every
    // later logit) has the same bits either way; only the work done (total_flops) is smaller.
    const int T = cfg_.block_size;
    size_t last_slide = tokens.size();  // index of the token that arrives when the window slides last
    int slides_here = 0;
    for (size_t i = 0, in_window = static_cast<size_t>(cached_); i < tokens.size(); ++i, ++in_window) {
        if (in_window == static_cast<size_t>(T)) {
            in_window = static_cast<size_t>(tokens_kept_on_slide_);
            last_slide = i;
            ++slides_here;
        }
    }
    size_t i = 0;
    if (slides_here > 0) {
        sequence_.insert(sequence_.end(), tokens.begin(), tokens.begin() + last_slide);
        cached_ = T;  // by the schedule above, the window is full when tokens[last_slide] arrives
        slide();
        slides_ += slides_here - 1;
        i = last_slide;
    }
    while (i < tokens.size()) {
        assert(cached_ < T);
        const size_t n = std::min({tokens.size() - i, static_cast<size_t>(T - cached_), static_cast<size_t>(block_)});
        sequence_.insert(sequence_.end(), tokens.begin() + i, tokens.begin() + i + n);
        const bool last_batch = i + n == tokens.size();
        encode(tokens.data() + i, cached_, static_cast<int>(n), last_batch);
        cached_ += static_cast<int>(n);
        i += n;
    }
}

void Generator::slide() {
    // Keep the most recent tokens_kept_on_slide_ tokens and re-encode them at positions 0.. (their cache
    // rows were computed with the position embeddings of where they used to be).
    const int keep = tokens_kept_on_slide_;
    assert(cached_ == cfg_.block_size && keep < cached_);
    const uint8_t* kept = sequence_.data() + sequence_.size() - keep;
    for (int done = 0; done < keep; done += block_) encode(kept + done, done, std::min(block_, keep - done), false);
    cached_ = keep;
    ++slides_;
}

void Generator::encode(const uint8_t* tokens, int first_pos, int n, bool want_logits) {
    const int L = cfg_.n_layer, H = cfg_.n_head, C = cfg_.n_embd, T = cfg_.block_size, V = kVocabSize;
    assert(n >= 1 && n <= block_ && first_pos + n <= T);
    auto tensor = [&](Tensor t) { return params_.data() + layout_.offset[static_cast<int>(t)]; };
    const float* wte = tensor(Tensor::wte);            // (V, C)
    const float* wpe = tensor(Tensor::wpe);            // (T, C)
    const float* ln1w = tensor(Tensor::ln1w);          // (L, C)
    const float* ln1b = tensor(Tensor::ln1b);          // (L, C)
    const float* qkvw = tensor(Tensor::qkvw);          // (L, 3*C, C)
    const float* qkvb = tensor(Tensor::qkvb);          // (L, 3*C)
    const float* attprojw = tensor(Tensor::attprojw);  // (L, C, C)
    const float* attprojb = tensor(Tensor::attprojb);  // (L, C)
    const float* ln2w = tensor(Tensor::ln2w);          // (L, C)
    const float* ln2b = tensor(Tensor::ln2b);          // (L, C)
    const float* fcw = tensor(Tensor::fcw);            // (L, 4*C, C)
    const float* fcb = tensor(Tensor::fcb);            // (L, 4*C)
    const float* fcprojw = tensor(Tensor::fcprojw);    // (L, C, 4*C)
    const float* fcprojb = tensor(Tensor::fcprojb);    // (L, C)
    const float* lnfw = tensor(Tensor::lnfw);          // (C)
    const float* lnfb = tensor(Tensor::lnfb);          // (C)
    const size_t CC = static_cast<size_t>(C) * C;
    double flops = 0;

    float* x = x_.data();  // (n, C)
    ops::encoder_forward(x, tokens, wte, wpe + static_cast<size_t>(first_pos) * C, 1, n, C);
    flops += encoder_flops(n, C);

    const size_t nC = static_cast<size_t>(n) * C;
    for (int l = 0; l < L; ++l) {
        float* k_cache = k_cache_.data() + static_cast<size_t>(l) * C * T;  // (H, hs, T)
        float* v_cache = v_cache_.data() + static_cast<size_t>(l) * T * C;  // (H, T, hs)
        ops::layernorm_forward(xn_.data(), ln_mean_.data(), ln_rstd_.data(), x, ln1w + l * C, ln1b + l * C, 1, n, C);
        flops += layernorm_flops(n, C);
        flops += linear_forward(qkv_.data(), xn_.data(), qkvw + l * 3 * CC, qkvb + l * 3 * C, n, C, 3 * C);
        flops += attention_forward(att_.data(), k_cache, v_cache, scores_.data(), qkv_.data(), first_pos, n, C, H, T);
        flops += linear_forward(proj_.data(), att_.data(), attprojw + l * CC, attprojb + l * C, n, C, C);
        ops::residual_forward(x, x, proj_.data(), static_cast<int>(nC));  // element-wise: in place is fine
        flops += residual_flops(nC);
        ops::layernorm_forward(xn_.data(), ln_mean_.data(), ln_rstd_.data(), x, ln2w + l * C, ln2b + l * C, 1, n, C);
        flops += layernorm_flops(n, C);
        flops += linear_forward(hidden_.data(), xn_.data(), fcw + l * 4 * CC, fcb + l * 4 * C, n, C, 4 * C);
        ops::gelu_forward(hidden_.data(), hidden_.data(), static_cast<int>(4 * nC));  // element-wise, in place
        flops += gelu_flops(4 * nC);
        flops += linear_forward(proj_.data(), hidden_.data(), fcprojw + l * 4 * CC, fcprojb + l * C, n, 4 * C, C);
        ops::residual_forward(x, x, proj_.data(), static_cast<int>(nC));
        flops += residual_flops(nC);
    }

    if (want_logits) {
        // Only the last token's prediction is needed: the others' next tokens are already known.
        const float* x_last = x + static_cast<size_t>(n - 1) * C;
        ops::layernorm_forward(xn_.data(), ln_mean_.data(), ln_rstd_.data(), x_last, lnfw, lnfb, 1, 1, C);
        flops += layernorm_flops(1, C);
        flops += linear_forward(logits_.data(), xn_.data(), wte, nullptr, 1, C, V);  // tied head
        softmax(probs_, logits_, 1.0f);
        flops += softmax_flops(V, 1.0f);
        has_logits_ = true;
    }
    total_flops_ += flops;
}

double Generator::flops_per_token(int position) const {
    if (!ok() || position < 0 || position >= cfg_.block_size) return 0;
    const int L = cfg_.n_layer, H = cfg_.n_head, C = cfg_.n_embd, V = kVocabSize;
    const double per_layer = 2 * layernorm_flops(1, C) + linear_flops(1, C, 3 * C, true) +
                             attention_flops(position + 1, C, H) + linear_flops(1, C, C, true) +
                             linear_flops(1, C, 4 * C, true) + gelu_flops(4 * static_cast<size_t>(C)) +
                             linear_flops(1, 4 * C, C, true) + 2 * residual_flops(C);
    return encoder_flops(1, C) + L * per_layer + layernorm_flops(1, C) + linear_flops(1, C, V, false) + softmax_flops(V, 1.0f);
}

}  // namespace knobs

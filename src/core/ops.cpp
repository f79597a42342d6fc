#include "ops.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#include "config.h"
#include "kernels.h"

namespace knobs::ops {

using namespace knobs::kernels;

namespace {

constexpr float kGeluK = 0.7978845608028654f;  // sqrt(2 / pi)
constexpr float kGeluC = 0.044715f;
// Past |x| = 10 the sigmoid below is saturated to float precision (|gelu(x) - max(x, 0)| < 1e-37), so
// those lanes take the limit directly. Besides being exact, this keeps huge inputs (a diverging run)
// from turning into inf * 0 = NaN or into the clamped exp's 1e-38 floor times x ~ 1e38.
constexpr float kGeluSaturated = 10.0f;

// 0.5 x (1 + tanh u) written as x * sigmoid(2u) = x / (1 + exp(-2u)), u = k (x + c x^3).
inline v4f gelu_v4(v4f x) {
    const v4f one = splat(1.0f);
    const v4f e = exp_v4(x * (one + splat(kGeluC) * (x * x)) * splat(-2.0f * kGeluK));
    v4f y = x / (one + e);
    y = select(x > splat(kGeluSaturated), x, y);
    return select(x < splat(-kGeluSaturated), splat(0.0f), y);
}

// d gelu / dx = s + x s (1 - s) 2u'(x), with s = sigmoid(2u) and 2u' = 2k (1 + 3c x^2).
inline v4f gelu_grad_v4(v4f x) {
    const v4f one = splat(1.0f);
    const v4f x2 = x * x;
    const v4f e = exp_v4(x * (one + splat(kGeluC) * x2) * splat(-2.0f * kGeluK));
    const v4f s = one / (one + e);
    const v4f du2 = splat(2.0f * kGeluK) + splat(6.0f * kGeluC * kGeluK) * x2;
    v4f g = s + x * (s * (one - s)) * du2;
    g = select(x > splat(kGeluSaturated), one, g);
    return select(x < splat(-kGeluSaturated), splat(0.0f), g);
}

// Sum of a row, vector lanes then tail (fixed order).
inline float row_sum(const float* x, int n) {
    v4f acc = splat(0.0f);
    int i = 0;
    for (; i + 4 <= n; i += 4) acc += load(x + i);
    float s = hsum(acc);
    for (; i < n; ++i) s += x[i];
    return s;
}

inline float row_max(const float* x, int n) {
    float m = -INFINITY;
    int i = 0;
    if (n >= 4) {
        v4f acc = load(x);
        for (i = 4; i + 4 <= n; i += 4) acc = vmax(acc, load(x + i));
        m = hmax(acc);
    }
    for (; i < n; ++i) m = x[i] > m ? x[i] : m;
    return m;
}

// In place: row[j] = exp(row[j] - mx) for j < n; returns their sum.
inline float exp_shift_sum(float* row, int n, float mx) {
    v4f acc = splat(0.0f);
    const v4f vmx = splat(mx);
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        const v4f e = exp_v4(load(row + i) - vmx);
        store(row + i, e);
        acc += e;
    }
    float s = hsum(acc);
    for (; i < n; ++i) {
        row[i] = exp_approx(row[i] - mx);
        s += row[i];
    }
    return s;
}

inline void scale_row(float* row, int n, float k) {
    const v4f vk = splat(k);
    int i = 0;
    for (; i + 4 <= n; i += 4) store(row + i, load(row + i) * vk);
    for (; i < n; ++i) row[i] *= k;
}

}  // namespace

// ---- encoder -------------------------------------------------------------------------------------------
void encoder_forward(float* out, const uint8_t* inp, const float* wte, const float* wpe, int B, int T, int C) {
    for (int b = 0; b < B; ++b)
        for (int t = 0; t < T; ++t) {
            float* o = out + (static_cast<size_t>(b) * T + t) * C;
            const float* te = wte + static_cast<size_t>(inp[b * T + t]) * C;
            const float* pe = wpe + static_cast<size_t>(t) * C;
            for (int i = 0; i < C; ++i) o[i] = te[i] + pe[i];
        }
}

void encoder_backward(float* dwte, float* dwpe, const float* dout, const uint8_t* inp, int B, int T, int C) {
    for (int b = 0; b < B; ++b)
        for (int t = 0; t < T; ++t) {
            const float* d = dout + (static_cast<size_t>(b) * T + t) * C;
            if (dwte) {
                float* te = dwte + static_cast<size_t>(inp[b * T + t]) * C;
                for (int i = 0; i < C; ++i) te[i] += d[i];
            }
            if (dwpe) {
                float* pe = dwpe + static_cast<size_t>(t) * C;
                for (int i = 0; i < C; ++i) pe[i] += d[i];
            }
        }
}

// ---- layernorm -----------------------------------------------------------------------------------------
void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight, const float* bias,
                       int B, int T, int C) {
    const int rows = B * T;
    for (int r = 0; r < rows; ++r) {
        const float* x = inp + static_cast<size_t>(r) * C;
        float* o = out + static_cast<size_t>(r) * C;
        const float m = row_sum(x, C) / C;
        v4f acc = splat(0.0f);
        const v4f vm = splat(m);
        int i = 0;
        for (; i + 4 <= C; i += 4) {
            const v4f d = load(x + i) - vm;
            acc += d * d;
        }
        float var = hsum(acc);
        for (; i < C; ++i) var += (x[i] - m) * (x[i] - m);
        var /= C;
        const float s = 1.0f / std::sqrt(var + kLayerNormEps);
        const v4f vs = splat(s);
        for (i = 0; i + 4 <= C; i += 4)
            store(o + i, (load(x + i) - vm) * vs * load(weight + i) + load(bias + i));
        for (; i < C; ++i) o[i] = (x[i] - m) * s * weight[i] + bias[i];
        mean[r] = m;
        rstd[r] = s;
    }
}

void layernorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int B, int T, int C) {
    const int rows = B * T;
    for (int r = 0; r < rows; ++r) {
        const float* x = inp + static_cast<size_t>(r) * C;
        const float* dy = dout + static_cast<size_t>(r) * C;
        float* dx = dinp + static_cast<size_t>(r) * C;
        const float m = mean[r], s = rstd[r];
        const v4f vm = splat(m), vs = splat(s);
        // Two row reductions: mean of w*dy and mean of w*dy*xhat.
        v4f acc1 = splat(0.0f), acc2 = splat(0.0f);
        int i = 0;
        for (; i + 4 <= C; i += 4) {
            const v4f xhat = (load(x + i) - vm) * vs;
            const v4f dn = load(weight + i) * load(dy + i);
            acc1 += dn;
            acc2 += dn * xhat;
        }
        float sum1 = hsum(acc1), sum2 = hsum(acc2);
        for (; i < C; ++i) {
            const float xhat = (x[i] - m) * s;
            const float dn = weight[i] * dy[i];
            sum1 += dn;
            sum2 += dn * xhat;
        }
        const float dn_mean = sum1 / C, dn_xhat_mean = sum2 / C;
        const v4f v1 = splat(dn_mean), v2 = splat(dn_xhat_mean);
        for (i = 0; i + 4 <= C; i += 4) {
            const v4f xhat = (load(x + i) - vm) * vs;
            const v4f g = load(dy + i);
            const v4f dn = load(weight + i) * g;
            if (dbias) store(dbias + i, load(dbias + i) + g);
            if (dweight) store(dweight + i, load(dweight + i) + xhat * g);
            store(dx + i, load(dx + i) + (dn - v1 - xhat * v2) * vs);
        }
        for (; i < C; ++i) {
            const float xhat = (x[i] - m) * s;
            const float dn = weight[i] * dy[i];
            if (dbias) dbias[i] += dy[i];
            if (dweight) dweight[i] += xhat * dy[i];
            dx[i] += (dn - dn_mean - xhat * dn_xhat_mean) * s;
        }
    }
}

// ---- matmul --------------------------------------------------------------------------------------------
size_t matmul_scratch_size(int B, int T, int C, int OC) {
    // forward: depth C; dinp: depth OC; dW: dout^T (OC rows) over depth B*T
    return std::max({gemm_nn_scratch(C), gemm_nn_scratch(OC), gemm_tn_scratch(OC, B * T)});
}

void matmul_forward(float* out, const float* inp, const float* weight, const float* bias, int B, int T, int C, int OC,
                    float* scratch) {
    gemm_nn(out, OC, inp, C, transpose_of(weight, C), bias, B * T, OC, C, /*accumulate=*/false, Causal::none, scratch);
}

void matmul_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int B, int T, int C, int OC, float* scratch, bool accumulate_dinp) {
    const int N = B * T;
    if (dinp)  // dinp (N, C) [+]= dout (N, OC) W (OC, C)
        gemm_nn(dinp, C, dout, OC, rows_of(weight, C), nullptr, N, C, OC, accumulate_dinp, Causal::none, scratch);
    if (dweight)  // dW (OC, C) += dout^T (OC, N) inp (N, C)
        gemm_tn(dweight, C, dout, OC, rows_of(inp, C), OC, C, N, /*accumulate=*/true, Causal::none, scratch);
    if (dbias) {
        for (int n = 0; n < N; ++n) {
            const float* g = dout + static_cast<size_t>(n) * OC;
            int o = 0;
            for (; o + 4 <= OC; o += 4) store(dbias + o, load(dbias + o) + load(g + o));
            for (; o < OC; ++o) dbias[o] += g[o];
        }
    }
}

// ---- attention -----------------------------------------------------------------------------------------
// Per (batch, head) every step is a small matrix product through the same kernels, with the causal mask
// skipping the zero half: S = Q K^T / sqrt(hs), A = softmax(S), O = A V; and backwards dA = dO V^T,
// dV = A^T dO, dS = A * (dA - rowsum(A * dA)), dQ = dS K / sqrt(hs), dK = dS^T Q / sqrt(hs).
size_t attention_scratch_size(int T, int C, int NH) {
    const int hs = C / NH;
    // dS (T, T), then the products' own scratch
    return static_cast<size_t>(T) * T + std::max({gemm_nn_scratch(hs), gemm_nn_scratch(T), gemm_tn_scratch(T, T)});
}

void attention_forward(float* out, float* att, const float* inp, int B, int T, int C, int NH, float* scratch) {
    assert(C % NH == 0);
    const int hs = C / NH, C3 = 3 * C;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
    float* gemm_scratch = scratch + static_cast<size_t>(T) * T;
    for (int b = 0; b < B; ++b)
        for (int h = 0; h < NH; ++h) {
            const float* q = inp + static_cast<size_t>(b) * T * C3 + h * hs;
            const float* k = q + C;
            const float* v = q + 2 * C;
            float* a = att + (static_cast<size_t>(b) * NH + h) * T * T;
            // S = Q (K / sqrt(hs))^T: only columns j <= i are computed (at tile granularity) and read.
            gemm_nn(a, T, q, C3, transpose_of(k, C3, scale), nullptr, T, T, hs, false, Causal::cols_upto_row,
                    gemm_scratch);
            for (int t = 0; t < T; ++t) {
                float* row = a + static_cast<size_t>(t) * T;
                const int n = t + 1;
                const float sum = exp_shift_sum(row, n, row_max(row, n));
                scale_row(row, n, 1.0f / sum);
                std::fill(row + n, row + T, 0.0f);  // the mask, which the causal products below rely on
            }
            gemm_nn(out + static_cast<size_t>(b) * T * C + h * hs, C, a, T, rows_of(v, C3), nullptr, T, hs, T, false,
                    Causal::depth_upto_row, gemm_scratch);
        }
}

void attention_backward(float* dinp, const float* dout, const float* inp, const float* att, int B, int T, int C, int NH,
                        float* scratch, bool accumulate_dinp) {
    // Each of dq, dk, dv of a head is produced by exactly one product below, so "write" needs no zeroing.
    assert(C % NH == 0);
    const int hs = C / NH, C3 = 3 * C;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
    float* ds = scratch;                                         // (T, T)
    float* gemm_scratch = scratch + static_cast<size_t>(T) * T;
    for (int b = 0; b < B; ++b)
        for (int h = 0; h < NH; ++h) {
            const size_t qkv_off = static_cast<size_t>(b) * T * C3 + h * hs;
            const float* q = inp + qkv_off;
            const float* k = q + C;
            const float* v = q + 2 * C;
            float* dq = dinp + qkv_off;
            float* dk = dq + C;
            float* dv = dq + 2 * C;
            const float* dout_bh = dout + static_cast<size_t>(b) * T * C + h * hs;
            const float* a = att + (static_cast<size_t>(b) * NH + h) * T * T;

            // dA = dO V^T (lower triangle only)
            gemm_nn(ds, T, dout_bh, C, transpose_of(v, C3), nullptr, T, T, hs, false, Causal::cols_upto_row,
                    gemm_scratch);
            // dV [+]= A^T dO: row j of dV sums over t >= j (A is zero above its diagonal)
            gemm_tn(dv, C3, a, T, rows_of(dout_bh, C), T, hs, T, accumulate_dinp, Causal::depth_from_row, gemm_scratch);
            // dS = A * (dA - rowsum(A * dA)), times the 1/sqrt(hs) of the forward; zero above the diagonal
            for (int t = 0; t < T; ++t) {
                const float* arow = a + static_cast<size_t>(t) * T;
                float* drow = ds + static_cast<size_t>(t) * T;
                const int n = t + 1;
                v4f acc = splat(0.0f);
                int j = 0;
                for (; j + 4 <= n; j += 4) acc += load(arow + j) * load(drow + j);
                float dot = hsum(acc);
                for (; j < n; ++j) dot += arow[j] * drow[j];
                const v4f vdot = splat(dot), vscale = splat(scale);
                for (j = 0; j + 4 <= n; j += 4) store(drow + j, load(arow + j) * (load(drow + j) - vdot) * vscale);
                for (; j < n; ++j) drow[j] = arow[j] * (drow[j] - dot) * scale;
                std::fill(drow + n, drow + T, 0.0f);
            }
            // dQ [+]= dS K
            gemm_nn(dq, C3, ds, T, rows_of(k, C3), nullptr, T, hs, T, accumulate_dinp, Causal::depth_upto_row,
                    gemm_scratch);
            // dK [+]= dS^T Q
            gemm_tn(dk, C3, ds, T, rows_of(q, C3), T, hs, T, accumulate_dinp, Causal::depth_from_row, gemm_scratch);
        }
}

// ---- GELU ----------------------------------------------------------------------------------------------
void gelu_forward(float* out, const float* inp, int N) {
    int i = 0;
    for (; i + 4 <= N; i += 4) store(out + i, gelu_v4(load(inp + i)));
    for (; i < N; ++i) out[i] = lane(gelu_v4(splat(inp[i])), 0);  // same arithmetic as the vector lanes
}

void gelu_backward(float* dinp, const float* inp, const float* dout, int N, bool accumulate_dinp) {
    int i = 0;
    if (accumulate_dinp) {
        for (; i + 4 <= N; i += 4) store(dinp + i, load(dinp + i) + gelu_grad_v4(load(inp + i)) * load(dout + i));
        for (; i < N; ++i) dinp[i] += lane(gelu_grad_v4(splat(inp[i])), 0) * dout[i];
    } else {
        for (; i + 4 <= N; i += 4) store(dinp + i, gelu_grad_v4(load(inp + i)) * load(dout + i));
        for (; i < N; ++i) dinp[i] = lane(gelu_grad_v4(splat(inp[i])), 0) * dout[i];
    }
}

// ---- residual ------------------------------------------------------------------------------------------
void residual_forward(float* out, const float* inp1, const float* inp2, int N) {
    for (int i = 0; i < N; ++i) out[i] = inp1[i] + inp2[i];
}

void residual_backward(float* dinp1, float* dinp2, const float* dout, int N) {
    for (int i = 0; i < N; ++i) {
        dinp1[i] += dout[i];
        dinp2[i] += dout[i];
    }
}

// ---- softmax + cross-entropy ---------------------------------------------------------------------------
float softmax_crossentropy_forward(float* probs, float* losses, const float* logits, const uint8_t* targets, int B,
                                   int T, int V) {
    const int rows = B * T;
    float total = 0.0f;
    for (int r = 0; r < rows; ++r) {
        const float* l = logits + static_cast<size_t>(r) * V;
        float* p = probs + static_cast<size_t>(r) * V;
        const float mx = row_max(l, V);
        std::memcpy(p, l, sizeof(float) * V);
        const float sum = exp_shift_sum(p, V, mx);
        scale_row(p, V, 1.0f / sum);
        // -log p[target] from the logits directly: no log of a tiny rounded probability.
        losses[r] = std::log(sum) - (l[targets[r]] - mx);
        total += losses[r];
    }
    return total / rows;
}

void softmax_crossentropy_backward(float* dlogits, const float* probs, const uint8_t* targets, float dloss, int B,
                                   int T, int V, bool accumulate_dinp) {
    const int rows = B * T;
    const v4f vd = splat(dloss);
    for (int r = 0; r < rows; ++r) {
        const float* p = probs + static_cast<size_t>(r) * V;
        float* d = dlogits + static_cast<size_t>(r) * V;
        int i = 0;
        if (accumulate_dinp) {
            for (; i + 4 <= V; i += 4) store(d + i, load(d + i) + load(p + i) * vd);
            for (; i < V; ++i) d[i] += p[i] * dloss;
        } else {
            for (; i + 4 <= V; i += 4) store(d + i, load(p + i) * vd);
            for (; i < V; ++i) d[i] = p[i] * dloss;
        }
        d[targets[r]] -= dloss;
    }
}

// ---- LoRA ----------------------------------------------------------------------------------------------
size_t lora_scratch_size(int OC, int IC, int r) {
    // merge: depth r; dB: depth IC; dA: B^T (r rows) over depth OC
    return std::max({gemm_nn_scratch(r), gemm_nn_scratch(IC), gemm_tn_scratch(r, OC)});
}

void lora_merge(float* weff, const float* w, const float* lora_a, const float* lora_b, float scale, int OC, int IC,
                int r, float* scratch) {
    if (weff != w) std::memcpy(weff, w, sizeof(float) * OC * IC);
    // W_eff (OC, IC) += B (OC, r) (scale A) (r, IC)
    gemm_nn(weff, IC, lora_b, r, rows_of(lora_a, IC, scale), nullptr, OC, IC, r, /*accumulate=*/true, Causal::none,
            scratch);
}

void lora_backward(float* dlora_a, float* dlora_b, const float* dweight, const float* lora_a, const float* lora_b,
                   float scale, int OC, int IC, int r, float* scratch) {
    // dB (OC, r) += dW (OC, IC) (scale A^T) (IC, r)
    gemm_nn(dlora_b, r, dweight, IC, transpose_of(lora_a, IC, scale), nullptr, OC, r, IC, /*accumulate=*/true,
            Causal::none, scratch);
    // dA (r, IC) += B^T (r, OC) (scale dW) (OC, IC); B is stored (OC, r), i.e. transposed
    gemm_tn(dlora_a, IC, lora_b, r, rows_of(dweight, IC, scale), r, IC, OC, /*accumulate=*/true, Causal::none, scratch);
}

}  // namespace knobs::ops

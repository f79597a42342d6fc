#include "kernels.h"

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace knobs::kernels {

namespace {

// Packs columns [j0, j0 + ncols) of B into panel (K rows of 16 floats), zero-padding the rest.
void pack_panel(float* panel, RightOperand b, int j0, int ncols, int K) {
    const bool scaled = b.scaled;  // a plain copy multiplies by nothing (flops.h counts only scaled packs)
    if (b.transposed) {
        // Column n of B is row n of the stored matrix: read it contiguously, write down the panel.
        for (int c = 0; c < ncols; ++c) {
            const float* src = b.data + static_cast<size_t>(j0 + c) * b.ld;
            float* dst = panel + c;
            if (scaled)
                for (int k = 0; k < K; ++k) dst[static_cast<size_t>(k) * kPanel] = src[k] * b.scale;
            else
                for (int k = 0; k < K; ++k) dst[static_cast<size_t>(k) * kPanel] = src[k];
        }
        for (int c = ncols; c < kPanel; ++c)
            for (int k = 0; k < K; ++k) panel[static_cast<size_t>(k) * kPanel + c] = 0.0f;
        return;
    }
    for (int k = 0; k < K; ++k) {
        const float* src = b.data + static_cast<size_t>(k) * b.ld + j0;
        float* dst = panel + static_cast<size_t>(k) * kPanel;
        if (ncols == kPanel && !scaled) {
            std::memcpy(dst, src, sizeof(float) * kPanel);
            continue;
        }
        for (int c = 0; c < ncols; ++c) dst[c] = scaled ? src[c] * b.scale : src[c];
        for (int c = ncols; c < kPanel; ++c) dst[c] = 0.0f;
    }
}

}  // namespace

size_t gemm_nn_scratch(int K) { return static_cast<size_t>(K) * kPanel; }
size_t gemm_tn_scratch(int M, int K) {
    return (static_cast<size_t>(M) + 1) / 2 * 2 * static_cast<size_t>(K) + gemm_nn_scratch(K);
}

namespace {

// Starting values of one 16-column row of a tile: C, bias, both, or zeros (columns past ncols are 0).
inline void initial_row(float* out, const float* c, const float* bias, bool accumulate, int ncols) {
    for (int j = 0; j < kPanel; ++j) {
        float v = 0.0f;
        if (j < ncols) {
            if (accumulate) v = c[j];
            if (bias) v += bias[j];
        }
        out[j] = v;
    }
}

inline void store_row(float* c, v4f v0, v4f v1, v4f v2, v4f v3, int ncols) {
    if (ncols == kPanel) {
        store(c, v0), store(c + 4, v1), store(c + 8, v2), store(c + 12, v3);
        return;
    }
    float tmp[kPanel];
    store(tmp, v0), store(tmp + 4, v1), store(tmp + 8, v2), store(tmp + 12, v3);
    std::memcpy(c, tmp, sizeof(float) * ncols);
}

// The register tile: rows a0 and a1 of A times one packed panel, over k in [k0, k1): 8 accumulators, 4 B
// vectors and 2 broadcasts fit the 16 registers. The accumulators are plain locals (not an array or a
// struct), which is what lets GCC keep all of them in registers. A single leftover row passes a1 == a0 and
// c1 == nullptr (computed twice, stored once), so one loop serves both. Consecutive k of one A row are
// `a_step` floats apart: 1 for A, lda for A^T.
inline void tile(float* c0, float* c1, int ncols, const float* a0, const float* a1, size_t a_step, const float* panel,
                 int k0, int k1, const float* bias, bool accumulate) {
    v4f x0, x1, x2, x3, y0, y1, y2, y3;
    if (!accumulate && !bias) {
        x0 = x1 = x2 = x3 = y0 = y1 = y2 = y3 = splat(0.0f);
    } else if (ncols == kPanel && !(accumulate && bias)) {
        const float* s0 = accumulate ? c0 : bias;
        const float* s1 = accumulate ? (c1 ? c1 : c0) : bias;
        x0 = load(s0), x1 = load(s0 + 4), x2 = load(s0 + 8), x3 = load(s0 + 12);
        y0 = load(s1), y1 = load(s1 + 4), y2 = load(s1 + 8), y3 = load(s1 + 12);
    } else {
        float t0[kPanel], t1[kPanel];
        initial_row(t0, c0, bias, accumulate, ncols);
        initial_row(t1, c1 ? c1 : c0, bias, accumulate, ncols);
        x0 = load(t0), x1 = load(t0 + 4), x2 = load(t0 + 8), x3 = load(t0 + 12);
        y0 = load(t1), y1 = load(t1 + 4), y2 = load(t1 + 8), y3 = load(t1 + 12);
    }
    const float* bk = panel + static_cast<size_t>(k0) * kPanel;
    const float* p0 = a0 + static_cast<size_t>(k0) * a_step;
    const float* p1 = a1 + static_cast<size_t>(k0) * a_step;
    for (int k = k0; k < k1; ++k, bk += kPanel, p0 += a_step, p1 += a_step) {
        const v4f b0 = load(bk), b1 = load(bk + 4), b2 = load(bk + 8), b3 = load(bk + 12);
        const v4f s0 = splat(*p0), s1 = splat(*p1);
        x0 += s0 * b0;
        x1 += s0 * b1;
        x2 += s0 * b2;
        x3 += s0 * b3;
        y0 += s1 * b0;
        y1 += s1 * b1;
        y2 += s1 * b2;
        y3 += s1 * b3;
    }
    store_row(c0, x0, x1, x2, x3, ncols);
    if (c1) store_row(c1, y0, y1, y2, y3, ncols);
}

// Row tile i (always even) reads its first row from a + (i/2) * pair_stride and its second from there +
// second_row; consecutive k of a row are a_step apart. That covers A as stored (pair_stride = 2 lda,
// second_row = lda, a_step = 1) and the pair-interleaved copy gemm_tn makes of A^T (2K, 1, 2).
void gemm(float* c, int ldc, const float* a, size_t pair_stride, size_t second_row, size_t a_step, RightOperand b,
          const float* bias, int M, int N, int K, bool accumulate, Causal causal, float* panel) {
    assert(M >= 0 && N >= 0 && K >= 0);
    static_assert(kTileRows == 2, "tile() computes two rows");
    // Panels outermost: one packed panel (K x 16 floats) stays in L1 while every row tile streams past it.
    for (int j0 = 0; j0 < N; j0 += kPanel) {
        const int ncols = std::min(kPanel, N - j0);
        // Rows above the panel's first column need none of it when only j <= i is wanted (j0 is even).
        const int i_begin = causal == Causal::cols_upto_row ? std::min(j0, M) : 0;
        if (i_begin >= M) continue;
        pack_panel(panel, b, j0, ncols, K);
        const float* bias_j = bias ? bias + j0 : nullptr;
        for (int i = i_begin; i < M; i += kTileRows) {
            const int rows = std::min(kTileRows, M - i);
            int k0 = 0, k1 = K;
            if (causal == Causal::depth_upto_row) k1 = std::min(K, i + rows);
            if (causal == Causal::depth_from_row) k0 = std::min(K, i);
            const float* a0 = a + static_cast<size_t>(i / 2) * pair_stride;
            float* c0 = c + static_cast<size_t>(i) * ldc + j0;
            tile(c0, rows == 2 ? c0 + ldc : nullptr, ncols, a0, rows == 2 ? a0 + second_row : a0, a_step, panel, k0, k1,
                 bias_j, accumulate);
        }
    }
}

}  // namespace

void gemm_nn(float* c, int ldc, const float* a, int lda, RightOperand b, const float* bias, int M, int N, int K,
             bool accumulate, Causal causal, float* scratch) {
    gemm(c, ldc, a, 2 * static_cast<size_t>(lda), static_cast<size_t>(lda), 1, b, bias, M, N, K, accumulate, causal,
         scratch);
}

void gemm_tn(float* c, int ldc, const float* a, int lda, RightOperand b, int M, int N, int K, bool accumulate,
             Causal causal, float* scratch) {
    // Interleave column pairs of A: pair p holds (A[k][2p], A[k][2p+1]) for k = 0..K-1, zero-padded when M
    // is odd. Read in place, each k of a tile would touch a different row of A, and with a power-of-two
    // row length (256 floats) those rows share a handful of L1 sets and evict each other; the copy is one
    // pass, the product then reads it sequentially. Eight rows of A at a time: each row is read
    // sequentially, and each pair's slice of a block is one 64-byte line.
    float* a_pairs = scratch + gemm_nn_scratch(K);
    constexpr int kBlock = 8;
    for (int k0 = 0; k0 < K; k0 += kBlock) {
        const int kn = std::min(kBlock, K - k0);
        for (int i = 0; i < M; i += 2) {
            float* dst = a_pairs + static_cast<size_t>(i) * K + 2 * static_cast<size_t>(k0);
            const float* src = a + static_cast<size_t>(k0) * lda + i;
            const bool pair = i + 1 < M;
            for (int kk = 0; kk < kn; ++kk, src += lda) {
                dst[2 * kk] = src[0];
                dst[2 * kk + 1] = pair ? src[1] : 0.0f;
            }
        }
    }
    gemm(c, ldc, a_pairs, 2 * static_cast<size_t>(K), 1, 2, b, nullptr, M, N, K, accumulate, causal, scratch);
}

double sum_squares(const float* x, size_t n) {
    double total = 0.0;
    size_t i = 0;
    // Four vector accumulators hide the add latency; each block of 64 is folded into double so long
    // buffers do not lose precision.
    for (; i + 64 <= n; i += 64) {
        v4f s0 = splat(0.0f), s1 = s0, s2 = s0, s3 = s0;
        for (size_t j = i; j < i + 64; j += 16) {
            const v4f a = load(x + j), b = load(x + j + 4), c = load(x + j + 8), d = load(x + j + 12);
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += d * d;
        }
        total += static_cast<double>(hsum((s0 + s1) + (s2 + s3)));
    }
    for (; i < n; ++i) total += static_cast<double>(x[i]) * x[i];
    return total;
}

}  // namespace knobs::kernels

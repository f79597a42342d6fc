// The hot loops: matrix multiplication tiles and a vectorised exp, written once for both targets.
//
// Why GCC/Clang vector extensions: `float __attribute__((vector_size(16)))` compiles to SSE2 on x86-64 and
// to wasm SIMD128 under `emcc -msimd128`, so the browser and the desktop run the *same* explicitly
// vectorised code. Relying on auto-vectorisation instead would leave the float reductions scalar (the
// compiler may not reorder float sums) and would let -O3 make native much faster than wasm in places.
// Both targets have 16 vector registers in practice (V8 maps SIMD128 onto xmm0-15), which is what sizes
// the register tile below.
//
// Matrices are row-major floats. The right-hand operand B is consumed in panels of kPanel = 16 columns:
// each panel is first *packed* (its K rows of 16 floats made contiguous, zero-padded past N, scaled) into
// a small scratch buffer, and every register tile of the product then streams that panel from L1 while
// it sweeps the rows of A. Packing one panel just before its use keeps it in L1 (packing all of B first
// would push the early panels out before they are used). Every tile is a full 16 columns: padding lanes
// compute zeros that are never stored.
#pragma once
#include <cstddef>
#include <cstring>

namespace knobs::kernels {

// ---- 4-lane float vectors ---------------------------------------------------------------------------
#if !defined(__GNUC__) && !defined(__clang__)
#error "knobs' kernels use GCC/Clang vector extensions (GCC for the desktop, Emscripten's Clang for the web)"
#endif
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));
inline v4f splat(float x) { return v4f{x, x, x, x}; }
inline v4f load(const float* p) { v4f v; std::memcpy(&v, p, sizeof v); return v; }  // unaligned load
inline void store(float* p, v4f v) { std::memcpy(p, &v, sizeof v); }
inline v4i as_int(v4f v) { return (v4i)v; }    // same bits, viewed as integers
inline v4f as_float(v4i v) { return (v4f)v; }
inline v4i to_int(v4f v) { return __builtin_convertvector(v, v4i); }  // truncates toward zero
// Lane select without the ternary operator (GCC and Clang disagree on it for vectors): mask lanes are all
// ones or all zeros, as produced by vector comparisons.
inline v4f select(v4i mask, v4f if_true, v4f if_false) {
    return as_float((mask & as_int(if_true)) | (~mask & as_int(if_false)));
}
inline v4f vmax(v4f a, v4f b) { return select(a > b, a, b); }  // with a NaN in a lane: that lane of b
inline v4f vabs(v4f a) { return as_float(as_int(a) & v4i{0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff}); }
inline float lane(v4f v, int i) { return v[i]; }
inline v4f vsqrt(v4f v) {
#if defined(__wasm_simd128__)
    return __builtin_wasm_sqrt_f32x4(v);
#elif defined(__SSE2__)
    return __builtin_ia32_sqrtps(v);
#else
    return v4f{__builtin_sqrtf(v[0]), __builtin_sqrtf(v[1]), __builtin_sqrtf(v[2]), __builtin_sqrtf(v[3])};
#endif
}

// lo <= x <= hi lane by lane, with NaN lanes left NaN. One instruction per bound on both targets (the
// operand order matters: these min/max forms return their second operand when the comparison fails).
inline v4f clamp_keep_nan(v4f x, float lo, float hi) {
#if defined(__wasm_simd128__)
    // pmin(a, b) = b < a ? b : a;  pmax(a, b) = a < b ? b : a
    return __builtin_wasm_pmax_f32x4(__builtin_wasm_pmin_f32x4(x, splat(hi)), splat(lo));
#elif defined(__SSE__)
    // minps(a, b) = a < b ? a : b;  maxps(a, b) = a > b ? a : b
    return __builtin_ia32_maxps(splat(lo), __builtin_ia32_minps(splat(hi), x));
#else
    x = select(x < splat(lo), splat(lo), x);
    return select(x > splat(hi), splat(hi), x);
#endif
}

// Sum and maximum of the 4 lanes, in a fixed order (so results never depend on the compiler).
inline float hsum(v4f v) { return (lane(v, 0) + lane(v, 1)) + (lane(v, 2) + lane(v, 3)); }
inline float hmax(v4f v) {
    float a = lane(v, 0) > lane(v, 1) ? lane(v, 0) : lane(v, 1);
    float b = lane(v, 2) > lane(v, 3) ? lane(v, 2) : lane(v, 3);
    return a > b ? a : b;
}

// e^x for each lane: Cody-Waite reduction x = n ln2 + r with |r| <= ln2/2, a degree-6 Taylor polynomial
// for e^r (truncation error below 1.3e-7 relative, about one float ulp), and 2^n built in the exponent
// bits. Inputs are clamped to [-87.3, 88.3] so 2^n stays a normal float: e^x underflows to ~1e-38 rather
// than to 0, and overflows to ~3.4e38 rather than to inf, which softmax and GELU tolerate. NaN stays NaN
// (comparisons with NaN are false, so the clamps pass it through, and it poisons the polynomial), which
// is what lets the trainer notice a diverged run. Identical on every target: only +, -, * and bit moves.
// Inline so that loops calling it keep its constants in registers.
inline v4f exp_v4(v4f x) {
    constexpr float kLo = -87.3f, kHi = 88.3f;  // keeps n in [-126, 127]: 2^n is a normal float
    constexpr float kLog2e = 1.44269504088896341f;
    constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;  // ln2 split so n * kLn2Hi is exact
    constexpr float kRoundMagic = 12582912.0f;  // 1.5 * 2^23: adding then subtracting rounds to an integer
    x = clamp_keep_nan(x, kLo, kHi);
    const v4f n = (x * splat(kLog2e) + splat(kRoundMagic)) - splat(kRoundMagic);
    const v4f r = (x - n * splat(kLn2Hi)) - n * splat(kLn2Lo);
    v4f p = splat(1.0f / 720.0f);
    p = p * r + splat(1.0f / 120.0f);
    p = p * r + splat(1.0f / 24.0f);
    p = p * r + splat(1.0f / 6.0f);
    p = p * r + splat(0.5f);
    p = p * r + splat(1.0f);
    p = p * r + splat(1.0f);
    // NaN lanes get n = 0 before the conversion: converting NaN to int is undefined behaviour, which
    // Clang may fold to anything. The NaN still reaches the result through p.
    const v4f n_finite = select(n == n, n, splat(0.0f));
    return p * as_float((to_int(n_finite) + 127) << 23);
}
inline float exp_approx(float x) { return lane(exp_v4(splat(x)), 0); }

// ---- matrix products -------------------------------------------------------------------------------
inline constexpr int kPanel = 16;  // output columns per register tile: 4 vectors of 4 floats
inline constexpr int kTileRows = 2;  // output rows per register tile (2 x 16 = 8 accumulators + 4 B lanes)

// The right-hand operand B (K, N): B(k, n) = data[k*ld + n], or with `transposed` data[n*ld + k] (a
// weight matrix stored (out, in), used as the right side of x W^T); times `scale` when `scaled` (the
// multiply is then always performed, even by 1, so FLOP counts never depend on a value).
struct RightOperand {
    const float* data;
    int ld;
    bool transposed;
    bool scaled;
    float scale;
};
inline RightOperand rows_of(const float* b, int ld) { return {b, ld, false, false, 1.0f}; }
inline RightOperand rows_of(const float* b, int ld, float scale) { return {b, ld, false, true, scale}; }
inline RightOperand transpose_of(const float* w, int ld) { return {w, ld, true, false, 1.0f}; }
inline RightOperand transpose_of(const float* w, int ld, float scale) { return {w, ld, true, true, scale}; }

// Causal variants skip the work that the attention mask makes zero (C is square: M == N, or M == K).
enum class Causal {
    none,
    depth_upto_row,  // row i of C needs only k <= i; A must hold zeros where k > row (masked attention)
    depth_from_row,  // row i of C needs only k >= i; A^T must hold zeros where k < row
    cols_upto_row,   // only columns j <= i of C are needed; the others are left unspecified
};

// Floats of scratch each product needs (for its packed panel, and gemm_tn's copy of A^T).
size_t gemm_nn_scratch(int K);
size_t gemm_tn_scratch(int M, int K);

// C (M, N) = [C +] A (M, K) * B [+ bias (N)].  A rows are `lda` apart, C rows `ldc` apart.
void gemm_nn(float* c, int ldc, const float* a, int lda, RightOperand b, const float* bias, int M, int N, int K,
             bool accumulate, Causal causal, float* scratch);
// C (M, N) = [C +] A^T * B, where A is stored (K, M) with rows `lda` apart.
void gemm_tn(float* c, int ldc, const float* a, int lda, RightOperand b, int M, int N, int K, bool accumulate,
             Causal causal, float* scratch);

// Sum of squares in double (vector partial sums of 64 floats at a time, then double): for norms.
double sum_squares(const float* x, size_t n);

}  // namespace knobs::kernels

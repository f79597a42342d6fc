// Every layer's forward against a double-precision reference, and its backward against central finite
// differences of that reference. Gradient buffers start at a non-zero value to check that backward ADDS.
#include "core/ops.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

#include "core/kernels.h"
#include "fixtures.h"

using namespace knobs;
using namespace knobs::test;

namespace {

constexpr float kPrefill = 0.25f;  // gradients start here; backward must add to it

double dot(const Vec& a, const Vec& b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

// Indices to check: all of them for small buffers, otherwise a fixed random sample.
std::vector<size_t> indices_to_check(size_t n, Rng& rng, size_t limit = 160) {
    std::vector<size_t> idx;
    if (n <= limit) {
        for (size_t i = 0; i < n; ++i) idx.push_back(i);
    } else {
        for (size_t k = 0; k < limit; ++k) idx.push_back(rng.below(static_cast<uint32_t>(n)));
    }
    return idx;
}

// Checks grad[i] - kPrefill against d objective / d x[i] for the sampled i.
template <class F>
void check_gradient(const std::vector<float>& grad, Vec x, F&& objective, Rng& rng, double rel, double abs,
                    const char* what) {
    INFO("gradient of " << what);
    for (size_t i : indices_to_check(x.size(), rng)) {
        const double expected = central_difference(x, i, objective);
        INFO("index " << i);
        KNOBS_CHECK_CLOSE(grad[i] - kPrefill, expected, rel, abs);
    }
}

std::vector<float> prefilled(size_t n) { return std::vector<float>(n, kPrefill); }

// The "write" mode of an input gradient gives what the "add" mode added. The buffer starts as NaN, so a
// single element that is read instead of written shows.
void check_written(const std::vector<float>& written, const std::vector<float>& added) {
    REQUIRE(written.size() == added.size());
    for (size_t i = 0; i < written.size(); ++i) KNOBS_CHECK_CLOSE(written[i], added[i] - kPrefill, 1e-5, 1e-6);
}
std::vector<float> nan_filled(size_t n) { return std::vector<float>(n, std::numeric_limits<float>::quiet_NaN()); }

}  // namespace

TEST_CASE("[core] vector exp matches std::exp", "[core]") {
    double worst = 0;
    for (double x = -87.0; x <= 88.0; x += 0.0137) {
        const double got = kernels::exp_approx(static_cast<float>(x));
        const double want = std::exp(static_cast<double>(static_cast<float>(x)));
        worst = std::max(worst, std::abs(got - want) / want);
    }
    INFO("worst relative error " << worst);
    CHECK(worst < 4e-7);  // a few float ulps
    CHECK(kernels::exp_approx(0.0f) == 1.0f);
    CHECK(std::isnan(kernels::exp_approx(std::numeric_limits<float>::quiet_NaN())));
    const float big = kernels::exp_approx(std::numeric_limits<float>::infinity());
    CHECK((std::isfinite(big) && big > 1e38f));
    const float tiny = kernels::exp_approx(-std::numeric_limits<float>::infinity());
    CHECK((tiny >= 0.0f && tiny < 1e-37f));
}

TEST_CASE("[core] gemm kernels match a naive product", "[core]") {
    using kernels::Causal;
    const auto shape = GENERATE(table<int, int, int>({{1, 1, 1}, {2, 16, 3}, {3, 17, 5}, {5, 33, 16}, {8, 40, 64}, {7, 16, 9}}));
    const int M = std::get<0>(shape), N = std::get<1>(shape), K = std::get<2>(shape);
    const bool transposed_a = GENERATE(false, true);
    const bool transposed_b = GENERATE(false, true);
    const bool accumulate = GENERATE(false, true);
    const float scale = transposed_b ? 0.5f : 1.0f;
    Rng rng(static_cast<uint64_t>(M * 1000 + N * 10 + K));
    // Padded strides, so the kernels must honour lda/ldb/ldc rather than assume packed rows.
    const int lda = (transposed_a ? M : K) + 3, ldb = (transposed_b ? K : N) + 1, ldc = N + 2;
    const std::vector<float> a = random_floats(static_cast<size_t>(transposed_a ? K : M) * lda, rng);
    const std::vector<float> b = random_floats(static_cast<size_t>(transposed_b ? N : K) * ldb, rng);
    const std::vector<float> bias = random_floats(N, rng);
    std::vector<float> c = random_floats(static_cast<size_t>(M) * ldc, rng);
    const std::vector<float> c0 = c;
    std::vector<float> scratch(std::max(kernels::gemm_nn_scratch(K), kernels::gemm_tn_scratch(M, K)));
    const kernels::RightOperand rb =
        transposed_b ? kernels::transpose_of(b.data(), ldb, scale) : kernels::rows_of(b.data(), ldb, scale);
    const bool with_bias = !transposed_a;  // gemm_tn has no bias
    if (transposed_a)
        kernels::gemm_tn(c.data(), ldc, a.data(), lda, rb, M, N, K, accumulate, Causal::none, scratch.data());
    else
        kernels::gemm_nn(c.data(), ldc, a.data(), lda, rb, bias.data(), M, N, K, accumulate, Causal::none, scratch.data());
    for (int i = 0; i < M; ++i) {
        for (int j = 0; j < N; ++j) {
            double s = accumulate ? c0[i * ldc + j] : 0.0;
            if (with_bias) s += bias[j];
            for (int k = 0; k < K; ++k) {
                const double av = transposed_a ? a[k * lda + i] : a[i * lda + k];
                const double bv = transposed_b ? b[j * ldb + k] : b[k * ldb + j];
                s += av * bv * scale;
            }
            KNOBS_CHECK_CLOSE(c[i * ldc + j], s, 1e-5, 1e-5);
        }
        for (int j = N; j < ldc; ++j) CHECK(c[i * ldc + j] == c0[i * ldc + j]);  // padding untouched
    }
}

TEST_CASE("[core] causal gemm variants skip only masked work", "[core]") {
    using kernels::Causal;
    const int T = GENERATE(1, 2, 5, 16, 17, 35);
    const int width = GENERATE(4, 16, 19);
    Rng rng(static_cast<uint64_t>(T * 100 + width));
    // A lower-triangular (T, T) matrix, as attention produces, and a dense (T, width) one.
    std::vector<float> lower = random_floats(static_cast<size_t>(T) * T, rng);
    for (int i = 0; i < T; ++i)
        for (int j = i + 1; j < T; ++j) lower[i * T + j] = 0.0f;
    const std::vector<float> dense = random_floats(static_cast<size_t>(T) * width, rng);
    std::vector<float> scratch(std::max({kernels::gemm_nn_scratch(T), kernels::gemm_nn_scratch(width),
                                         kernels::gemm_tn_scratch(T, T)}));

    SECTION("depth_upto_row: lower (T,T) times dense (T,width)") {
        std::vector<float> c(static_cast<size_t>(T) * width);
        kernels::gemm_nn(c.data(), width, lower.data(), T, kernels::rows_of(dense.data(), width), nullptr, T, width, T,
                         false, Causal::depth_upto_row, scratch.data());
        for (int i = 0; i < T; ++i)
            for (int j = 0; j < width; ++j) {
                double s = 0;
                for (int k = 0; k <= i; ++k) s += double(lower[i * T + k]) * dense[k * width + j];
                KNOBS_CHECK_CLOSE(c[i * width + j], s, 1e-5, 1e-5);
            }
    }
    SECTION("depth_from_row: lower^T times dense") {
        std::vector<float> c(static_cast<size_t>(T) * width);
        kernels::gemm_tn(c.data(), width, lower.data(), T, kernels::rows_of(dense.data(), width), T, width, T, false,
                         Causal::depth_from_row, scratch.data());
        for (int i = 0; i < T; ++i)
            for (int j = 0; j < width; ++j) {
                double s = 0;
                for (int k = i; k < T; ++k) s += double(lower[k * T + i]) * dense[k * width + j];
                KNOBS_CHECK_CLOSE(c[i * width + j], s, 1e-5, 1e-5);
            }
    }
    SECTION("cols_upto_row: dense (T,width) times dense^T, lower triangle") {
        std::vector<float> c(static_cast<size_t>(T) * T, 0.0f);
        kernels::gemm_nn(c.data(), T, dense.data(), width, kernels::transpose_of(dense.data(), width), nullptr, T, T,
                         width, false, Causal::cols_upto_row, scratch.data());
        for (int i = 0; i < T; ++i)
            for (int j = 0; j <= i; ++j) {
                double s = 0;
                for (int k = 0; k < width; ++k) s += double(dense[i * width + k]) * dense[j * width + k];
                KNOBS_CHECK_CLOSE(c[i * T + j], s, 1e-5, 1e-5);
            }
    }
}

TEST_CASE("[core] encoder backward", "[core]") {
    const auto shape = GENERATE(table<int, int, int>({{1, 3, 5}, {2, 4, 16}}));
    const int B = std::get<0>(shape), T = std::get<1>(shape), C = std::get<2>(shape);
    const uint64_t seed = GENERATE(1u, 2u);
    Rng rng(seed);
    const int V = 7;  // few distinct tokens, so rows of wte collect several positions
    const std::vector<uint8_t> tokens = random_tokens(static_cast<size_t>(B) * T, rng, V);
    const std::vector<float> wte = random_floats(static_cast<size_t>(V) * C, rng);
    const std::vector<float> wpe = random_floats(static_cast<size_t>(T) * C, rng);
    const std::vector<float> dout = random_floats(static_cast<size_t>(B) * T * C, rng);
    std::vector<float> out(dout.size());
    ops::encoder_forward(out.data(), tokens.data(), wte.data(), wpe.data(), B, T, C);
    auto reference = [&](const Vec& te, const Vec& pe) {
        Vec o(out.size());
        for (int b = 0; b < B; ++b)
            for (int t = 0; t < T; ++t)
                for (int i = 0; i < C; ++i) o[(b * T + t) * C + i] = te[tokens[b * T + t] * C + i] + pe[t * C + i];
        return o;
    };
    const Vec ref = reference(to_double(wte), to_double(wpe));
    for (size_t i = 0; i < out.size(); ++i) KNOBS_CHECK_CLOSE(out[i], ref[i], 1e-6, 1e-6);

    std::vector<float> dwte = prefilled(wte.size()), dwpe = prefilled(wpe.size());
    ops::encoder_backward(dwte.data(), dwpe.data(), dout.data(), tokens.data(), B, T, C);
    const Vec g = to_double(dout), te = to_double(wte), pe = to_double(wpe);
    check_gradient(dwte, te, [&](const Vec& x) { return dot(reference(x, pe), g); }, rng, 1e-5, 1e-5, "wte");
    check_gradient(dwpe, pe, [&](const Vec& x) { return dot(reference(te, x), g); }, rng, 1e-5, 1e-5, "wpe");
}

TEST_CASE("[core] layernorm backward", "[core]") {
    const auto shape = GENERATE(table<int, int, int>({{1, 1, 7}, {2, 3, 16}, {2, 2, 33}}));
    const int B = std::get<0>(shape), T = std::get<1>(shape), C = std::get<2>(shape);
    const uint64_t seed = GENERATE(1u, 2u);
    Rng rng(seed);
    const int BT = B * T;
    std::vector<float> x = random_floats(static_cast<size_t>(BT) * C, rng);
    for (int i = 0; i < C; ++i) x[i] += 3.0f;  // a row with a large mean
    std::vector<float> w = random_floats(C, rng, 0.3f);
    for (float& v : w) v += 1.0f;
    const std::vector<float> b = random_floats(C, rng, 0.3f);
    const std::vector<float> dout = random_floats(x.size(), rng);
    std::vector<float> out(x.size()), mean(BT), rstd(BT);
    ops::layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), B, T, C);
    const Vec xd = to_double(x), wd = to_double(w), bd = to_double(b), g = to_double(dout);
    const Vec ref = ref_layernorm(xd, wd, bd, BT, C);
    for (size_t i = 0; i < out.size(); ++i) KNOBS_CHECK_CLOSE(out[i], ref[i], 1e-5, 2e-6);

    std::vector<float> dx = prefilled(x.size()), dw = prefilled(C), db = prefilled(C);
    ops::layernorm_backward(dx.data(), dw.data(), db.data(), dout.data(), x.data(), w.data(), mean.data(), rstd.data(),
                            B, T, C);
    check_gradient(dx, xd, [&](const Vec& v) { return dot(ref_layernorm(v, wd, bd, BT, C), g); }, rng, 1e-4, 2e-5, "inp");
    check_gradient(dw, wd, [&](const Vec& v) { return dot(ref_layernorm(xd, v, bd, BT, C), g); }, rng, 1e-4, 2e-5, "weight");
    check_gradient(db, bd, [&](const Vec& v) { return dot(ref_layernorm(xd, wd, v, BT, C), g); }, rng, 1e-4, 2e-5, "bias");

    SECTION("null weight gradients skip only that work") {
        std::vector<float> dx2 = prefilled(x.size());
        ops::layernorm_backward(dx2.data(), nullptr, nullptr, dout.data(), x.data(), w.data(), mean.data(), rstd.data(),
                                B, T, C);
        CHECK(dx2 == dx);
    }
}

TEST_CASE("[core] matmul backward", "[core]") {
    const auto shape = GENERATE(table<int, int, int, int>({{1, 1, 1, 1}, {1, 3, 5, 7}, {2, 3, 17, 16}, {1, 5, 16, 33}}));
    const int B = std::get<0>(shape), T = std::get<1>(shape), C = std::get<2>(shape), OC = std::get<3>(shape);
    const bool with_bias = GENERATE(true, false);
    Rng rng(static_cast<uint64_t>(B * 7 + T * 11 + C * 13 + OC));
    const int BT = B * T;
    const std::vector<float> x = random_floats(static_cast<size_t>(BT) * C, rng);
    const std::vector<float> W = random_floats(static_cast<size_t>(OC) * C, rng, 0.5f);
    const std::vector<float> bias = random_floats(OC, rng);
    const std::vector<float> dout = random_floats(static_cast<size_t>(BT) * OC, rng);
    std::vector<float> scratch(ops::matmul_scratch_size(B, T, C, OC));
    std::vector<float> out(dout.size());
    ops::matmul_forward(out.data(), x.data(), W.data(), with_bias ? bias.data() : nullptr, B, T, C, OC, scratch.data());
    const Vec xd = to_double(x), Wd = to_double(W), bd = with_bias ? to_double(bias) : Vec{}, g = to_double(dout);
    const Vec ref = ref_matmul(xd, Wd, bd, BT, C, OC);
    for (size_t i = 0; i < out.size(); ++i) KNOBS_CHECK_CLOSE(out[i], ref[i], 1e-5, 1e-5);

    std::vector<float> dx = prefilled(x.size()), dW = prefilled(W.size()), db = prefilled(OC);
    ops::matmul_backward(dx.data(), dW.data(), with_bias ? db.data() : nullptr, dout.data(), x.data(), W.data(), B, T, C,
                         OC, scratch.data());
    check_gradient(dx, xd, [&](const Vec& v) { return dot(ref_matmul(v, Wd, bd, BT, C, OC), g); }, rng, 1e-4, 1e-5, "inp");
    check_gradient(dW, Wd, [&](const Vec& v) { return dot(ref_matmul(xd, v, bd, BT, C, OC), g); }, rng, 1e-4, 1e-5, "weight");
    if (with_bias)
        check_gradient(db, bd, [&](const Vec& v) { return dot(ref_matmul(xd, Wd, v, BT, C, OC), g); }, rng, 1e-4, 1e-5, "bias");
    else
        CHECK(std::all_of(db.begin(), db.end(), [](float v) { return v == kPrefill; }));

    SECTION("writing the input gradient instead of adding") {
        std::vector<float> dx_w = nan_filled(x.size()), dW2 = prefilled(W.size());
        ops::matmul_backward(dx_w.data(), dW2.data(), nullptr, dout.data(), x.data(), W.data(), B, T, C, OC,
                             scratch.data(), /*accumulate_dinp=*/false);
        check_written(dx_w, dx);
        CHECK(dW2 == dW);  // weight gradients still add
    }
}

TEST_CASE("[core] attention backward", "[core]") {
    const auto shape = GENERATE(table<int, int, int, int>({{1, 1, 4, 1}, {1, 5, 8, 2}, {2, 7, 12, 3}, {1, 18, 32, 2}}));
    const int B = std::get<0>(shape), T = std::get<1>(shape), C = std::get<2>(shape), NH = std::get<3>(shape);
    const uint64_t seed = GENERATE(1u, 2u);
    Rng rng(seed * 100 + static_cast<uint64_t>(T));
    const std::vector<float> qkv = random_floats(static_cast<size_t>(B) * T * 3 * C, rng);
    const std::vector<float> dout = random_floats(static_cast<size_t>(B) * T * C, rng);
    std::vector<float> scratch(ops::attention_scratch_size(T, C, NH));
    std::vector<float> out(dout.size()), att(static_cast<size_t>(B) * NH * T * T);
    ops::attention_forward(out.data(), att.data(), qkv.data(), B, T, C, NH, scratch.data());
    const Vec qd = to_double(qkv), g = to_double(dout);
    const Vec ref = ref_attention(qd, B, T, C, NH);
    for (size_t i = 0; i < out.size(); ++i) KNOBS_CHECK_CLOSE(out[i], ref[i], 1e-5, 1e-5);
    // The stored attention rows are distributions over the past only.
    for (int r = 0; r < B * NH * T; ++r) {
        const int t = r % T;
        double sum = 0;
        for (int u = 0; u < T; ++u) {
            const float a = att[static_cast<size_t>(r) * T + u];
            if (u > t) CHECK(a == 0.0f);
            sum += a;
        }
        CHECK_THAT(sum, Catch::Matchers::WithinAbs(1.0, 1e-5));
    }

    std::vector<float> dqkv = prefilled(qkv.size());
    ops::attention_backward(dqkv.data(), dout.data(), qkv.data(), att.data(), B, T, C, NH, scratch.data());
    check_gradient(dqkv, qd, [&](const Vec& v) { return dot(ref_attention(v, B, T, C, NH), g); }, rng, 1e-4, 2e-5, "qkv");

    SECTION("writing the input gradient instead of adding") {
        std::vector<float> written = nan_filled(qkv.size());
        ops::attention_backward(written.data(), dout.data(), qkv.data(), att.data(), B, T, C, NH, scratch.data(), false);
        check_written(written, dqkv);
    }
}

TEST_CASE("[core] gelu backward", "[core]") {
    const int N = GENERATE(1, 7, 64);
    Rng rng(static_cast<uint64_t>(N));
    std::vector<float> x = random_floats(N, rng, 2.5f);
    x[0] = N > 1 ? 12.0f : -0.5f;  // saturated tails must stay exact and finite
    if (N > 2) x[1] = -12.0f;
    const std::vector<float> dout = random_floats(N, rng);
    std::vector<float> out(N);
    ops::gelu_forward(out.data(), x.data(), N);
    for (int i = 0; i < N; ++i) KNOBS_CHECK_CLOSE(out[i], ref_gelu(x[i]), 2e-6, 1e-6);
    std::vector<float> dx = prefilled(N);
    ops::gelu_backward(dx.data(), x.data(), dout.data(), N);
    const Vec g = to_double(dout);
    check_gradient(dx, to_double(x), [&](const Vec& v) {
        double s = 0;
        for (int i = 0; i < N; ++i) s += ref_gelu(v[i]) * g[i];
        return s;
    }, rng, 1e-4, 1e-5, "inp");

    SECTION("writing the input gradient instead of adding") {
        std::vector<float> written = nan_filled(N);
        ops::gelu_backward(written.data(), x.data(), dout.data(), N, false);
        check_written(written, dx);
    }
    SECTION("huge inputs give finite values and gradients") {
        const std::vector<float> huge = {1e30f, -1e30f, 3e38f, -3e38f};
        std::vector<float> o(4), d(4, 0.0f);
        const std::vector<float> ones(4, 1.0f);
        ops::gelu_forward(o.data(), huge.data(), 4);
        ops::gelu_backward(d.data(), huge.data(), ones.data(), 4);
        CHECK(o[0] == 1e30f);
        CHECK(std::abs(o[1]) < 1e-6f);
        for (int i = 0; i < 4; ++i) CHECK((std::isfinite(o[i]) && std::isfinite(d[i])));
    }
}

TEST_CASE("[core] residual backward", "[core]") {
    const int N = GENERATE(1, 9);
    Rng rng(static_cast<uint64_t>(N));
    const std::vector<float> a = random_floats(N, rng), b = random_floats(N, rng), dout = random_floats(N, rng);
    std::vector<float> out(N);
    ops::residual_forward(out.data(), a.data(), b.data(), N);
    for (int i = 0; i < N; ++i) CHECK(out[i] == a[i] + b[i]);
    std::vector<float> da = prefilled(N), db = prefilled(N);
    ops::residual_backward(da.data(), db.data(), dout.data(), N);
    const Vec g = to_double(dout), ad = to_double(a), bd = to_double(b);
    auto f = [&](const Vec& x, const Vec& y) {
        double s = 0;
        for (int i = 0; i < N; ++i) s += (x[i] + y[i]) * g[i];
        return s;
    };
    check_gradient(da, ad, [&](const Vec& v) { return f(v, bd); }, rng, 1e-6, 1e-6, "inp1");
    check_gradient(db, bd, [&](const Vec& v) { return f(ad, v); }, rng, 1e-6, 1e-6, "inp2");
}

TEST_CASE("[core] softmax cross-entropy backward", "[core]") {
    const auto shape = GENERATE(table<int, int, int>({{1, 1, 256}, {2, 3, 256}, {1, 2, 7}}));
    const int B = std::get<0>(shape), T = std::get<1>(shape), V = std::get<2>(shape);
    Rng rng(static_cast<uint64_t>(B * 100 + T * 10 + V));
    const int BT = B * T;
    std::vector<float> logits = random_floats(static_cast<size_t>(BT) * V, rng, 2.0f);
    logits[0] += 40.0f;  // a confident row: the shift by the max must keep it exact
    const std::vector<uint8_t> targets = random_tokens(BT, rng, V);
    std::vector<float> probs(logits.size()), losses(BT);
    const float loss = ops::softmax_crossentropy_forward(probs.data(), losses.data(), logits.data(), targets.data(), B, T, V);
    const Vec ld = to_double(logits);
    KNOBS_CHECK_CLOSE(loss, ref_cross_entropy(ld, targets.data(), BT, V), 1e-5, 1e-6);
    for (int r = 0; r < BT; ++r) {
        double sum = 0;
        for (int i = 0; i < V; ++i) sum += probs[r * V + i];
        CHECK_THAT(sum, Catch::Matchers::WithinAbs(1.0, 1e-5));
    }
    std::vector<float> dlogits = prefilled(logits.size());
    ops::softmax_crossentropy_backward(dlogits.data(), probs.data(), targets.data(), 1.0f / BT, B, T, V);
    check_gradient(dlogits, ld, [&](const Vec& v) { return ref_cross_entropy(v, targets.data(), BT, V); }, rng, 1e-4,
                   1e-6, "logits");

    SECTION("writing the gradient instead of adding") {
        std::vector<float> written = nan_filled(logits.size());
        ops::softmax_crossentropy_backward(written.data(), probs.data(), targets.data(), 1.0f / BT, B, T, V, false);
        check_written(written, dlogits);
    }
}

TEST_CASE("[core] lora merge and backward", "[core]") {
    const auto shape = GENERATE(table<int, int, int>({{3, 5, 1}, {16, 8, 4}, {20, 33, 16}}));
    const int OC = std::get<0>(shape), IC = std::get<1>(shape), r = std::get<2>(shape);
    Rng rng(static_cast<uint64_t>(OC * 100 + IC * 10 + r));
    const float scale = 2.0f / r;
    const std::vector<float> W = random_floats(static_cast<size_t>(OC) * IC, rng);
    const std::vector<float> A = random_floats(static_cast<size_t>(r) * IC, rng, 0.5f);
    const std::vector<float> Bm = random_floats(static_cast<size_t>(OC) * r, rng, 0.5f);
    const std::vector<float> G = random_floats(W.size(), rng);  // plays dL/dW_eff
    std::vector<float> scratch(ops::lora_scratch_size(OC, IC, r));
    std::vector<float> weff(W.size());
    ops::lora_merge(weff.data(), W.data(), A.data(), Bm.data(), scale, OC, IC, r, scratch.data());
    const Vec Wd = to_double(W), Ad = to_double(A), Bd = to_double(Bm), g = to_double(G);
    const Vec ref = ref_lora_merge(Wd, Ad, Bd, scale, OC, IC, r);
    for (size_t i = 0; i < weff.size(); ++i) KNOBS_CHECK_CLOSE(weff[i], ref[i], 1e-5, 1e-5);

    std::vector<float> dA = prefilled(A.size()), dB = prefilled(Bm.size());
    ops::lora_backward(dA.data(), dB.data(), G.data(), A.data(), Bm.data(), scale, OC, IC, r, scratch.data());
    check_gradient(dA, Ad, [&](const Vec& v) { return dot(ref_lora_merge(Wd, v, Bd, scale, OC, IC, r), g); }, rng, 1e-4,
                   1e-5, "A");
    check_gradient(dB, Bd, [&](const Vec& v) { return dot(ref_lora_merge(Wd, Ad, v, scale, OC, IC, r), g); }, rng, 1e-4,
                   1e-5, "B");

    SECTION("merging in place gives the same weights") {
        std::vector<float> inplace = W;
        ops::lora_merge(inplace.data(), inplace.data(), A.data(), Bm.data(), scale, OC, IC, r, scratch.data());
        CHECK(inplace == weff);
    }
}

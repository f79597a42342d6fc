// The ranges every user-settable number may take, whoever sets it: the app's controls and links (the
// settings table in src/app/settings.h reads these), the CLI's flags and the tests. One place, so a link,
// a slider and a command line can never disagree about what "a valid learning rate" is.
#pragma once
#include <cstdint>

#include "core/config.h"

namespace knobs {

struct IntLimits {
    long long lo, hi;
    constexpr bool contains(long long x) const { return x >= lo && x <= hi; }
};
struct RealLimits {
    double lo, hi;
    bool lo_open;  // (lo, hi] instead of [lo, hi]
    constexpr bool contains(double x) const { return (lo_open ? x > lo : x >= lo) && x <= hi; }
};

// ---- model shape ----
inline constexpr IntLimits kLayersLimits{kMinLayers, kMaxLayers};
inline constexpr IntLimits kHeadsLimits{kMinHeads, kMaxHeads};
inline constexpr IntLimits kWidthLimits{kMinWidth, kMaxWidth};
inline constexpr IntLimits kContextLimits{kMinContext, kMaxContext};

// ---- pre-training ----
inline constexpr RealLimits kLrLimits{0, 10, true};
inline constexpr IntLimits kBatchLimits{1, 64};
inline constexpr IntLimits kWarmupLimits{0, 500};
inline constexpr IntLimits kStepsLimits{10, 20000};
inline constexpr RealLimits kWeightDecayLimits{0, 0.5, false};
inline constexpr RealLimits kClipLimits{0, 5, false};
// How often the pre-train panel writes a live sample of text, in steps.
inline constexpr IntLimits kSampleEveryLimits{10, 1000};
// Seeds are 31-bit so that every front end (ImGui's int fields, JavaScript numbers) holds them exactly.
inline constexpr IntLimits kSeedLimits{0, 2147483647};

// ---- sampling ----
inline constexpr RealLimits kTemperatureLimits{0, 2, false};
inline constexpr IntLimits kTopKLimits{0, kVocabSize};
inline constexpr RealLimits kTopPLimits{0.05, 1, false};
inline constexpr IntLimits kGenerateTokensLimits{1, 1000};

// ---- fine-tuning ----
inline constexpr IntLimits kLoraRankLimits{kMinLoraRank, kMaxLoraRank};
inline constexpr RealLimits kLoraAlphaLimits{0.5, 64, false};
inline constexpr IntLimits kFinetuneStepsLimits{10, 1000};

static_assert(kWarmupLimits.hi < kStepsLimits.hi, "a warmup can always end inside the longest run");
static_assert(kLrLimits.lo_open && kLrLimits.lo == 0, "a learning rate of 0 would train nothing");

}  // namespace knobs

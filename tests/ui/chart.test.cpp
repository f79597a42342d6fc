// The chart widget's helpers: tick placement, the short labels every panel uses for numbers and
// durations, and the loss chart's smoothing.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "catch_amalgamated.hpp"
#include "ui/chart.h"

using namespace knobs;

TEST_CASE("[ui] format_value writes three digits and a unit", "[ui][chart]") {
    const auto [value, text] = GENERATE(table<double, std::string>({
        {0, "0"},
        {5, "5"},
        {12.5, "12.5"},
        {250, "250"},
        {5000, "5000"},
        {12345, "12.3k"},
        {120576, "121k"},
        {-120576, "-121k"},
        {999499, "999k"},
        {999999, "1M"},  // rounds up into the next unit, not "1e+03k"
        {2.6e8, "260M"},
        {999.6e6, "1G"},
        {1.5e9, "1.5G"},
        {2.5e12, "2.5T"},
        {999.7e12, "1P"},
        {0.0123, "0.012"},
    }));
    CAPTURE(value);
    CHECK(format_value(value) == text);
}

TEST_CASE("[ui] format_value never writes an exponent for counts a page can reach", "[ui][chart]") {
    // Every FLOP, token and parameter counter passes through here as it grows (training FLOPs pass 1e15
    // after about half a day of Play).
    for (double v = 1; v < 1e17; v *= 1.0007) {
        const std::string text = format_value(std::round(v));
        INFO(v << " -> " << text);
        REQUIRE(text.find('e') == std::string::npos);
    }
    CHECK(format_value(std::numeric_limits<double>::infinity()) == "∞");
    CHECK(format_value(-std::numeric_limits<double>::infinity()) == "−∞");
    CHECK(format_value(std::nan("")) == "–");
}

TEST_CASE("[ui] format_seconds picks a unit that shows the measurement", "[ui][chart]") {
    const auto [seconds, text] = GENERATE(table<double, std::string>({
        {0, "0 s"},
        {0.00000025, "0.25 µs"},
        {0.00085, "850 µs"},
        {0.0037, "3.7 ms"},  // 60 generated tokens: "0.00 s" said nothing
        {0.25, "250 ms"},
        {0.9994, "999 ms"},
        {6.37, "6.37 s"},
        {75.5, "75.5 s"},
        {1234.4, "1234 s"},
        {-1, "–"},
        {std::numeric_limits<double>::infinity(), "–"},
    }));
    CAPTURE(seconds);
    CHECK(format_seconds(seconds) == text);
}

TEST_CASE("[ui] nice_ticks covers the range in steps of 1, 2 or 5 times a power of ten", "[ui][chart]") {
    SECTION("a round range") { CHECK(nice_ticks(0, 10, 6) == std::vector<double>{0, 2, 4, 6, 8, 10}); }
    SECTION("any range") {
        const auto [lo, hi, most] = GENERATE(table<double, double, int>({
            {0, 1, 5}, {1.7, 5.3, 6}, {-3, 7, 4}, {0.0012, 0.0019, 5}, {10, 60000, 7}}));
        CAPTURE(lo, hi, most);
        const std::vector<double> ticks = nice_ticks(lo, hi, most);
        REQUIRE(ticks.size() >= 2);
        CHECK(int(ticks.size()) <= most + 1);
        const double step = ticks[1] - ticks[0];
        const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
        CHECK((std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 || std::abs(mantissa - 5) < 1e-6));
        for (size_t i = 0; i < ticks.size(); ++i) {
            CHECK(ticks[i] >= lo - step * 1e-6);
            CHECK(ticks[i] <= hi + step * 1e-6);
            if (i) CHECK_THAT(ticks[i] - ticks[i - 1], Catch::Matchers::WithinRel(step, 1e-6));
        }
    }
    SECTION("nothing to tick") {
        CHECK(nice_ticks(1, 1, 5).empty());
        CHECK(nice_ticks(2, 1, 5).empty());
        CHECK(nice_ticks(0, std::numeric_limits<double>::infinity(), 5).empty());
        CHECK(nice_ticks(0, 1, 1).empty());
    }
}

TEST_CASE("[ui] smooth_ema smooths the loss curve and lets a missing point through", "[ui][chart]") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    SECTION("no smoothing is the curve itself") {
        const std::vector<float> y{3, 1, 4, 1, 5};
        CHECK(smooth_ema(y, 0) == y);
    }
    SECTION("a constant curve stays constant") {
        for (float v : smooth_ema(std::vector<float>(50, 2.5f), 0.9f)) CHECK(v == 2.5f);
    }
    SECTION("each point moves toward the new value by 1 - alpha") {
        const std::vector<float> out = smooth_ema({4, 0, 0}, 0.5f);
        CHECK(out == std::vector<float>{4, 2, 1});
    }
    SECTION("a NaN (a step without a validation loss) stays NaN and does not poison what follows") {
        const std::vector<float> out = smooth_ema({4, nan, 0}, 0.5f);
        CHECK(out[0] == 4);
        CHECK(std::isnan(out[1]));
        CHECK(out[2] == 2);
    }
}

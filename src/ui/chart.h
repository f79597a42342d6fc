// A small line/scatter chart drawn with ImDrawList (ImPlot is not available): axes with "nice" ticks,
// a legend, optional log-y and smoothing, and a hover readout of the nearest point of each series.
#pragma once
#include <string>
#include <vector>

#include "imgui.h"

namespace knobs {

struct ChartSeries {
    std::string label;
    ImU32 color = 0;
    std::vector<float> x, y;  // same length; NaN y values are gaps
    bool points = false;      // scatter instead of lines
};

struct LineChart {
    std::string id;
    std::string x_label, y_label;
    bool log_y = false;
    float smoothing = 0.0f;   // exponential moving average weight in [0, 0.99]
    float height_px = 200.0f;
    bool log_x = false;
    std::vector<ChartSeries> series;
    std::string lang = "en";  // the language of the summary the accessibility mirror reads out
    std::string empty_text = "–";  // drawn in the plot while there is nothing to plot: what to do to fill it

    // Draws into the current window's content width. Returns true while hovered.
    bool Draw();
};

// The chart in words, for screen readers: what is plotted against what, and for each series its number
// of points, x range, last, lowest and highest value (as measured, not smoothed).
std::string chart_summary(const LineChart& chart);

// Tick values covering [lo, hi] at 1-2-5 steps, at most about `max_ticks`.
std::vector<double> nice_ticks(double lo, double hi, int max_ticks);
// A short label for a tick or readout value (1.2k, 3.4M, 0.012 ...).
std::string format_value(double v);
// A duration with three significant digits in a unit that fits it: "3.7 ms", "6.37 s", "850 µs".
std::string format_seconds(double seconds);
// Exponential moving average of y with weight `alpha` (0 = unsmoothed); NaNs pass through.
std::vector<float> smooth_ema(const std::vector<float>& y, float alpha);

}  // namespace knobs

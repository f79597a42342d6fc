// How much training work one frame may do, adapted to the page's real frame cadence.
//
// A fixed budget wastes the machine: in a browser whose frames are paced by the display (16.7 ms at 60 Hz)
// or by a slow GPU, the main thread sits idle most of each interval. This gives training a fixed share of
// the measured interval, minus what drawing the UI costs, so training speed follows the machine while the
// frame rate stays where it was: the work fits inside the interval that was already there. The share is
// below 1, so the estimate cannot run away (longer frames -> bigger budget -> longer frames converges).
// The cap keeps every frame short enough for input to feel immediate.
#pragma once
#include <algorithm>

namespace knobs {

struct FrameBudget {
    static constexpr double kShareOfInterval = 0.75;  // of the frame interval, for UI + training together
    static constexpr double kMinMs = 4.0;             // training always progresses, even on a slow machine
    static constexpr double kMaxMs = 40.0;            // a frame never blocks input for longer than this
    static constexpr double kSmoothing = 0.1;         // weight of the newest frame in the running averages

    double interval_ms = 16.7;  // running average of the time between frame starts
    double ui_ms = 2.0;         // running average of a frame's work that is not training
    double budget_ms = 8.0;     // what the next frame may spend on training

    // Feed one finished frame: the time since the previous frame started, and the part of this frame's
    // main-thread time that was not training. Returns the next frame's training budget.
    double next(double frame_interval_ms, double frame_ui_ms) {
        // A frame after a hidden page or a debugger pause says nothing about the cadence.
        frame_interval_ms = std::clamp(frame_interval_ms, 1.0, 250.0);
        frame_ui_ms = std::clamp(frame_ui_ms, 0.0, 250.0);
        interval_ms += kSmoothing * (frame_interval_ms - interval_ms);
        ui_ms += kSmoothing * (frame_ui_ms - ui_ms);
        budget_ms = std::clamp(kShareOfInterval * interval_ms - ui_ms, kMinMs, kMaxMs);
        return budget_ms;
    }
};

}  // namespace knobs

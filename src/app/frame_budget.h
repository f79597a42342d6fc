// How much training work one frame may do, adapted to the page's real frame cadence.
//
// A fixed budget either wastes the machine or makes the page stutter: in a browser whose frames are paced
// by the display (16.7 ms at 60 Hz), most of each interval is idle, while with software WebGL (headless
// Chromium) drawing itself takes most of the machine. So the budget is steered by what training does to
// the frame rate:
//   * the idle cadence is measured while nothing trains;
//   * while training, the budget grows while frames stay within kMaxSlowdown of that cadence and shrinks
//     when they get longer (a proportional controller on the measured interval);
//   * it never exceeds kShareOfIdle of the idle interval minus the UI's own time, so on a display-paced
//     page the work fits inside the frame that was already there and the frame rate does not change.
//   * training in the worker (lab.h, TrainOffload) takes no frame time but competes for the CPU all the same
//     (on a 2-core machine without a GPU, with the browser's software drawing): there the same rule sets
//     how long the worker rests between chunks instead, so frames stay within kMaxSlowdown of idle ones.
// Results never depend on the budget: the engine is deterministic however its work is split.
#pragma once
#include <algorithm>

namespace knobs {

struct FrameBudget {
    static constexpr double kMaxSlowdown = 1.3;   // training frames at most this much longer than idle ones
    static constexpr double kShareOfIdle = 0.75;  // of the idle interval, for UI + training together
    static constexpr double kMinMs = 2.0;         // training always progresses, even on a slow machine
    static constexpr double kMaxMs = 40.0;        // a frame never blocks input for longer than this
    static constexpr double kGain = 0.25;         // budget change per ms of interval error, per frame
    static constexpr double kWorkerGain = 0.5;    // worker rest change per ms of interval error, per frame
    static constexpr double kMaxWorkerRestMs = 1000.0;

    double idle_interval_ms = 16.7;  // running average of the time between frames while nothing trains
    double interval_ms = 16.7;       // running average of the time between frames while training
    double ui_ms = 2.0;              // running average of a frame's work that is not training
    double budget_ms = 8.0;          // what the next frame may spend on training
    double worker_rest_ms = 0.0;     // how long the training worker waits between chunks

    // Feed one finished frame: the time since the previous frame started, the part of this frame's
    // main-thread time that was not training, whether it trained, and whether the training worker was at
    // work meanwhile. Returns the next frame's budget.
    double next(double frame_interval_ms, double frame_ui_ms, bool trained, bool worker_trained = false) {
        // A frame after a hidden page or a debugger pause says nothing about the cadence.
        frame_interval_ms = std::clamp(frame_interval_ms, 1.0, 250.0);
        frame_ui_ms = std::clamp(frame_ui_ms, 0.0, 250.0);
        ui_ms += 0.1 * (frame_ui_ms - ui_ms);
        if (worker_trained) {
            interval_ms += 0.2 * (frame_interval_ms - interval_ms);
            worker_rest_ms += kWorkerGain * (interval_ms - kMaxSlowdown * idle_interval_ms);
            worker_rest_ms = std::clamp(worker_rest_ms, 0.0, kMaxWorkerRestMs);
        } else if (!trained) {
            idle_interval_ms += 0.1 * (frame_interval_ms - idle_interval_ms);
            interval_ms = idle_interval_ms;
        } else {
            interval_ms += 0.2 * (frame_interval_ms - interval_ms);
            budget_ms += kGain * (kMaxSlowdown * idle_interval_ms - interval_ms);
        }
        const double cap = std::min(kMaxMs, kShareOfIdle * idle_interval_ms - ui_ms);
        budget_ms = std::clamp(budget_ms, kMinMs, std::max(kMinMs, cap));
        return budget_ms;
    }
};

}  // namespace knobs

// A rotary knob that shows one real parameter: the pointer's angle is the value, the ring's colour and
// the sign under it say which way the last training step turned it.
#pragma once
#include "imgui.h"

namespace knobs {

struct Knob {
    float value = 0;          // where the pointer is drawn (it may still be turning towards the real value)
    float spoken = 0;         // the real value: what the label and the accessibility mirror say
    float range = 0.1f;       // value at full turn (+135 degrees)
    float last_change = 0;    // the last update to this parameter
    float radius = 18;        // pixels
    ImU32 up_color = 0, down_color = 0, idle_color = 0, face_color = 0, pointer_color = 0;
    const char* label = "";

    // Draws at the cursor and advances it; returns true while hovered.
    bool Draw() const;
};

}  // namespace knobs

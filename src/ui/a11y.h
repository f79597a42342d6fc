// The accessibility mirror. Knobs draws on a canvas, which screen readers cannot see, so on request
// one frame is captured: through Dear ImGui's item hooks (every control's label, state and rectangle)
// and its text log (every line of text drawn, in order, including parts scrolled out of view, since
// ImGui does not clip while logging). The page turns the capture into real DOM (web/knobs-glue.js);
// activating a DOM control activates the ImGui item on the next frame.
#pragma once
#include <string>

#include "app/app_state.h"

namespace knobs {

// Takes a capture into s.a11y.nodes while alive, if s.a11y.capture_requested; otherwise does nothing.
// DrawShell holds one around all of its windows.
class A11yCapture {
public:
    explicit A11yCapture(AppState& s);
    ~A11yCapture();
    A11yCapture(const A11yCapture&) = delete;
    A11yCapture& operator=(const A11yCapture&) = delete;

private:
    class Listener;
    AppState& s_;
    Listener* listener_ = nullptr;
};

// True while a capture is being taken (widgets may then add what only the mirror needs).
bool a11y_capturing();
// A line only the mirror shows, such as a help marker's explanation or a chart's summary in words.
void a11y_note(const std::string& text);
// Tells the mirror what the item just drawn is, for widgets drawn by hand on an InvisibleButton (a quiz
// option is a "radio" or "checkbox", `checked` when chosen). Does nothing outside a capture.
void a11y_describe_last_item(AppState& s, const char* role, bool checked);
// Hands a queued activation (s.a11y.activate_id) to ImGui; DrawShell calls it before its windows.
void a11y_apply_activation(AppState& s);
// Queues an activation of the item `id` from the last capture; false if that capture has no such control.
bool a11y_activate(AppState& s, uint32_t id, bool for_input);
// The last capture as JSON: {"frame": N, "lang": "en", "nodes": [{role, label, value, region, id, ...}]}.
std::string a11y_json(const AppState& s);

}  // namespace knobs

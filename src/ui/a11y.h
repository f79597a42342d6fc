// The accessibility mirror. Knobs draws on a canvas, which screen readers cannot see, so on request
// one frame is captured: through Dear ImGui's item hooks (every control's label, state and rectangle)
// and its text log (every line of text drawn, in order, including parts scrolled out of view, since
// ImGui does not clip while logging). The page turns the capture into real DOM (web/glue/70-a11y-mirror.js);
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

    class Listener;  // defined in a11y.cpp

private:
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
struct A11yItem {
    const char* role = "button";
    bool checked = false;      // radio/checkbox chosen, toggle pressed
    bool expanded = false;     // disclosure open
    bool disabled = false;     // cannot be acted on now (it stays in the mirror)
    bool matched = false;      // a matching card whose pair was found
    int level = 0;             // a disclosure that heads a section at this heading level
    std::string label;         // replaces the label ImGui reported, when not empty
    std::string description;   // more words (a matched card's partner)
    std::string set;           // the column or list the item belongs to
};
void a11y_describe_last_item(AppState& s, const A11yItem& item);

// Structure for the mirror, so the page can build real elements: a table with header cells, a radio or
// checkbox group with its legend, a section per lesson panel, a set of cards. Each begin needs its end;
// A11yGroup does both. `take_lines`: that many text lines drawn next (-1: all, up to the first control
// or nested group) name the group instead of being read as text: the first is its label, the rest its
// description. Nothing happens outside a capture.
void a11y_begin(const char* kind, const std::string& label = "", int take_lines = 0, const std::string& key = "");
void a11y_end();
// A table cell; `header` is "col" or "row" for a header cell, "" for a data cell. Ends the previous cell
// of the row, if one is open.
void a11y_table_row();
void a11y_table_cell(const char* header = "");
void a11y_table_end_row();

class A11yGroup {
public:
    explicit A11yGroup(const char* kind, const std::string& label = "", int take_lines = 0, const std::string& key = "") {
        a11y_begin(kind, label, take_lines, key);
    }
    ~A11yGroup() { a11y_end(); }
    A11yGroup(const A11yGroup&) = delete;
    A11yGroup& operator=(const A11yGroup&) = delete;
};
// Hands the next queued activation (s.a11y.activations) to ImGui; A11yCapture calls it every frame.
void a11y_apply_activation(AppState& s);
// Queues an activation of the item `id` from the last capture. Returns its number (the capture whose
// "settled" reaches it shows its effect), or 0 if that capture has no such control or it is disabled.
uint32_t a11y_activate(AppState& s, uint32_t id, bool for_input);
// The last capture as JSON: {"frame": N, "lang": "en", "settled": S, "nodes": [{role, label, value,
// region, id, ...}], "announcements": [{seq, text}]}. Groups nest: {role: "group", kind, children: [...]}.
std::string a11y_json(const AppState& s);

}  // namespace knobs

// Every keyboard shortcut of the app in one table. The same table handles the keys (HandleShortcuts)
// and writes the list in the Help panel (shortcut_keys_text, shortcut_help_line), so the two cannot
// drift apart. Keys that Dear ImGui's keyboard navigation or the page handle are in the table too, with
// no action here: the list is then complete, and the tests check each entry does what it says.
#pragma once
#include <span>
#include <string>

#include "app/app_state.h"
#include "imgui.h"

namespace knobs {

enum class ShortcutScope {
    page,      // the page (web/glue/30-canvas-input.js) handles the key: Tab leaves the canvas
    imgui,     // Dear ImGui's keyboard navigation handles it
    app,       // anywhere in the app, unless a text field has the keyboard
    pretrain,  // while the Pre-training panel is shown and the lab column has the keyboard focus
};

struct Shortcut {
    const char* id;               // stable id, used by the tests
    ShortcutScope scope;
    ImGuiKeyChord chord;          // what HandleShortcuts listens for (0: handled elsewhere)
    ImGuiKeyChord alt_chord;      // a second chord doing the same (0: none)
    const char* keys_key;         // UI string naming the keys when they are not a chord ("" otherwise)
    const char* what_key;         // UI string: what the keys do
    void (*run)(AppState& s);     // the action (null unless scope is app or pretrain)
};

// The table, in the order the Help panel lists it.
std::span<const Shortcut> shortcuts();
// The keys as the Help panel writes them: "Shift+R", "F6 / G", or the translated keys_key text.
std::string shortcut_keys_text(const AppState& s, const Shortcut& k);
// One line of the Help panel's list: "<keys>: <what>".
std::string shortcut_help_line(const AppState& s, const Shortcut& k);
// The lines of one scope joined with "\n" (the Pre-training panel's help marker).
std::string shortcut_help_text(const AppState& s, ShortcutScope scope);
// Runs the action of every shortcut of `scope` whose chord was pressed this frame. Nothing happens while
// a text field has the keyboard. The pretrain scope is checked by the Pre-training panel itself.
void HandleShortcuts(AppState& s, ShortcutScope scope);
// Moves the keyboard focus to the next (+1) or previous (-1) area: top bar, lesson, lab.
void focus_next_area(AppState& s, int direction);

}  // namespace knobs

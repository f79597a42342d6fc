// The names of what the app shows: themes, layouts, motion settings and panels. Shared by the app state,
// the typed commands (command.h) and the UI, so a command can name a panel without the whole state.
#pragma once
#include <string>

namespace knobs {

enum class Theme { dark, light };
enum class Layout { two_column, tabs };
// Motion: follow the system's prefers-reduced-motion (what the page reports), or the learner's own choice.
enum class MotionSetting { system, reduce, full };

// Every panel the shell can show. The order is the order of the tabs.
enum class PanelId : int {
    // the lesson
    lifecycle, table, matching, quiz, faq, about,
    // the lab
    pretrain, knobs, inference, finetune, weights, cost,
    count
};
inline constexpr int kNumPanels = static_cast<int>(PanelId::count);
const char* panel_key(PanelId p);                 // stable id used in URLs, commands and tests
bool panel_from_key(const std::string& key, PanelId* out);
enum class Side { lesson, lab };
Side panel_side(PanelId p);

}  // namespace knobs

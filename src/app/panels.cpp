#include "app/app_state.h"

#include <cstring>

namespace knobs {

namespace {
struct PanelInfo {
    const char* key;
    Side side;
};
constexpr PanelInfo kPanels[kNumPanels] = {
    {"lifecycle", Side::lesson}, {"table", Side::lesson}, {"matching", Side::lesson}, {"quiz", Side::lesson},
    {"faq", Side::lesson},       {"about", Side::lesson}, {"pretrain", Side::lab},    {"knobs", Side::lab},
    {"inference", Side::lab},    {"finetune", Side::lab}, {"weights", Side::lab},     {"cost", Side::lab},
};
}  // namespace

const char* panel_key(PanelId p) {
    int i = static_cast<int>(p);
    return (i >= 0 && i < kNumPanels) ? kPanels[i].key : "";
}

bool panel_from_key(const std::string& key, PanelId* out) {
    for (int i = 0; i < kNumPanels; ++i)
        if (key == kPanels[i].key) {
            *out = static_cast<PanelId>(i);
            return true;
        }
    return false;
}

Side panel_side(PanelId p) {
    int i = static_cast<int>(p);
    return (i >= 0 && i < kNumPanels) ? kPanels[i].side : Side::lesson;
}

}  // namespace knobs

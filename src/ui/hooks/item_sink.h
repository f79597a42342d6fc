// What ImGui's item hooks (IMGUI_ENABLE_TEST_ENGINE) report to, while someone listens. The listener is
// stored in ImGuiContext::TestEngine, so the hooks need no global state and cost one null check when
// nobody listens. src/ui/a11y.cpp is the only listener.
#pragma once
#include "imgui.h"
#include "imgui_internal.h"

namespace knobs {

class ItemSink {
public:
    virtual ~ItemSink() = default;
    // An item with an id claimed its rectangle (before drawing itself).
    virtual void item_add(ImGuiID id, const ImRect& bb, const ImGuiLastItemData* item_data) = 0;
    // An item told its label and status (checkable, checked, openable, opened, inputable). Most widgets
    // call this after drawing; tab items call it before item_add.
    virtual void item_info(ImGuiID id, const char* label, ImGuiItemStatusFlags flags) = 0;
};

}  // namespace knobs

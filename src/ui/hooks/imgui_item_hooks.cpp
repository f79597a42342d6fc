// The four functions Dear ImGui calls when built with IMGUI_ENABLE_TEST_ENGINE. They forward items to
// the ItemSink in ctx->TestEngine, if any; ImGui only calls them while ctx->TestEngineHookItems is set.
// Compiled into the imgui library itself, so every program that links ImGui has them.
#include "ui/hooks/item_sink.h"

void ImGuiTestEngineHook_ItemAdd(ImGuiContext* ctx, ImGuiID id, const ImRect& bb, const ImGuiLastItemData* item_data) {
    if (auto* sink = static_cast<knobs::ItemSink*>(ctx->TestEngine)) sink->item_add(id, bb, item_data);
}

void ImGuiTestEngineHook_ItemInfo(ImGuiContext* ctx, ImGuiID id, const char* label, ImGuiItemStatusFlags flags) {
    if (auto* sink = static_cast<knobs::ItemSink*>(ctx->TestEngine)) sink->item_info(id, label, flags);
}

// ImGui's debug log may be mirrored to a test engine; nothing here wants it.
void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}

// Used by ImGui's debug tools to name items; the mirror keeps no such table. Empty, not null: one caller
// prints the result with "%s" unchecked.
const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID) { return ""; }

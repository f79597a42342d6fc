// Drives the real app UI headless with Dear ImGui's null backend: no window, no GL. Input is fed frame
// by frame through ImGuiIO, exactly as a platform backend would, and tests assert on AppState.
#pragma once
#include <string>

#include "app/app.h"
#include "app/commands.h"
#include "imgui.h"
#include "ui/panels.h"
#include "ui/style.h"

namespace knobs::testing {

class UiHarness {
public:
    explicit UiHarness(float css_w = 1280, float css_h = 800, float dpr = 1) {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
        app_init(state);
        resize(css_w, css_h, dpr);
        frame();
    }
    ~UiHarness() { ImGui::DestroyContext(); }
    UiHarness(const UiHarness&) = delete;
    UiHarness& operator=(const UiHarness&) = delete;

    void resize(float css_w, float css_h, float dpr) {
        set_canvas_size(state, css_w, css_h, dpr);
        ImGui::GetIO().DisplaySize = ImVec2(css_w * dpr, css_h * dpr);
    }

    void frame(double dt = 1.0 / 60.0) {
        ImGuiIO& io = ImGui::GetIO();
        if (rebuild_fonts_if_needed(state)) {
            unsigned char* pixels = nullptr;
            int w = 0, h = 0;
            io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // what a renderer would upload
        }
        io.DeltaTime = static_cast<float>(dt);
        now_ += dt;
        ImGui::NewFrame();
        app_update(state, now_);
        DrawShell(state);
        app_apply_posted(state);
        ImGui::Render();
    }

    // Moves to the centre of a recorded element and clicks it (press and release on separate frames).
    bool click(const std::string& hit_id) {
        auto it = state.hits.find(hit_id);
        if (it == state.hits.end()) return false;
        const HitRect r = it->second;
        const float k = state.dpr;
        ImGuiIO& io = ImGui::GetIO();
        io.AddMousePosEvent((r.x + r.w * 0.5f) * k, (r.y + r.h * 0.5f) * k);
        frame();
        io.AddMouseButtonEvent(0, true);
        frame();
        io.AddMouseButtonEvent(0, false);
        frame();
        frame();
        return true;
    }

    void key(ImGuiKey k) {
        ImGuiIO& io = ImGui::GetIO();
        io.AddKeyEvent(k, true);
        frame();
        io.AddKeyEvent(k, false);
        frame();
    }

    AppState state;

private:
    double now_ = 0;
};

}  // namespace knobs::testing

// Browser entry point and the C exports behind window.knobs (web/knobs-glue.js, docs/page-api.md).
#include <emscripten.h>
#include <emscripten/html5.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <cmath>
#include <string>

#include "app/commands.h"
#include "imgui.h"
#include "platform/runner.h"

namespace {
knobs::Runner g_runner;
std::string g_state_json, g_command_result, g_clipboard;

EM_JS(void, js_copy_text, (const char* text), {
    if (window.knobsGlue && window.knobsGlue.copyText) window.knobsGlue.copyText(UTF8ToString(text));
});
EM_JS(void, js_emit, (const char* name, const char* json), {
    if (window.knobsGlue && window.knobsGlue.emit) window.knobsGlue.emit(UTF8ToString(name), UTF8ToString(json));
});

// The page scrolls unless the pointer is over a scrollable ImGui area: returning false lets the browser
// run its default action. (ImGui's GLFW backend would otherwise swallow every wheel event on the document.)
EM_BOOL on_wheel(int, const EmscriptenWheelEvent* ev, void*) {
    if (!knobs::runner_wants_wheel()) return EM_FALSE;
    float per_step = ev->deltaMode == DOM_DELTA_PIXEL ? 1.0f / 100.0f : ev->deltaMode == DOM_DELTA_LINE ? 1.0f / 3.0f : 80.0f;
    ImGui::GetIO().AddMouseWheelEvent(static_cast<float>(-ev->deltaX) * per_step, static_cast<float>(-ev->deltaY) * per_step);
    return EM_TRUE;
}

void frame() { knobs::runner_frame(g_runner); }
}  // namespace

extern "C" {
EMSCRIPTEN_KEEPALIVE const char* knobs_version() { return KNOBS_VERSION; }

EMSCRIPTEN_KEEPALIVE const char* knobs_state_json() {
    g_state_json = knobs::state_json(g_runner.state);
    return g_state_json.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* knobs_command(const char* json) {
    g_command_result = knobs::command_result_json(knobs::run_command(g_runner.state, json ? json : ""));
    return g_command_result.c_str();
}

EMSCRIPTEN_KEEPALIVE void knobs_resize(int css_w, int css_h, float dpr) {
    auto& s = g_runner.state;
    knobs::set_canvas_size(s, static_cast<float>(css_w), static_cast<float>(css_h), dpr);
    const int px_w = static_cast<int>(std::lround(s.canvas_css_w * s.dpr));
    const int px_h = static_cast<int>(std::lround(s.canvas_css_h * s.dpr));
    if (g_runner.window) glfwSetWindowSize(g_runner.window, px_w, px_h);
}

EMSCRIPTEN_KEEPALIVE void knobs_set_visible(int visible) { g_runner.state.visible = visible != 0; }
EMSCRIPTEN_KEEPALIVE int knobs_wants_wheel() { return knobs::runner_wants_wheel() ? 1 : 0; }
EMSCRIPTEN_KEEPALIVE int knobs_wants_keyboard() {
    return ImGui::GetCurrentContext() && ImGui::GetIO().WantTextInput ? 1 : 0;
}
EMSCRIPTEN_KEEPALIVE void knobs_paste(const char* text) {
    if (!text || !ImGui::GetCurrentContext()) return;
    g_clipboard = text;
    if (ImGui::GetIO().WantTextInput) ImGui::GetIO().AddInputCharactersUTF8(text);
}
EMSCRIPTEN_KEEPALIVE void knobs_context_lost() { g_runner.context_lost = true; }
EMSCRIPTEN_KEEPALIVE void knobs_context_restored() { knobs::runner_context_restored(g_runner); }
}

int main() {
    // The canvas's pixel size is set by knobs_resize() from the page; start small until it calls.
    if (!knobs::runner_init(g_runner, 800, 600, "#version 300 es")) {
        EM_ASM({ if (window.knobsGlue && window.knobsGlue.fatal) window.knobsGlue.fatal("webgl2"); });
        return 1;
    }
    auto& s = g_runner.state;
    s.hooks.copy_text = [](const std::string& t) {
        g_clipboard = t;
        js_copy_text(t.c_str());
    };
    s.hooks.emit = [](const std::string& name, const std::string& json) { js_emit(name.c_str(), json.c_str()); };

    ImGuiIO& io = ImGui::GetIO();
    io.SetClipboardTextFn = [](void*, const char* text) { g_runner.state.hooks.copy_text(text ? text : ""); };
    io.GetClipboardTextFn = [](void*) -> const char* { return g_clipboard.c_str(); };
    // Replace the backend's document-wide wheel handler with one that leaves the page scrollable, and stop
    // GLFW's canvas handler from calling preventDefault on every wheel event.
    emscripten_set_wheel_callback(EMSCRIPTEN_EVENT_TARGET_DOCUMENT, nullptr, false, nullptr);
    glfwSetScrollCallback(g_runner.window, nullptr);
    emscripten_set_wheel_callback("#canvas", nullptr, false, on_wheel);

    EM_ASM({ if (window.knobsGlue && window.knobsGlue.started) window.knobsGlue.started(); });
    emscripten_set_main_loop(frame, 0, true);
    return 0;
}

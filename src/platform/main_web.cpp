// Browser entry point and the C exports behind window.knobs (web/glue/, joined into knobs-glue.js; docs/page-api.md).
#include <emscripten.h>
#include <emscripten/html5.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <cmath>
#include <cstdlib>
#include <span>
#include <vector>
#include <string>

#include "app/commands.h"
#include "imgui.h"
#include "platform/runner.h"
#include "ui/a11y.h"

namespace {
knobs::Runner g_runner;
std::string g_state_json, g_command_result, g_clipboard, g_a11y_json;

EM_JS(void, js_copy_text, (const char* text), {
    if (window.knobsGlue && window.knobsGlue.copyText) window.knobsGlue.copyText(UTF8ToString(text));
});
EM_JS(void, js_emit, (const char* name, const char* json), {
    if (window.knobsGlue && window.knobsGlue.emit) window.knobsGlue.emit(UTF8ToString(name), UTF8ToString(json));
});
EM_JS(void, js_copy_link, (), {
    if (window.knobsGlue && window.knobsGlue.copyLink) window.knobsGlue.copyLink();
});
EM_JS(void, js_pick_file, (const char* purpose), {
    if (window.knobsGlue && window.knobsGlue.pickFile) window.knobsGlue.pickFile(UTF8ToString(purpose));
});
// The bytes are copied out of the wasm heap before the call returns, so the vector may go away after.
EM_JS(void, js_download, (const char* name, const uint8_t* data, int len, const char* mime), {
    if (window.knobsGlue && window.knobsGlue.download)
        window.knobsGlue.download(UTF8ToString(name), HEAPU8.slice(data, data + len), UTF8ToString(mime));
});
EM_JS(void, js_save_progress, (const char* json), {
    if (window.knobsGlue && window.knobsGlue.saveProgress) window.knobsGlue.saveProgress(UTF8ToString(json));
});
EM_JS(char*, js_load_progress, (), {
    var text = (window.knobsGlue && window.knobsGlue.loadProgress) ? window.knobsGlue.loadProgress() : "";
    if (typeof text !== "string") text = "";
    var len = lengthBytesUTF8(text) + 1;
    var ptr = _malloc(len);
    stringToUTF8(text, ptr, len);
    return ptr;
});

// The training worker (web/train-worker.js, managed by the glue): the bytes are copied out of the wasm heap
// before the call returns.
EM_JS(int, js_train_worker_available, (), {
    return (window.knobsGlue && window.knobsGlue.trainWorker && window.knobsGlue.trainWorker.available()) ? 1 : 0;
});
EM_JS(void, js_train_worker_corpus, (unsigned int id, const uint8_t* data, int len), {
    window.knobsGlue.trainWorker.sendCorpus(id >>> 0, HEAPU8.subarray(data, data + len));
});
EM_JS(void, js_train_worker_chunk, (const uint8_t* data, int len), {
    window.knobsGlue.trainWorker.sendChunk(HEAPU8.subarray(data, data + len));
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
// A chunk's result from the training worker, and the worker's failure (training goes back to the frames).
EMSCRIPTEN_KEEPALIVE void knobs_offload_result(const uint8_t* data, int len) {
    // A hidden page pauses training: the result is applied, and the next chunk waits for a visible frame.
    if (data && len > 0)
        g_runner.state.lab.offload_result(std::span<const uint8_t>(data, static_cast<size_t>(len)),
                                          /*send_next=*/g_runner.state.visible);
}
EMSCRIPTEN_KEEPALIVE void knobs_offload_failed() { g_runner.state.lab.offload_failed(); }
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
    // Not glfwSetWindowSize: Emscripten 3.1.6's GLFW turns a size equal to the screen's into a fullscreen
    // request instead of a resize. GLFW picks the new canvas size up through its resize listener.
    if (g_runner.window) EM_ASM({ Browser.setCanvasSize($0, $1); }, px_w, px_h);
}

EMSCRIPTEN_KEEPALIVE void knobs_set_visible(int visible) { g_runner.state.visible = visible != 0; }
EMSCRIPTEN_KEEPALIVE int knobs_wants_wheel() { return knobs::runner_wants_wheel() ? 1 : 0; }
EMSCRIPTEN_KEEPALIVE int knobs_wants_keyboard() {
    return ImGui::GetCurrentContext() && ImGui::GetIO().WantTextInput ? 1 : 0;
}
// Pasted text goes into the active text field; pasted anywhere else it becomes the learner's own corpus.
EMSCRIPTEN_KEEPALIVE void knobs_paste(const char* text) {
    if (!text || !ImGui::GetCurrentContext()) return;
    g_clipboard = text;
    if (ImGui::GetIO().WantTextInput) {
        ImGui::GetIO().AddInputCharactersUTF8(text);
    } else if (*text) {
        const std::string t = text;
        knobs::apply(g_runner.state,
                     knobs::cmd::OpenFile{std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(t.data()), t.size()),
                                          "pasted text", "text"});
    }
}
// Bytes from the page: a file the learner picked or dropped, or the shipped model the page fetched.
// purpose: "weights", "text" or "shipped". Returns 1 on success; the UI shows any error.
EMSCRIPTEN_KEEPALIVE int knobs_open_bytes(const uint8_t* data, int len, const char* name, const char* purpose) {
    if (!data || len < 0) return 0;
    const knobs::CommandResult r = knobs::apply(
        g_runner.state, knobs::cmd::OpenFile{std::span<const uint8_t>(data, static_cast<size_t>(len)), name ? name : "file",
                                             purpose ? purpose : ""});
    return r.ok ? 1 : 0;
}

// The glue's `storage` listener: another tab of this lesson saved its progress.
EMSCRIPTEN_KEEPALIVE void knobs_progress_changed() { knobs::apply(g_runner.state, knobs::cmd::SyncProgress{}); }
EMSCRIPTEN_KEEPALIVE void knobs_context_lost() { g_runner.context_lost = true; }
EMSCRIPTEN_KEEPALIVE void knobs_context_restored() { knobs::runner_context_restored(g_runner); }

// The accessibility mirror (src/ui/a11y.h): ask for a capture, read the last one, activate a control.
EMSCRIPTEN_KEEPALIVE void knobs_a11y_request() { g_runner.state.a11y.capture_requested = true; }
EMSCRIPTEN_KEEPALIVE const char* knobs_a11y_json() {
    g_a11y_json = knobs::a11y_json(g_runner.state);
    return g_a11y_json.c_str();
}
// Returns the activation's number (a capture whose "settled" reaches it shows its effect), 0 if refused.
EMSCRIPTEN_KEEPALIVE int knobs_a11y_activate(unsigned int id, int for_input) {
    return static_cast<int>(knobs::a11y_activate(g_runner.state, id, for_input != 0));
}
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
    s.hooks.pick_file = [](const std::string& purpose) { js_pick_file(purpose.c_str()); };
    s.hooks.copy_link = []() { js_copy_link(); };
    s.hooks.download = [](const std::string& name, const std::vector<uint8_t>& bytes, const std::string& mime) {
        js_download(name.c_str(), bytes.data(), static_cast<int>(bytes.size()), mime.c_str());
    };
    s.hooks.save_progress = [](const std::string& json) { js_save_progress(json.c_str()); };
    s.hooks.load_progress = []() {
        char* p = js_load_progress();
        std::string text = p ? p : "";
        std::free(p);
        return text;
    };

    // Training runs in the worker when the page can start one; the worker itself starts on the first Play.
    if (js_train_worker_available())
        s.lab.set_train_offload({[](uint32_t id, std::span<const uint8_t> text) {
                                     js_train_worker_corpus(id, text.data(), static_cast<int>(text.size()));
                                 },
                                 [](std::span<const uint8_t> request) {
                                     js_train_worker_chunk(request.data(), static_cast<int>(request.size()));
                                 }});

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

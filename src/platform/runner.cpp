#include "platform/runner.h"

#include <cstdio>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include "app/app.h"
#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#include "imgui_internal.h"
#include "platform/heatmap_gl.h"
#include "ui/panels.h"
#include "ui/style.h"

#if defined(__EMSCRIPTEN__)
#include <GLES3/gl3.h>
#else
#include <GL/gl.h>
#endif

namespace knobs {

bool runner_init(Runner& r, int width_px, int height_px, const char* glsl_version) {
    r.glsl_version = glsl_version;
    glfwSetErrorCallback([](int code, const char* msg) { std::fprintf(stderr, "GLFW error %d: %s\n", code, msg); });
    if (!glfwInit()) return false;
#if defined(__EMSCRIPTEN__)
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
#else
    // 4.1 core: the oldest desktop GL whose ImGui shader pins attribute locations, which the heatmap
    // shader relies on (and what macOS offers).
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 4);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 1);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
#endif
    r.window = glfwCreateWindow(width_px, height_px, "Knobs — how a model learns", nullptr, nullptr);
    if (!r.window) return false;
    glfwMakeContextCurrent(r.window);
    glfwSwapInterval(1);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    io.IniFilename = nullptr;  // layout is the app's, not a file's; the browser has no file system anyway
    ImGui_ImplGlfw_InitForOpenGL(r.window, true);
    ImGui_ImplOpenGL3_Init(glsl_version);
    app_init(r.state);
    if (!heatmap_gl_init(r.state, glsl_version))
        std::fprintf(stderr, "knobs: heatmap shader unavailable; heatmaps fall back to drawn cells\n");
    return true;
}

void runner_context_restored(Runner& r) {
    r.context_lost = false;
    ImGui_ImplOpenGL3_DestroyDeviceObjects();
    ImGui_ImplOpenGL3_CreateDeviceObjects();
    heatmap_gl_restore();
}

bool runner_wants_wheel() {
    ImGuiContext* g = ImGui::GetCurrentContext();
    if (!g) return false;
    for (ImGuiWindow* w = g->HoveredWindow; w; w = w->ParentWindow) {
        if (w->ScrollMax.y > 0.0f || w->ScrollMax.x > 0.0f) return true;
        if (!(w->Flags & ImGuiWindowFlags_ChildWindow)) break;
    }
    return false;
}

void runner_frame(Runner& r) {
    glfwPollEvents();
    AppState& s = r.state;
    if (!s.visible || r.context_lost) {
        r.last_frame_start_s = -1;  // the pause is not a frame interval
        return;
    }
    const double frame_start_s = glfwGetTime();

    if (rebuild_fonts_if_needed(s)) {
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    app_update(s, glfwGetTime());
    DrawShell(s);
    app_apply_posted(s);
    ImGui::Render();

    int fb_w = 0, fb_h = 0;
    glfwGetFramebufferSize(r.window, &fb_w, &fb_h);
    glViewport(0, 0, fb_w, fb_h);
    const ImVec4 bg = palette(s.theme).bg;
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    // Measured before the swap: natively it blocks until vsync, which is idle time, not UI work.
    if (r.last_frame_start_s >= 0) {
        const double interval_ms = (frame_start_s - r.last_frame_start_s) * 1000.0;
        const double ui_ms = (glfwGetTime() - frame_start_s) * 1000.0 - s.last_lab_ms;
        s.frame_budget_ms = s.frame_timing.next(interval_ms, ui_ms, s.last_lab_ms > 0.1, s.lab.training_in_worker());
    }
    r.last_frame_start_s = frame_start_s;
    glfwSwapBuffers(r.window);
    s.ready = true;
}

void runner_shutdown(Runner& r) {
    heatmap_gl_shutdown();
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    if (r.window) glfwDestroyWindow(r.window);
    glfwTerminate();
}

}  // namespace knobs

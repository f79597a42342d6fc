// The GLFW + OpenGL 3 / WebGL2 frame shared by the browser and the desktop builds. Each platform's main
// only drives the loop (emscripten_set_main_loop vs. a while loop) and fills in PlatformHooks.
#pragma once
#include "app/app_state.h"

struct GLFWwindow;

namespace knobs {

struct Runner {
    GLFWwindow* window = nullptr;
    AppState state;
    bool context_lost = false;
    const char* glsl_version = "#version 300 es";
    double last_frame_start_s = -1;  // glfwGetTime() when the previous drawn frame began
};

bool runner_init(Runner& r, int width_px, int height_px, const char* glsl_version);
// One frame: input, bounded app work, UI, render. Does nothing but poll while hidden or without a context.
void runner_frame(Runner& r);
void runner_shutdown(Runner& r);
// The GL context came back: recreate the renderer's GPU objects.
void runner_context_restored(Runner& r);
// True when the pointer is over an ImGui area that scrolls (the wheel belongs to the app, not the page).
bool runner_wants_wheel();

}  // namespace knobs

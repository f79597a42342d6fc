// Desktop entry point: the same app in a native GLFW window. Only the loop driver and the hooks differ
// from main_web.cpp.
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <cstdio>

#include "app/commands.h"
#include "platform/runner.h"

int main() {
    static knobs::Runner runner;
    if (!knobs::runner_init(runner, 1280, 800, "#version 410 core")) {
        std::fprintf(stderr, "knobs: could not open an OpenGL 4.1 window (is a display available?)\n");
        return 1;
    }
    auto& s = runner.state;
    s.hooks.copy_text = [](const std::string& text) { glfwSetClipboardString(runner.window, text.c_str()); };
    float xscale = 1, yscale = 1;
    glfwGetWindowContentScale(runner.window, &xscale, &yscale);
    while (!glfwWindowShouldClose(runner.window)) {
        int w = 0, h = 0;
        glfwGetWindowSize(runner.window, &w, &h);
        // On X11 and Windows the window size is in pixels; CSS-like units are pixels / content scale.
        knobs::set_canvas_size(s, w / xscale, h / yscale, xscale);
        knobs::runner_frame(runner);
        if (w == 0 || h == 0) glfwWaitEvents();  // minimised: nothing to draw
    }
    knobs::runner_shutdown(runner);
    return 0;
}

// Draws matrices with the heatmap shader (shaders/heatmap.*) inside ImGui draw lists: the data goes to an
// R32F texture, an ImDrawList callback switches to the heatmap program for one image quad, then back.
#pragma once
#include <string>

namespace knobs {

struct AppState;
// Installs AppState::hooks.heatmap. `glsl_version` is the backend's ("#version 300 es" / "#version 410 core").
bool heatmap_gl_init(AppState& s, const char* glsl_version);
// Recreates GPU objects after a lost WebGL context.
void heatmap_gl_restore();
void heatmap_gl_shutdown();

}  // namespace knobs

#include "platform/heatmap_gl.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "app/app_state.h"
#include "imgui.h"

#if defined(__EMSCRIPTEN__)
#include <GLES3/gl3.h>
#else
#define GL_GLEXT_PROTOTYPES
#include <GL/gl.h>
#include <GL/glext.h>
#endif

extern const unsigned char kHeatmapVert[];
extern const std::size_t kHeatmapVert_size;
extern const unsigned char kHeatmapFrag[];
extern const std::size_t kHeatmapFrag_size;

namespace knobs {

namespace {
struct HeatTexture {
    GLuint id = 0;
    int rows = 0, cols = 0;
    uint64_t version = ~0ull;
    const float* data = nullptr;
    float scale = 1;
};

struct HeatmapGl {
    std::string glsl_version;
    GLuint program = 0;
    GLint loc_proj = -1, loc_values = -1, loc_scale = -1;
    std::map<std::string, HeatTexture> textures;
    HeatTexture* current = nullptr;  // the texture the next callback draws
} g;

GLuint compile(GLenum type, const std::string& src) {
    GLuint sh = glCreateShader(type);
    const char* p = src.c_str();
    glShaderSource(sh, 1, &p, nullptr);
    glCompileShader(sh);
    GLint ok = 0;
    glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[1024];
        glGetShaderInfoLog(sh, sizeof log, nullptr, log);
        std::fprintf(stderr, "heatmap shader: %s\n", log);
        glDeleteShader(sh);
        return 0;
    }
    return sh;
}

bool create_program() {
    const std::string head = g.glsl_version + "\n";
    const std::string vs = head + std::string(reinterpret_cast<const char*>(kHeatmapVert), kHeatmapVert_size);
    const std::string fs = head + std::string(reinterpret_cast<const char*>(kHeatmapFrag), kHeatmapFrag_size);
    GLuint v = compile(GL_VERTEX_SHADER, vs), f = compile(GL_FRAGMENT_SHADER, fs);
    if (!v || !f) return false;
    g.program = glCreateProgram();
    glAttachShader(g.program, v);
    glAttachShader(g.program, f);
    glLinkProgram(g.program);
    glDeleteShader(v);
    glDeleteShader(f);
    GLint ok = 0;
    glGetProgramiv(g.program, GL_LINK_STATUS, &ok);
    if (!ok) return false;
    g.loc_proj = glGetUniformLocation(g.program, "ProjMtx");
    g.loc_values = glGetUniformLocation(g.program, "Values");
    g.loc_scale = glGetUniformLocation(g.program, "Scale");
    return true;
}

void upload(HeatTexture& t) {
    if (!t.id) glGenTextures(1, &t.id);
    glBindTexture(GL_TEXTURE_2D, t.id);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, t.cols, t.rows, 0, GL_RED, GL_FLOAT, t.data);
}

// Runs inside ImGui_ImplOpenGL3_RenderDrawData: switch to the heatmap program for the next quad, keeping
// the projection the backend set up (read back from its program).
void begin_heatmap(const ImDrawList*, const ImDrawCmd* cmd) {
    auto* t = static_cast<HeatTexture*>(cmd->UserCallbackData);
    GLint prev_program = 0;
    glGetIntegerv(GL_CURRENT_PROGRAM, &prev_program);
    float proj[16];
    const GLint backend_proj = glGetUniformLocation(static_cast<GLuint>(prev_program), "ProjMtx");
    glGetUniformfv(static_cast<GLuint>(prev_program), backend_proj, proj);
    glUseProgram(g.program);
    glUniformMatrix4fv(g.loc_proj, 1, GL_FALSE, proj);
    glUniform1i(g.loc_values, 0);
    glUniform1f(g.loc_scale, t->scale);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, t->id);
}
}  // namespace

bool heatmap_gl_init(AppState& s, const char* glsl_version) {
    g.glsl_version = glsl_version;
    if (!create_program()) return false;
    s.hooks.heatmap = [](void* draw_list, const std::string& key, uint64_t version, const float* data, int rows,
                         int cols, float scale, float x0, float y0, float x1, float y1) {
        if (rows <= 0 || cols <= 0 || !data) return;
        HeatTexture& t = g.textures[key];
        if (t.version != version || t.rows != rows || t.cols != cols || t.data != data) {
            t.rows = rows;
            t.cols = cols;
            t.data = data;
            t.version = version;
            upload(t);
        }
        t.scale = scale;
        auto* dl = static_cast<ImDrawList*>(draw_list);
        dl->AddCallback(begin_heatmap, &t);
        dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(t.id)), ImVec2(x0, y0), ImVec2(x1, y1));
        dl->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
    };
    return true;
}

void heatmap_gl_restore() {
    g.program = 0;
    for (auto& [key, t] : g.textures) t = HeatTexture{};
    create_program();
}

void heatmap_gl_shutdown() {
    for (auto& [key, t] : g.textures)
        if (t.id) glDeleteTextures(1, &t.id);
    g.textures.clear();
    if (g.program) glDeleteProgram(g.program);
    g.program = 0;
}

}  // namespace knobs

// The layers, checked on the source: the UI (src/ui) reads the state and posts commands; it never includes
// the engine's headers, never calls a function of src/app that changes the state, and writes no field of
// AppState except its own frame output. The build keeps src/app from including src/ui (knobs_app does not
// link ImGui); this test keeps the other direction honest, since C++ cannot make a panel's AppState& const
// while it still records its hit rectangles.
#include "catch_amalgamated.hpp"
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
const fs::path kSource = KNOBS_SOURCE_DIR;

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Comments and string literals blanked out, so a comment that names lab.play() is not a call.
std::string code_only(const std::string& text) {
    std::string out = text;
    enum { code, line_comment, block_comment, string_lit, char_lit } mode = code;
    for (size_t i = 0; i < out.size(); ++i) {
        const char c = out[i], next = i + 1 < out.size() ? out[i + 1] : '\0';
        switch (mode) {
            case code:
                if (c == '/' && next == '/') mode = line_comment;
                else if (c == '/' && next == '*') mode = block_comment;
                else if (c == '"') mode = string_lit;
                else if (c == '\'') mode = char_lit;
                break;
            case line_comment:
                if (c == '\n') mode = code;
                else out[i] = ' ';
                break;
            case block_comment:
                if (c == '*' && next == '/') {
                    out[i] = out[i + 1] = ' ';
                    ++i;
                    mode = code;
                } else if (c != '\n') {
                    out[i] = ' ';
                }
                break;
            case string_lit:
            case char_lit:
                if (c == '\\') {
                    out[i] = ' ';
                    if (i + 1 < out.size()) out[++i] = ' ';
                } else if (c == (mode == string_lit ? '"' : '\'')) {
                    mode = code;
                } else {
                    out[i] = ' ';
                }
                break;
        }
    }
    return out;
}

struct Source {
    std::string name;
    std::string code;  // comments and strings blanked
    std::string text;  // as written (for #include lines)
};

std::vector<Source> ui_sources() {
    std::vector<Source> files;
    for (const auto& entry : fs::directory_iterator(kSource / "src/ui")) {
        if (!entry.is_regular_file()) continue;
        const std::string ext = entry.path().extension().string();
        if (ext != ".cpp" && ext != ".h") continue;
        const std::string text = read_file(entry.path());
        files.push_back({entry.path().filename().string(), code_only(text), text});
    }
    REQUIRE(files.size() > 10);
    return files;
}

// Every function src/app declares with a non-const AppState& parameter changes the state: the UI may not
// call one. Read from the headers, so a new one is covered the day it is declared.
std::set<std::string> app_state_mutators() {
    std::set<std::string> names;
    const std::regex decl(R"(([A-Za-z_][A-Za-z_0-9]*)\s*\(\s*AppState\s*&)");
    for (const auto& entry : fs::directory_iterator(kSource / "src/app")) {
        if (entry.path().extension() != ".h") continue;
        const std::string code = code_only(read_file(entry.path()));
        for (std::sregex_iterator it(code.begin(), code.end(), decl), end; it != end; ++it) names.insert((*it)[1]);
    }
    names.erase("post");  // AppState::post is how the UI hands over its commands (a member, not a free function)
    return names;
}

// The Lab's methods that are not const, read from lab.h.
std::set<std::string> lab_mutators() {
    const std::string code = code_only(read_file(kSource / "src/app/lab.h"));
    const size_t begin = code.find("class Lab {");
    REQUIRE(begin != std::string::npos);
    const size_t end = code.find("\n};", begin);
    const std::string body = code.substr(begin, end - begin);
    std::set<std::string> names;
    const std::regex method(R"(\n\s+(?:[A-Za-z_:<>,&\s\*]+\s)?&?([a-z_][a-z_0-9]*)\(([^;{]*)\)\s*(const)?[^;{]*[;{])");
    for (std::sregex_iterator it(body.begin(), body.end(), method), stop; it != stop; ++it)
        if (!(*it)[3].matched) names.insert((*it)[1]);
    return names;
}

// The patterns, named once: the rules below use them, and "the checks above can fail" proves they match.
// s.field = ..., s.field.x += ..., s.field[i] = ...
const std::regex kAssign(R"(\bs\.([a-z_][a-z_0-9]*)(?:(?:\.[a-z_][a-z_0-9]*)|(?:\[[^\]]*\]))*\s*(?:[-+*/|&]?=(?!=)|\+\+|--))");
const std::regex kIncrement(R"((?:\+\+|--)\s*s\.([a-z_][a-z_0-9]*))");
// &s.field bound to a widget: an address taken as an argument or a value (not "x && s.field").
const std::regex kAddress(R"([(,=]\s*&\s*s\.([a-z_][a-z_0-9]*))");
// A reference taken to a part of the state: "LessonState& L = s.lesson;" (a const one is fine).
const std::regex kStateRef(R"((const\s+)?\b[A-Z][A-Za-z_0-9:<>]*\s*&\s*[A-Za-z_][A-Za-z_0-9]*\s*=\s*s\.([a-z_][a-z_0-9]*))");
// The fields that non-const references are taken to.
std::vector<std::string> mutable_refs(const std::string& code) {
    std::vector<std::string> fields;
    for (std::sregex_iterator it(code.begin(), code.end(), kStateRef), end; it != end; ++it)
        if (!(*it)[1].matched) fields.push_back((*it)[2]);
    return fields;
}
std::regex free_call(const std::string& name) { return std::regex("(^|[^A-Za-z_0-9.>:])" + name + R"(\s*\()"); }
std::regex lab_call(const std::string& name) { return std::regex(R"(\blab\s*(\.|->)\s*)" + name + R"(\s*\()"); }

// AppState fields the UI writes as its own frame output (what it measured or drew), never a learner's state.
const std::set<std::string> kFrameOutputs = {
    "hits", "a11y", "anim", "content_height_css", "fonts_dirty", "requested_tab", "requested_side_tab",
};

}  // namespace

TEST_CASE("[layers] the UI includes no engine header", "[layers]") {
    const std::regex include(R"(#include\s+"core/)");
    for (const Source& f : ui_sources()) {
        INFO(f.name);
        CHECK_FALSE(std::regex_search(f.text, include));
    }
}

TEST_CASE("[layers] the UI calls no function of src/app that changes the state", "[layers]") {
    const std::set<std::string> mutators = app_state_mutators();
    // The list is read from the headers; these must be in it, or the reading is broken.
    for (const char* known : {"apply", "run_command", "ensure_lesson", "show_demo", "lesson_quiz_check", "set_language",
                              "open_panel", "load_preset", "sync_training_settings", "store_setting"})
        REQUIRE(mutators.count(known) == 1);
    for (const Source& f : ui_sources()) {
        for (const std::string& name : mutators) {
            INFO(f.name << " calls " << name << "()");
            CHECK_FALSE(std::regex_search(f.code, free_call(name)));
        }
    }
}

TEST_CASE("[layers] the UI calls no Lab method that is not const", "[layers]") {
    const std::set<std::string> mutators = lab_mutators();
    for (const char* known : {"play", "pause", "step_once", "reset", "apply_settings", "generate", "start_finetune", "open"})
        REQUIRE(mutators.count(known) == 1);
    REQUIRE(mutators.count("pretrain") == 0);  // a const view: reading it is the point
    for (const Source& f : ui_sources()) {
        for (const std::string& name : mutators) {
            INFO(f.name << " calls Lab::" << name << "()");
            CHECK_FALSE(std::regex_search(f.code, lab_call(name)));
        }
    }
}

TEST_CASE("[layers] the UI writes no AppState field but its frame output", "[layers]") {
    for (const Source& f : ui_sources()) {
        for (const std::regex* r : {&kAssign, &kIncrement, &kAddress}) {
            for (std::sregex_iterator it(f.code.begin(), f.code.end(), *r), end; it != end; ++it) {
                const std::string field = (*it)[1];
                INFO(f.name << ": writes s." << field << " (" << it->str() << ")");
                CHECK(kFrameOutputs.count(field) == 1);
            }
        }
        for (const std::string& field : mutable_refs(f.code)) {
            INFO(f.name << ": takes a mutable reference to s." << field);
            CHECK(kFrameOutputs.count(field) == 1);
        }
    }
}

TEST_CASE("[layers] the checks above can fail", "[layers]") {
    // The same patterns on lines that break each rule, so a pattern that silently matches nothing fails here.
    const std::string bad = code_only(R"(
        s.lab_ui.editing.lr = 3;
        ImGui::Checkbox("x", &s.lab_ui.log_y);
        LessonState& L = s.lesson;
        s.lab.play();
        ensure_lesson(s);
    )");
    CHECK(std::regex_search(bad, kAssign));
    CHECK(std::regex_search(bad, kAddress));
    CHECK(mutable_refs(bad) == std::vector<std::string>{"lesson"});
    CHECK(mutable_refs(code_only("const LessonState& L = s.lesson;")).empty());
    CHECK(std::regex_search(bad, lab_call("play")));
    CHECK(std::regex_search(bad, free_call("ensure_lesson")));
    CHECK(std::regex_search(code_only("++s.frame;"), kIncrement));
    CHECK_FALSE(std::regex_search(code_only("if (ready && s.frame > 2)"), kAddress));
    // A comment or a string that mentions a call is not one.
    const std::string quiet = code_only("// s.lab.play() would\nconst char* t = \"ensure_lesson(s)\";");
    CHECK_FALSE(std::regex_search(quiet, lab_call("play")));
    CHECK_FALSE(std::regex_search(quiet, free_call("ensure_lesson")));
}

// The built `knobs` program (KNOBS_CLI) run on hostile files and arguments: what it prints must be plain
// text (no control byte from a file or a model reaches the terminal), a file it cannot use gets one plain
// sentence, and no NaN is ever printed as a result.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "catch_amalgamated.hpp"
#include "core/checksum.h"
#include "core/utf8.h"
#include "core/weights_file.h"

using namespace knobs;
using Catch::Matchers::ContainsSubstring;
namespace fs = std::filesystem;

namespace {

struct Run {
    int code = -1;
    std::string out, err;
};

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

// A folder of its own per test case, removed at the end. Named by the test, not numbered: a test case with
// GENERATE runs again for each value with the values made on its first run, paths included.
struct Scratch {
    fs::path dir;
    explicit Scratch(const std::string& name) {
        dir = fs::temp_directory_path() / ("knobs-cli-test-" + std::to_string(::getpid()) + "-" + name);
        fs::create_directories(dir);
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    fs::path operator/(const std::string& name) const { return dir / name; }

    // Runs knobs with `args` (each passed as one argument, whatever bytes it holds).
    Run knobs(const std::vector<std::string>& args) const {
        std::string cmd = "'" KNOBS_CLI "'";
        for (const std::string& a : args) {
            std::string quoted = "'";
            for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
            cmd += " " + quoted + "'";
        }
        const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
        cmd += " >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
        const int status = std::system(cmd.c_str());
        Run r;
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = slurp(out);
        r.err = slurp(err);
        return r;
    }
};

// No byte a terminal could obey: line ends are the program's own, everything else must be plain.
bool plain(const std::string& s) {
    std::string without_newlines = s;
    std::replace(without_newlines.begin(), without_newlines.end(), '\n', ' ');
    return first_control_character(without_newlines) == std::string_view::npos;
}

void write(const fs::path& p, const std::vector<uint8_t>& bytes) {
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void put64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
// Both checksums recomputed after an edit, as a forger would (docs/weights-format.md).
void reseal(std::vector<uint8_t>& b) {
    constexpr size_t kHeaderChecksum = 120;
    put64(b, kHeaderChecksum, checksum64(b.data(), kHeaderChecksum));
    put64(b, b.size() - 8, checksum64(b.data(), b.size() - 8));
}

const ModelConfig kTiny{1, 1, 16, 16};

WeightsFile small_model(float value) {
    WeightsFile f;
    f.config = kTiny;
    f.params.assign(param_count(kTiny), value);
    f.meta.corpus_id = "english-v2:seed=1";
    return f;
}

// A model whose most likely next byte is always ESC (0x1B): the final LayerNorm gives its bias, all ones,
// and the output head (tied to the token embedding) scores only ESC's row against it.
WeightsFile escape_emitting_model() {
    WeightsFile f = small_model(0.0f);
    const ParamLayout layout = param_layout(kTiny);
    const size_t C = static_cast<size_t>(kTiny.n_embd);
    std::fill_n(f.params.begin() + static_cast<long>(layout.offset[static_cast<int>(Tensor::lnfb)]), C, 1.0f);
    std::fill_n(f.params.begin() + static_cast<long>(layout.offset[static_cast<int>(Tensor::wte)] + 0x1B * C), C, 1.0f);
    return f;
}

}  // namespace

TEST_CASE("[cli] knobs info prints no control byte from a weights file's names", "[cli]") {
    Scratch s("info");
    WeightsFile f = small_model(0.01f);
    const std::string evil = "\x1B]0;owned\x07\x1B[2J\xC2\x9B" "31m";
    f.meta.corpus_id.assign(evil.size(), 'x');  // the writer refuses the real name: patched in below
    std::vector<uint8_t> b = save_weights(f);
    REQUIRE_FALSE(b.empty());
    std::copy(evil.begin(), evil.end(), b.begin() + static_cast<long>(kWeightsHeaderBytes + f.tokenizer_id.size()));
    reseal(b);
    // The file's own name is hostile too: a name in a folder is as much data as the bytes inside.
    const std::string name = "evil\x1B[31m.knobs";
    write(s / name, b);

    const Run r = s.knobs({"info", (s / name).string()});
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK(plain(r.out));
    CHECK(plain(r.err));
    CHECK_THAT(r.err, ContainsSubstring("corpus_id") && ContainsSubstring("control character 0x1B") &&
                          ContainsSubstring("evil\\x1B[31m.knobs") && ContainsSubstring("(bad_header)"));

    // A clean file lists its fields; its name is still escaped.
    write(s / name, save_weights(small_model(0.01f)));
    const Run ok = s.knobs({"info", (s / name).string()});
    CHECK(ok.code == 0);
    CHECK(plain(ok.out));
    CHECK_THAT(ok.out, ContainsSubstring("english-v2:seed=1") && ContainsSubstring("evil\\x1B[31m.knobs"));
    const Run raw = s.knobs({"info", (s / name).string(), "--raw"});
    CHECK(raw.code == 0);
    CHECK_THAT(raw.out, ContainsSubstring(name));  // --raw: the bytes as they are
}

TEST_CASE("[cli] knobs sample escapes the control bytes a model emits", "[cli]") {
    Scratch s("sample");
    std::string error;
    const std::vector<uint8_t> b = save_weights(escape_emitting_model(), &error);
    REQUIRE(error.empty());
    write(s / "esc.knobs", b);

    const Run r = s.knobs({"sample", (s / "esc.knobs").string(), "--greedy", "--tokens", "8", "--prompt", "say \x1B[5m"});
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(plain(r.out));
    std::string escaped_esc;
    for (int i = 0; i < 8; ++i) escaped_esc += "\\x1B";
    CHECK(r.out == "say \\x1B[5m" + escaped_esc + "\n");

    const Run raw = s.knobs({"sample", (s / "esc.knobs").string(), "--greedy", "--tokens", "8", "--raw"});
    CHECK(raw.code == 0);
    CHECK(raw.out == std::string(8, '\x1B') + "\n");
}

TEST_CASE("[cli] a model that overflows is refused, and no NaN is printed", "[cli]") {
    Scratch s("overflow");
    // Every parameter 3e38: finite floats, so only the loader's forward probe can tell. (Written through the
    // byte layout, since the writer refuses it.)
    std::vector<uint8_t> b = save_weights(small_model(1.0f));
    REQUIRE_FALSE(b.empty());
    const size_t params_at = b.size() - 8 - 4 * param_count(kTiny);
    for (size_t i = 0; i < param_count(kTiny); ++i) {
        const uint32_t bits = 0x7F61B1E6u;  // 3.0e38f
        for (int k = 0; k < 4; ++k) b[params_at + 4 * i + k] = static_cast<uint8_t>(bits >> (8 * k));
    }
    reseal(b);
    write(s / "huge.knobs", b);
    write(s / "text.txt", std::vector<uint8_t>(200, 'a'));

    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"eval", (s / "huge.knobs").string(), (s / "text.txt").string()},
          std::vector<std::string>{"sample", (s / "huge.knobs").string(), "--tokens", "5"},
          std::vector<std::string>{"grammar", (s / "huge.knobs").string(), "--seeds", "1"},
          std::vector<std::string>{"info", (s / "huge.knobs").string()}}) {
        const Run r = s.knobs(args);
        INFO(args[0] << ": " << r.out << r.err);
        CHECK(r.code == 1);
        CHECK(r.out.empty());
        CHECK_THAT(r.err, ContainsSubstring("overflows"));
        CHECK_THAT(r.err + r.out, !ContainsSubstring("nan") && !ContainsSubstring("NaN"));
    }
}

TEST_CASE("[cli] files that are not regular files of a sane size get one plain sentence", "[cli]") {
    struct Case {
        std::vector<std::string> args;  // "@name": the file `name` in the test's folder
        std::string says;
    };
    // First, before the folder exists: a test case runs again for each value of a GENERATE.
    const Case c = GENERATE(
        Case{{"info", "@folder"}, "is a directory, not a weights file"},
        Case{{"info", "/dev/zero"}, "\"/dev/zero\" is not a regular file (a device, a pipe or a socket?), so it is not read as a weights file"},
        Case{{"sample", "@missing.knobs"}, "missing.knobs\": No such file or directory"},
        Case{{"info", "@big.knobs"}, "big.knobs\" is " + std::to_string(kMaxWeightsFileBytes + 1) +
                                         " bytes; a weights file is at most " + std::to_string(kMaxWeightsFileBytes) + " bytes"},
        Case{{"eval", "@model.knobs", "/dev/zero"}, "\"/dev/zero\" is not a regular file"},
        Case{{"eval", "@model.knobs", "@folder"}, "is a directory, not a text file"},
        Case{{"eval", "@model.knobs", "@big.txt"}, "big.txt\" is " + std::to_string(kMaxUserTextBytes + 1) +
                                                       " bytes; a text file is at most " + std::to_string(kMaxUserTextBytes) + " bytes"},
        Case{{"train", "--corpus", "/dev/zero", "--out", "@out.knobs"}, "\"/dev/zero\" is not a regular file"},
        Case{{"train", "--corpus", "@folder", "--out", "@out.knobs"}, "is a directory, not a text file"});
    Scratch s("files");
    fs::create_directories(s / "folder");
    write(s / "model.knobs", save_weights(small_model(0.01f)));
    for (const auto& [name, size] : {std::pair{"big.txt", kMaxUserTextBytes + 1}, std::pair{"big.knobs", kMaxWeightsFileBytes + 1}}) {
        std::ofstream(s / name).close();
        fs::resize_file(s / name, size);  // sparse: costs no disk
    }
    std::vector<std::string> args = c.args;
    for (std::string& a : args)
        if (a[0] == '@') a = (s / a.substr(1)).string();
    INFO(args[0] << " " << args[1]);
    const Run r = s.knobs(args);
    INFO(r.err);
    CHECK(r.code == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, ContainsSubstring(c.says));
    CHECK(r.err.rfind("knobs: ", 0) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one sentence, no exception text
    CHECK_FALSE(fs::exists(s / "out.knobs"));
}

TEST_CASE("[cli] train checks --out before the first step", "[cli]") {
    const std::string out = GENERATE("folder", "no-such-folder/m.knobs");
    Scratch s("out");
    fs::create_directories(s / "folder");
    const Run r = s.knobs({"train", "--layers", "1", "--width", "16", "--context", "16", "--steps", "10", "--out", (s / out).string()});
    INFO(r.err);
    CHECK(r.code == 1);
    CHECK(r.out.empty());  // not even "training ..."
    CHECK_THAT(r.err, ContainsSubstring(out == "folder" ? "is a directory; --out names the file to write"
                                                        : "no-such-folder/m.knobs\": No such file or directory"));
}

TEST_CASE("[cli] train stops on divergence with the step and the loss, and writes nothing", "[cli]") {
    Scratch s("diverge");
    const std::string out = (s / "m.knobs").string();
    const Run r = s.knobs({"train", "--layers", "1", "--heads", "1", "--width", "16", "--context", "16", "--steps", "200",
                           "--warmup", "0", "--lr", "10", "--batch", "2", "--quiet", "--out", out});
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK_THAT(r.err, ContainsSubstring("knobs: step ") &&
                          (ContainsSubstring("the loss exploded to ") || ContainsSubstring("became infinite or NaN")));
    CHECK_FALSE(fs::exists(out));
}

TEST_CASE("[cli] bad arguments exit 2 with the value and the range", "[cli]") {
    Scratch s("args");
    const Run r = s.knobs({"train", "--batch", "1e9", "--out", (s / "m.knobs").string()});
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("knobs: --batch must be a whole number from 1 to 64, not \"1e9\"\nusage:", 0) == 0);
    const Run help = s.knobs({"--help"});
    CHECK(help.code == 0);
    CHECK(help.out.rfind("usage:", 0) == 0);
}

TEST_CASE("[cli] train refuses a corpus file whose name the weights file could not store, before training", "[cli]") {
    Scratch s("corpus-name");
    const std::string name = "notes\x1B[8m.txt";
    std::string text;
    for (int i = 0; i < 200; ++i) text += "the dog sees the cat.\n";
    write(s / name, std::vector<uint8_t>(text.begin(), text.end()));
    const Run r = s.knobs({"train", "--layers", "1", "--width", "16", "--context", "16", "--steps", "10", "--corpus",
                           (s / name).string(), "--out", (s / "m.knobs").string()});
    INFO(r.err);
    CHECK(r.code == 1);
    CHECK(r.out.empty());
    CHECK(plain(r.err));
    CHECK_THAT(r.err, ContainsSubstring("notes\\x1B[8m.txt\": the corpus name contains the control character 0x1B at byte 5"));
    CHECK_FALSE(fs::exists(s / "m.knobs"));
}

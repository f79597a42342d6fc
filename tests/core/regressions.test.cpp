// Inputs from fuzzing, replayed on every test run (natively, under the sanitizers and in wasm).
//
// Every input that once broke a fuzz target is kept in the target's committed corpus,
// fuzz/corpus/<target>/ (named regression-*), next to the seeds. The core targets' own source is compiled
// in here, so each file goes through exactly the checks the fuzzer applies — with FUZZ_REQUIRE reporting a
// test failure instead of aborting. Inputs that break app-level code (links, commands) cannot be linked
// into the core tests; they are replayed in tests/ui/bad_inputs.test.cpp ("[regression]").
//
// Found and fixed so far (see docs/bad-inputs.md, "Fuzzing"):
//   fuzz_url  regression-key-without-value.txt: a link key without "=" was echoed raw in its notice, so
//             bytes that are not UTF-8 (or control characters) reached the screen; fixed in url_state.cpp.
// Everything the included targets include comes first, at global scope: inside the namespaces below,
// those includes are then no-ops.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catch_amalgamated.hpp"
#include "core/checksum.h"
#include "core/corpus.h"
#include "core/utf8.h"
#include "core/weights_file.h"

#define FUZZ_REQUIRE(condition, what) \
    do {                              \
        INFO(what);                   \
        REQUIRE(static_cast<bool>(condition)); \
    } while (0)
#include "../../fuzz/fuzz_check.h"  // keeps the definition above

// Each target under its own name and namespace, so both fit in one test file.
#define LLVMFuzzerTestOneInput fuzz_weights_one_input
namespace replay_weights {
#include "../../fuzz/fuzz_weights.cpp"
}  // namespace replay_weights
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_text_one_input
namespace replay_text {
#include "../../fuzz/fuzz_text.cpp"
}  // namespace replay_text
#undef LLVMFuzzerTestOneInput

using namespace knobs;

namespace {

namespace fs = std::filesystem;

struct CorpusFile {
    std::string name;
    std::vector<uint8_t> bytes;
};

std::vector<CorpusFile> corpus_of(const char* target) {
    const fs::path dir = fs::path(KNOBS_SOURCE_DIR) / "fuzz" / "corpus" / target;
    std::vector<CorpusFile> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        files.push_back({entry.path().filename().string(),
                         std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())});
    }
    std::sort(files.begin(), files.end(), [](const CorpusFile& a, const CorpusFile& b) { return a.name < b.name; });
    return files;
}

}  // namespace

TEST_CASE("[core] regressions: the weights-file corpus passes the fuzz_weights checks", "[core][regression]") {
    const std::vector<CorpusFile> files = corpus_of("fuzz_weights");
    REQUIRE(files.size() >= 3);  // the seeds at least: an empty folder would make this test vacuous
    size_t loaded = 0;
    for (const CorpusFile& f : files) {
        INFO("fuzz/corpus/fuzz_weights/" << f.name);
        replay_weights::fuzz_weights_one_input(f.bytes.data(), f.bytes.size());
        loaded += load_weights(f.bytes).ok();
    }
    CHECK(loaded >= 2);  // the valid seeds (plain and LoRA) really reach the save-back check
}

TEST_CASE("[core] regressions: the text corpus passes the fuzz_text checks", "[core][regression]") {
    const std::vector<CorpusFile> files = corpus_of("fuzz_text");
    REQUIRE(files.size() >= 3);
    for (const CorpusFile& f : files) {
        INFO("fuzz/corpus/fuzz_text/" << f.name);
        replay_text::fuzz_text_one_input(f.bytes.data(), f.bytes.size());
    }
}

TEST_CASE("[core] regressions: the replayed checks reach the deep paths", "[core][regression]") {
    // The replay above would pass vacuously if no input got past the first refusal; these inputs are built
    // to take the deep paths (a loadable file saved back byte for byte, a text split into a corpus).
    SECTION("a valid weights file runs the save-back comparison") {
        WeightsFile file;
        file.config = {1, 1, 16, 16};
        file.params.assign(param_count(file.config), 0.25f);
        const std::vector<uint8_t> bytes = save_weights(file);
        REQUIRE(load_weights(bytes).ok());
        replay_weights::fuzz_weights_one_input(bytes.data(), bytes.size());
    }
    SECTION("a text long enough for a context-3 corpus with a validation part") {
        std::string input = {static_cast<char>(3), static_cast<char>(60), static_cast<char>(0x55)};
        input += "one line of text\nanother line of text\na third line\n";
        const CorpusResult r = make_text_corpus("fuzz", input.substr(3), 60 / 255.0 * 0.6, 3);
        REQUIRE(r.ok());
        replay_text::fuzz_text_one_input(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    }
}

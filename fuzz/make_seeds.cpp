// Writes the committed seed corpora, fuzz/corpus/<target>/, from the real builders (save_weights, the
// grammar, the embedded lesson content, the app's own ids), so every seed is a valid input of today's
// formats plus a few typical broken ones. Rerun after a format change:
//   build/fuzz/fuzz/knobs_fuzz_seeds fuzz/corpus
// Seeds are deliberately tiny: libFuzzer mutates them, and long seeds mostly waste mutations on prose.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/commands.h"
#include "app/presets.h"
#include "app/url_state.h"
#include "core/corpus.h"
#include "core/rng.h"
#include "core/weights_file.h"
#include "lesson/content.h"
#include "small_content.h"

using namespace knobs;
namespace fs = std::filesystem;

namespace {

bool write(const fs::path& path, const void* data, size_t size) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) {
        std::fprintf(stderr, "cannot write %s\n", path.c_str());
        return false;
    }
    std::printf("%8zu  %s\n", size, path.c_str());
    return true;
}
bool write(const fs::path& path, const std::string& text) { return write(path, text.data(), text.size()); }
bool write(const fs::path& path, const std::vector<uint8_t>& bytes) { return write(path, bytes.data(), bytes.size()); }

// The smallest model config.h allows: 7,664 parameters, a 30 KB file.
WeightsFile small_model(bool with_lora) {
    const ModelConfig cfg{kMinLayers, kMinHeads, kMinWidth, kMinContext};
    Rng rng(7);
    WeightsFile f;
    f.config = cfg;
    f.params.resize(param_count(cfg));
    for (float& p : f.params) p = 0.02f * rng.normal();
    f.meta = {120, 120 * 16 * 16, "english-v1:seed=7", 7, 0};
    if (with_lora) {
        LoraSection l;
        l.rank = 1;
        l.alpha = 2.0f;
        l.params.resize(lora_param_count(cfg, l.rank));
        for (float& p : l.params) p = 0.01f * rng.normal();
        l.base_checksum = weights_checksum(f.params);
        f.meta.base_checksum = l.base_checksum;  // the adapter was tuned from exactly these weights
        f.lora = std::move(l);
    }
    return f;
}

bool weights_seeds(const fs::path& dir) {
    const std::vector<uint8_t> plain = save_weights(small_model(false));
    const std::vector<uint8_t> lora = save_weights(small_model(true));
    if (plain.empty() || lora.empty()) return false;
    const std::vector<uint8_t> header_only(plain.begin(), plain.begin() + kWeightsMinFileBytes);
    return write(dir / "plain.knbw", plain) && write(dir / "lora.knbw", lora) && write(dir / "header-only.knbw", header_only);
}

// fuzz_text reads three parameter bytes (context, validation share, chunking) before the text.
std::string text_seed(uint8_t context, uint8_t share, uint8_t chunking, const std::string& text) {
    return std::string{static_cast<char>(context), static_cast<char>(share), static_cast<char>(chunking)} + text;
}

bool text_seeds(const fs::path& dir) {
    return write(dir / "english.txt", text_seed(16, 40, 0x5A, generate_text(Language::english, 1, 300))) &&
           write(dir / "portuguese.txt", text_seed(8, 60, 0x33, generate_text(Language::portuguese, 2, 300))) &&
           write(dir / "crlf-bom.txt", text_seed(4, 0, 1, "\xEF\xBB\xBFline one\r\nline two\rline three\n\tend\f")) &&
           write(dir / "latin1.txt", text_seed(4, 30, 2, "caf\xE9 com a\xE7\xFA" "car\n")) &&
           write(dir / "emoji-cut.txt", text_seed(2, 90, 7, "ok \xF0\x9F\x98\x80 \xE2\x82\xAC \xC3\xA7\xF0\x9F\x98")) &&
           write(dir / "binary.txt", std::string("\x10\x20\x30\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 19));
}

bool content_seeds(const fs::path& dir) {
    const std::string en = fuzzing::small_content(lesson::embedded_content_text("en"));
    const std::string pt = fuzzing::small_content(lesson::embedded_content_text("pt-BR"));
    if (en.empty() || pt.empty()) return false;
    // A translation with one UI string missing: the most common authoring mistake.
    std::string pt_missing = pt;
    if (const size_t at = pt_missing.find("\"button_check\""); at != std::string::npos) pt_missing.replace(at, 14, "\"button_chekc\"");
    return write(dir / "small-en.json", en) && write(dir / "small-pt-BR.json", pt) &&
           write(dir / "small-pt-BR-typo.json", pt_missing) &&
           write(dir / "broken.json", std::string("{\"format\": 1, \"language\": {\"code\": \"en\", \"name\": \"E\"}, \"title\": ["));
}

bool command_seeds(const fs::path& dir) {
    AppState s;
    app_init(s);
    LessonState& L = ensure_lesson(s);
    if (!L.quiz || !L.matching) return false;
    // Quiz: answer the first two questions (the first right, the second with its first option), look at the
    // solution, retry the wrong ones.
    std::string quiz;
    const lesson::Content& c = L.library->languages.front();
    for (size_t q = 0; q < 2 && q < c.quiz.size(); ++q) {
        const lesson::QuizQuestion& question = c.quiz[q];
        std::string option = question.options.front().id;
        if (q == 0)
            for (const auto& o : question.options)
                if (o.correct) option = o.id;
        quiz += "{\"cmd\":\"quiz_select\",\"question\":\"" + question.id + "\",\"option\":\"" + option + "\"}\n";
        quiz += "{\"cmd\":\"quiz_check\",\"question\":\"" + question.id + "\"}\n";
    }
    quiz += "{\"cmd\":\"quiz_show_solution\"}\n{\"cmd\":\"quiz_retry_wrong\"}\n{\"cmd\":\"quiz_go_to\",\"question\":\"" +
            c.quiz.back().id + "\"}\n{\"cmd\":\"quiz_check\"}";
    // Matching: the first round's cards as the app names them; a right pair, then a wrong one.
    const lesson::MatchingGame& g = *L.matching;
    const std::string a = g.pair_id(0), b = g.pair_id(1);
    const std::string match = "{\"cmd\":\"match_tap\",\"id\":\"term." + a + "\"}\n{\"cmd\":\"match_tap\",\"id\":\"def." + a +
                              "\"}\n{\"cmd\":\"match_tap\",\"id\":\"term." + b + "\"}\n{\"cmd\":\"match_tap\",\"id\":\"def." + a +
                              "\"}\n{\"cmd\":\"match_retry\"}\n{\"cmd\":\"match_new_round\"}";
    const std::string shell =
        "{\"cmd\":\"set_theme\",\"theme\":\"light\"}\n{\"cmd\":\"set_lang\",\"lang\":\"pt-BR\"}\n"
        "{\"cmd\":\"open_panel\",\"panel\":\"" + std::string(panel_key(PanelId::finetune)) + "\"}\n"
        "{\"cmd\":\"set_ui_scale\",\"scale\":1.5}\n{\"cmd\":\"set_pointer\",\"coarse\":true}\n{\"cmd\":\"toggle_help\"}\n"
        "{\"cmd\":\"lifecycle_select\",\"stage\":\"" + c.stages.front().id + "\"}\n{\"cmd\":\"show_me\",\"demo\":\"lora\"}\n"
        "{\"cmd\":\"reset_progress\"}";
    const std::string refused =
        "{\"cmd\":\"set_theme\",\"theme\":7}\n{\"cmd\":\"set_lang\",\"lang\":\"xx\"}\n[1,2]\n{\"cmd\":\"launch\"}\n"
        "{\"cmd\":\"quiz_select\",\"question\":\"nope\",\"option\":\"x\"}\n{\"cmd\":\"match_tap\",\"id\":\"term.nope\"}\n"
        "{\"cmd\":\"set_ui_scale\",\"scale\":1e309}\n{\"cmd\":\"set_theme\",\"theme\":\"dark\",\"theme\":\"light\"}";
    // Links through the command surface; groups that start no training, so each run stays fast.
    const std::string links =
        "{\"cmd\":\"load_link\",\"fragment\":\"#v=2&theme=light&prompt=o%20gato&temp=0.5&hide=faq\"}\n{\"cmd\":\"link\"}\n"
        "{\"cmd\":\"load_preset\",\"id\":\"temperature\"}\n{\"cmd\":\"load_link\",\"fragment\":\"#v=2&lr=-1&v=x\"}\n"
        "{\"cmd\":\"load_preset\",\"id\":\"nope\"}";
    return write(dir / "quiz.txt", quiz) && write(dir / "matching.txt", match) && write(dir / "shell.txt", shell) &&
           write(dir / "refused.txt", refused) && write(dir / "links.txt", links);
}

bool url_seeds(const fs::path& dir) {
    // Every shipped preset (the links the app itself writes), one link with every group, a v=1 link and a
    // messy one with the kinds of damage docs/bad-inputs.md lists.
    for (const Preset& p : presets())
        if (!write(dir / ("preset-" + p.id + ".txt"), p.fragment)) return false;
    UrlState all;
    all.lesson_panel = PanelId::quiz;
    all.lab_panel = PanelId::finetune;
    all.lang = "pt-BR";
    all.theme = Theme::light;
    all.size = SizePreset::custom;
    all.layers = 3;
    all.heads = 2;
    all.width = 48;
    all.context = 96;
    all.corpus = CorpusChoice::user;
    all.corpus_url = "texts/poems.txt";
    all.lr = 0.0123f;
    all.seed = 99;
    all.prompt = "o gato \xC3\xA9 ";
    all.temp = 0.25f;
    all.topk = 12;
    all.chat = true;
    all.tensor = Tensor::fcw;
    all.ft_lora = false;
    all.alpha = 3.5f;
    all.embed = true;
    all.hide = std::vector<PanelId>{PanelId::faq, PanelId::cost};
    all.lock = std::vector<std::string>{"lr", "size"};
    all.host = "https://example.org";
    return write(dir / "everything.txt", encode_fragment(all)) &&
           write(dir / "v1.txt", std::string("#v=1&tab=pretrain&model=small&data=english&lr=30&bs=8&t=0.8&k=5&n=50")) &&
           write(dir / "messy.txt", std::string("https://knobs.example/#v=2&lr=-1&lr=0.5&steps=1e9&prompt=%3Cscript%3E&"
                                                "host=javascript:alert(1)&%C3%A7=1&theme&greedy=yes&panel=quiz,knobs,faq"));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus folder, e.g. fuzz/corpus>\n", argv[0]);
        return 2;
    }
    const fs::path root = argv[1];
    const bool ok = weights_seeds(root / "fuzz_weights") && text_seeds(root / "fuzz_text") &&
                    content_seeds(root / "fuzz_content") && command_seeds(root / "fuzz_commands") &&
                    url_seeds(root / "fuzz_url");
    if (!ok) std::fprintf(stderr, "failed to write the seeds\n");
    return ok ? 0 : 1;
}

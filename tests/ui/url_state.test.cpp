// The URL-fragment codec, the share check, the link commands and the preset gallery, headless against a
// real AppState (the Lab underneath is the real engine).
#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/commands.h"
#include "app/i18n.h"
#include "app/presets.h"
#include "app/settings.h"
#include "app/url_state.h"
#include "catch_amalgamated.hpp"
#include "core/rng.h"
#include "core/utf8.h"
#include "fresh_app.h"

using namespace knobs;
using knobs::testing::fresh_app;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::StartsWith;

namespace {

std::span<const uint8_t> bytes_of(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string joined(const std::vector<std::string>& notices) {
    std::string all;
    for (const auto& n : notices) all += n + "\n";
    return all;
}

// A random state that a link can carry, every field present with probability 1/2 (seeded, so each
// GENERATE value is one fixed state).
UrlState random_state(uint64_t seed) {
    Rng rng(seed);
    auto maybe = [&] { return rng.below(2) == 0; };
    auto pick = [&](int lo, int hi) { return lo + static_cast<int>(rng.below(static_cast<uint32_t>(hi - lo + 1))); };
    // A float with few digits, like the ones sliders and people produce, strictly inside (lo, hi].
    auto decimal = [&](float lo, float hi) {
        const int steps = pick(1, 1000);
        return lo + (hi - lo) * static_cast<float>(steps) / 1000.0f;
    };
    const PanelId lesson[] = {PanelId::lifecycle, PanelId::table, PanelId::matching, PanelId::quiz, PanelId::faq, PanelId::about};
    const PanelId lab[] = {PanelId::pretrain, PanelId::knobs, PanelId::inference, PanelId::finetune, PanelId::weights, PanelId::cost};
    UrlState u;
    if (maybe()) u.lesson_panel = lesson[rng.below(6)];
    if (maybe()) u.lab_panel = lab[rng.below(6)];
    if (maybe()) u.lang = maybe() ? "pt-BR" : "en";
    if (maybe()) u.theme = maybe() ? Theme::light : Theme::dark;
    if (maybe()) u.size = static_cast<SizePreset>(rng.below(4));
    if (u.size == SizePreset::custom) {
        u.layers = pick(kMinLayers, kMaxLayers);
        u.heads = pick(kMinHeads, kMaxHeads);
        u.width = *u.heads * pick((kMinWidth + *u.heads - 1) / *u.heads, kMaxWidth / *u.heads);
        u.context = pick(kMinContext, kMaxContext);
    }
    if (maybe()) u.corpus = static_cast<CorpusChoice>(rng.below(4));
    if (maybe()) u.ft_corpus = maybe() ? CorpusChoice::course : CorpusChoice::user;
    if ((u.corpus == CorpusChoice::user || u.ft_corpus == CorpusChoice::user) && maybe())
        u.corpus_url = "texts/sample_" + std::to_string(rng.below(100)) + ".txt";
    if (maybe()) u.content_url = "lessons/course_" + std::to_string(rng.below(100)) + ".json";
    if (maybe()) u.lr = decimal(0.0f, 10.0f);
    if (maybe()) u.batch = pick(1, 64);
    if (maybe()) u.warmup = pick(0, 500);
    if (maybe()) u.steps = pick(10, 20000);
    if (maybe()) u.wd = decimal(0.0f, 0.5f);
    if (maybe()) u.clip = decimal(0.0f, 5.0f);
    if (maybe()) u.seed = rng.next_u64() % (kMaxLinkSeed + 1);
    if (maybe()) u.run = pick(0, kMaxLinkRunSteps);
    if (maybe()) {
        const char* pieces[] = {"the ", "olá ", "coração ", "🙂", "<script>", "a&b=c", "#50% ", "+", "\n", "\t", "日本"};
        std::string p;
        for (int i = pick(0, 8); i > 0; --i) p += pieces[rng.below(11)];
        u.prompt = p;
    }
    if (maybe()) u.temp = maybe() ? 0.0f : decimal(0.0f, 2.0f);
    if (maybe()) u.topk = pick(0, 256);
    if (maybe()) u.topp = decimal(0.05f, 1.0f);
    if (maybe()) u.greedy = maybe();
    if (maybe()) u.gseed = rng.next_u64() % (kMaxLinkSeed + 1);
    if (maybe()) u.tokens = pick(1, 1000);
    if (maybe()) u.chat = maybe();
    if (maybe()) u.tensor = static_cast<Tensor>(rng.below(kNumTensors));
    if (maybe()) u.layer = pick(0, kMaxLayers - 1);
    if (maybe()) u.ft_lora = maybe();
    if (maybe()) u.rank = pick(kMinLoraRank, kMaxLoraRank);
    if (maybe()) u.alpha = decimal(0.5f, 64.0f);
    if (maybe()) u.ft_steps = pick(10, 1000);
    if (maybe()) u.embed = maybe();
    if (maybe()) {
        std::vector<PanelId> hidden;
        for (int i = 0; i < kNumPanels; ++i) {
            const auto p = static_cast<PanelId>(i);
            if (rng.below(3) == 0 && p != u.lesson_panel.value_or(PanelId::lifecycle) &&
                p != u.lab_panel.value_or(PanelId::pretrain))
                hidden.push_back(p);
        }
        u.hide = hidden;
    }
    if (maybe()) {
        std::vector<std::string> locked;
        for (const auto& k : lockable_keys())
            if (rng.below(4) == 0) locked.push_back(k);
        u.lock = locked;
    }
    if (maybe()) u.host = maybe() ? "https://school.example.org" : "http://localhost:" + std::to_string(pick(1, 65535));
    return u;
}

}  // namespace

TEST_CASE("[url] percent-encoding round trips UTF-8 and escapes every separator", "[url]") {
    const std::string text = GENERATE(as<std::string>{}, "the ", "a&b=c#d%e+f,g", "olá, coração ☕ 🙂 日本",
                                      "<script>alert('x')</script>", "javascript:alert(1)", "\n\t\"'\\",
                                      std::string("\x00\x01\xff", 3), "");
    const std::string enc = percent_encode(text);
    for (char c : std::string("&=#+, <>\"'\n"))
        CHECK(enc.find(c) == std::string::npos);
    std::string back;
    REQUIRE(percent_decode(enc, &back));
    CHECK(back == text);

    SECTION("'+' reads as a space, escapes are case-insensitive, broken escapes are refused") {
        std::string out;
        REQUIRE(percent_decode("the+cat%2bdog%C3%a1", &out));
        CHECK(out == "the cat+dogá");
        CHECK_FALSE(percent_decode("%zz", &out));
        CHECK_FALSE(percent_decode("abc%4", &out));
        CHECK_FALSE(percent_decode("%", &out));
    }
}

TEST_CASE("[url] encode writes only non-default values, in a fixed order", "[url]") {
    auto s = fresh_app();
    CHECK(capture(*s) == UrlState{});
    CHECK(encode_fragment(capture(*s)) == "#v=2");

    UrlState u;
    u.host = "https://example.org";  // set in a different order from the one written
    u.prompt = "the cat ";
    u.lr = 0.02f;
    u.lab_panel = PanelId::knobs;
    u.lesson_panel = PanelId::table;
    u.lang = "pt-BR";
    u.temp = 0.8f;     // the default: left out
    u.batch = 16;      // the default: left out
    u.layers = 3;      // without size=custom: meaningless, left out
    u.embed = true;
    u.seed = 7;
    CHECK(encode_fragment(u) ==
          "#v=2&panel=table,knobs&lang=pt-BR&lr=0.02&seed=7&prompt=the%20cat%20&embed=1&host=https://example.org");

    SECTION("floats are written as the shortest decimal that reads back to the same bits") {
        UrlState f;
        f.lr = 3e-4f;
        f.wd = 0.123f;
        f.alpha = 0.5f;
        f.topp = 0.95f;
        CHECK(encode_fragment(f) == "#v=2&lr=0.0003&wd=0.123&topp=0.95&alpha=0.5");
        f.lr = 1e-5f;
        CHECK_THAT(encode_fragment(f), ContainsSubstring("lr=1e-5"));
        CHECK(decode_fragment(encode_fragment(f)).state.lr == 1e-5f);
    }
}

TEST_CASE("[url] round trips: decode(encode(u)) is u without its defaults, with no notices", "[url]") {
    const uint64_t seed = GENERATE(range<uint64_t>(1, 121));
    const UrlState u = random_state(seed);
    const std::string fragment = encode_fragment(u);
    INFO(fragment);
    CHECK(fragment.size() <= kMaxFragmentChars);
    const UrlDecode d = decode_fragment(fragment);
    CHECK(d.notices.empty());
    CHECK_FALSE(d.refused);
    CHECK(d.version == kUrlSchemaVersion);
    CHECK(d.state == canonical(u));
    CHECK(encode_fragment(d.state) == fragment);  // stable: a second trip changes nothing
    CHECK(canonical(canonical(u)) == canonical(u));
}

TEST_CASE("[url] the largest link there is still fits", "[url]") {
    UrlState u = random_state(7);
    u.size = SizePreset::custom;
    u.layers = 6, u.heads = 8, u.width = 248, u.context = 255;
    u.corpus = CorpusChoice::user;
    u.corpus_url = std::string(kMaxCorpusUrlChars - 4, 'a') + ".txt";
    std::string emoji;
    while (emoji.size() + 4 <= kMaxLinkPromptBytes) emoji += "🙂";  // 4 bytes, 12 characters escaped
    u.prompt = emoji;
    u.lr = 0.00123457f, u.wd = 0.123457f, u.clip = 4.12346f, u.temp = 1.23457f, u.topp = 0.123457f, u.alpha = 12.3457f;
    u.seed = kMaxLinkSeed, u.gseed = kMaxLinkSeed - 1, u.run = 19999, u.steps = 19998, u.warmup = 499;
    u.hide = std::vector<PanelId>{PanelId::table, PanelId::matching, PanelId::quiz, PanelId::faq, PanelId::about,
                                  PanelId::knobs, PanelId::inference, PanelId::finetune, PanelId::weights};
    u.lesson_panel = PanelId::lifecycle;
    u.lab_panel = PanelId::cost;
    u.lock = lockable_keys();
    u.host = "https://" + std::string(kMaxHostChars - 14, 'h') + ".org:1";
    const std::string fragment = encode_fragment(u);
    INFO(fragment.size());
    CHECK(fragment.size() <= kMaxFragmentChars);
    const UrlDecode d = decode_fragment(fragment);
    CHECK(d.notices.empty());
    CHECK(d.state == canonical(u));
}

TEST_CASE("[url] v=1 links migrate to v=2", "[url]") {
    const UrlDecode d = decode_fragment(
        "#v=1&tab=knobs&model=medium&data=portuguese&lr=40&bs=8&steps=900&seed=5&t=1.2&k=40&p=0.9&n=50&prompt=ol%C3%A1");
    CHECK(d.notices.empty());
    CHECK(d.version == 1);
    UrlState want;
    want.lab_panel = PanelId::knobs;
    want.size = SizePreset::M;
    want.corpus = CorpusChoice::portuguese;
    want.lr = 0.004f;
    want.batch = 8;
    want.steps = 900;
    want.seed = 5;
    want.temp = 1.2f;
    want.topk = 40;
    want.topp = 0.9f;
    want.tokens = 50;
    want.prompt = "olá";
    CHECK(d.state == want);
    // The migrated learning rate has exactly the bits a v=2 link with the same decimal gives.
    CHECK(decode_fragment("#v=2&lr=0.004").state.lr == d.state.lr);
    CHECK(encode_fragment(d.state) ==
          "#v=2&panel=knobs&size=M&corpus=portuguese&lr=0.004&batch=8&steps=900&seed=5&prompt=ol%C3%A1&temp=1.2&topk=40&topp=0.9&tokens=50");

    SECTION("the ends of the v=1 learning-rate scale") {
        const auto [units, lr] = GENERATE(table<const char*, float>({{"1", 1e-4f}, {"25", 0.0025f}, {"10000", 1.0f},
                                                                     {"100000", 10.0f}, {"12345", 1.2345f}}));
        const UrlDecode m = decode_fragment(std::string("#v=1&lr=") + units);
        CHECK(m.notices.empty());
        REQUIRE(m.state.lr);
        CHECK(*m.state.lr == lr);
    }
    SECTION("values and keys v=1 never had are refused, naming the v=1 key") {
        const auto [pair, key] = GENERATE(table<const char*, const char*>({{"model=huge", "model"},
                                                                          {"model=S", "model"},
                                                                          {"lr=0.003", "lr"},
                                                                          {"lr=0", "lr"},
                                                                          {"lr=100001", "lr"},
                                                                          {"data=user", "data"},
                                                                          {"wd=0.1", "wd"},
                                                                          {"temp=1", "temp"},
                                                                          {"bs=99", "bs"}}));
        const UrlDecode m = decode_fragment(std::string("#v=1&") + pair + "&seed=3");
        INFO(joined(m.notices));
        REQUIRE(m.notices.size() == 1);
        CHECK_THAT(m.notices[0], StartsWith(std::string(key) + ":"));
        CHECK(m.state.seed == 3u);  // the rest of the link still counts
        CHECK_FALSE(m.state.size);
        CHECK_FALSE(m.state.lr);
    }
}

TEST_CASE("[url] every invalid value falls back to the default with a notice naming the key", "[url]") {
    const auto [pair, key] = GENERATE(table<const char*, const char*>({
        {"layers=0", "layers"},          {"layers=7", "layers"},           {"heads=9", "heads"},
        {"width=15", "width"},           {"width=257", "width"},           {"context=300", "context"},
        {"size=XL", "size"},             {"corpus=klingon", "corpus"},     {"lr=0", "lr"},
        {"lr=-1", "lr"},                 {"lr=10.5", "lr"},                {"lr=nan", "lr"},
        {"lr=NaN", "lr"},                {"lr=inf", "lr"},                 {"lr=-inf", "lr"},
        {"lr=1e999", "lr"},              {"lr=abc", "lr"},                 {"lr=0x10", "lr"},
        {"lr=1..2", "lr"},               {"lr=%20", "lr"},                 {"lr=%zz", "lr"},
        {"lr=", "lr"},                   {"batch=0", "batch"},             {"batch=65", "batch"},
        {"batch=16.0", "batch"},         {"batch=-3", "batch"},            {"batch=1e1", "batch"},
        {"warmup=501", "warmup"},        {"steps=9", "steps"},             {"steps=99999999999999999999999", "steps"},
        {"wd=0.6", "wd"},                {"clip=-1", "clip"},              {"seed=-1", "seed"},
        {"seed=2147483648", "seed"},     {"seed=18446744073709551616", "seed"}, {"run=-5", "run"},
        {"run=20001", "run"},            {"temp=2.5", "temp"},             {"topk=257", "topk"},
        {"topp=0", "topp"},              {"topp=1.5", "topp"},             {"greedy=yes", "greedy"},
        {"gseed=abc", "gseed"},          {"tokens=0", "tokens"},           {"tokens=1001", "tokens"},
        {"chat=2", "chat"},              {"theme=blue", "theme"},          {"lang=fr", "lang"},
        {"lang=%3Cscript%3E", "lang"},   {"tensor=foo", "tensor"},         {"layer=6", "layer"},
        {"ft=half", "ft"},               {"rank=0", "rank"},               {"rank=17", "rank"},
        {"alpha=100", "alpha"},          {"alpha=0", "alpha"},             {"ftsteps=5", "ftsteps"},
        {"ftcorpus=english", "ftcorpus"}, {"embed=true", "embed"},         {"panel=bogus", "panel"},
        {"panel=%3Cscript%3E", "panel"}, {"hide=bogus", "hide"},           {"lock=bogus", "lock"},
        {"host=javascript:alert(1)", "host"}, {"host=https://evil.org/x", "host"},
        {"corpus_url=../secret.txt", "corpus_url"}, {"prompt=%FF", "prompt"}, {"prompt=%00", "prompt"},
        {"prompt=a%07b", "prompt"},
    }));
    const std::string fragment = std::string("#v=2&") + pair;
    INFO(fragment);
    const UrlDecode d = decode_fragment(fragment);
    INFO(joined(d.notices));
    REQUIRE(d.notices.size() == 1);
    CHECK_THAT(d.notices[0], StartsWith(std::string(key) + ":"));
    const bool says_instead = d.notices[0].find("using") != std::string::npos ||
                              d.notices[0].find("ignored") != std::string::npos;
    CHECK(says_instead);
    CHECK(is_valid_utf8(as_bytes(d.notices[0])));
    // Nothing of the bad value survives: the state is a fresh app's, and applying it changes nothing.
    CHECK(encode_fragment(d.state) == "#v=2");
    auto s = fresh_app();
    apply(*s, d.state);
    CHECK(capture(*s) == UrlState{});
}

TEST_CASE("[url] a custom model whose width does not split into its heads falls back", "[url]") {
    const UrlDecode d = decode_fragment("#v=2&size=custom&layers=3&heads=3&width=100");
    REQUIRE(d.notices.size() == 1);
    CHECK_THAT(d.notices[0], StartsWith("width, heads:"));
    CHECK(d.state.layers == 3);
    CHECK_FALSE(d.state.width);
    CHECK_FALSE(d.state.heads);
    SECTION("architecture keys alone mean size=custom; with a named size they are ignored") {
        CHECK(decode_fragment("#v=2&layers=3").state.size == SizePreset::custom);
        CHECK(decode_fragment("#v=2&layers=3").notices.empty());
        const UrlDecode named = decode_fragment("#v=2&size=M&layers=3");
        REQUIRE(named.notices.size() == 1);
        CHECK_THAT(named.notices[0], StartsWith("layers"));
        CHECK_FALSE(named.state.layers);
        CHECK(named.state.size == SizePreset::M);
    }
}

TEST_CASE("[url] over-long fragments are refused whole", "[url]") {
    std::string fragment = "#v=2&lr=0.01&prompt=";
    fragment += std::string(kMaxFragmentChars - fragment.size(), 'a');
    REQUIRE(fragment.size() == kMaxFragmentChars);
    CHECK_FALSE(decode_fragment(fragment).refused);  // 2048 is allowed (the prompt itself is too long)

    fragment += "a";
    const UrlDecode d = decode_fragment(fragment);
    CHECK(d.refused);
    REQUIRE(d.notices.size() == 1);
    CHECK_THAT(d.notices[0], ContainsSubstring("too long"));
    CHECK(d.state == UrlState{});

    auto s = fresh_app();
    const float lr_before = s->lab_ui.editing.lr;
    const CommandResult r = run_command(*s, nlohmann::json{{"cmd", "load_link"}, {"fragment", fragment}}.dump());
    CHECK_FALSE(r.ok);
    CHECK_THAT(r.error, ContainsSubstring("too long"));
    CHECK(s->lab_ui.editing.lr == lr_before);
    CHECK(capture(*s) == UrlState{});
}

TEST_CASE("[url] duplicate keys: the first value wins and the rest are named", "[url]") {
    const UrlDecode d = decode_fragment("#v=2&seed=7&lr=0.01&seed=9&v=3");
    CHECK(d.state.seed == 7u);
    CHECK(d.state.lr == 0.01f);
    REQUIRE(d.notices.size() == 2);
    CHECK_THAT(d.notices[0], StartsWith("seed:"));
    CHECK_THAT(d.notices[0], ContainsSubstring("\"9\""));
    CHECK_THAT(d.notices[1], StartsWith("v:"));
    CHECK(d.version == 2);
}

TEST_CASE("[url] unknown keys, missing and unknown versions", "[url]") {
    SECTION("an unknown key is named and the rest applies") {
        const UrlDecode d = decode_fragment("#v=2&foo=1&lr=0.01");
        REQUIRE(d.notices.size() == 1);
        CHECK_THAT(d.notices[0], StartsWith("foo:"));
        CHECK(d.state.lr == 0.01f);
    }
    SECTION("a key without a value") {
        const UrlDecode d = decode_fragment("#v=2&embed&lr=0.01");
        REQUIRE(d.notices.size() == 1);
        CHECK_THAT(d.notices[0], StartsWith("embed:"));
        CHECK(d.state.lr == 0.01f);
    }
    SECTION("no version: read as the current one, with a notice") {
        const UrlDecode d = decode_fragment("#lr=0.01&panel=knobs");
        REQUIRE(d.notices.size() == 1);
        CHECK_THAT(d.notices[0], StartsWith("v:"));
        CHECK(d.version == 0);
        CHECK(d.state.lr == 0.01f);
        CHECK(d.state.lab_panel == PanelId::knobs);
    }
    SECTION("a future version: what is understood is read, the rest named") {
        const UrlDecode d = decode_fragment("#v=7&lr=0.01&hologram=1");
        REQUIRE(d.notices.size() == 2);
        CHECK_THAT(d.notices[0], StartsWith("v:"));
        CHECK_THAT(d.notices[0], ContainsSubstring("newer"));
        CHECK_THAT(d.notices[1], StartsWith("hologram:"));
        CHECK(d.version == 7);
        CHECK(d.state.lr == 0.01f);
    }
    SECTION("an unreadable version") {
        const auto v = GENERATE(as<std::string>{}, "abc", "0", "-1", "2.0", "");
        const UrlDecode d = decode_fragment("#v=" + v + "&seed=4");
        REQUIRE(d.notices.size() == 1);
        CHECK_THAT(d.notices[0], StartsWith("v:"));
        CHECK(d.state.seed == 4u);
    }
    SECTION("empty fragments are empty states without notices; a whole address works too") {
        for (const char* f : {"", "#", "#&&", "https://knobs.example/"}) {
            const UrlDecode d = decode_fragment(f);
            CHECK(d.state == UrlState{});
            CHECK(d.notices.empty());
        }
        const UrlDecode whole = decode_fragment("https://knobs.example/app/#v=2&seed=3");
        CHECK(whole.notices.empty());
        CHECK(whole.state.seed == 3u);
    }
}

TEST_CASE("[url] unicode and script-like values stay plain text", "[url]") {
    const std::string text = GENERATE(as<std::string>{}, "<script>alert('x')</script>", "javascript:alert(1)",
                                      "\"><img src=x onerror=alert(1)>", "olá, coração ☕ 🙂 日本語", "a&b=c#d",
                                      "line one\nline\ttwo");
    UrlState u;
    u.prompt = text;
    const std::string fragment = encode_fragment(u);
    for (char c : std::string("<>\"' \n"))
        CHECK(fragment.find(c) == std::string::npos);
    const UrlDecode d = decode_fragment(fragment);
    CHECK(d.notices.empty());
    CHECK(d.state.prompt == text);
    auto s = fresh_app();
    CHECK(apply(*s, d.state).empty());
    CHECK(s->lab_ui.prompt == text);  // byte for byte: the model sees it, nothing interprets it

    SECTION("script-like keys are quoted, not echoed raw") {
        const UrlDecode k = decode_fragment("#v=2&%3Cscript%3Ealert(1)%3C/script%3E=1");
        REQUIRE(k.notices.size() == 1);
        CHECK_THAT(k.notices[0], StartsWith("\"<script>"));
        CHECK(k.state == UrlState{});
    }
    SECTION("a prompt longer than any model can see is refused") {
        UrlState longer;
        longer.prompt = std::string(kMaxLinkPromptBytes + 1, 'x');
        const UrlDecode l = decode_fragment(encode_fragment(longer));
        REQUIRE(l.notices.size() == 1);
        CHECK_THAT(l.notices[0], StartsWith("prompt:"));
        CHECK_FALSE(l.state.prompt);
    }
    SECTION("a long key is shown as its first 24 characters, also when it is not UTF-8") {
        std::string emoji, smiles, broken, replaced;
        for (int i = 0; i < 40; ++i) emoji += "%F0%9F%99%82", broken += "%FF%E2%82";
        for (int i = 0; i < 24; ++i) smiles += "🙂", replaced += "\uFFFD";
        const UrlDecode e = decode_fragment("#v=2&" + emoji + "=1");
        REQUIRE(e.notices.size() == 1);
        CHECK(e.notices[0] == "\"" + smiles + "…\": not a setting this version of Knobs knows; ignored.");
        const UrlDecode b = decode_fragment("#v=2&" + broken + "=1");
        REQUIRE(b.notices.size() == 1);
        CHECK(b.notices[0] == "\"" + replaced + "…\": not a setting this version of Knobs knows; ignored.");
    }
    SECTION("notices about control characters and broken UTF-8 stay printable") {
        const UrlDecode b = decode_fragment("#v=2&theme=%01%FF%0A");
        REQUIRE(b.notices.size() == 1);
        CHECK(is_valid_utf8(as_bytes(b.notices[0])));
        for (char c : b.notices[0]) CHECK(static_cast<unsigned char>(c) >= 0x20);
        CHECK(b.notices[0].find("\\u0001") != std::string::npos);  // escaped, so the learner sees what was there
    }
    SECTION("a key holding bidirectional controls is shown escaped, never reversing the notice") {
        // U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE, U+200F RIGHT-TO-LEFT MARK, U+0085 (C1).
        const UrlDecode d = decode_fragment("#v=2&evil%E2%80%AEgnp=1&%E2%81%A6x%E2%80%8F=2&a%C2%85=3");
        REQUIRE(d.notices.size() == 3);
        CHECK(d.notices[0] == "\"evil\\u202Egnp\": not a setting this version of Knobs knows; ignored.");
        CHECK(d.notices[1] == "\"\\u2066x\\u200F\": not a setting this version of Knobs knows; ignored.");
        CHECK(d.notices[2] == "\"a\\u0085\": not a setting this version of Knobs knows; ignored.");
        for (const std::string& n : d.notices)
            for (const char* bidi : {"\u202E", "\u2066", "\u200F", "\u0085"}) CHECK(n.find(bidi) == std::string::npos);
    }
    SECTION("an empty key is quoted") {
        const UrlDecode d = decode_fragment("#v=2&=5");
        REQUIRE(d.notices.size() == 1);
        CHECK(d.notices[0] == "\"\": not a setting this version of Knobs knows; ignored.");
    }
}

TEST_CASE("[url] negative and huge numbers never reach the app", "[url]") {
    const std::string key = GENERATE(as<std::string>{}, "layers", "heads", "width", "context", "lr", "batch", "warmup",
                                     "steps", "wd", "clip", "seed", "run", "temp", "topk", "topp", "gseed", "tokens",
                                     "layer", "rank", "alpha", "ftsteps");
    const std::string value = GENERATE(as<std::string>{}, "-1", "-0.5", "1e308", "99999999999999999999", "3.4e38",
                                       "Infinity", "--1", "+5", "1e");
    const UrlDecode d = decode_fragment("#v=2&" + key + "=" + value);
    INFO(key << "=" << value);
    REQUIRE(d.notices.size() == 1);
    CHECK_THAT(d.notices[0], StartsWith(key + ":"));
    CHECK(encode_fragment(d.state) == "#v=2");
}

TEST_CASE("[url] numbers read the same on every platform: tiny, huge, signed zero, odd spellings", "[url]") {
    const auto [fragment, wd] = GENERATE(table<const char*, float>({{"#v=2&wd=1e-999", 0.0f},
                                                                   {"#v=2&wd=-0", 0.0f},
                                                                   {"#v=2&wd=-0.0e5", 0.0f},
                                                                   {"#v=2&wd=.25", 0.25f},
                                                                   {"#v=2&wd=0.5000000000000000000", 0.5f},
                                                                   {"#v=2&wd=00000.125", 0.125f},
                                                                   {"#v=2&wd=125E-3", 0.125f},
                                                                   {"#v=2&wd=0.0125e%2B0001", 0.125f},
                                                                   {"#v=2&wd=1.", 1.0f}}));
    const UrlDecode d = decode_fragment(fragment);
    INFO(fragment << "\n" << joined(d.notices));
    if (wd <= 0.5f) {
        CHECK(d.notices.empty());
        REQUIRE(d.state.wd);
        CHECK(*d.state.wd == wd);
        CHECK_FALSE(std::signbit(*d.state.wd));
    } else {
        REQUIRE(d.notices.size() == 1);
        CHECK_THAT(d.notices[0], StartsWith("wd:"));
    }
    SECTION("the same magnitudes at the ends of other ranges") {
        CHECK(decode_fragment("#v=2&lr=1e-999").notices.size() == 1);  // 0 is not a learning rate
        CHECK(decode_fragment("#v=2&lr=1e%2B0001").state.lr == 10.0f);
        CHECK(decode_fragment("#v=2&lr=1e%2B0001").notices.empty());
        CHECK(decode_fragment("#v=2&temp=1e-999").state.temp == 0.0f);
        CHECK(decode_fragment("#v=2&clip=12345678901234567890e-19").state.clip == 1.23456789f);
        CHECK(encode_fragment(decode_fragment("#v=2&wd=-0").state) == "#v=2&wd=0");
    }
}

TEST_CASE("[url] corpus_url must be a plain relative path to a .txt file", "[url]") {
    SECTION("accepted") {
        const std::string path = GENERATE(as<std::string>{}, "a.txt", "texts/poems.txt", "corpora/pt-BR/contos_1.txt",
                                          "x~y/z-w.txt", std::string(kMaxCorpusUrlChars - 4, 'a') + ".txt");
        std::string why;
        CHECK(valid_corpus_url(path, &why));
        CHECK(why.empty());
        const UrlDecode d = decode_fragment("#v=2&corpus=user&corpus_url=" + percent_encode(path));
        CHECK(d.notices.empty());
        CHECK(d.state.corpus_url == path);
    }
    SECTION("refused") {
        const std::string path = GENERATE(as<std::string>{}, "", "/abs.txt", "//evil.example/a.txt",
                                          "http://evil.example/a.txt", "javascript:alert(1).txt", "file:a.txt",
                                          "data:text/plain,x.txt", "../a.txt", "a/../b.txt", "a/./b.txt", "a..txt",
                                          ".hidden.txt", "a/.git/x.txt", "a.txt/", "a.TXT", "a.txt.exe", "a.txt?x=1",
                                          "a.txt#x", "a b.txt", "dir\\a.txt", "ünï.txt", "a%2F..txt", ".txt",
                                          std::string(kMaxCorpusUrlChars - 3, 'a') + ".txt");
        std::string why;
        CHECK_FALSE(valid_corpus_url(path, &why));
        CHECK_FALSE(why.empty());
        const UrlDecode d = decode_fragment("#v=2&corpus=user&corpus_url=" + percent_encode(path));
        INFO(joined(d.notices));
        REQUIRE_FALSE(d.notices.empty());
        CHECK_THAT(d.notices[0], StartsWith("corpus_url:"));
        CHECK_FALSE(d.state.corpus_url);
        CHECK(d.state.corpus == CorpusChoice::user);
    }
    SECTION("a corpus_url nothing trains on is dropped with a notice") {
        const UrlDecode d = decode_fragment("#v=2&corpus_url=texts/a.txt");
        REQUIRE(d.notices.size() == 1);
        CHECK_THAT(d.notices[0], StartsWith("corpus_url:"));
        CHECK_FALSE(d.state.corpus_url);
    }
}

TEST_CASE("[url] host must be a bare http(s) origin", "[url]") {
    SECTION("accepted") {
        const std::string host = GENERATE(as<std::string>{}, "https://example.org", "http://localhost:8000",
                                          "https://a-b.c.example", "http://127.0.0.1:65535");
        CHECK(valid_host_origin(host));
        CHECK(decode_fragment("#v=2&host=" + percent_encode(host)).state.host == host);
    }
    SECTION("refused") {
        const std::string host = GENERATE(as<std::string>{}, "", "null", "javascript:alert(1)", "ftp://example.org",
                                          "https://", "https://example.org/", "https://example.org/path",
                                          "https://user@example.org", "https://example.org:0", "https://example.org:99999",
                                          "https://example.org:", "https://example.org:-1", "https://ex ample.org",
                                          "https://.org", "https://a..b", "https://example.org?x", "//example.org",
                                          "https://" + std::string(kMaxHostChars, 'h'));
        std::string why;
        CHECK_FALSE(valid_host_origin(host, &why));
        CHECK_FALSE(why.empty());
    }
    SECTION("user info is named as such, not blamed on a port") {
        for (const char* host : {"http://u:p@example.org", "https://user@example.org", "https://u:p@example.org:8080"}) {
            std::string why;
            CHECK_FALSE(valid_host_origin(host, &why));
            CHECK(why == "has a user name or password (user@host); an origin has none");
        }
    }
}

TEST_CASE("[url] the learner's own text cannot travel in a link, and the share check says so", "[url]") {
    auto s = fresh_app();
    s->lab_ui.editing.lr = 0.02f;
    std::string text;
    for (int i = 0; i < 300; ++i) text += "my own words, line " + std::to_string(i) + ".\n";
    REQUIRE(open_bytes(*s, bytes_of(text), "diary.txt", "text").empty());
    REQUIRE(s->lab_ui.editing.corpus == CorpusChoice::user);

    const ShareCheck check = share_check(*s);
    CHECK_FALSE(check.fits);
    REQUIRE_FALSE(check.reasons.empty());
    CHECK_THAT(check.reasons[0], ContainsSubstring("own text is not in the link"));
    // Everything except the text: the corpus choice is honest (user) and the other settings are there.
    CHECK_THAT(check.fragment, ContainsSubstring("corpus=user"));
    CHECK_THAT(check.fragment, ContainsSubstring("lr=0.02"));
    CHECK(check.fragment.find("my own words") == std::string::npos);
    CHECK(check.fragment.find("diary") == std::string::npos);

    SECTION("whoever opens it is asked for a text of their own, and nothing breaks") {
        auto other = fresh_app();
        const UrlDecode d = decode_fragment(check.fragment);
        CHECK(d.notices.empty());
        const auto notes = apply(*other, d.state);
        REQUIRE(notes.size() == 1);
        CHECK_THAT(notes[0], StartsWith("corpus=user"));
        CHECK(other->lab_ui.editing.corpus == CorpusChoice::user);
        CHECK(other->lab_ui.editing.lr == 0.02f);
        CHECK(other->lab.settings().corpus == CorpusChoice::english);  // the lab was not pointed at nothing
    }
    SECTION("whoever has a text of their own trains on it, and is told so") {
        auto other = fresh_app();
        REQUIRE(open_bytes(*other, bytes_of(text + "theirs\n"), "theirs.txt", "text").empty());
        const auto notes = apply(*other, decode_fragment(check.fragment).state);
        REQUIRE(notes.size() == 1);
        CHECK_THAT(notes[0], ContainsSubstring("training on your own text (theirs.txt)"));
        CHECK(other->lab.settings().corpus == CorpusChoice::user);
        CHECK(other->lab.pretrain().error.empty());
    }
    SECTION("a state without user text fits") {
        auto plain = fresh_app();
        plain->lab_ui.sampling.temperature = 1.3f;
        const ShareCheck ok = share_check(*plain);
        CHECK(ok.fits);
        CHECK(ok.reasons.empty());
        CHECK(ok.fragment == "#v=2&temp=1.3");
    }
    SECTION("settings a link cannot carry are left out and named") {
        auto odd = fresh_app();
        odd->lab_ui.editing.seed = 5'000'000'000ull;  // set by code, beyond what the seed field shows
        odd->lab_ui.max_tokens = 5;
        const ShareCheck c = share_check(*odd);
        CHECK_FALSE(c.fits);
        REQUIRE(c.reasons.size() == 1);
        CHECK_THAT(c.reasons[0], StartsWith("seed:"));
        CHECK(c.fragment == "#v=2&tokens=5");
    }
    SECTION("a prompt too long for a link is cut at a character boundary") {
        auto wordy = fresh_app();
        wordy->lab_ui.prompt = "x" + std::string(200, 'a');
        for (int i = 0; i < 30; ++i) wordy->lab_ui.prompt += "ç";
        const ShareCheck c = share_check(*wordy);
        CHECK_FALSE(c.fits);
        const UrlDecode d = decode_fragment(c.fragment);
        CHECK(d.notices.empty());
        REQUIRE(d.state.prompt);
        CHECK(d.state.prompt->size() <= kMaxLinkPromptBytes);
        CHECK(d.state.prompt->size() >= kMaxLinkPromptBytes - 1);
        CHECK(is_valid_utf8(as_bytes(*d.state.prompt)));
    }
}

TEST_CASE("[url] a corpus_url link fetches its text, trains on it and stays shareable", "[url]") {
    auto s = fresh_app();
    const UrlDecode d = decode_fragment("#v=2&panel=pretrain&corpus=user&corpus_url=texts/poems.txt&size=custom&"
                                        "layers=1&heads=2&width=32&context=32&batch=4");
    REQUIRE(d.notices.empty());
    CHECK(apply(*s, d.state).empty());
    CHECK(pending_corpus_url(*s) == "texts/poems.txt");
    CHECK(s->lab.settings().corpus == CorpusChoice::english);  // nothing to train on until the text arrives
    const ShareCheck before = share_check(*s);
    CHECK(before.fits);
    CHECK_THAT(before.fragment, ContainsSubstring("corpus_url=texts/poems.txt"));

    SECTION("the text arrives") {
        std::string poem;
        for (int i = 0; i < 400; ++i) poem += "the river runs and the river sings, verse " + std::to_string(i) + "\n";
        CHECK(open_linked_text(*s, bytes_of(poem)).empty());
        CHECK(pending_corpus_url(*s).empty());
        CHECK(s->user_text_name == "texts/poems.txt");
        CHECK(s->lab.settings().corpus == CorpusChoice::user);
        CHECK(s->lab.pretrain().params == param_count({1, 2, 32, 32}));
        CHECK(s->lab.pretrain().error.empty());
        const ShareCheck after = share_check(*s);
        CHECK(after.fits);
        CHECK(after.fragment == before.fragment);

        SECTION("then the learner opens a text of their own: the link can no longer carry it") {
            REQUIRE(open_bytes(*s, bytes_of(poem + "mine\n"), "mine.txt", "text").empty());
            CHECK(s->link.corpus_url.empty());
            CHECK_FALSE(share_check(*s).fits);
        }
    }
    SECTION("binary bytes are refused with a message") {
        const std::string binary("\x00\x01\x02\xff", 4);
        const std::string err = open_linked_text(*s, bytes_of(binary));
        CHECK_THAT(err, StartsWith("texts/poems.txt:"));
        CHECK(pending_corpus_url(*s) == "texts/poems.txt");
        REQUIRE_FALSE(s->notices.empty());
        CHECK(s->notices.back().is_error);
    }
}

TEST_CASE("[url] apply then capture gives the same state", "[url]") {
    const uint64_t seed = GENERATE(range<uint64_t>(200, 212));
    UrlState u = random_state(seed);
    if (u.size && *u.size != SizePreset::S) u.size = SizePreset::custom, u.layers = 1, u.heads = 2, u.width = 32, u.context = 16;  // keep runs cheap
    INFO(encode_fragment(u));
    auto s = fresh_app();
    apply(*s, u);
    CHECK(capture(*s) == canonical(u));
    CHECK(encode_fragment(capture(*s)) == encode_fragment(u));
    // The lab runs what the panel shows (unless it waits for the learner's text).
    if (s->lab_ui.editing.corpus == CorpusChoice::english || s->lab_ui.editing.corpus == CorpusChoice::portuguese)
        CHECK(s->lab.settings() == s->lab_ui.editing);
}

TEST_CASE("[url] groups a link does not mention are left alone", "[url]") {
    auto s = fresh_app();
    REQUIRE(apply(*s, decode_fragment("#v=2&lr=0.02&seed=11&temp=1.1").state).empty());
    REQUIRE(s->lab.settings().seed == 11u);
    // A link about sampling only: the training run keeps its settings; the sampling group is set whole.
    REQUIRE(apply(*s, decode_fragment("#v=2&topk=5").state).empty());
    CHECK(s->lab.settings().seed == 11u);
    CHECK(s->lab.settings().lr == 0.02f);
    CHECK(s->lab_ui.sampling.top_k == 5);
    CHECK(s->lab_ui.sampling.temperature == SamplingConfig{}.temperature);
    // A link about training sets the whole group: what it does not say takes the default.
    REQUIRE(apply(*s, decode_fragment("#v=2&batch=8").state).empty());
    CHECK(s->lab.settings().seed == TrainSettings{}.seed);
    CHECK(s->lab.settings().lr == TrainSettings{}.lr);
    CHECK(s->lab.settings().batch_size == 8);
}

TEST_CASE("[url] locks keep the embedding page's choices", "[url]") {
    auto s = fresh_app();
    REQUIRE(apply(*s, decode_fragment("#v=2&embed=1&lock=lr,theme&lr=0.02&theme=light&host=https://school.example").state)
                .empty());
    CHECK(s->link.embed);
    CHECK(setting_locked(*s, "lr"));
    CHECK_FALSE(setting_locked(*s, "seed"));
    CHECK(s->lab.settings().lr == 0.02f);
    CHECK(s->theme == Theme::light);
    bool ok = false;
    const auto notes = load_preset(*s, "lr-too-high", &ok);
    REQUIRE(ok);
    REQUIRE(notes.size() == 1);
    CHECK_THAT(notes[0], StartsWith("lr: locked"));
    CHECK(s->lab.settings().lr == 0.02f);   // kept
    CHECK(s->lab.settings().warmup_steps == 0);  // the rest of the preset applied
    CHECK(s->theme == Theme::light);
}

TEST_CASE("[url] apply refuses what a hand-built state cannot mean, without crashing", "[url]") {
    auto s = fresh_app();
    UrlState u;
    u.lesson_panel = PanelId::count;
    u.lab_panel = PanelId::table;  // a lesson panel on the lab side
    u.layers = 99;
    u.tensor = static_cast<Tensor>(77);
    u.temp = std::numeric_limits<float>::quiet_NaN();
    u.lang = "xx";
    u.hide = std::vector<PanelId>{static_cast<PanelId>(-3), PanelId::faq};
    const auto notes = apply(*s, u);
    const std::string all = joined(notes);
    CHECK_THAT(all, ContainsSubstring("layers:"));
    CHECK_THAT(all, ContainsSubstring("tensor:"));
    CHECK_THAT(all, ContainsSubstring("temp:"));
    CHECK_THAT(all, ContainsSubstring("lang:"));
    CHECK(s->lang == "en");
    CHECK(s->focused_lesson_panel == PanelId::lifecycle);
    CHECK(s->focused_lab_panel == PanelId::pretrain);
    CHECK(std::isfinite(s->lab_ui.sampling.temperature));
    CHECK(s->link.hidden == std::vector<PanelId>{PanelId::faq});
}

TEST_CASE("[url] presets decode cleanly, apply cleanly and are named in both languages", "[url]") {
    REQUIRE(presets().size() >= 7);
    std::set<std::string> ids;
    for (const auto& p : presets()) CHECK(ids.insert(p.id).second);
    for (const char* id : {"watch-learn", "lr-too-high", "finetune-vs-lora", "temperature", "size-latency",
                           "context-memory", "table-live"})
        CHECK(find_preset(id) != nullptr);

    const Preset& p = presets()[GENERATE(range<size_t>(0, 8))];
    INFO(p.id << " " << p.fragment);
    const UrlDecode d = decode_fragment(p.fragment);
    CHECK(d.notices.empty());
    CHECK(d.version == kUrlSchemaVersion);
    CHECK(d.state != UrlState{});
    CHECK(p.fragment.size() <= kMaxFragmentChars);

    MissingStrings missing;
    CHECK(std::string(tr("en", p.title_key.c_str())) != p.title_key);
    CHECK(std::string(tr("en", p.desc_key.c_str())) != p.desc_key);
    CHECK(std::string(tr("pt-BR", p.title_key.c_str())) != tr("en", p.title_key.c_str()));
    CHECK(std::string(tr("pt-BR", p.desc_key.c_str())) != tr("en", p.desc_key.c_str()));
    CHECK(missing.keys().empty());

    auto s = fresh_app();
    bool ok = false;
    CHECK(load_preset(*s, p.id, &ok).empty());
    CHECK(ok);
    CHECK(s->notices.empty());
    // Loading a preset is loading its link: the captured state is what the fragment says.
    CHECK(capture(*s) == canonical(d.state));
}

TEST_CASE("[url] the too-high learning rate preset really diverges", "[url]") {
    auto s = fresh_app();
    bool ok = false;
    REQUIRE(load_preset(*s, "lr-too-high", &ok).empty());
    REQUIRE(s->link.run_steps > 0);
    s->lab.play();  // what the auto-run does
    for (int i = 0; i < 400 && s->lab.pretrain().divergence.empty() && s->lab.pretrain().step < s->link.run_steps; ++i)
        s->lab.update(50);
    INFO("step " << s->lab.pretrain().step);
    CHECK_FALSE(s->lab.pretrain().divergence.empty());
    CHECK(s->lab.pretrain().step < s->link.run_steps);
}

TEST_CASE("[url] commands: load_link, link, load_preset and the state's fragment", "[url]") {
    auto s = fresh_app();
    auto run = [&](const nlohmann::json& j) { return run_command(*s, j.dump()); };

    CommandResult r = run({{"cmd", "load_link"}, {"fragment", "#v=2&panel=inference&temp=1.5&bogus=1"}});
    CHECK(r.ok);
    CHECK(s->lab_ui.sampling.temperature == 1.5f);
    CHECK(s->focused_lab_panel == PanelId::inference);
    REQUIRE(s->notices.size() == 1);  // the unknown key, told to the learner
    CHECK_THAT(s->notices[0].text, StartsWith("bogus:"));

    r = run({{"cmd", "link"}});
    CHECK(r.ok);
    REQUIRE(r.data);
    CHECK(*r.data == "#v=2&panel=inference&temp=1.5");
    const auto reply = nlohmann::json::parse(command_result_json(r));
    CHECK(reply["data"] == "#v=2&panel=inference&temp=1.5");
    const auto state = nlohmann::json::parse(state_json(*s));
    CHECK(state["fragment"] == *r.data);
    CHECK(state["link_notes"].empty());
    CHECK_FALSE(nlohmann::json::parse(command_result_json(CommandResult{})).contains("data"));

    r = run({{"cmd", "load_preset"}, {"id", "temperature"}});
    CHECK(r.ok);
    CHECK(s->lab_ui.sampling.temperature == 1.6f);
    CHECK(s->lab_ui.prompt == "the cat ");

    SECTION("bad arguments are refused and change nothing") {
        const std::string before = encode_fragment(capture(*s));
        CHECK_FALSE(run({{"cmd", "load_link"}}).ok);
        CHECK_FALSE(run({{"cmd", "load_link"}, {"fragment", 42}}).ok);
        CHECK_FALSE(run({{"cmd", "load_preset"}}).ok);
        const CommandResult unknown = run({{"cmd", "load_preset"}, {"id", "warp-drive"}});
        CHECK_FALSE(unknown.ok);
        CHECK_THAT(unknown.error, ContainsSubstring("watch-learn"));
        CHECK(encode_fragment(capture(*s)) == before);
    }
}

TEST_CASE("[url] content= names a course author's same-origin lesson file", "[url]") {
    SECTION("accepted, kept in the link, fetched once") {
        auto s = fresh_app();
        const UrlDecode d = decode_fragment("#v=2&panel=quiz&content=lessons/week-1.json");
        REQUIRE(d.notices.empty());
        CHECK(d.state.content_url == "lessons/week-1.json");
        CHECK(apply(*s, d.state).empty());
        CHECK(pending_content_url(*s) == "lessons/week-1.json");
        CHECK_THAT(share_check(*s).fragment, ContainsSubstring("content=lessons/week-1.json"));
        s->lesson.author_file = "lessons/week-1.json";  // what open_author_lesson records, valid or not
        CHECK(pending_content_url(*s).empty());
    }
    SECTION("refused with a notice: anything but a plain relative .json path") {
        const std::string path = GENERATE(as<std::string>{}, "/abs.json", "https://evil.example/a.json", "../a.json",
                                          "a/.git/x.json", "a.txt", "lesson.json?x=1", "javascript:alert(1)//.json",
                                          "a%2F..json", std::string(kMaxCorpusUrlChars, 'a') + ".json");
        std::string why;
        CHECK_FALSE(valid_content_url(path, &why));
        CHECK_FALSE(why.empty());
        const UrlDecode d = decode_fragment("#v=2&content=" + percent_encode(path));
        INFO(joined(d.notices));
        REQUIRE(d.notices.size() == 1);
        CHECK_THAT(d.notices[0], StartsWith("content:"));
        CHECK_FALSE(d.state.content_url);
    }
}

#include "app/url_state.h"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <limits>
#include <locale>
#include <set>
#include <sstream>

#include "app/commands.h"
#include "app/settings.h"
#include "core/utf8.h"

namespace knobs {

namespace {

static_assert(kMaxLinkPromptBytes * 3 < kMaxFragmentChars / 2,
              "a fully escaped prompt must leave room for every other key in a link");

constexpr size_t kMaxNumberChars = 32;  // raw length of any numeric or choice value

// ---- number text: strict grammar, locale-independent conversion, shortest round-trip output ---------------
// Whole numbers: an optional '-' and digits. Anything else (1.0, 0x10, 1e3, " 5") is not one.
enum class IntParse { ok, not_whole, too_large };
IntParse parse_integer(std::string_view s, long long* out) {
    bool negative = false;
    if (!s.empty() && s[0] == '-') {
        negative = true;
        s.remove_prefix(1);
    }
    if (s.empty()) return IntParse::not_whole;
    for (char c : s)
        if (c < '0' || c > '9') return IntParse::not_whole;
    while (s.size() > 1 && s[0] == '0') s.remove_prefix(1);
    if (s.size() > 18) return IntParse::too_large;  // 18 digits always fit in a long long
    long long v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    *out = negative ? -v : v;
    return IntParse::ok;
}

// Decimals: -?(digits[.digits]|.digits)([eE][+-]?digits)? . No "nan", "inf", hex or spaces.
bool decimal_grammar(std::string_view s) {
    size_t i = 0;
    auto digits = [&] {
        const size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        return i - start;
    };
    if (i < s.size() && s[i] == '-') ++i;
    size_t mantissa = digits();
    if (i < s.size() && s[i] == '.') {
        ++i;
        mantissa += digits();
    }
    if (mantissa == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (digits() == 0) return false;
    }
    return i == s.size();
}

bool parse_decimal(std::string_view s, double* out) {
    if (s.empty() || s.size() > kMaxNumberChars || !decimal_grammar(s)) return false;
    // Out-of-range magnitudes are settled here, not by the stream: libstdc++ and libc++ (wasm) disagree on
    // underflow (0 vs. failure), and a link must read the same on every platform.
    const bool negative = s[0] == '-';
    const std::string_view body = negative ? s.substr(1) : s;
    const size_t e = body.find_first_of("eE");
    const std::string_view mantissa = body.substr(0, e);
    long long exponent = 0;
    if (e != std::string_view::npos) {
        std::string_view digits = body.substr(e + 1);
        const bool exp_negative = !digits.empty() && digits[0] == '-';
        if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
        for (char c : digits) exponent = std::min<long long>(exponent * 10 + (c - '0'), 1'000'000);
        if (exp_negative) exponent = -exponent;
    }
    const size_t point = mantissa.find('.');
    const long long int_digits = static_cast<long long>(point == std::string_view::npos ? mantissa.size() : point);
    long long index = 0, first_nonzero = -1;
    for (char c : mantissa) {
        if (c == '.') continue;
        if (c != '0' && first_nonzero < 0) first_nonzero = index;
        ++index;
    }
    if (first_nonzero < 0) {
        *out = negative ? -0.0 : 0.0;
        return true;
    }
    const long long magnitude = int_digits - 1 - first_nonzero + exponent;  // power of ten of the first digit
    if (magnitude > 300) {
        *out = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
        return true;
    }
    if (magnitude < -300) {
        *out = negative ? -0.0 : 0.0;
        return true;
    }
    // The classic locale: a learner's desktop locale must not turn "0.003" into a parse error.
    std::istringstream in{std::string(s)};
    in.imbue(std::locale::classic());
    double v = 0;
    in >> v;
    if (in.fail()) return false;
    *out = v;
    return true;
}

}  // namespace

std::string format_link_float(float f) {
    if (!std::isfinite(f)) return std::isnan(f) ? "nan" : (f > 0 ? "inf" : "-inf");
    std::string best;
    for (int precision = 1; precision <= 9; ++precision) {
        std::ostringstream os;
        os.imbue(std::locale::classic());
        os << std::setprecision(precision) << static_cast<double>(f);
        best = os.str();
        double back = 0;
        if (parse_decimal(best, &back) && static_cast<float>(back) == f) break;
    }
    // "1e-05" -> "1e-5", "1e+10" -> "1e10": the same number, easier to read and type.
    if (auto e = best.find('e'); e != std::string::npos) {
        std::string mant = best.substr(0, e), exp = best.substr(e + 1);
        bool neg = false;
        if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) {
            neg = exp[0] == '-';
            exp.erase(0, 1);
        }
        while (exp.size() > 1 && exp[0] == '0') exp.erase(0, 1);
        best = mant + "e" + (neg ? "-" : "") + exp;
    }
    return best;
}

namespace {

// One code point of valid UTF-8 (display_text's output) starting at byte i, `len` bytes long.
char32_t decode_at(const std::string& text, size_t i, size_t len) {
    const auto byte = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(text[i + k])); };
    switch (len) {
        case 1: return byte(0);
        case 2: return ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
        case 3: return ((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
        default: return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
    }
}

// Characters that change how the text around them is shown rather than showing themselves: C0 and C1
// controls, and the bidirectional marks, embeddings, overrides and isolates (U+202E turns "gnp.exe" around).
bool is_control_or_bidi(char32_t c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

std::string escaped(char32_t c) {
    char buf[12];
    std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
    return buf;
}

}  // namespace

std::string quoted_value(std::string_view raw) {
    // Only the first 25 characters count (24 shown, and whether more follow), so a long value (up to the
    // 2048 characters of a link) is not decoded whole: the stream decoder holds back at most 3 bytes and
    // emits a character for every 1 to 4 bytes, so the first 128 bytes give at least 31 characters, the
    // same ones the whole value starts with.
    constexpr size_t kDecodedBytes = 128;
    const std::string text = raw.size() > kDecodedBytes ? display_text_partial(as_bytes(raw.substr(0, kDecodedBytes)))
                                                        : display_text(as_bytes(raw));
    std::string out = "\"";
    size_t chars = 0, i = 0;
    while (i < text.size()) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        const size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
        if (chars == 24) {
            out += "…";
            break;
        }
        const char32_t code = decode_at(text, i, len);
        if (is_control_or_bidi(code)) out += escaped(code);  // visible as what it is, never acted on
        else out.append(text, i, len);
        i += len;
        ++chars;
    }
    return out + "\"";
}

std::string link_text_problem(std::string_view text) {
    size_t bad = 0;
    if (!is_valid_utf8(as_bytes(text), &bad)) return "is not valid UTF-8 text (byte " + std::to_string(bad) + ")";
    if (text.size() > kMaxLinkPromptBytes)
        return "is " + std::to_string(text.size()) + " bytes, more than the " + std::to_string(kMaxLinkPromptBytes) +
               " a model can see";
    for (size_t i = 0; i < text.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
            return "contains a control character (byte " + std::to_string(i) + ")";
    }
    return {};
}

namespace {

bool valid_panel(PanelId p) { return static_cast<int>(p) >= 0 && static_cast<int>(p) < kNumPanels; }

// run= is the one number a link carries that is not a setting (no control shows it, no lock= names it); it
// is read and checked like an integer setting of the pre-training group, which it starts.
const SettingSpec& run_spec() {
    static const SettingSpec spec{"run", SettingGroup::pretrain, SettingKind::integer, 0, kMaxLinkRunSteps, false, {},
                                  static_cast<long long>(LinkOptions{}.run_steps), "", "", "%d", SliderScale::linear,
                                  ""};
    return spec;
}

// The link-only fields a LinkOptions holds, except corpus_url and content: a fresh app and a capture differ
// there, so callers set those.
void put_link_options(UrlState& u, const LinkOptions& link) {
    u.run = link.run_steps;
    u.embed = link.embed;
    u.hide = link.hidden;
    u.lock = link.locked;
    u.host = link.host;
}

// What a fresh app holds (app_init, the settings' fallbacks, LinkOptions{}); every field is set.
const UrlState& full_defaults() {
    static const UrlState defaults = [] {
        const LinkOptions link{};
        UrlState u;
        u.lesson_panel = PanelId::lifecycle;  // app_init's first tabs
        u.lab_panel = PanelId::pretrain;
        for (const SettingSpec& spec : settings_table()) set_link_setting(u, spec, spec.fallback);
        put_link_options(u, link);
        u.corpus_url = link.corpus_url;
        u.content_url = link.content_url;
        return u;
    }();
    return defaults;
}

bool uses_user_text(const UrlState& u) {
    return u.corpus == CorpusChoice::user || u.ft_corpus == CorpusChoice::user;
}

// ---- decoding ----------------------------------------------------------------------------------------------
struct Pair {
    std::string key;        // the v=2 key
    std::string shown_key;  // the key as the link wrote it (differs for migrated v=1 keys)
    std::string raw;        // still percent-encoded
};

class Decoder {
public:
    explicit Decoder(UrlDecode& out) : out_(out) {}

    UrlState& st() { return out_.state; }
    void note(std::string text) { out_.notices.push_back(std::move(text)); }
    // "<key>: <what is wrong>; using <what instead>."
    void invalid(const Pair& p, const std::string& problem, const std::string& instead) {
        note(p.shown_key + ": " + problem + "; using " + instead + ".");
    }

    // The value of a setting (or of run=), or nullopt after a notice that names what was wrong and what is used.
    std::optional<SettingValue> read(const Pair& p, const std::string& v, const SettingSpec& spec) {
        const std::string range = setting_range_text(spec);
        std::optional<SettingValue> x;
        std::string problem;
        switch (spec.kind) {
            case SettingKind::integer: {
                long long n = 0;
                switch (parse_integer(v, &n)) {
                    case IntParse::not_whole: problem = quoted_value(v) + " is not a whole number"; break;
                    case IntParse::too_large: problem = quoted_value(v) + " is far too large (" + range + ")"; break;
                    case IntParse::ok: x = n; break;
                }
                break;
            }
            case SettingKind::real: {
                double d = 0;
                if (!parse_decimal(v, &d)) {
                    problem = quoted_value(v) + " is not a number";
                    break;
                }
                float f = static_cast<float>(d);
                if (f == 0.0f) f = 0.0f;  // "-0" is 0: one spelling, one set of bits
                if (std::isfinite(f)) x = static_cast<double>(f);
                else problem = quoted_value(v) + " is far too large (" + range + ")";
                break;
            }
            case SettingKind::toggle:
                x = toggle(p, v, std::get<bool>(spec.fallback));
                if (!x) return x;
                break;
            case SettingKind::choice: x = v; break;
            case SettingKind::text:
                problem = link_text_problem(v);
                if (problem.empty()) x = v;
                break;
        }
        if (x && !check_setting_value(spec, *x).empty()) {  // well-formed, but not a value the setting takes
            problem = quoted_value(v) + " is not " + range;
            x.reset();
        }
        if (!problem.empty()) invalid(p, problem, instead(spec));
        return x;
    }

    // A link writes a toggle as 0 or 1.
    std::optional<bool> toggle(const Pair& p, const std::string& v, bool fallback) {
        if (v == "0" || v == "1") return v == "1";
        invalid(p, quoted_value(v) + " is not 0 or 1", std::string("the default ") + (fallback ? "1" : "0"));
        return std::nullopt;
    }

    // What a refused value gives way to: a view setting keeps the receiver's own, any other its default.
    static std::string instead(const SettingSpec& spec) {
        if (spec.group == SettingGroup::view) return "the " + std::string(spec.doc) + " already chosen";
        if (spec.kind == SettingKind::text) return "the default " + quoted_value(std::get<std::string>(spec.fallback));
        return "the default " + setting_value_text(spec, spec.fallback);
    }

    void panels(const Pair& p, const std::string& v) {
        for (const std::string& item : split_list(v)) {
            PanelId id;
            if (!panel_from_key(item, &id)) {
                note(p.shown_key + ": " + quoted_value(item) + " is not a panel; ignored.");
                continue;
            }
            std::optional<PanelId>& slot = panel_side(id) == Side::lesson ? st().lesson_panel : st().lab_panel;
            if (slot && *slot != id)
                note(p.shown_key + ": " + item + " and " + panel_key(*slot) + " are on the same side; using " +
                     panel_key(*slot) + ".");
            else slot = id;
        }
    }

    void hide(const Pair& p, const std::string& v) {
        std::vector<PanelId> hidden;
        for (const std::string& item : split_list(v)) {
            PanelId id;
            if (!panel_from_key(item, &id)) note(p.shown_key + ": " + quoted_value(item) + " is not a panel; ignored.");
            else if (std::find(hidden.begin(), hidden.end(), id) == hidden.end()) hidden.push_back(id);
        }
        std::sort(hidden.begin(), hidden.end());
        st().hide = hidden;
    }

    void lock(const Pair& p, const std::string& v) {
        const auto& keys = lockable_keys();
        std::vector<std::string> locked;
        for (const std::string& item : split_list(v)) {
            if (std::find(keys.begin(), keys.end(), item) == keys.end())
                note(p.shown_key + ": " + quoted_value(item) + " is not a setting that can be locked; ignored.");
            else if (std::find(locked.begin(), locked.end(), item) == locked.end()) locked.push_back(item);
        }
        // Stable order (that of lockable_keys) so equal lock sets encode and compare equal.
        std::vector<std::string> ordered;
        for (const auto& k : keys)
            if (std::find(locked.begin(), locked.end(), k) != locked.end()) ordered.push_back(k);
        st().lock = ordered;
    }

    void finish();

    static std::vector<std::string> split_list(const std::string& v) {
        std::vector<std::string> items;
        size_t start = 0;
        while (start <= v.size()) {
            size_t comma = v.find(',', start);
            if (comma == std::string::npos) comma = v.size();
            if (comma > start) items.push_back(v.substr(start, comma - start));  // empty items: ignored
            start = comma + 1;
        }
        return items;
    }

private:
    UrlDecode& out_;
};

void Decoder::finish() {
    UrlState& u = st();
    const UrlState& d = full_defaults();
    // The architecture keys describe a custom model; alone they imply size=custom.
    const bool arch_given = u.layers || u.heads || u.width || u.context;
    if (arch_given && !u.size) u.size = SizePreset::custom;
    if (arch_given && u.size != SizePreset::custom) {
        note(std::string("layers, heads, width, context: only used with size=custom; ignored (size=") +
             size_key(*u.size) + ").");
        u.layers = u.heads = u.width = u.context = std::nullopt;
    }
    if (u.size == SizePreset::custom) {
        const ModelConfig cfg{u.layers.value_or(*d.layers), u.heads.value_or(*d.heads), u.width.value_or(*d.width),
                              u.context.value_or(*d.context)};
        if (!validate(cfg).empty()) {
            // Each number was in range on its own, so the only conflict left is width vs heads.
            note("width, heads: width " + std::to_string(cfg.n_embd) + " cannot be split into " +
                 std::to_string(cfg.n_head) + " heads; using the defaults width " + std::to_string(*d.width) +
                 " and " + std::to_string(*d.heads) + " heads.");
            u.width = u.heads = std::nullopt;
        }
    }
    if (u.corpus_url && !uses_user_text(u)) {
        note("corpus_url: nothing in the link trains on that text (corpus=user or ftcorpus=user); ignored.");
        u.corpus_url = std::nullopt;
    }
    if (u.hide) {
        auto& h = *u.hide;
        for (const auto& shown : {u.lesson_panel, u.lab_panel})
            if (shown && std::find(h.begin(), h.end(), *shown) != h.end()) {
                note(std::string("hide: ") + panel_key(*shown) + " is the panel the link shows; it stays visible.");
                std::erase(h, *shown);
            }
        if (static_cast<int>(h.size()) == kNumPanels) {
            note("hide: every panel would be hidden; showing them all.");
            h.clear();
        }
    }
}

using Handler = void (*)(Decoder&, const Pair&, const std::string& value);
struct KeySpec {
    std::string_view key;
    size_t max_raw;  // longest raw (still escaped) value accepted
    Handler decode;
};

// The keys a link carries besides the settings (whose keys are settings_table()'s), by the order
// encode_fragment writes them.
const KeySpec kKeys[] = {
    {"panel", 40, [](Decoder& d, const Pair& p, const std::string& v) { d.panels(p, v); }},
    {"corpus_url", kMaxCorpusUrlChars * 3,
     [](Decoder& d, const Pair& p, const std::string& v) {
         std::string why;
         if (valid_corpus_url(v, &why)) d.st().corpus_url = v;
         else d.invalid(p, quoted_value(v) + " " + why, "no text file");
     }},
    {"content", kMaxCorpusUrlChars * 3,
     [](Decoder& d, const Pair& p, const std::string& v) {
         std::string why;
         if (valid_content_url(v, &why)) d.st().content_url = v;
         else d.invalid(p, quoted_value(v) + " " + why, "the built-in lesson");
     }},
    {"run", kMaxNumberChars,
     [](Decoder& d, const Pair& p, const std::string& v) {
         if (const auto x = d.read(p, v, run_spec())) d.st().run = static_cast<int>(std::get<long long>(*x));
     }},
    {"embed", 4,
     [](Decoder& d, const Pair& p, const std::string& v) { d.st().embed = d.toggle(p, v, *full_defaults().embed); }},
    {"hide", 200, [](Decoder& d, const Pair& p, const std::string& v) { d.hide(p, v); }},
    {"lock", 400, [](Decoder& d, const Pair& p, const std::string& v) { d.lock(p, v); }},
    {"host", kMaxHostChars * 3,
     [](Decoder& d, const Pair& p, const std::string& v) {
         std::string why;
         if (valid_host_origin(v, &why)) d.st().host = v;
         else d.invalid(p, quoted_value(v) + " " + why, "no host");
     }},
};

const KeySpec* find_key(std::string_view key) {
    for (const auto& k : kKeys)
        if (k.key == key) return &k;
    return nullptr;
}

// ---- v=1 -------------------------------------------------------------------------------------------------
// The first link layout (documented in docs/embedding.md): one panel ("tab"), the three sizes by name
// ("model=small"), the corpus as "data", the learning rate as a whole number of 0.0001 units ("lr=30" for
// 0.003), "bs" for the batch, and one-letter sampling keys. It had no custom models, no optimiser details
// beyond steps and seed, no chat, fine-tuning or embedding keys.
struct V1Key {
    std::string_view v1, v2;
};
constexpr V1Key kV1Keys[] = {{"tab", "panel"},  {"lang", "lang"}, {"theme", "theme"}, {"model", "size"},
                             {"data", "corpus"}, {"lr", "lr"},     {"bs", "batch"},    {"steps", "steps"},
                             {"seed", "seed"},   {"prompt", "prompt"}, {"t", "temp"},  {"k", "topk"},
                             {"p", "topp"},      {"n", "tokens"}};

// Rewrites one v=1 pair as v=2; false (with a notice) when it has no v=2 meaning.
bool migrate_v1(Pair& p, std::vector<std::string>& notices) {
    const V1Key* k = nullptr;
    for (const auto& entry : kV1Keys)
        if (entry.v1 == p.key) k = &entry;
    if (!k) {
        notices.push_back(p.shown_key + ": not a setting of v=1 links; ignored.");
        return false;
    }
    p.key = std::string(k->v2);
    if (k->v1 == "model") {
        if (p.raw == "small") p.raw = "S";
        else if (p.raw == "medium") p.raw = "M";
        else if (p.raw == "large") p.raw = "L";
        else {
            notices.push_back("model: " + quoted_value(p.raw) + " is not small, medium or large; using the default S.");
            return false;
        }
    } else if (k->v1 == "data" && p.raw != "english" && p.raw != "portuguese" && p.raw != "course") {
        notices.push_back("data: " + quoted_value(p.raw) + " is not english, portuguese or course; using the default english.");
        return false;
    } else if (k->v1 == "lr") {
        // Whole units of 0.0001, written out as an exact decimal (30 -> "0.003") for the v=2 reader.
        long long units = 0;
        if (parse_integer(p.raw, &units) != IntParse::ok || units < 1 || units > 100000) {
            notices.push_back("lr: " + quoted_value(p.raw) +
                              " is not a v=1 learning rate (a whole number of 0.0001 units, 1 to 100000); using "
                              "the default " + format_link_float(*full_defaults().lr) + ".");
            return false;
        }
        std::string frac = std::to_string(units % 10000);
        frac.insert(0, 4 - frac.size(), '0');
        while (!frac.empty() && frac.back() == '0') frac.pop_back();
        p.raw = std::to_string(units / 10000) + (frac.empty() ? "" : "." + frac);
    }
    return true;
}

bool is_unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

// ---- public: text helpers ---------------------------------------------------------------------------------

std::string percent_encode(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size());
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_unreserved(c) || c == ':' || c == '/') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

bool percent_decode(std::string_view value, std::string* out) {
    std::string r;
    r.reserve(value.size());
    for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '%') {
            if (i + 2 >= value.size()) return false;  // "%", "%4" at the end
            const int hi = hex_value(value[i + 1]), lo = hex_value(value[i + 2]);
            if (hi < 0 || lo < 0) return false;
            r += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (value[i] == '+') {
            r += ' ';
        } else {
            r += value[i];
        }
    }
    *out = std::move(r);
    return true;
}

namespace {
// A same-origin file a link may name: a relative path of plain characters, no "..", no hidden files, with
// the given extension. The platform resolves it against the page's own address.
bool valid_link_file(std::string_view path, std::string_view extension, std::string* why) {
    auto fail = [&](const char* reason) {
        if (why) *why = reason;
        return false;
    };
    if (path.empty()) return fail("is empty");
    if (path.size() > kMaxCorpusUrlChars) return fail("is longer than 200 characters");
    if (path.find(':') != std::string_view::npos) return fail("is not a relative path (it names a scheme)");
    if (path.front() == '/') return fail("is not a relative path (it starts with /)");
    if (path.find("//") != std::string_view::npos) return fail("contains //");
    if (path.find("..") != std::string_view::npos) return fail("contains ..");
    for (char ch : path) {
        const auto c = static_cast<unsigned char>(ch);
        if (!is_unreserved(c) && c != '/') return fail("may only contain letters, digits, - . _ ~ and /");
    }
    // Segments: no "." and no hidden files (".git/..."), and a real file name at the end.
    size_t start = 0;
    while (start < path.size()) {
        size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) slash = path.size();
        if (path[start] == '.') return fail("names a hidden file or folder");
        start = slash + 1;
    }
    if (path.back() == '/') return fail(extension == ".txt" ? "names a folder, not a .txt file" : "names a folder, not a .json file");
    if (path.size() <= extension.size() || path.substr(path.size() - extension.size()) != extension)
        return fail(extension == ".txt" ? "does not end in .txt" : "does not end in .json");
    return true;
}
}  // namespace

bool valid_corpus_url(std::string_view path, std::string* why) { return valid_link_file(path, ".txt", why); }
bool valid_content_url(std::string_view path, std::string* why) { return valid_link_file(path, ".json", why); }

bool valid_host_origin(std::string_view origin, std::string* why) {
    auto fail = [&](const char* reason) {
        if (why) *why = reason;
        return false;
    };
    if (origin.empty()) return fail("is empty");
    if (origin.size() > kMaxHostChars) return fail("is longer than 100 characters");
    std::string_view rest;
    if (origin.starts_with("https://")) rest = origin.substr(8);
    else if (origin.starts_with("http://")) rest = origin.substr(7);
    else return fail("is not an http:// or https:// origin");
    // "http://user:pass@host" would otherwise be blamed on its "port" ("pass@host"): say what it is.
    if (rest.find('@') != std::string_view::npos) return fail("has a user name or password (user@host); an origin has none");
    const size_t colon = rest.find(':');
    std::string_view host = rest.substr(0, colon);
    if (colon != std::string_view::npos) {
        const std::string_view port = rest.substr(colon + 1);
        long long n = 0;
        if (port.empty() || port.size() > 5 || parse_integer(port, &n) != IntParse::ok || port[0] == '-' || n < 1 ||
            n > 65535)
            return fail("has a port that is not a number from 1 to 65535");
    }
    if (host.empty()) return fail("has no host name");
    // Letters, digits, '-' and '.': a host name or an IPv4 address. No user info, path, query or fragment.
    for (char ch : host) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                        ch == '.';
        if (!ok) return fail("is not a bare origin (scheme://host[:port], no path)");
    }
    if (host.front() == '.' || host.back() == '.' || host.find("..") != std::string_view::npos)
        return fail("has an empty part in its host name");
    return true;
}

const std::vector<std::string>& lockable_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> all;
        for (const SettingSpec& spec : settings_table()) all.emplace_back(spec.key);
        return all;
    }();
    return keys;
}

// ---- public: decode / encode -------------------------------------------------------------------------------

UrlDecode decode_fragment(std::string_view fragment) {
    UrlDecode out;
    if (fragment.size() > kMaxFragmentChars) {
        out.refused = true;
        out.notices.push_back("The link is too long (" + std::to_string(fragment.size()) + " characters, at most " +
                              std::to_string(kMaxFragmentChars) + "); nothing from it was loaded.");
        return out;
    }
    // A whole address is fine too: only what follows its first '#' is the fragment.
    if (const size_t hash = fragment.find('#'); hash != std::string_view::npos) fragment.remove_prefix(hash + 1);
    else if (fragment.starts_with("http://") || fragment.starts_with("https://")) return out;  // no fragment at all

    std::vector<Pair> pairs;
    size_t start = 0;
    while (start < fragment.size()) {
        size_t amp = fragment.find('&', start);
        if (amp == std::string_view::npos) amp = fragment.size();
        const std::string_view item = fragment.substr(start, amp - start);
        start = amp + 1;
        if (item.empty()) continue;  // "a=1&&b=2"
        const size_t eq = item.find('=');
        std::string key;
        const std::string_view raw_key = item.substr(0, eq);
        if (!percent_decode(raw_key, &key)) key = std::string(raw_key);
        // A key is echoed as is only when it is short and plain; anything else (bytes that are not UTF-8,
        // control characters, markup) is shown quoted and cleaned, also in the "no value" notice.
        const std::string shown = !key.empty() && key.size() <= 16 && std::all_of(key.begin(), key.end(), [](char c) {
                                      return is_unreserved(static_cast<unsigned char>(c));
                                  })
                                      ? key
                                      : quoted_value(key);
        if (eq == std::string_view::npos) {
            out.notices.push_back(shown + ": has no value (write " + (shown == key ? key : "key") + "=...); ignored.");
            continue;
        }
        pairs.push_back({key, shown, std::string(item.substr(eq + 1))});
    }
    if (pairs.empty()) return out;

    // The schema version decides how every other key is read.
    const auto v_it = std::find_if(pairs.begin(), pairs.end(), [](const Pair& p) { return p.key == "v"; });
    if (v_it == pairs.end()) {
        out.notices.push_back("v: the link does not say its version; reading it as v=" +
                              std::to_string(kUrlSchemaVersion) + ".");
    } else {
        long long version = 0;
        if (parse_integer(v_it->raw, &version) != IntParse::ok || version < 1) {
            out.notices.push_back("v: " + quoted_value(v_it->raw) + " is not a version number; reading the link as v=" +
                                  std::to_string(kUrlSchemaVersion) + ".");
        } else {
            out.version = static_cast<int>(std::min<long long>(version, std::numeric_limits<int>::max()));
            if (version > kUrlSchemaVersion)
                out.notices.push_back("v: the link comes from a newer Knobs (v=" + std::to_string(version) +
                                      "); reading the settings this version knows (v=" +
                                      std::to_string(kUrlSchemaVersion) + ").");
        }
    }
    const bool v1 = out.version == 1;

    Decoder d(out);
    std::set<std::string> seen;
    for (Pair p : pairs) {
        if (p.key == "v") {
            if (!seen.insert("v").second) out.notices.push_back("v: given more than once; the first one is used.");
            continue;
        }
        if (!seen.insert(p.key).second) {
            out.notices.push_back(p.shown_key + ": given more than once; the first value is used and " +
                                  quoted_value(p.raw) + " is ignored.");
            continue;
        }
        if (v1 && !migrate_v1(p, out.notices)) continue;
        const SettingSpec* setting = find_setting(p.key);
        const KeySpec* spec = setting ? nullptr : find_key(p.key);
        if (!setting && !spec) {
            out.notices.push_back(p.shown_key + ": not a setting this version of Knobs knows; ignored.");
            continue;
        }
        const size_t max_raw = !setting ? spec->max_raw
                               : setting->kind == SettingKind::text ? kMaxLinkPromptBytes * 3  // every byte escaped
                                                                    : kMaxNumberChars;
        if (p.raw.size() > max_raw) {
            out.notices.push_back(p.shown_key + ": the value is too long (" + std::to_string(p.raw.size()) +
                                  " characters, at most " + std::to_string(max_raw) + "); ignored.");
            continue;
        }
        std::string value;
        if (!percent_decode(p.raw, &value)) {
            out.notices.push_back(p.shown_key + ": " + quoted_value(p.raw) +
                                  " has a broken %-escape (% must be followed by two hex digits); ignored.");
            continue;
        }
        if (!setting) spec->decode(d, p, value);
        else if (const auto x = d.read(p, value, *setting)) set_link_setting(out.state, *setting, *x);
    }
    d.finish();
    return out;
}

UrlState canonical(const UrlState& state) {
    UrlState u = state;
    const UrlState& d = full_defaults();
    auto drop = [](auto& field, const auto& fallback) {
        if (field && *field == *fallback) field.reset();
    };
    if (u.lesson_panel && (!valid_panel(*u.lesson_panel) || panel_side(*u.lesson_panel) != Side::lesson))
        u.lesson_panel.reset();
    if (u.lab_panel && (!valid_panel(*u.lab_panel) || panel_side(*u.lab_panel) != Side::lab)) u.lab_panel.reset();
    drop(u.lesson_panel, d.lesson_panel);
    drop(u.lab_panel, d.lab_panel);
    for (const SettingSpec& spec : settings_table())
        if (link_setting(u, spec) == spec.fallback) set_link_setting(u, spec, std::nullopt);
    if (u.size != SizePreset::custom) u.layers = u.heads = u.width = u.context = std::nullopt;
    drop(u.corpus_url, d.corpus_url);
    drop(u.content_url, d.content_url);
    if (!uses_user_text(u)) u.corpus_url.reset();
    drop(u.run, d.run);
    drop(u.embed, d.embed);
    if (u.hide) {
        std::vector<PanelId> h;
        for (PanelId p : *u.hide)
            if (valid_panel(p) && std::find(h.begin(), h.end(), p) == h.end()) h.push_back(p);
        std::sort(h.begin(), h.end());
        u.hide = h;
    }
    drop(u.hide, d.hide);
    if (u.lock) {
        std::vector<std::string> ordered;
        for (const auto& k : lockable_keys())
            if (std::find(u.lock->begin(), u.lock->end(), k) != u.lock->end()) ordered.push_back(k);
        u.lock = ordered;
    }
    drop(u.lock, d.lock);
    drop(u.host, d.host);
    return u;
}

std::string encode_fragment(const UrlState& state) {
    const UrlState u = canonical(state);
    std::string out = "#v=" + std::to_string(kUrlSchemaVersion);
    auto put = [&](std::string_view key, const std::string& encoded_value) {
        out += '&';
        out += key;
        out += '=';
        out += encoded_value;
    };
    // Lists are written with bare commas (their items never contain one).
    if (u.lesson_panel || u.lab_panel) {
        std::string list;
        for (const auto& p : {u.lesson_panel, u.lab_panel})
            if (p) list += (list.empty() ? "" : ",") + std::string(panel_key(*p));
        put("panel", list);
    }
    for (const SettingSpec& spec : settings_table()) {
        if (const auto v = link_setting(u, spec)) put(spec.key, percent_encode(setting_value_text(spec, *v)));
        // The link-only keys of the pre-training group follow the setting they go with.
        if (spec.key == "corpus") {
            if (u.corpus_url) put("corpus_url", percent_encode(*u.corpus_url));
            if (u.content_url) put("content", percent_encode(*u.content_url));
        } else if (spec.key == "seed" && u.run) {
            put("run", std::to_string(*u.run));
        }
    }
    if (u.embed) put("embed", *u.embed ? "1" : "0");
    if (u.hide) {
        std::string list;
        for (PanelId p : *u.hide) list += (list.empty() ? "" : ",") + std::string(panel_key(p));
        put("hide", list);
    }
    if (u.lock) {
        std::string list;
        for (const auto& k : *u.lock) list += (list.empty() ? "" : ",") + k;
        put("lock", list);
    }
    if (u.host) put("host", percent_encode(*u.host));
    return out;
}

// ---- public: the app ---------------------------------------------------------------------------------------

std::string pending_content_url(const AppState& s) {
    return s.link.content_url == s.lesson.author_file ? std::string() : s.link.content_url;
}

std::string pending_corpus_url(const AppState& s) {
    if (s.link.corpus_url.empty() || s.user_text_name == s.link.corpus_url) return {};
    return s.link.corpus_url;
}

UrlState capture(const AppState& s) {
    UrlState u;
    if (valid_panel(s.focused_lesson_panel) && panel_side(s.focused_lesson_panel) == Side::lesson)
        u.lesson_panel = s.focused_lesson_panel;
    if (valid_panel(s.focused_lab_panel) && panel_side(s.focused_lab_panel) == Side::lab)
        u.lab_panel = s.focused_lab_panel;
    for (const SettingSpec& spec : settings_table()) set_link_setting(u, spec, setting_value(s, spec));
    put_link_options(u, s.link);
    if (!s.link.corpus_url.empty()) u.corpus_url = s.link.corpus_url;
    if (!s.link.content_url.empty()) u.content_url = s.link.content_url;
    return canonical(u);
}

namespace {
// Starts (or continues) the pre-training run from lab_ui.editing the way the panel's confirm button does:
// a run that must restart is paused first. Returns the lab's refusal, or "".
std::string apply_training(AppState& s) {
    Lab& lab = s.lab;
    const TrainSettings& t = s.lab_ui.editing;
    if (lab.settings_need_reset(t) && lab.pretrain().step > 0) lab.pause();
    return lab.apply_settings(t);
}

bool user_text_ready(const AppState& s) { return s.user_text_bytes > 0 && pending_corpus_url(s).empty(); }

}  // namespace

std::vector<std::string> apply(AppState& s, const UrlState& in) {
    std::vector<std::string> notes;
    UrlState u = in;

    // Guard what decode_fragment guarantees, for states built by hand (commands, tests, future callers).
    {
        for (const SettingSpec& spec : settings_table()) {
            const auto v = link_setting(u, spec);
            if (!v) continue;
            if (const std::string why = check_setting_value(spec, *v); !why.empty()) {
                notes.push_back(why + "; not applied.");
                set_link_setting(u, spec, std::nullopt);
            }
        }
        if (u.run) {
            if (const std::string why = check_setting_value(run_spec(), static_cast<long long>(*u.run)); !why.empty()) {
                notes.push_back(why + "; not applied.");
                u.run.reset();
            }
        }
        if (u.corpus_url && !valid_corpus_url(*u.corpus_url)) {
            notes.push_back("corpus_url: not a relative .txt path; not applied.");
            u.corpus_url.reset();
        }
        if (u.content_url && !valid_content_url(*u.content_url)) {
            notes.push_back("content: not a relative .json path; not applied.");
            u.content_url.reset();
        }
        if (u.host && !u.host->empty() && !valid_host_origin(*u.host)) {
            notes.push_back("host: not an http(s) origin; not applied.");
            u.host.reset();
        }
    }

    // Locks protect the embedding page's choices against later links; the link that sets them is applied
    // with the locks that were in force before it.
    const std::vector<std::string> locked_before = s.link.locked;
    auto was_locked = [&](std::string_view key) {
        return std::find(locked_before.begin(), locked_before.end(), key) != locked_before.end();
    };
    auto locked = [&](std::string_view key, bool given) {
        const bool is = was_locked(key);
        if (is && given) notes.push_back(std::string(key) + ": locked by this page; kept as it was.");
        return is;
    };

    // ---- view: each setting on its own ----
    for (const SettingSpec& spec : settings_table())
        if (const auto v = link_setting(u, spec); spec.group == SettingGroup::view && v && !locked(spec.key, true))
            store_setting(s, spec, *v);
    // The lesson panel first, so that on a narrow screen (one row of tabs) the lab panel ends up in front.
    if (u.lesson_panel || u.lab_panel) s.link.panels.clear();  // what an embed shows: exactly the named panels
    for (const auto& p : {u.lesson_panel, u.lab_panel})
        if (p && valid_panel(*p)) s.link.panels.push_back(*p);
    if (u.lesson_panel && valid_panel(*u.lesson_panel) && panel_side(*u.lesson_panel) == Side::lesson) {
        open_panel(s, *u.lesson_panel);
        s.focused_lesson_panel = *u.lesson_panel;
    }
    if (u.lab_panel && valid_panel(*u.lab_panel) && panel_side(*u.lab_panel) == Side::lab) {
        open_panel(s, *u.lab_panel);
        s.focused_lab_panel = *u.lab_panel;
    }

    // Sets every setting of a group the link mentions: the ones it gives, the rest their defaults; a locked one
    // keeps its value. False (and nothing set) when the link mentions none of them.
    auto apply_group = [&](SettingGroup group, bool mentioned) {
        for (const SettingSpec& spec : settings_table())
            mentioned = mentioned || (spec.group == group && link_setting(u, spec));
        if (!mentioned) return false;
        for (const SettingSpec& spec : settings_table()) {
            if (spec.group != group) continue;
            const auto v = link_setting(u, spec);
            // corpus_url is the text of corpus=user, so the corpus lock covers it too.
            const bool given = v || (spec.key == "corpus" && u.corpus_url);
            if (!locked(spec.key, given)) store_setting(s, spec, v.value_or(spec.fallback));
        }
        return true;
    };

    // ---- pre-training ----
    if (apply_group(SettingGroup::pretrain, u.corpus_url || u.run)) {
        if (!was_locked("corpus")) s.link.corpus_url = u.corpus_url.value_or("");
        s.link.run_steps = u.run.value_or(0);
        s.lab_ui.confirm_reset = false;

        const CorpusChoice corpus = s.lab_ui.editing.corpus;
        if (corpus != CorpusChoice::user || user_text_ready(s)) {
            if (corpus == CorpusChoice::user && s.link.corpus_url.empty())
                notes.push_back("corpus=user: a link cannot carry the text it was made with; training on your own "
                                "text (" + s.user_text_name + ").");
            if (std::string err = apply_training(s); !err.empty())
                notes.push_back("The pre-training settings were not applied: " + err);
        } else if (s.link.corpus_url.empty()) {
            notes.push_back("corpus=user: a link cannot carry the text it was made with; open or paste a text of "
                            "your own in the pre-train panel to train on it.");
        }
        // else: the platform fetches the text (pending_corpus_url) and open_linked_text starts the run.
    }

    // ---- inference ----
    const bool chat_before = s.lab_ui.chat;
    if (apply_group(SettingGroup::inference, false) && s.lab_ui.chat != chat_before)
        s.lab.stop_generation();  // as the panel's checkbox does

    // ---- the knobs panel ----
    apply_group(SettingGroup::knobs, false);

    // ---- fine-tuning (chosen, not started: the learner presses start) ----
    apply_group(SettingGroup::finetune, false);

    // ---- a course author's lesson file (fetched by the platform: pending_content_url) ----
    if (u.content_url) s.link.content_url = *u.content_url;

    // ---- embedding ----
    if (u.embed || u.hide || u.lock || u.host) {
        LinkOptions& link = s.link;
        link.embed = u.embed.value_or(false);
        link.hidden.clear();
        for (PanelId p : u.hide.value_or(std::vector<PanelId>{}))
            if (valid_panel(p) && std::find(link.hidden.begin(), link.hidden.end(), p) == link.hidden.end())
                link.hidden.push_back(p);
        std::sort(link.hidden.begin(), link.hidden.end());
        link.locked.clear();
        for (const auto& k : lockable_keys())
            if (u.lock && std::find(u.lock->begin(), u.lock->end(), k) != u.lock->end()) link.locked.push_back(k);
        link.host = u.host.value_or("");
    }
    return notes;
}

std::string open_linked_text(AppState& s, std::span<const uint8_t> bytes) {
    const std::string url = s.link.corpus_url;
    if (url.empty()) return "no linked text was asked for";
    SanitizedText t = sanitize_user_text(bytes);
    if (!t.ok()) {
        const std::string err = url + ": " + t.error;
        s.notify(err, true);
        return err;
    }
    s.user_text_name = url;
    s.user_text_bytes = t.text.size();
    s.lab.set_user_text(std::move(t.text), url);
    if (s.lab_ui.editing.corpus == CorpusChoice::user) {
        if (std::string err = apply_training(s); !err.empty()) {
            s.notify(url + ": " + err, true);
            return err;
        }
    }
    return {};
}

ShareCheck share_check(const AppState& s) {
    ShareCheck r;
    UrlState u = capture(s);
    if (uses_user_text(u) && !u.corpus_url) {
        r.fits = false;
        r.reasons.push_back("Your own text is not in the link: whoever opens it is asked to open or paste a text "
                            "of their own. Everything else is.");
    }
    if (u.prompt && u.prompt->size() > kMaxLinkPromptBytes) {
        // Cut at a character boundary: the first kMaxLinkPromptBytes bytes the model could see anyway.
        size_t cut = kMaxLinkPromptBytes;
        while (cut > 0 && (static_cast<unsigned char>((*u.prompt)[cut]) & 0xC0) == 0x80) --cut;
        u.prompt->resize(cut);
        r.fits = false;
        r.reasons.push_back("The prompt is longer than a link can carry; the link has its first " +
                            std::to_string(cut) + " bytes.");
    }
    r.fragment = encode_fragment(u);
    // Whatever else the link cannot reproduce (a setting outside the ranges a link accepts, say) shows up as a
    // notice when it is read back; the fragment then carries what was read.
    const UrlDecode back = decode_fragment(r.fragment);
    if (back.refused) {
        u.prompt.reset();
        r.fits = false;
        r.reasons.push_back("The link would be too long; it leaves the prompt out.");
        r.fragment = encode_fragment(u);
        return r;
    }
    if (!back.notices.empty()) {
        r.fits = false;
        for (const auto& n : back.notices) r.reasons.push_back(n);
        r.fragment = encode_fragment(back.state);
    }
    return r;
}

}  // namespace knobs

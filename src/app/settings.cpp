#include "app/settings.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <locale>
#include <sstream>
#include <type_traits>

#include "app/app_state.h"
#include "app/i18n.h"
#include "app/url_state.h"

namespace knobs {

namespace {

// ---- choices: how an enum, a bool or a string field reads as one of a row's choice keys ------------------
std::string_view choice_key(SizePreset p) { return size_key(p); }
std::string_view choice_key(CorpusChoice c) { return corpus_key(c); }
std::string_view choice_key(Tensor t) { return tensor_name(t); }
std::string_view choice_key(Theme t) { return t == Theme::light ? "light" : "dark"; }

bool from_choice_key(std::string_view k, SizePreset* out) { return size_from_key(std::string(k), out); }
bool from_choice_key(std::string_view k, CorpusChoice* out) { return corpus_from_key(std::string(k), out); }
bool from_choice_key(std::string_view k, Tensor* out) {
    for (int i = 0; i < kNumTensors; ++i)
        if (k == tensor_name(static_cast<Tensor>(i))) {
            *out = static_cast<Tensor>(i);
            return true;
        }
    return false;
}
bool from_choice_key(std::string_view k, Theme* out) {
    if (k != "dark" && k != "light") return false;
    *out = k == "light" ? Theme::light : Theme::dark;
    return true;
}

// ---- one conversion between a typed field (the app's or the link's) and a SettingValue ----------------------
// A choice held as a bool (ft: lora or full) is true for the row's first choice.
template <class T>
SettingValue to_value(const SettingSpec& spec, const T& x) {
    if constexpr (std::is_same_v<T, bool>) {
        if (spec.kind == SettingKind::choice) return std::string(spec.choices[x ? 0 : 1]);
        return x;
    } else if constexpr (std::is_same_v<T, std::string>) {
        return x;
    } else if constexpr (std::is_enum_v<T>) {
        return std::string(choice_key(x));
    } else if constexpr (std::is_floating_point_v<T>) {
        return static_cast<double>(x);
    } else if constexpr (std::is_unsigned_v<T>) {
        // Saturates: a seed set by code beyond long long is still out of range, never negative.
        return static_cast<long long>(std::min<uint64_t>(x, std::numeric_limits<long long>::max()));
    } else {
        return static_cast<long long>(x);
    }
}

// `v` is normalized and accepted by the row (check_setting_value).
template <class T>
T from_value(const SettingSpec& spec, const SettingValue& v) {
    if constexpr (std::is_same_v<T, bool>) {
        if (spec.kind == SettingKind::choice) return std::get<std::string>(v) == spec.choices[0];
        return std::get<bool>(v);
    } else if constexpr (std::is_same_v<T, std::string>) {
        return std::get<std::string>(v);
    } else if constexpr (std::is_enum_v<T>) {
        T t{};
        from_choice_key(std::get<std::string>(v), &t);
        return t;
    } else if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(std::get<double>(v));
    } else {
        return static_cast<T>(std::get<long long>(v));
    }
}

// Where a row lives: its UrlState field and the path of members from AppState to its app field.
struct Binding {
    SettingValue (*get)(const SettingSpec&, const AppState&);
    void (*set)(const SettingSpec&, AppState&, const SettingValue&);
    std::optional<SettingValue> (*get_link)(const SettingSpec&, const UrlState&);
    void (*set_link)(const SettingSpec&, UrlState&, const std::optional<SettingValue>&);
};

template <auto LinkField, auto... AppPath>
constexpr Binding bind() {
    return {
        [](const SettingSpec& spec, const AppState& s) { return to_value(spec, (s .* ... .* AppPath)); },
        [](const SettingSpec& spec, AppState& s, const SettingValue& v) {
            auto& field = (s .* ... .* AppPath);
            field = from_value<std::remove_reference_t<decltype(field)>>(spec, v);
        },
        [](const SettingSpec& spec, const UrlState& u) -> std::optional<SettingValue> {
            const auto& field = u.*LinkField;
            if (!field) return std::nullopt;
            return to_value(spec, *field);
        },
        [](const SettingSpec& spec, UrlState& u, const std::optional<SettingValue>& v) {
            auto& field = u.*LinkField;
            if (v) field = from_value<typename std::remove_reference_t<decltype(field)>::value_type>(spec, *v);
            else field.reset();
        },
    };
}

// ---- row builders: the arguments every row of a kind needs, in one order --------------------------------------
SettingSpec integer(std::string_view key, SettingGroup g, IntLimits r, long long fallback, const char* label,
                    const char* help, const char* doc) {
    return {key, g, SettingKind::integer, static_cast<double>(r.lo), static_cast<double>(r.hi), false, {}, fallback,
            label, help, "%d", SliderScale::linear, doc};
}
// The fallback is the app's float, so that it compares equal to what a fresh app holds.
SettingSpec real(std::string_view key, SettingGroup g, RealLimits r, float fallback, const char* label,
                 const char* help, const char* format, const char* doc, SliderScale scale = SliderScale::linear) {
    return {key, g, SettingKind::real, r.lo, r.hi, r.lo_open, {}, static_cast<double>(fallback), label, help, format,
            scale, doc};
}
SettingSpec toggle(std::string_view key, SettingGroup g, bool fallback, const char* label, const char* help,
                   const char* doc) {
    return {key, g, SettingKind::toggle, 0, 0, false, {}, fallback, label, help, "", SliderScale::linear, doc};
}
SettingSpec choice(std::string_view key, SettingGroup g, std::span<const std::string_view> choices,
                   std::string_view fallback, const char* label, const char* help, const char* doc) {
    return {key, g, SettingKind::choice, 0, 0, false, choices, std::string(fallback), label, help, "",
            SliderScale::linear, doc};
}

struct Row {
    SettingSpec spec;
    Binding bind;
};

using SG = SettingGroup;

const std::vector<Row>& rows() {
    static const std::vector<Row> table = [] {
        // Choice lists whose words belong to other modules are read from them, in the control's order.
        static const std::vector<std::string> languages = supported_languages();
        static const std::vector<std::string_view> lang_keys(languages.begin(), languages.end());
        static const std::vector<std::string_view> tensor_keys = [] {
            std::vector<std::string_view> names;
            for (int i = 0; i < kNumTensors; ++i) names.push_back(tensor_name(static_cast<Tensor>(i)));
            return names;
        }();
        static constexpr std::string_view themes[] = {"dark", "light"};
        static constexpr std::string_view sizes[] = {"S", "M", "L", "custom"};
        static constexpr std::string_view corpora[] = {"english", "portuguese", "course", "user"};
        // Fine-tuning on the text the base model was pre-trained on would teach it nothing new.
        static constexpr std::string_view ft_corpora[] = {"portuguese", "course", "user"};
        static constexpr std::string_view ft_methods[] = {"lora", "full"};

        const TrainSettings t{};
        const LabUi ui{};
        const auto& m = t.custom;
        const std::string_view ft_method = ui.ft_lora ? ft_methods[0] : ft_methods[1];
        return std::vector<Row>{
            {choice("lang", SG::view, lang_keys, "en", "settings.lang", "", "language"),
             bind<&UrlState::lang, &AppState::lang>()},
            {choice("theme", SG::view, themes, choice_key(Theme::dark), "settings.theme", "", "theme"),
             bind<&UrlState::theme, &AppState::theme>()},
            {choice("size", SG::pretrain, sizes, size_key(t.size), "pretrain.model", "",
                    "model size. S, M and L are the pre-train panel's presets."),
             bind<&UrlState::size, &AppState::lab_ui, &LabUi::editing, &TrainSettings::size>()},
            {integer("layers", SG::pretrain, kLayersLimits, m.n_layer, "pretrain.layers", "",
                     "custom model: transformer blocks (L)"),
             bind<&UrlState::layers, &AppState::lab_ui, &LabUi::editing, &TrainSettings::custom, &ModelConfig::n_layer>()},
            {integer("heads", SG::pretrain, kHeadsLimits, m.n_head, "pretrain.heads", "",
                     "custom model: attention heads (H)"),
             bind<&UrlState::heads, &AppState::lab_ui, &LabUi::editing, &TrainSettings::custom, &ModelConfig::n_head>()},
            {integer("width", SG::pretrain, kWidthLimits, m.n_embd, "pretrain.width", "",
                     "custom model: embedding width (C)"),
             bind<&UrlState::width, &AppState::lab_ui, &LabUi::editing, &TrainSettings::custom, &ModelConfig::n_embd>()},
            {integer("context", SG::pretrain, kContextLimits, m.block_size, "pretrain.context", "",
                     "custom model: context window in bytes (T)"),
             bind<&UrlState::context, &AppState::lab_ui, &LabUi::editing, &TrainSettings::custom,
                  &ModelConfig::block_size>()},
            {choice("corpus", SG::pretrain, corpora, corpus_key(t.corpus), "pretrain.corpus", "pretrain.corpus_help",
                    "pre-training text. `user` is the learner's own text (see [own text](#the-learners-own-text))."),
             bind<&UrlState::corpus, &AppState::lab_ui, &LabUi::editing, &TrainSettings::corpus>()},
            {real("lr", SG::pretrain, kLrLimits, t.lr, "pretrain.lr", "pretrain.lr_help", "%.5f", "learning rate",
                  SliderScale::log),
             bind<&UrlState::lr, &AppState::lab_ui, &LabUi::editing, &TrainSettings::lr>()},
            {integer("batch", SG::pretrain, kBatchLimits, t.batch_size, "pretrain.batch", "pretrain.batch_help",
                     "batch size"),
             bind<&UrlState::batch, &AppState::lab_ui, &LabUi::editing, &TrainSettings::batch_size>()},
            {integer("warmup", SG::pretrain, kWarmupLimits, t.warmup_steps, "pretrain.warmup", "", "warm-up steps"),
             bind<&UrlState::warmup, &AppState::lab_ui, &LabUi::editing, &TrainSettings::warmup_steps>()},
            {integer("steps", SG::pretrain, kStepsLimits, t.total_steps, "pretrain.total_steps", "",
                     "total steps of the learning-rate schedule"),
             bind<&UrlState::steps, &AppState::lab_ui, &LabUi::editing, &TrainSettings::total_steps>()},
            {real("wd", SG::pretrain, kWeightDecayLimits, t.weight_decay, "pretrain.wd", "", "%.3f", "weight decay"),
             bind<&UrlState::wd, &AppState::lab_ui, &LabUi::editing, &TrainSettings::weight_decay>()},
            {real("clip", SG::pretrain, kClipLimits, t.grad_clip, "pretrain.clip", "pretrain.clip_help", "%.2f",
                  "gradient clipping (0 turns it off)"),
             bind<&UrlState::clip, &AppState::lab_ui, &LabUi::editing, &TrainSettings::grad_clip>()},
            {integer("seed", SG::pretrain, kSeedLimits, static_cast<long long>(t.seed), "pretrain.seed",
                     "pretrain.seed_help", "training seed"),
             bind<&UrlState::seed, &AppState::lab_ui, &LabUi::editing, &TrainSettings::seed>()},
            {integer("samples", SG::pretrain, kSampleEveryLimits, t.sample_every, "pretrain.sample_every",
                     "pretrain.sample_every_help", "steps between live text samples (they do not change the run)"),
             bind<&UrlState::samples, &AppState::lab_ui, &LabUi::editing, &TrainSettings::sample_every>()},
            {SettingSpec{"prompt", SG::inference, SettingKind::text, 0, 0, false, {}, ui.prompt, "inference.prompt", "",
                         "", SliderScale::linear,
                         "the inference prompt. Tabs and line breaks are allowed; other control characters are not."},
             bind<&UrlState::prompt, &AppState::lab_ui, &LabUi::prompt>()},
            {real("temp", SG::inference, kTemperatureLimits, ui.sampling.temperature, "inference.temperature",
                  "inference.temperature_help", "%.2f", "sampling temperature (0 always picks the most likely token)"),
             bind<&UrlState::temp, &AppState::lab_ui, &LabUi::sampling, &SamplingConfig::temperature>()},
            {integer("topk", SG::inference, kTopKLimits, ui.sampling.top_k, "inference.top_k", "inference.top_k_help",
                     "top-k (0: off)"),
             bind<&UrlState::topk, &AppState::lab_ui, &LabUi::sampling, &SamplingConfig::top_k>()},
            {real("topp", SG::inference, kTopPLimits, ui.sampling.top_p, "inference.top_p", "inference.top_p_help",
                  "%.2f", "top-p (1: off)"),
             bind<&UrlState::topp, &AppState::lab_ui, &LabUi::sampling, &SamplingConfig::top_p>()},
            {toggle("greedy", SG::inference, ui.sampling.greedy, "inference.greedy", "",
                    "always pick the most likely token"),
             bind<&UrlState::greedy, &AppState::lab_ui, &LabUi::sampling, &SamplingConfig::greedy>()},
            {integer("gseed", SG::inference, kSeedLimits, static_cast<long long>(ui.gen_seed), "inference.seed", "",
                     "generation seed"),
             bind<&UrlState::gseed, &AppState::lab_ui, &LabUi::gen_seed>()},
            {integer("tokens", SG::inference, kGenerateTokensLimits, ui.max_tokens, "inference.max_tokens", "",
                     "tokens to generate"),
             bind<&UrlState::tokens, &AppState::lab_ui, &LabUi::max_tokens>()},
            {toggle("chat", SG::inference, ui.chat, "inference.chat_mode", "inference.chat_help", "chat mode"),
             bind<&UrlState::chat, &AppState::lab_ui, &LabUi::chat>()},
            {choice("tensor", SG::knobs, tensor_keys, tensor_name(ui.knob_tensor), "knobs.tensor", "knobs.tensor_help",
                    "the tensor the knobs panel shows"),
             bind<&UrlState::tensor, &AppState::lab_ui, &LabUi::knob_tensor>()},
            // The largest model's layers; the panel narrows this to the model it shows.
            {integer("layer", SG::knobs, {0, kMaxLayers - 1}, ui.knob_layer, "knobs.layer", "",
                     "the layer the knobs panel shows"),
             bind<&UrlState::layer, &AppState::lab_ui, &LabUi::knob_layer>()},
            {choice("ft", SG::finetune, ft_methods, ft_method, "finetune.method", "finetune.lora_help",
                    "fine-tuning method"),
             bind<&UrlState::ft_lora, &AppState::lab_ui, &LabUi::ft_lora>()},
            {integer("rank", SG::finetune, kLoraRankLimits, ui.ft_rank, "finetune.rank", "", "LoRA rank"),
             bind<&UrlState::rank, &AppState::lab_ui, &LabUi::ft_rank>()},
            {real("alpha", SG::finetune, kLoraAlphaLimits, ui.ft_alpha, "finetune.alpha", "", "%.1f", "LoRA alpha"),
             bind<&UrlState::alpha, &AppState::lab_ui, &LabUi::ft_alpha>()},
            {integer("ftsteps", SG::finetune, kFinetuneStepsLimits, ui.ft_steps, "finetune.steps", "",
                     "fine-tuning steps"),
             bind<&UrlState::ft_steps, &AppState::lab_ui, &LabUi::ft_steps>()},
            {choice("ftcorpus", SG::finetune, ft_corpora, corpus_key(ui.ft_corpus), "finetune.domain", "",
                    "fine-tuning text"),
             bind<&UrlState::ft_corpus, &AppState::lab_ui, &LabUi::ft_corpus>()},
        };
    }();
    return table;
}

// nullptr for a spec that is not a row of the table (url_state reads run= with one): it has no fields.
const Binding* binding(const SettingSpec& spec) {
    for (const Row& r : rows())
        if (r.spec.key == spec.key) return &r.bind;
    return nullptr;
}

// A value as a notice shows it: numbers and toggles as a link writes them, text quoted and cleaned.
std::string shown(const SettingValue& v) {
    if (const auto* text = std::get_if<std::string>(&v)) return quoted_value(*text);
    if (const auto* i = std::get_if<long long>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) return format_link_float(static_cast<float>(*d));
    return std::get<bool>(v) ? "true" : "false";
}

// Whether the link's typed field can hold `v`: the row's kind, valid or not (a capture keeps a seed set by
// code beyond the seed field, or a prompt too long for a link, so that share_check can name them); only a
// choice must be one of the row's, for an enum field to hold it.
bool link_can_hold(const SettingSpec& spec, const SettingValue& v) {
    switch (spec.kind) {
        case SettingKind::integer:
            if (const auto* d = std::get_if<double>(&v))
                return std::isfinite(*d) && std::floor(*d) == *d && std::abs(*d) < 9e18;
            return std::holds_alternative<long long>(v);
        case SettingKind::real: return !std::holds_alternative<bool>(v) && !std::holds_alternative<std::string>(v);
        case SettingKind::toggle: return std::holds_alternative<bool>(v);
        case SettingKind::choice: return check_setting_value(spec, v).empty();
        case SettingKind::text: return std::holds_alternative<std::string>(v);
    }
    return false;
}

}  // namespace

const char* setting_group_key(SettingGroup g) {
    switch (g) {
        case SettingGroup::view: return "view";
        case SettingGroup::pretrain: return "pretrain";
        case SettingGroup::inference: return "inference";
        case SettingGroup::knobs: return "knobs";
        case SettingGroup::finetune: return "finetune";
    }
    return "?";
}

std::span<const SettingSpec> settings_table() {
    static const std::vector<SettingSpec> specs = [] {
        std::vector<SettingSpec> out;
        for (const Row& r : rows()) out.push_back(r.spec);
        return out;
    }();
    return specs;
}

const SettingSpec* find_setting(std::string_view key) {
    for (const SettingSpec& spec : settings_table())
        if (spec.key == key) return &spec;
    return nullptr;
}

SettingValue setting_value(const AppState& s, const SettingSpec& spec) {
    const Binding* b = binding(spec);
    return b ? b->get(spec, s) : spec.fallback;
}

std::string check_setting_value(const SettingSpec& spec, const SettingValue& v) {
    const std::string key(spec.key);
    auto refuse = [&](const std::string& what) { return key + ": " + shown(v) + " is not " + what; };
    switch (spec.kind) {
        case SettingKind::integer: {
            double x = 0;
            if (const auto* i = std::get_if<long long>(&v)) x = static_cast<double>(*i);
            else if (const auto* d = std::get_if<double>(&v); d && std::isfinite(*d) && std::floor(*d) == *d) x = *d;
            else return refuse("a whole number " + setting_range_text(spec));
            return x >= spec.lo && x <= spec.hi ? "" : refuse(setting_range_text(spec));
        }
        case SettingKind::real: {
            double x = 0;
            if (const auto* i = std::get_if<long long>(&v)) x = static_cast<double>(*i);
            else if (const auto* d = std::get_if<double>(&v)) x = *d;
            else return refuse("a number " + setting_range_text(spec));
            // Checked as the float the app will hold, as a link's value is.
            const double f = static_cast<float>(x);
            const bool in = std::isfinite(f) && (spec.lo_open ? f > spec.lo : f >= spec.lo) && f <= spec.hi;
            return in ? "" : refuse(setting_range_text(spec));
        }
        case SettingKind::toggle:
            return std::holds_alternative<bool>(v) ? "" : refuse(setting_range_text(spec));
        case SettingKind::choice: {
            const auto* text = std::get_if<std::string>(&v);
            const bool known = text && std::find(spec.choices.begin(), spec.choices.end(), *text) != spec.choices.end();
            return known ? "" : refuse(setting_range_text(spec));
        }
        case SettingKind::text: {
            const auto* text = std::get_if<std::string>(&v);
            if (!text) return refuse(setting_range_text(spec));
            const std::string problem = link_text_problem(*text);
            return problem.empty() ? "" : key + ": " + problem;
        }
    }
    return key + ": not a setting kind";
}

SettingValue normalize_setting_value(const SettingSpec& spec, const SettingValue& v) {
    if (spec.kind == SettingKind::integer)
        if (const auto* d = std::get_if<double>(&v)) return static_cast<long long>(*d);
    if (spec.kind == SettingKind::real) {
        // The float the app holds, so a normalized value compares equal to setting_value afterwards.
        if (const auto* i = std::get_if<long long>(&v)) return static_cast<double>(static_cast<float>(*i));
        if (const auto* d = std::get_if<double>(&v)) return static_cast<double>(static_cast<float>(*d));
    }
    return v;
}

void store_setting(AppState& s, const SettingSpec& spec, const SettingValue& v) {
    // Never a value the row refuses, even from a caller that skipped the check.
    const Binding* b = binding(spec);
    if (b && check_setting_value(spec, v).empty()) b->set(spec, s, normalize_setting_value(spec, v));
}

std::optional<SettingValue> link_setting(const UrlState& u, const SettingSpec& spec) {
    const Binding* b = binding(spec);
    return b ? b->get_link(spec, u) : std::nullopt;
}

void set_link_setting(UrlState& u, const SettingSpec& spec, const std::optional<SettingValue>& v) {
    const Binding* b = binding(spec);
    if (b && (!v || link_can_hold(spec, *v)))
        b->set_link(spec, u, v ? std::optional(normalize_setting_value(spec, *v)) : std::nullopt);
}

std::string setting_value_text(const SettingSpec&, const SettingValue& v) {
    if (const auto* text = std::get_if<std::string>(&v)) return *text;
    if (const auto* i = std::get_if<long long>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) return format_link_float(static_cast<float>(*d));
    return std::get<bool>(v) ? "1" : "0";
}

std::string setting_range_text(const SettingSpec& spec) {
    switch (spec.kind) {
        case SettingKind::integer:
            return "from " + std::to_string(static_cast<long long>(spec.lo)) + " to " +
                   std::to_string(static_cast<long long>(spec.hi));
        case SettingKind::real: {
            const std::string lo = format_link_float(static_cast<float>(spec.lo));
            const std::string hi = format_link_float(static_cast<float>(spec.hi));
            return spec.lo_open ? "above " + lo + " and at most " + hi : "from " + lo + " to " + hi;
        }
        // A command's words; a link writes a toggle as 0 or 1 (setting_value_text).
        case SettingKind::toggle: return "true or false";
        case SettingKind::choice: {
            // "S, M, L or custom"
            std::string words;
            for (size_t i = 0; i < spec.choices.size(); ++i)
                words += (i == 0 ? "" : i + 1 == spec.choices.size() ? " or " : ", ") + std::string(spec.choices[i]);
            return words;
        }
        case SettingKind::text:
            return "UTF-8 text of at most " + std::to_string(kMaxLinkPromptBytes) +
                   " bytes without control characters other than tab and line break";
    }
    return "?";
}

bool setting_locked(const AppState& s, std::string_view key) {
    return std::find(s.link.locked.begin(), s.link.locked.end(), key) != s.link.locked.end();
}

std::string locked_message(const AppState& s, std::string_view key) {
    return std::string(key) + ": " + tr(s.lang, "lock.refused");
}

void write_settings_state(JsonWriter& w, const AppState& s) {
    w.begin_object();
    for (const SettingSpec& spec : settings_table()) {
        w.key(spec.key).begin_object();
        w.key("value");
        const SettingValue v = setting_value(s, spec);
        if (const double* real = std::get_if<double>(&v)) {
            // The app holds reals as floats: write the shortest decimal of that float (0.003, as the link
            // says), not the double it widens to (0.003000000026077032).
            double shown = *real;
            std::istringstream in(format_link_float(static_cast<float>(*real)));
            in.imbue(std::locale::classic());
            in >> shown;
            w.value(shown);
        } else {
            std::visit([&](const auto& x) { w.value(x); }, v);
        }
        w.field("locked", setting_locked(s, spec.key));
        w.end_object();
    }
    w.end_object();
}

}  // namespace knobs

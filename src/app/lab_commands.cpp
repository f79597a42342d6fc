#include "app/lab_commands.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "app/settings.h"
#include "app/url_state.h"
#include "core/checksum.h"

namespace knobs {

using nlohmann::json;

namespace {
bool source_from_key(const std::string& key, ModelSource* out) {
    for (auto src : {ModelSource::shipped, ModelSource::trained, ModelSource::tuned, ModelSource::opened})
        if (key == source_key(src)) {
            *out = src;
            return true;
        }
    return false;
}

// A JSON number argument, if given. A present argument of the wrong type is the caller's error, so it
// refuses rather than falling back to the panel's value.
template <class T>
bool optional_number(const json& j, const char* key, std::optional<T>& out, std::string& why) {
    auto it = j.find(key);
    if (it == j.end()) return true;
    if (!it->is_number()) {
        why = std::string("\"") + key + "\" must be a number";
        return false;
    }
    const double v = it->get<double>();
    if (!std::isfinite(v)) {
        why = std::string("\"") + key + "\" must be a finite number";
        return false;
    }
    if (std::is_integral_v<T> && (v != std::floor(v) || std::fabs(v) > 9.0e15)) {
        why = std::string("\"") + key + "\" must be a whole number";
        return false;
    }
    out = static_cast<T>(v);
    return true;
}

// A value a command gives for a settings-table row instead of the panel's: refused when the page locked
// that setting, or when the row would not take it. "" when it may be used.
std::string check_row(const AppState& s, std::string_view key, const SettingValue& v) {
    const SettingSpec* spec = find_setting(key);
    if (!spec) return std::string(key) + ": not a setting";
    if (std::string why = check_setting_value(*spec, v); !why.empty()) return why;
    if (setting_locked(s, key) && normalize_setting_value(*spec, v) != setting_value(s, *spec))
        return locked_message(s, key);
    return {};
}

bool diverged(const Lab& lab) { return !lab.pretrain().divergence.empty(); }
}  // namespace

bool parse_lab_command(const std::string& name, const json& j, ParsedCommand& out) {
    if (name.rfind("lab_", 0) != 0) return false;
    std::string why;
    if (name == "lab_play") out = cmd::Play{};
    else if (name == "lab_pause") out = cmd::Pause{};
    else if (name == "lab_step") out = cmd::StepOnce{};
    else if (name == "lab_reset") out = cmd::ResetRun{};
    else if (name == "lab_restore") out = cmd::RestoreLastGood{};
    else if (name == "lab_measure_latency") out = cmd::MeasureLatency{};
    else if (name == "lab_set_lr") {
        // Kept for pages written before set_setting: the same as {"cmd":"set_setting","key":"lr",...}.
        auto it = j.find("lr");
        if (it == j.end() || !it->is_number()) out = std::string("lab_set_lr needs a number \"lr\"");
        else out = cmd::SetSetting{"lr", it->get<double>()};
    } else if (name == "lab_source") {
        ModelSource src;
        auto it = j.find("source");
        if (it == j.end() || !it->is_string() || !source_from_key(it->get<std::string>(), &src))
            out = std::string("lab_source needs \"source\": shipped, trained, tuned or opened");
        else out = cmd::SetInferenceSource{src};
    } else if (name == "lab_generate") {
        cmd::Generate g;
        auto it = j.find("prompt");
        if (it != j.end() && !it->is_string()) out = std::string("lab_generate's \"prompt\" must be a string");
        else {
            if (it != j.end()) g.prompt = it->get<std::string>();
            if (optional_number(j, "tokens", g.tokens, why) && optional_number(j, "seed", g.seed, why)) out = g;
            else out = "lab_generate: " + why;
        }
    } else if (name == "lab_finetune") {
        cmd::StartFinetune f;
        auto it = j.find("lora");
        if (it != j.end() && !it->is_boolean()) out = std::string("lab_finetune's \"lora\" must be true or false");
        else {
            if (it != j.end()) f.lora = it->get<bool>();
            if (optional_number(j, "rank", f.rank, why) && optional_number(j, "alpha", f.alpha, why) &&
                optional_number(j, "steps", f.steps, why))
                out = f;
            else out = "lab_finetune: " + why;
        }
    } else {
        out = "unknown lab command \"" + name + "\"";
    }
    return true;
}

void sync_training_settings(AppState& s) {
    Lab& lab = s.lab;
    const TrainSettings& e = s.lab_ui.editing;
    // Nothing new, or the same settings already failed (their message is on screen): nothing to do.
    if (e == lab.settings() && (lab.pretrain().params != 0 || !lab.pretrain().error.empty())) return;
    // A link's text is still being fetched: applying now would only say "open a text first".
    if (e.corpus == CorpusChoice::user && !pending_corpus_url(s).empty()) return;
    if (lab.settings_need_reset(e) && lab.pretrain().step > 0) {
        s.lab_ui.confirm_reset = true;  // the pre-train panel asks; ConfirmSettingsReset answers
        return;
    }
    lab.apply_settings(e);
}

CommandResult apply_command(AppState& s, const cmd::Play&) {
    Lab& lab = s.lab;
    if (diverged(lab))
        return CommandResult::refused("Training stopped because it diverged (" + lab.pretrain().divergence +
                      "). Restore the last good step or reset the run first.");
    if (lab.pretrain().params == 0) lab.apply_settings(s.lab_ui.editing);
    lab.play();
    if (!lab.pretrain().error.empty()) return CommandResult::refused(lab.pretrain().error);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::Pause&) {
    s.lab.pause();
    return {};
}
CommandResult apply_command(AppState& s, const cmd::StepOnce&) {
    if (diverged(s.lab))
        return CommandResult::refused("One step cannot run: training diverged (" + s.lab.pretrain().divergence +
                      "). Restore the last good step or reset the run first.");
    if (s.lab.pretrain().params == 0) s.lab.apply_settings(s.lab_ui.editing);  // as Play does
    s.lab.step_once();
    return {};
}
CommandResult apply_command(AppState& s, const cmd::ResetRun&) {
    s.lab.reset();
    return {};
}
CommandResult apply_command(AppState& s, const cmd::RestoreLastGood&) {
    if (!s.lab.pretrain().can_restore) return CommandResult::refused("There is no earlier good step to go back to.");
    s.lab.restore_last_good();
    return {};
}
CommandResult apply_command(AppState& s, const cmd::ConfirmSettingsReset& c) {
    if (!s.lab_ui.confirm_reset) return CommandResult::refused("No change is waiting for an answer.");
    s.lab_ui.confirm_reset = false;
    if (c.yes) {
        s.lab.pause();
        s.lab.apply_settings(s.lab_ui.editing);
    } else {
        s.lab_ui.editing = s.lab.settings();  // back to the settings of the run that goes on
    }
    return {};
}
CommandResult apply_command(AppState& s, const cmd::ExportLossCsv&) {
    if (s.lab.pretrain().history.empty()) return CommandResult::refused("There is no loss to export yet: train first.");
    if (s.hooks.download) {
        const std::string csv = s.lab.loss_csv();
        s.hooks.download("knobs-loss.csv", std::vector<uint8_t>(csv.begin(), csv.end()), "text/csv");
    }
    return {};
}

CommandResult apply_command(AppState& s, const cmd::SetInferenceSource& c) {
    s.lab.set_inference_source(c.source);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::Generate& c) {
    Lab& lab = s.lab;
    LabUi& ui = s.lab_ui;
    const std::string prompt = c.prompt.value_or(ui.prompt);
    if (prompt.size() > 4096) return CommandResult::refused("the prompt is too long (4096 bytes at most)");
    if (!lab.has_model(lab.inference().source)) return CommandResult::refused("that model is not available yet");
    if (c.prompt && *c.prompt != ui.prompt && setting_locked(s, "prompt"))
        return CommandResult::refused(locked_message(s, "prompt"));
    if (c.tokens)
        if (auto e = check_row(s, "tokens", *c.tokens); !e.empty()) return CommandResult::refused(e);
    if (c.seed)
        if (auto e = check_row(s, "gseed", *c.seed); !e.empty()) return CommandResult::refused(e);
    ui.prompt = prompt;
    if (c.tokens) ui.max_tokens = static_cast<int>(*c.tokens);
    if (c.seed) ui.gen_seed = static_cast<uint64_t>(*c.seed);
    lab.generate(prompt, ui.sampling, ui.gen_seed, ui.max_tokens);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::StopGeneration&) {
    s.lab.stop_generation();
    return {};
}
CommandResult apply_command(AppState& s, const cmd::ChatSend&) {
    LabUi& ui = s.lab_ui;
    if (ui.chat_input.empty()) return CommandResult::refused("Type a message first.");
    if (!s.lab.has_model(s.lab.inference().source)) return CommandResult::refused("that model is not available yet");
    if (s.lab.inference().generating) return CommandResult::refused("The model is still answering.");
    s.lab.chat_send(ui.chat_input, ui.sampling, ui.gen_seed, ui.max_tokens);
    ui.chat_input.clear();
    return {};
}
CommandResult apply_command(AppState& s, const cmd::ChatClear&) {
    s.lab.chat_clear();
    return {};
}

CommandResult apply_command(AppState& s, const cmd::StartFinetune& c) {
    LabUi& ui = s.lab_ui;
    if (c.lora)
        if (auto e = check_row(s, "ft", std::string(*c.lora ? "lora" : "full")); !e.empty())
            return CommandResult::refused(e);
    if (c.rank)
        if (auto e = check_row(s, "rank", *c.rank); !e.empty()) return CommandResult::refused(e);
    if (c.alpha)
        if (auto e = check_row(s, "alpha", *c.alpha); !e.empty()) return CommandResult::refused(e);
    if (c.steps)
        if (auto e = check_row(s, "ftsteps", *c.steps); !e.empty()) return CommandResult::refused(e);
    // The refusal also stands in the fine-tune panel's error line: the learner reads it there, whoever asked.
    const std::string err = s.lab.start_finetune(ui.ft_base, ui.ft_corpus, c.lora.value_or(ui.ft_lora),
                                                 c.rank ? static_cast<int>(*c.rank) : ui.ft_rank,
                                                 c.alpha ? static_cast<float>(*c.alpha) : ui.ft_alpha,
                                                 c.steps ? static_cast<int>(*c.steps) : ui.ft_steps, 1);
    if (!err.empty()) return CommandResult::refused(err);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::PauseFinetune&) {
    s.lab.pause_finetune();
    return {};
}
CommandResult apply_command(AppState& s, const cmd::SaveWeights&) {
    const ModelSource source = s.lab_ui.save_source;
    if (!s.lab.has_model(source)) return CommandResult::refused("that model is not available yet");
    std::string err;
    auto bytes = s.lab.save(source, &err);
    if (bytes.empty()) {
        s.notify(err, true);
        return CommandResult::refused(err);
    }
    if (s.hooks.download)
        s.hooks.download(std::string("knobs-") + source_key(source) + ".knobs", bytes, "application/octet-stream");
    return {};
}
CommandResult apply_command(AppState& s, const cmd::MeasureLatency&) {
    if (s.lab.cost().measuring) return CommandResult::refused("A measurement is already running.");
    s.lab.measure_latency();
    return {};
}

CommandResult apply_command(AppState& s, const cmd::SetChartView& c) {
    if (!std::isfinite(c.smoothing)) return CommandResult::refused("smoothing must be a number from 0 to 0.98");
    s.lab_ui.log_y = c.log_y;
    s.lab_ui.smoothing = std::clamp(c.smoothing, 0.0f, 0.98f);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::SetHeatmapView& c) {
    if (!std::isfinite(c.zoom)) return CommandResult::refused("zoom must be a number from 0.25 to 8");
    s.lab_ui.heat_grads = c.grads;
    s.lab_ui.heat_zoom = std::clamp(c.zoom, 0.25f, 8.0f);
    return {};
}
CommandResult apply_command(AppState& s, const cmd::SetCostAssumptions& c) {
    if (!(std::isfinite(c.flops_per_s) && c.flops_per_s > 0 && std::isfinite(c.price_per_hour) && c.price_per_hour > 0))
        return CommandResult::refused("the throughput and the price must be positive numbers");
    s.lab_ui.hw_flops_per_s = c.flops_per_s;
    s.lab_ui.hw_price_per_hour = c.price_per_hour;
    return {};
}
CommandResult apply_command(AppState& s, const cmd::SetFinetuneBase& c) {
    if (c.source == ModelSource::tuned) return CommandResult::refused("a fine-tuned model cannot be the base of another fine-tuning here");
    s.lab_ui.ft_base = c.source;
    return {};
}
CommandResult apply_command(AppState& s, const cmd::SetSaveSource& c) {
    s.lab_ui.save_source = c.source;
    return {};
}
CommandResult apply_command(AppState& s, const cmd::SetChatInput& c) {
    if (c.text.size() > 4096) return CommandResult::refused("the message is too long (4096 bytes at most)");
    s.lab_ui.chat_input = c.text;
    return {};
}
CommandResult apply_command(AppState& s, const cmd::SelectCandidate& c) {
    s.lab_ui.candidate_index = std::max(-1, c.index);
    return {};
}

void write_lab_state(JsonWriter& w, const AppState& s) {
    const Lab& lab = s.lab;
    const PretrainView& p = lab.pretrain();
    w.begin_object();
    w.key("pretrain").begin_object();
    w.field("running", p.running).field("preparing", p.preparing).field("in_worker", p.in_worker);
    w.field("prepare_progress", p.prepare_progress);
    w.field("corpus", corpus_key(lab.settings().corpus));
    w.field("step", p.step).field("tokens_seen", p.tokens_seen).field("tokens_per_s", p.tokens_per_s);
    w.field("train_seconds", p.train_seconds);
    w.field("loss", p.last_loss).field("val_loss", p.last_val);  // null once they are not finite
    w.field("params", p.params).field("checksum", checksum_hex(p.checksum));
    w.key("losses").begin_array();
    for (const auto& h : p.history) w.value(h.train);
    w.end_array();
    w.field("divergence", p.divergence).field("can_restore", p.can_restore).field("error", p.error);
    w.field("samples", p.samples.empty() ? std::string_view() : std::string_view(p.samples.back().text));
    w.end_object();

    const InferenceView& v = lab.inference();
    w.key("inference").begin_object();
    w.field("source", source_key(v.source)).field("available", lab.has_model(v.source));
    w.field("generating", v.generating).field("tokens", v.tokens.size()).field("output", v.output);
    w.field("checksum_before", checksum_hex(v.checksum_before)).field("checksum_after", checksum_hex(v.checksum_after));
    w.field("ms_per_token", v.ms_per_token);
    w.end_object();

    const FinetuneView& f = lab.finetune();
    w.key("finetune").begin_object();
    w.field("running", f.running).field("preparing", f.preparing).field("step", f.step).field("lora", f.lora);
    w.field("trainable", f.trainable).field("total", f.total);
    w.field("base_checksum_before", checksum_hex(f.base_checksum_before));
    w.field("base_checksum_now", checksum_hex(f.base_checksum_now));
    w.field("error", f.error);
    w.end_object();

    w.key("models").begin_object();
    for (auto src : {ModelSource::shipped, ModelSource::trained, ModelSource::tuned, ModelSource::opened}) {
        if (!lab.has_model(src)) continue;
        w.key(source_key(src)).begin_object();
        w.field("checksum", checksum_hex(lab.checksum(src))).field("params", lab.param_count(src));
        w.end_object();
    }
    w.end_object();
    w.key("weights").begin_object();
    w.field("open_error", lab.weights().open_error).field("opened_name", lab.weights().opened_name);
    w.end_object();
    w.end_object();
}

}  // namespace knobs

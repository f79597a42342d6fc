#include "app/lab_commands.h"

#include <algorithm>

#include "core/checksum.h"

namespace knobs {

using nlohmann::json;

namespace {
CommandResult fail(std::string msg) { return {false, std::move(msg)}; }

bool source_from_key(const std::string& key, ModelSource* out) {
    for (auto src : {ModelSource::shipped, ModelSource::trained, ModelSource::tuned, ModelSource::opened})
        if (key == source_key(src)) {
            *out = src;
            return true;
        }
    return false;
}

template <class T>
T number_or(const json& j, const char* key, T def) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<T>() : def;
}

}  // namespace

bool run_lab_command(AppState& s, const std::string& name, const json& j, CommandResult& out) {
    Lab& lab = s.lab;
    if (name.rfind("lab_", 0) != 0) return false;
    out = {};
    if (name == "lab_play") {
        if (lab.pretrain().params == 0) lab.apply_settings(s.lab_ui.editing);
        lab.play();
        if (!lab.pretrain().error.empty()) out = fail(lab.pretrain().error);
    } else if (name == "lab_pause") {
        lab.pause();
    } else if (name == "lab_step") {
        lab.step_once();
    } else if (name == "lab_reset") {
        lab.reset();
    } else if (name == "lab_restore") {
        lab.restore_last_good();
    } else if (name == "lab_set_lr") {
        const double lr = number_or(j, "lr", -1.0);
        if (!(lr > 0 && lr <= 10)) return out = fail("lab_set_lr needs \"lr\" in (0, 10]"), true;
        s.lab_ui.editing.lr = static_cast<float>(lr);
        if (lab.pretrain().params != 0) {
            TrainSettings t = lab.settings();
            t.lr = static_cast<float>(lr);
            if (auto e = lab.apply_settings(t); !e.empty()) out = fail(e);
        }
    } else if (name == "lab_source") {
        ModelSource src;
        auto it = j.find("source");
        if (it == j.end() || !it->is_string() || !source_from_key(it->get<std::string>(), &src))
            return out = fail("lab_source needs \"source\": shipped, trained, tuned or opened"), true;
        lab.set_inference_source(src);
    } else if (name == "lab_generate") {
        auto it = j.find("prompt");
        const std::string prompt = it != j.end() && it->is_string() ? it->get<std::string>() : s.lab_ui.prompt;
        if (prompt.size() > 4096) return out = fail("the prompt is too long (4096 bytes at most)"), true;
        if (!lab.has_model(lab.inference().source)) return out = fail("that model is not available yet"), true;
        s.lab_ui.prompt = prompt;
        s.lab_ui.max_tokens = std::clamp(number_or(j, "tokens", s.lab_ui.max_tokens), 1, 1000);
        s.lab_ui.gen_seed = static_cast<uint64_t>(std::max<int64_t>(0, number_or<int64_t>(j, "seed", 1)));
        lab.generate(prompt, s.lab_ui.sampling, s.lab_ui.gen_seed, s.lab_ui.max_tokens);
    } else if (name == "lab_finetune") {
        auto it = j.find("lora");
        const bool lora = it == j.end() || !it->is_boolean() || it->get<bool>();
        const std::string err = lab.start_finetune(s.lab_ui.ft_base, s.lab_ui.ft_corpus, lora,
                                                   number_or(j, "rank", s.lab_ui.ft_rank),
                                                   static_cast<float>(number_or(j, "alpha", double(s.lab_ui.ft_alpha))),
                                                   number_or(j, "steps", s.lab_ui.ft_steps), 1);
        if (!err.empty()) out = fail(err);
    } else if (name == "lab_measure_latency") {
        lab.measure_latency();
    } else {
        out = fail("unknown lab command \"" + name + "\"");
    }
    return true;
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

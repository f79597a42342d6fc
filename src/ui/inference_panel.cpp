// Use the model: inference is a read-only forward pass. Tokens stream one at a time with the model's top
// candidates, the weights checksum is shown before and after (identical), and chat mode shows that the
// model only "remembers" what still fits in its context window.
#include <algorithm>
#include <cstdio>
#include <string>

#include "app/commands.h"
#include "app/i18n.h"
#include "app/settings.h"
#include "ui/chart.h"
#include "ui/panels.h"
#include "ui/style.h"
#include "ui/widgets.h"

namespace knobs {

namespace {
// A byte as a readable token label.
std::string token_label(uint8_t b) {
    char buf[16];
    if (b == ' ') return "' '";
    if (b == '\n') return "'\\n'";
    if (b >= 0x20 && b < 0x7f) {
        std::snprintf(buf, sizeof buf, "'%c'", b);
        return buf;
    }
    std::snprintf(buf, sizeof buf, "0x%02X", b);
    return buf;
}

bool InputTextString(const char* label, std::string* str, bool multiline, float height) {
    // Resize callback so the text field edits a std::string of any length.
    auto cb = [](ImGuiInputTextCallbackData* d) -> int {
        if (d->EventFlag == ImGuiInputTextFlags_CallbackResize) {
            auto* s = static_cast<std::string*>(d->UserData);
            s->resize(static_cast<size_t>(d->BufTextLen));
            d->Buf = s->data();
        }
        return 0;
    };
    const ImGuiInputTextFlags flags = ImGuiInputTextFlags_CallbackResize;
    if (multiline)
        return ImGui::InputTextMultiline(label, str->data(), str->capacity() + 1, ImVec2(-1, height), flags, cb, str);
    return ImGui::InputText(label, str->data(), str->capacity() + 1, flags | ImGuiInputTextFlags_EnterReturnsTrue, cb, str);
}

void SourcePicker(AppState& s) {
    const auto& L = s.lang;
    const Lab& lab = s.lab;
    const InferenceView& v = lab.inference();
    const ModelSource sources[] = {ModelSource::shipped, ModelSource::trained, ModelSource::tuned, ModelSource::opened};
    const char* names[] = {tr(L, "source.shipped"), tr(L, "source.trained"), tr(L, "source.tuned"), tr(L, "source.opened")};
    for (int i = 0; i < 4; ++i) {
        if (i) SameLineIfFits(RadioButtonWidth(names[i]));
        ImGui::BeginDisabled(!lab.has_model(sources[i]));
        if (ImGui::RadioButton(names[i], v.source == sources[i]) && v.source != sources[i])
            s.post(cmd::SetInferenceSource{sources[i]});
        RecordHit(s, std::string("inference.source.") + source_key(sources[i]));
        ImGui::EndDisabled();
    }
    if (!lab.has_model(v.source)) {
        TextDim(tr(L, v.source == ModelSource::shipped ? "inference.loading_shipped" : "inference.no_model"));
    } else {
        // The model's name in the learner's language; an opened file goes by its file name.
        std::string name = v.source == ModelSource::opened ? v.model_label : tr(L, names[static_cast<int>(v.source)]);
        if (v.source == ModelSource::tuned) name += lab.finetune().lora ? " · LoRA" : "";
        char line[256];
        std::snprintf(line, sizeof line, "%s · %s %s · %s %d", name.c_str(), format_value(static_cast<double>(v.params)).c_str(),
                      tr(L, "inference.params"), tr(L, "inference.context"), v.context);
        TextDim(line);
    }
}

void SamplingControls(AppState& s) {
    if (!ImGui::CollapsingHeader(tr(s.lang, "inference.sampling"))) return;
    for (const char* key : {"temp", "topk", "topp", "greedy", "tokens", "gseed"}) SettingControl(s, key, 180);
}

void Candidates(AppState& s, const GenToken& t) {
    const Palette& pal = palette(s.theme);
    // The bar takes what the label column and the percentage leave, at most 55% of the panel.
    const float avail = ImGui::GetContentRegionAvail().x;
    const float rest = Px(s, 64) + 2 * ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize("100.0%  ◀").x;
    const float bar_w = std::max(std::min(avail * 0.55f, avail - rest), Px(s, 40));
    for (int i = 0; i < t.num_top; ++i) {
        const Candidate& c = t.top[i];
        const bool chosen = c.token == t.byte;
        const std::string lbl = token_label(c.token);
        ImGui::TextUnformatted(lbl.c_str());
        ImGui::SameLine(Px(s, 64));
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float h = ImGui::GetTextLineHeight();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->AddRectFilled(p, ImVec2(p.x + bar_w, p.y + h), ImGui::ColorConvertFloat4ToU32(pal.panel_alt), 3);
        dl->AddRectFilled(p, ImVec2(p.x + bar_w * c.model_prob, p.y + h),
                          ImGui::ColorConvertFloat4ToU32(chosen ? pal.accent : pal.border), 3);
        ImGui::Dummy(ImVec2(bar_w, h));
        ImGui::SameLine();
        ImGui::Text("%5.1f%%%s", c.model_prob * 100.0f, chosen ? "  ◀" : "");
    }
}
}  // namespace

void ShowInference(AppState& s, bool* open) {
    (void)open;
    const auto& L = s.lang;
    const Lab& lab = s.lab;
    const LabUi& u = s.lab_ui;
    const Palette& pal = palette(s.theme);
    const InferenceView& v = lab.inference();
    ImGui::TextWrapped("%s", tr(L, "inference.intro"));
    SourcePicker(s);

    SettingControl(s, "chat");  // its label key, "inference.chat_mode", is also its hit id
    SamplingControls(s);

    const bool can = lab.has_model(v.source);
    if (!u.chat) {
        ImGui::TextUnformatted(tr(L, "inference.prompt"));
        const bool prompt_locked = setting_locked(s, "prompt");
        std::string prompt = u.prompt;
        ImGui::BeginDisabled(prompt_locked);
        InputTextString("##prompt", &prompt, true, Px(s, 54));
        if (ImGui::IsItemEdited()) s.post(cmd::SetSetting{"prompt", prompt});
        ImGui::EndDisabled();
        RecordHit(s, "inference.prompt");
        if (prompt_locked) LockMark(s);
        ImGui::BeginDisabled(!can);
        if (!v.generating) {
            if (ImGui::Button(tr(L, "inference.generate"))) s.post(cmd::Generate{});
        } else if (ImGui::Button(tr(L, "inference.stop"))) {
            s.post(cmd::StopGeneration{});
        }
        RecordHit(s, "inference.generate");
        ImGui::EndDisabled();

        ImGui::PushStyleColor(ImGuiCol_ChildBg, pal.panel_alt);
        ImGui::BeginChild("##out", ImVec2(0, Px(s, 110)), ImGuiChildFlags_Border);
        ImGui::PushStyleColor(ImGuiCol_Text, pal.text_dim);
        ImGui::TextWrapped("%s", v.prompt_text.c_str());
        ImGui::PopStyleColor();
        ImGui::TextWrapped("%s", v.output.c_str());
        ImGui::EndChild();
        ImGui::PopStyleColor();
    } else {
        // The conversation; what slid out of the context window is greyed out as forgotten.
        ImGui::PushStyleColor(ImGuiCol_ChildBg, pal.panel_alt);
        ImGui::BeginChild("##chat", ImVec2(0, Px(s, 150)), ImGuiChildFlags_Border);
        std::string shown = v.conversation + (v.generating ? v.output : std::string());
        const size_t cut = std::min(v.window_start_byte, shown.size());
        if (cut > 0) {
            ImGui::PushStyleColor(ImGuiCol_Text, pal.text_dim);
            ImGui::TextWrapped("[%s] %s", tr(L, "inference.forgotten"), shown.substr(0, cut).c_str());
            ImGui::PopStyleColor();
        }
        ImGui::TextWrapped("%s", shown.substr(cut).c_str());
        ImGui::SetScrollHereY(1.0f);
        ImGui::EndChild();
        ImGui::PopStyleColor();
        ImGui::SetNextItemWidth(-Px(s, 140));
        std::string message = u.chat_input;
        const bool enter = InputTextString("##chatin", &message, false, 0);
        if (ImGui::IsItemEdited() || enter) s.post(cmd::SetChatInput{message});
        RecordHit(s, "inference.chat_input");
        ImGui::SameLine();
        ImGui::BeginDisabled(!can || v.generating);
        if ((ImGui::Button(tr(L, "inference.send")) || enter) && !message.empty() && can && !v.generating)
            s.post(cmd::ChatSend{});
        RecordHit(s, "inference.send");
        ImGui::EndDisabled();
        ImGui::SameLine();
        if (ImGui::Button(tr(L, "inference.clear"))) s.post(cmd::ChatClear{});
        ImGui::TextDisabled("%s", tr(L, "inference.chat_note"));
    }

    // Readouts (measured) and the read-only proof.
    if (!v.tokens.empty()) {
        ImGui::Text("%.3f ms/token · %s tokens/s · %s FLOPs/token", v.ms_per_token, format_value(v.tokens_per_s).c_str(),
                    format_value(v.flops_per_token).c_str());
        ImGui::SeparatorText(tr(L, "inference.readonly"));
        ImGui::SameLine();
        HelpMarker(tr(L, "inference.readonly_help"));
        ImGui::Text("%s  %s", tr(L, "inference.before"), checksum_text(v.checksum_before).c_str());
        if (!v.generating && v.checksum_after != 0) {
            ImGui::Text("%s  %s", tr(L, "inference.after"), checksum_text(v.checksum_after).c_str());
            const bool same = v.checksum_after == v.checksum_before;
            WrappedColoured(same ? pal.good : pal.bad,
                            (std::string(same ? "✓ " : "✗ ") + tr(L, same ? "inference.unchanged" : "inference.changed")).c_str());
        } else {
            ImGui::TextDisabled("%s", tr(L, "inference.generating"));
        }
        if (lab.pretrain().step > 0) {
            char contrast[256];
            std::snprintf(contrast, sizeof contrast, "%s %s (%s %d)", tr(L, "inference.contrast"),
                          checksum_text(lab.pretrain().checksum).c_str(), tr(L, "pretrain.step_label"), lab.pretrain().step);
            TextDim(contrast);
        }

        ImGui::SeparatorText(tr(L, "inference.candidates"));
        ImGui::SameLine();
        HelpMarker(tr(L, "inference.candidates_help"));
        // While tokens stream, or before a pick, the latest token's candidates are shown.
        const int n = static_cast<int>(v.tokens.size());
        int pick = s.lab_ui.candidate_index;
        if (v.generating || pick < 0 || pick >= n) pick = n - 1;
        FitNextItemWidth(s, 220, tr(L, "inference.token_index"));
        if (ImGui::SliderInt(tr(L, "inference.token_index"), &pick, 0, n - 1)) s.post(cmd::SelectCandidate{pick});
        Candidates(s, v.tokens[static_cast<size_t>(pick)]);
    }
}

}  // namespace knobs

// The lab's main interactions, driven through the real panels (clicks on recorded hit rects) or the
// lab's commands, with the real engine underneath.
#include <algorithm>
#include <cmath>
#include <tuple>

#include "catch_amalgamated.hpp"
#include "app/i18n.h"
#include "app/url_state.h"
#include "imgui_internal.h"
#include "core/weights_file.h"
#include "core/train_chunk.h"
#include "ui_harness.h"

using knobs::testing::UiHarness;
using namespace knobs;

namespace {
// Runs frames until `done` or a frame limit; training advances a bounded amount per frame.
template <class F>
bool run_until(UiHarness& ui, F done, int max_frames = 4000) {
    for (int i = 0; i < max_frames; ++i) {
        if (done()) return true;
        ui.frame();
    }
    return done();
}

void small_model(UiHarness& ui) {
    TrainSettings t = ui.state.lab.settings();
    t.size = SizePreset::custom;
    t.custom = {1, 2, 32, 32};
    t.batch_size = 4;
    ui.state.lab_ui.editing = t;
    REQUIRE(ui.state.lab.apply_settings(t).empty());
}
}  // namespace

TEST_CASE("[lab] play trains: the loss falls and the checksum changes every step", "[lab]") {
    UiHarness ui;
    open_panel(ui.state, PanelId::pretrain);
    ui.frame();
    small_model(ui);
    ui.frame();
    const uint64_t before = ui.state.lab.pretrain().checksum;
    REQUIRE(ui.click("pretrain.play"));
    REQUIRE(run_until(ui, [&] { return ui.state.lab.pretrain().step >= 60; }));
    REQUIRE(ui.click("pretrain.play"));  // the same button now pauses
    const PretrainView& v = ui.state.lab.pretrain();
    CHECK_FALSE(v.running);
    REQUIRE(v.history.size() >= 60);
    CHECK(v.history.back().train < v.history.front().train - 0.5f);
    CHECK(v.checksum != before);
    CHECK(v.tokens_seen > 0);
}

TEST_CASE("[lab] step anatomy shows the numbers of the step just taken", "[lab]") {
    UiHarness ui(1280, 2400);  // tall enough that the Step button under the heatmap is on screen
    small_model(ui);
    open_panel(ui.state, PanelId::knobs);
    ui.frame();
    ui.frame();
    const int steps = GENERATE(1, 4);  // the first step is deep in warmup, with a tiny learning rate
    for (int i = 0; i < steps; ++i) {
        REQUIRE(ui.click("knobs.take_step"));
        REQUIRE(run_until(ui, [&] { return ui.state.lab.pretrain().step >= i + 1; }));
    }
    const PretrainView& v = ui.state.lab.pretrain();
    const StepAnatomy& a = v.anatomy;
    REQUIRE(a.valid);
    CHECK(a.step == steps);
    CHECK(a.loss == v.last_loss);
    CHECK(a.lr == v.lr_now);

    // What the step did to the weights, from the lab's record of each knob's last change.
    const float threshold = TrainConfig{}.moved_threshold;
    size_t total = 0, moved = 0;
    double sq = 0, largest = 0;
    for (int t = 0; t < kNumTensors; ++t)
        for (float d : ui.state.lab.tensor_last_update(static_cast<Tensor>(t))) {
            ++total;
            moved += std::abs(d) > threshold;
            sq += double(d) * d;
            largest = std::max(largest, double(std::abs(d)));
        }
    // Some knobs turn by less than the threshold, so "moved" is not simply every knob that changed.
    REQUIRE(moved > 0);
    REQUIRE(moved < total);
    CHECK(a.knobs_total == total);
    // The trainer measures the change it applies; the weights hold it after float rounding, which can only
    // move a knob across the threshold when it sat right at it.
    CHECK_THAT(double(a.knobs_moved), Catch::Matchers::WithinAbs(double(moved), total * 1e-3));
    CHECK_THAT(double(a.update_norm), Catch::Matchers::WithinRel(std::sqrt(sq), 1e-3));
    CHECK_THAT(double(a.max_change), Catch::Matchers::WithinRel(largest, 1e-3));
    // The help tooltip names the threshold.
    CHECK(threshold == 1e-4f);
    CHECK(std::string(tr("en", "knobs.anatomy_help")).find("0.0001") != std::string::npos);
}

TEST_CASE("[lab] inference leaves the weights untouched", "[lab]") {
    UiHarness ui;
    small_model(ui);
    ui.state.lab.step_once();
    // The step must be done before generating: its corpus is built over frames first, and a step that
    // landed during generation would change the very weights the test watches.
    REQUIRE(run_until(ui, [&] { return ui.state.lab.pretrain().step >= 1; }));
    ui.state.lab.set_inference_source(ModelSource::trained);
    open_panel(ui.state, PanelId::inference);
    ui.frame();
    ui.frame();  // the tab becomes current on the frame after it is requested
    ui.state.lab_ui.max_tokens = 20;
    REQUIRE(ui.click("inference.generate"));
    REQUIRE(run_until(ui, [&] { return !ui.state.lab.inference().generating; }));
    const InferenceView& v = ui.state.lab.inference();
    CHECK(v.tokens.size() == 20);
    CHECK(v.checksum_before != 0);
    CHECK(v.checksum_after == v.checksum_before);
    CHECK(v.checksum_after == ui.state.lab.checksum(ModelSource::trained));
}

TEST_CASE("[lab] a saved weights file opens again as the same model", "[lab]") {
    UiHarness ui;
    small_model(ui);
    for (int i = 0; i < 3; ++i) ui.state.lab.step_once(), ui.frame();
    std::string err;
    auto bytes = ui.state.lab.save(ModelSource::trained, &err);
    REQUIRE(err.empty());
    REQUIRE_FALSE(bytes.empty());
    CHECK(open_bytes(ui.state, bytes, "mine.knobs", "weights").empty());
    CHECK(ui.state.lab.checksum(ModelSource::opened) == ui.state.lab.checksum(ModelSource::trained));

    SECTION("a corrupt file is refused with its reason and the opened model stays") {
        auto bad = bytes;
        bad[bad.size() / 2] ^= 0x40;
        const uint64_t kept = ui.state.lab.checksum(ModelSource::opened);
        const std::string msg = open_bytes(ui.state, bad, "broken.knobs", "weights");
        CHECK_FALSE(msg.empty());
        CHECK(ui.state.lab.checksum(ModelSource::opened) == kept);
        CHECK_FALSE(ui.state.lab.weights().open_error.empty());
        REQUIRE_FALSE(ui.state.notices.empty());
        CHECK(ui.state.notices.back().is_error);
    }
    SECTION("a truncated file too") {
        std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + bytes.size() / 3);
        CHECK_FALSE(open_bytes(ui.state, cut, "cut.knobs", "weights").empty());
    }
}

TEST_CASE("[lab] LoRA fine-tuning leaves the base checksum untouched", "[lab]") {
    UiHarness ui;
    small_model(ui);
    for (int i = 0; i < 2; ++i) ui.state.lab.step_once(), ui.frame();
    const std::string err =
        ui.state.lab.start_finetune(ModelSource::trained, CorpusChoice::portuguese, true, 2, 4.0f, 12, 1);
    REQUIRE(err.empty());
    REQUIRE(run_until(ui, [&] { return !ui.state.lab.finetune().running; }));
    const FinetuneView& f = ui.state.lab.finetune();
    CHECK(f.step == 12);
    CHECK(f.base_checksum_now == f.base_checksum_before);
    CHECK(f.trainable < f.total);
    CHECK(f.trainable == lora_param_count(ui.state.lab.model_config(), 2));
    CHECK_FALSE(f.tuned_output.empty());
    CHECK(ui.state.lab.cost().finetune.flops > 0);
}

TEST_CASE("[lab] a diverging learning rate pauses training and restore brings the weights back", "[lab]") {
    UiHarness ui;
    small_model(ui);
    TrainSettings t = ui.state.lab.settings();
    ui.state.lab.play_until(30);  // exactly 30 steps: the divergence starts from the same weights every run
    REQUIRE(run_until(ui, [&] { return ui.state.lab.pretrain().step >= 30; }));
    ui.state.lab.play();
    t.lr = 10.0f;
    t.warmup_steps = 0;
    ui.state.lab_ui.editing = t;  // what the panel's controls show: otherwise the next frame sets them back
    REQUIRE(ui.state.lab.apply_settings(t).empty());  // the learning rate changes mid-run
    REQUIRE(run_until(ui, [&] { return !ui.state.lab.pretrain().divergence.empty(); }, 3000));
    CHECK_FALSE(ui.state.lab.pretrain().running);
    REQUIRE(ui.state.lab.pretrain().can_restore);
    ui.state.lab.restore_last_good();
    CHECK(ui.state.lab.pretrain().divergence.empty());
    for (float p : ui.state.lab.tensor_values(Tensor::wte)) REQUIRE(std::isfinite(p));
}

TEST_CASE("[lab] user text: bad input is refused with a message and good text becomes the corpus", "[lab]") {
    UiHarness ui;
    const std::vector<uint8_t> binary = {0x00, 0xff, 0xfe, 0x00, 0x01};
    CHECK_FALSE(open_bytes(ui.state, binary, "photo.png", "text").empty());
    CHECK(ui.state.user_text_name.empty());
    std::string text;
    for (int i = 0; i < 200; ++i) text += "a learner wrote this line of text.\n";
    CHECK(open_bytes(ui.state, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
                     "notes.txt", "text").empty());
    CHECK(ui.state.user_text_name == "notes.txt");
    CHECK(ui.state.lab_ui.editing.corpus == CorpusChoice::user);
}

TEST_CASE("[lab] every lab panel draws in both languages at desktop and phone sizes", "[lab]") {
    const std::string lang = GENERATE("en", "pt-BR");
    const auto [w, h, dpr] = GENERATE(std::tuple{1280.0f, 800.0f, 1.0f}, std::tuple{390.0f, 844.0f, 3.0f});
    UiHarness ui(w, h, dpr);
    set_language(ui.state, lang);
    small_model(ui);
    ui.state.lab.step_once();
    for (PanelId p : {PanelId::pretrain, PanelId::knobs, PanelId::inference, PanelId::finetune, PanelId::weights,
                      PanelId::cost}) {
        open_panel(ui.state, p);
        ui.frame();
        ui.frame();
        CHECK(ui.state.hits.count(std::string("tab.") + panel_key(p)) == 1);
    }
}

TEST_CASE("[lab] the same settings give the same loss curve however the frames split the work", "[lab]") {
    auto run = [](double budget_ms) {
        UiHarness ui;
        ui.state.frame_budget_ms = budget_ms;
        small_model(ui);
        ui.state.lab.play();
        run_until(ui, [&] { return ui.state.lab.pretrain().step >= 25; });
        ui.state.lab.pause();
        std::vector<float> curve;
        for (const auto& p : ui.state.lab.pretrain().history)
            if (p.step <= 25) curve.push_back(p.train);
        return std::pair{curve, ui.state.lab.pretrain().step == 25 ? ui.state.lab.checksum(ModelSource::trained) : 0};
    };
    const auto a = run(0.5), b = run(30.0);
    REQUIRE(a.first.size() == 25);
    CHECK(a.first == b.first);  // bit-equal floats
    // The checksum is compared when both stopped at the same step (a 30 ms frame may run past step 25).
    if (a.second && b.second) CHECK(a.second == b.second);
}

TEST_CASE("[app] frame budget follows the frame cadence", "[app]") {
    FrameBudget fb;
    const auto idle_frames = [&fb](double interval, double ui) {
        for (int i = 0; i < 200; ++i) fb.next(interval, ui, false);
    };
    SECTION("display-paced at 60 Hz: training fills the idle part of each frame and never misses one") {
        idle_frames(16.7, 2.0);
        bool missed = false;
        for (int i = 0; i < 300; ++i) {
            const double work = 2.0 + fb.budget_ms;
            const double interval = work <= 16.7 ? 16.7 : 33.4;  // the next vsync
            missed |= i > 0 && interval > 16.7;
            fb.next(interval, 2.0, true);
        }
        CHECK_FALSE(missed);
        CHECK_THAT(fb.budget_ms, Catch::Matchers::WithinAbs(FrameBudget::kShareOfIdle * 16.7 - 2.0, 0.01));
    }
    SECTION("drawing and training compete for the CPU: frames stay within the allowed slowdown") {
        idle_frames(50.0, 2.0);  // software WebGL: the frame rate is set by drawing
        double interval = 50.0;
        for (int i = 0; i < 400; ++i) {
            interval = 50.0 + 1.25 * fb.budget_ms;  // every ms of training delays drawing a little more
            fb.next(interval, 2.0, true);
        }
        CHECK(interval / 50.0 <= FrameBudget::kMaxSlowdown + 0.02);
        CHECK_THAT(fb.budget_ms, Catch::Matchers::WithinAbs((FrameBudget::kMaxSlowdown - 1.0) * 50.0 / 1.25, 0.5));
    }
    SECTION("a training worker that slows the drawing rests between chunks until frames are within bounds") {
        idle_frames(33.4, 2.0);  // software WebGL on two cores: the worker takes the drawing's second core
        const double chunk_ms = 250.0;
        double interval = 33.4;
        for (int i = 0; i < 600; ++i) {
            const double busy = chunk_ms / (chunk_ms + fb.worker_rest_ms);  // the worker's share of a core
            interval = 33.4 * (1.0 + busy);                               // at full speed, frames take twice as long
            fb.next(interval, 2.0, false, true);
        }
        CHECK(fb.worker_rest_ms > 0);
        CHECK(interval / 33.4 <= FrameBudget::kMaxSlowdown + 0.02);
        CHECK(interval / 33.4 >= FrameBudget::kMaxSlowdown - 0.05);  // and it does not rest more than needed
        CHECK_THAT(fb.idle_interval_ms, Catch::Matchers::WithinAbs(33.4, 0.01));  // worker frames are not idle ones
    }
    SECTION("on a display-paced page the worker never rests") {
        idle_frames(16.7, 2.0);
        for (int i = 0; i < 300; ++i) fb.next(16.7, 2.0, false, true);
        CHECK(fb.worker_rest_ms == 0);
    }
    SECTION("expensive UI work leaves training the minimum, never nothing") {
        idle_frames(16.7, 30.0);
        for (int i = 0; i < 100; ++i) fb.next(33.4, 30.0, true);
        CHECK(fb.budget_ms == FrameBudget::kMinMs);
    }
    SECTION("a frame after a long pause does not blow up the estimate") {
        idle_frames(16.7, 2.0);
        fb.next(60000.0, 2.0, false);
        CHECK(fb.idle_interval_ms < 16.7 + 0.1 * 250.0 + 0.01);
        CHECK(fb.budget_ms <= FrameBudget::kMaxMs);
    }
}

TEST_CASE("[ui] a run=N link with corpus_url waits for its text, then trains exactly N steps", "[ui][lab]") {
    UiHarness ui;
    const UrlDecode d = decode_fragment("#v=2&panel=pretrain&corpus=user&corpus_url=texts/poems.txt&size=custom&"
                                        "layers=1&heads=2&width=32&context=32&batch=4&run=3");
    REQUIRE(d.notices.empty());
    REQUIRE(apply(ui.state, d.state).empty());
    for (int i = 0; i < 5; ++i) ui.frame();
    CHECK(ui.state.lab.pretrain().step == 0);
    INFO(ui.state.lab.pretrain().error);
    CHECK(ui.state.lab.pretrain().error.empty());  // not "no text": it is on its way

    std::string poem;
    for (int i = 0; i < 300; ++i) poem += "the river runs and the river sings, verse " + std::to_string(i) + "\n";
    REQUIRE(open_linked_text(ui.state, std::span(reinterpret_cast<const uint8_t*>(poem.data()), poem.size())).empty());
    for (int i = 0; i < 500 && ui.state.lab.pretrain().step < 3; ++i) ui.frame();
    for (int i = 0; i < 5; ++i) ui.frame();
    CHECK(ui.state.lab.pretrain().step == 3);
    CHECK(ui.state.lab_ui.editing.corpus == CorpusChoice::user);
}

TEST_CASE("[lab] Play on 10 MB of text builds the corpus over frames, within each frame's budget", "[lab]") {
    UiHarness ui;
    std::string text;
    const std::string line = "the small dog sees a red ball and the old baker reads a letter .\n";
    while (text.size() + line.size() <= 10u * 1024 * 1024) text += line;
    REQUIRE(open_bytes(ui.state, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
                       "ten.txt", "text").empty());
    small_model(ui);  // applies the settings: the run starts on the text just opened
    ui.frame();
    CHECK_FALSE(ui.state.lab.pretrain().preparing);  // nothing is built before the learner asks to train
    CHECK(ui.state.lab.pretrain().prepare_progress == 0.0f);
    ui.state.lab.play();
    // Play itself copies nothing: the corpus is still to be built.
    CHECK(ui.state.lab.pretrain().preparing);
    CHECK(ui.state.lab.pretrain().prepare_progress == 0.0f);
    ui.state.lab.update(0.1);  // a tiny budget: one slice, far from the whole text
    CHECK(ui.state.lab.pretrain().preparing);
    CHECK(ui.state.lab.pretrain().prepare_progress > 0.0f);
    CHECK(ui.state.lab.pretrain().prepare_progress < 0.1f);
    CHECK(ui.state.lab.pretrain().step == 0);
    REQUIRE(run_until(ui, [&] { return ui.state.lab.pretrain().step >= 2; }));
    CHECK_FALSE(ui.state.lab.pretrain().preparing);
    CHECK(ui.state.lab.pretrain().prepare_progress == 1.0f);
}

TEST_CASE("[lab] fine-tuning builds its domain corpus over frames too", "[lab]") {
    UiHarness ui;
    small_model(ui);
    ui.state.lab.step_once();
    REQUIRE(run_until(ui, [&] { return ui.state.lab.pretrain().step >= 1; }));
    REQUIRE(ui.state.lab.start_finetune(ModelSource::trained, CorpusChoice::portuguese, true, 2, 4.0f, 10, 1).empty());
    CHECK(ui.state.lab.finetune().preparing);
    CHECK(ui.state.lab.finetune().step == 0);
    ui.state.lab.update(0.1);
    CHECK(ui.state.lab.finetune().preparing);  // a megabyte of sentences is more than one slice
    REQUIRE(run_until(ui, [&] { return !ui.state.lab.finetune().running; }));
    const FinetuneView& f = ui.state.lab.finetune();
    CHECK_FALSE(f.preparing);
    CHECK(f.step == 10);
    CHECK(std::isfinite(f.forgetting_before));
    CHECK(f.forgetting_before > 0);
}

TEST_CASE("[lab] on a phone and at 200% text size nothing in a lab panel runs past the panel's right edge", "[lab]") {
    const std::string lang = GENERATE("en", "pt-BR");
    // A phone at 100%, and a laptop screen at the largest text size (the panels are as narrow, in letters).
    const auto [css_w, css_h, dpr, scale] =
        GENERATE(std::tuple{390.0f, 844.0f, 3.0f, 1.0f}, std::tuple{1280.0f, 800.0f, 1.0f, 2.0f});
    UiHarness ui(css_w, css_h, dpr);
    set_language(ui.state, lang);
    set_ui_scale(ui.state, scale);
    small_model(ui);
    ui.state.lab.step_once();
    REQUIRE(run_until(ui, [&] { return ui.state.lab.pretrain().step >= 1; }));  // the status line has every readout
    for (PanelId p : {PanelId::pretrain, PanelId::knobs, PanelId::inference, PanelId::finetune, PanelId::weights,
                      PanelId::cost}) {
        open_panel(ui.state, p);
        // A few frames: the tab turns current, then its vertical scrollbar appears and the items narrow.
        for (int i = 0; i < 4; ++i) ui.frame();
        // What a window's items reached (ContentSize) against the width it shows: wider means a label, a
        // radio button or a readout is cut off at the edge (the panels have no horizontal scrolling).
        // The panel's own body only: the shell around it has a tab bar that scrolls on purpose.
        for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows) {
            const std::string_view name(w->Name);
            const std::string_view last = name.substr(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
            if (!w->WasActive || w->Hidden || !last.starts_with("##panel_body_")) continue;
            INFO(lang << " at " << css_w << " px, " << scale * 100 << "%, panel " << panel_key(p) << ", window " << w->Name);
            CHECK(w->ContentSize.x <= w->ContentRegionRect.GetWidth() + 1.0f);
        }
    }
}

TEST_CASE("[a11y] the live region hears training start, pass a milestone, pause and diverge", "[lab][a11y]") {
    UiHarness ui;
    small_model(ui);
    auto said = [&] {
        std::vector<std::string> texts;
        for (const auto& a : ui.state.a11y.announcements) texts.push_back(a.text);
        return texts;
    };
    auto heard = [&](std::string_view start) {
        for (const auto& t : said())
            if (t.rfind(start, 0) == 0) return true;
        return false;
    };
    // Exactly 100 steps, whatever the frames do: the divergence below then starts from the same weights.
    ui.state.lab.play_until(100);
    ui.frame();
    CHECK(heard("Training started."));
    REQUIRE(run_until(ui, [&] { return ui.state.lab.pretrain().step >= 100; }));
    ui.frame();
    CHECK(heard("Step 1"));  // "Step 10x: loss …", said once when step 100 is passed
    ui.state.lab.pause();
    ui.frame();
    CHECK(heard("Training paused at step " + std::to_string(ui.state.lab.pretrain().step)));
    const size_t count = ui.state.a11y.announce_seq;
    for (int i = 0; i < 5; ++i) ui.frame();
    CHECK(ui.state.a11y.announce_seq == count);  // nothing is said twice

    TrainSettings t = ui.state.lab.settings();
    t.lr = 10.0f;
    t.warmup_steps = 0;
    ui.state.lab_ui.editing = t;  // what the panel's controls show: otherwise the next frame sets them back
    REQUIRE(ui.state.lab.apply_settings(t).empty());
    ui.state.lab.play();
    REQUIRE(run_until(ui, [&] { return !ui.state.lab.pretrain().divergence.empty(); }, 3000));
    ui.frame();
    CHECK(heard("Training stopped: the loss diverged"));
}

TEST_CASE("[lab] opening a text leaves a generated corpus still to build for later", "[lab]") {
    Lab lab;
    TrainSettings t = lab.settings();
    t.corpus = CorpusChoice::english;
    REQUIRE(lab.apply_settings(t).empty());  // the run is set up; its megabyte of sentences is not built yet
    std::string text;
    for (int i = 0; i < 2000; ++i) text += "a line the learner wrote.\n";
    lab.set_user_text(text, "notes.txt");  // must not build that megabyte now (it would block the open)
    lab.play();
    CHECK(lab.pretrain().preparing);  // still to build: it happens in Play's frames
    lab.pause();

    t.corpus = CorpusChoice::user;  // a run on the learner's text, set up but not built ...
    REQUIRE(lab.apply_settings(t).empty());
    lab.set_user_text("another text, too short to matter", "other.txt");  // ... is finished on the old text
    lab.play();
    CHECK_FALSE(lab.pretrain().preparing);
    for (int i = 0; i < 400 && lab.pretrain().step < 1; ++i) lab.update(50);  // a step takes longer under ASan
    CHECK(lab.pretrain().step >= 1);
}

namespace {
// Stands in for the browser's training worker: it keeps the corpus it is sent and runs each chunk with the
// engine (core/train_chunk.h), handing the result back a few frames later, as a real worker would.
struct FakeTrainWorker {
    uint32_t corpus_id = 0;
    std::vector<uint8_t> text;
    std::vector<std::vector<uint8_t>> requests;
    int chunks_run = 0;

    TrainOffload offload() {
        return {[this](uint32_t id, std::span<const uint8_t> t) {
                    corpus_id = id;
                    text.assign(t.begin(), t.end());
                },
                [this](std::span<const uint8_t> r) { requests.emplace_back(r.begin(), r.end()); }};
    }
    // Answers the oldest request, if any.
    void answer(Lab& lab) {
        if (requests.empty()) return;
        const std::vector<uint8_t> result = run_train_chunk_bytes(requests.front(), corpus_id, text);
        requests.erase(requests.begin());
        ++chunks_run;
        lab.offload_result(result);
    }
};

struct RunRecord {
    std::vector<float> train, val;
    std::vector<std::string> samples;
    std::vector<float> grads;  // the last step's gradients of one tensor, as the heatmap shows them
    uint64_t checksum = 0;
    int step = 0;
    bool operator==(const RunRecord&) const = default;
};

RunRecord record(const Lab& lab) {
    RunRecord r;
    for (const auto& p : lab.pretrain().history) {
        r.train.push_back(p.train);
        if (std::isfinite(p.val)) r.val.push_back(p.val);
    }
    for (const auto& s : lab.pretrain().samples) r.samples.push_back(s.text);
    const auto g = lab.tensor_grads(Tensor::attprojw);
    r.grads.assign(g.begin(), g.end());
    r.checksum = lab.checksum(ModelSource::trained);
    r.step = lab.pretrain().step;
    return r;
}

// Trains the small model until step `steps` (or a divergence); with a worker, answers its chunks every third
// frame. With `diverge_after` > 0 the learning rate goes to 10 (no warmup) after that step.
RunRecord train_run(int steps, FakeTrainWorker* worker, int diverge_after = 0) {
    UiHarness ui;
    small_model(ui);
    if (worker) ui.state.lab.set_train_offload(worker->offload());
    int frame = 0;
    auto train_until = [&](int step) {
        ui.state.lab.play_until(step);
        run_until(ui, [&] {
            if (worker && ++frame % 3 == 0) worker->answer(ui.state.lab);
            const PretrainView& p = ui.state.lab.pretrain();
            return !p.running && !p.preparing && (p.step >= step || !p.divergence.empty());
        });
    };
    if (diverge_after > 0) {
        train_until(diverge_after);
        TrainSettings t = ui.state.lab.settings();
        t.lr = 10.0f;
        t.warmup_steps = 0;
        ui.state.lab_ui.editing = t;  // what the panel's controls show, or it would set them back
        REQUIRE(ui.state.lab.apply_settings(t).empty());
    }
    train_until(steps);
    return record(ui.state.lab);
}
}  // namespace

TEST_CASE("[lab] training in a worker gives the same run as training in the frames", "[lab]") {
    const int steps = GENERATE(1, 60);
    FakeTrainWorker worker;
    const RunRecord in_frames = train_run(steps, nullptr);
    const RunRecord in_worker = train_run(steps, &worker);
    REQUIRE(in_frames.step == steps);
    CHECK(worker.chunks_run > 0);
    CHECK(in_worker.step == steps);
    CHECK(in_worker.train == in_frames.train);      // every step's loss, bit for bit
    CHECK(in_worker.val == in_frames.val);          // validation at the same steps
    CHECK(in_worker.samples == in_frames.samples);  // live samples at the same steps
    CHECK(in_worker.grads == in_frames.grads);      // the heatmap's gradients of the last step
    CHECK(in_worker.checksum == in_frames.checksum);
}

TEST_CASE("[lab] a divergence inside a worker chunk pauses at the same step as in the frames", "[lab]") {
    FakeTrainWorker worker;
    const RunRecord in_frames = train_run(300, nullptr, 30);
    const RunRecord in_worker = train_run(300, &worker, 30);
    REQUIRE(in_frames.step < 300);  // a learning rate of 10 diverges
    CHECK(in_worker.step == in_frames.step);
    CHECK(in_worker.train == in_frames.train);
    CHECK(in_worker.checksum == in_frames.checksum);
}

TEST_CASE("[lab] the worker's results the lab no longer waits for are dropped", "[lab]") {
    UiHarness ui;
    small_model(ui);
    FakeTrainWorker worker;
    ui.state.lab.set_train_offload(worker.offload());
    ui.state.lab.play();
    REQUIRE(run_until(ui, [&] { return !worker.requests.empty(); }));
    const uint64_t before = ui.state.lab.checksum(ModelSource::trained);
    const int step = ui.state.lab.pretrain().step;

    SECTION("pause: the run stays where the learner saw it") {
        ui.state.lab.pause();
        worker.answer(ui.state.lab);
        CHECK(ui.state.lab.pretrain().step == step);
        CHECK(ui.state.lab.checksum(ModelSource::trained) == before);
    }
    SECTION("a result that is not a chunk result stops the worker; training goes on in the frames") {
        const std::vector<uint8_t> garbage = {1, 2, 3, 4, 5};
        ui.state.lab.offload_result(garbage);
        worker.requests.clear();
        REQUIRE(run_until(ui, [&] { return ui.state.lab.pretrain().step >= step + 3; }));
        CHECK(worker.requests.empty());  // nothing more was sent to the worker
        CHECK_FALSE(ui.state.lab.pretrain().in_worker);
    }
    SECTION("a hidden page: the result is applied, and the next chunk waits for a frame") {
        const std::vector<uint8_t> result =
            run_train_chunk_bytes(worker.requests.front(), worker.corpus_id, worker.text);
        worker.requests.clear();
        ui.state.lab.offload_result(result, /*send_next=*/false);
        CHECK(ui.state.lab.pretrain().step > step);
        CHECK(worker.requests.empty());  // nothing trains while the page is hidden
        ui.frame();                      // visible again: the next frame sends the next chunk
        CHECK(worker.requests.size() == 1);
    }
    SECTION("the worker fails: training goes on in the frames") {
        ui.state.lab.offload_failed();
        worker.requests.clear();
        REQUIRE(run_until(ui, [&] { return ui.state.lab.pretrain().step >= step + 3; }));
        CHECK(worker.requests.empty());
    }
}

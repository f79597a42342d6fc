#include "app/presets.h"

#include "app/url_state.h"

namespace knobs {

namespace {
Preset make(const char* id, const char* fragment) {
    const std::string key = std::string("preset.") + id;
    return {id, fragment, key + ".title", key + ".desc"};
}
}  // namespace

const std::vector<Preset>& presets() {
    // Each one opens the lab panel that shows the idea (and a lesson panel that explains it) and sets only
    // what the idea needs; run=N trains automatically so the effect appears without a click.
    static const std::vector<Preset> list = {
        // A small model on the English corpus, 400 steps: the loss falls and the samples turn into words.
        make("watch-learn", "#v=2&panel=lifecycle,pretrain&size=S&corpus=english&steps=400&seed=7&run=400"),
        // Adam with lr 8, no warm-up and no clipping: the first updates are far larger than the weights,
        // the loss shoots up within a few steps and the lab stops the run as diverged.
        make("lr-too-high", "#v=2&panel=lifecycle,pretrain&lr=8&warmup=0&clip=0&seed=7&run=150"),
        // The fine-tuning panel set up for LoRA rank 4 on Portuguese, next to the comparison table that
        // counts the parameters each method trains.
        make("finetune-vs-lora", "#v=2&panel=table,finetune&ft=lora&rank=4&alpha=8&ftsteps=150&ftcorpus=portuguese"),
        // A hot temperature with a fixed seed: generate, then lower the slider and generate again.
        make("temperature", "#v=2&panel=lifecycle,inference&prompt=the%20cat%20&temp=1.6&topk=0&topp=1&gseed=3&tokens=80"),
        // The cost panel with the large model selected: measure ms per token for S, M and L.
        make("size-latency", "#v=2&panel=table,cost&size=L"),
        // Chat mode: once the conversation outgrows the context window the oldest part is forgotten.
        make("context-memory", "#v=2&panel=lifecycle,inference&chat=1&temp=0.7&gseed=2&tokens=60"),
        // The comparison table beside a run in progress: its numbers are measured while you watch.
        make("table-live", "#v=2&panel=table,pretrain&run=200"),
        // The knobs panel on the attention weights of the second layer of a small custom model in training.
        make("knobs-close", "#v=2&panel=lifecycle,knobs&layers=2&heads=2&width=32&context=32&run=60&tensor=qkvw&layer=1"),
    };
    return list;
}

const Preset* find_preset(const std::string& id) {
    for (const auto& p : presets())
        if (p.id == id) return &p;
    return nullptr;
}

std::vector<std::string> load_preset(AppState& s, const std::string& id, bool* ok) {
    const Preset* p = find_preset(id);
    if (!p) {
        std::string known;
        for (const auto& q : presets()) known += (known.empty() ? "" : ", ") + q.id;
        if (ok) *ok = false;
        return {"unknown preset " + quoted_value(id) + " (known: " + known + ")"};
    }
    if (ok) *ok = true;
    UrlDecode d = decode_fragment(p->fragment);
    std::vector<std::string> notices = std::move(d.notices);
    for (auto& n : apply(s, d.state)) notices.push_back(std::move(n));
    return notices;
}

}  // namespace knobs

// What a link can carry: the app's shareable state as a versioned URL fragment ("#v=2&panel=knobs&lr=0.01").
//
// A link is a recipe, not a snapshot: it holds the settings a learner chose (the panel on each side,
// language, theme, the pre-training run, the sampling knobs, the fine-tuning choice, embedding options),
// never weights or the text a learner pasted. Because training is deterministic (same settings and seed,
// same bits), "run=300" in a link reproduces the sender's model step for step on the receiver's machine.
//
// Everything here is plain data and pure functions except apply(), which changes an AppState through the
// same public calls the panels use. The keys, their ranges and the older v=1 layout are documented in
// docs/embedding.md ("Links (URL fragment)").
//
// Safety: a fragment is untrusted input from anyone. Nothing decoded is ever interpreted: numbers are
// range-checked, choices must be one of a fixed list, the prompt is plain text for a byte-level model
// (so "<script>" is just 8 bytes to predict from), and the only two strings that could point anywhere
// (corpus_url, host) are validated against strict grammars. Bad values fall back to the default with a
// notice that names the key; nothing in this file can throw or crash on any input.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/app_state.h"
#include "core/limits.h"

namespace knobs {

inline constexpr int kUrlSchemaVersion = 2;
inline constexpr size_t kMaxFragmentChars = 2048;  // longer fragments are refused whole
// The prompt is limited to what the largest model can see at once: more would never reach it anyway.
inline constexpr size_t kMaxLinkPromptBytes = static_cast<size_t>(kMaxContext);
inline constexpr size_t kMaxCorpusUrlChars = 200;
inline constexpr size_t kMaxHostChars = 100;
inline constexpr uint64_t kMaxLinkSeed = static_cast<uint64_t>(kSeedLimits.hi);
inline constexpr int kMaxLinkRunSteps = static_cast<int>(kStepsLimits.hi);  // run= asks for at most the longest run

// Every field is "not given" (nullopt) unless the link says it. capture() fills only the fields that differ
// from a fresh app, so capture() of an untouched app is an empty UrlState and encodes to "#v=2".
struct UrlState {
    // ---- view ----
    std::optional<PanelId> lesson_panel;  // panel=: the tab in front on the lesson side
    std::optional<PanelId> lab_panel;     //         ... and on the lab side
    std::optional<std::string> lang;      // lang=en|pt-BR
    std::optional<Theme> theme;           // theme=dark|light

    // ---- pre-training (one group: if any is given, the rest take their defaults) ----
    std::optional<SizePreset> size;       // size=S|M|L|custom
    std::optional<int> layers, heads, width, context;  // only meaningful with size=custom
    std::optional<CorpusChoice> corpus;   // corpus=english|portuguese|course|user
    std::optional<std::string> corpus_url;  // corpus_url=texts/poems.txt: same-origin text to train on
    std::optional<std::string> content_url; // content=lessons/mine.json: same-origin lesson file of a course author
    std::optional<float> lr;
    std::optional<int> batch, warmup, steps;
    std::optional<float> wd, clip;
    std::optional<uint64_t> seed;
    std::optional<int> samples;          // samples=N: a live text sample every N steps
    std::optional<int> run;               // run=N: train N steps automatically once loaded

    // ---- inference (one group) ----
    std::optional<std::string> prompt;
    std::optional<float> temp;
    std::optional<int> topk;
    std::optional<float> topp;
    std::optional<bool> greedy;
    std::optional<uint64_t> gseed;
    std::optional<int> tokens;
    std::optional<bool> chat;

    // ---- the knobs panel (one group) ----
    std::optional<Tensor> tensor;
    std::optional<int> layer;

    // ---- fine-tuning (one group) ----
    std::optional<bool> ft_lora;          // ft=lora|full
    std::optional<int> rank;
    std::optional<float> alpha;
    std::optional<int> ft_steps;          // ftsteps=
    std::optional<CorpusChoice> ft_corpus;  // ftcorpus=portuguese|course|user

    // ---- embedding (one group) ----
    std::optional<bool> embed;
    std::optional<std::vector<PanelId>> hide;       // hide=faq,quiz (kept in PanelId order)
    std::optional<std::vector<std::string>> lock;   // lock=lr,size: link keys whose controls are read-only
    std::optional<std::string> host;                // host=https://example.org: the embedding page's origin

    bool operator==(const UrlState&) const = default;
};

struct UrlDecode {
    UrlState state;
    std::vector<std::string> notices;  // one sentence per problem, each naming the key and what was used
    int version = 0;                   // the v= the link declared (0 when missing or unreadable); every
                                       // link is read as v=2 after migrating a v=1 one
    bool refused = false;              // the whole fragment was rejected (too long): nothing to apply
};

// Parses "#v=2&key=value..." (the leading '#' is optional; an empty fragment is an empty state with no
// notices). Never throws; every problem becomes a notice and the key's default.
UrlDecode decode_fragment(std::string_view fragment);

// "#v=2" followed by the given, non-default fields in a fixed order, values percent-encoded (UTF-8).
std::string encode_fragment(const UrlState& state);

// The state with every field that equals a fresh app's value removed (and the architecture fields removed
// unless size=custom). decode_fragment(encode_fragment(u)).state == canonical(u) for every valid u.
UrlState canonical(const UrlState& state);

// Whether a text field value is usable as corpus_url / host; on failure *why says what is wrong.
bool valid_corpus_url(std::string_view path, std::string* why = nullptr);
bool valid_content_url(std::string_view path, std::string* why = nullptr);
bool valid_host_origin(std::string_view origin, std::string* why = nullptr);

// The link keys a lock= list may name: the keys of settings_table() (app/settings.h), in its order.
const std::vector<std::string>& lockable_keys();

// The state of an app as a link would carry it (canonical).
UrlState capture(const AppState& s);

// Applies a decoded link to the app through the Lab's public API and the shared commands. Groups that the
// link mentions are set completely (unmentioned fields of the group take their defaults), so a link
// reproduces a run whatever the receiver had; groups it does not mention are left alone, so a preset about
// temperature does not reset a training run. Keys the embedding page locked keep their current values.
// Returns notices for what could not be applied as asked.
std::vector<std::string> apply(AppState& s, const UrlState& state);

// Can the app's current state travel in a link?
struct ShareCheck {
    bool fits = true;                  // the fragment reproduces the state exactly
    std::vector<std::string> reasons;  // why not, for the learner (e.g. "your own text is not in the link")
    std::string fragment;              // the best link there is: everything that can travel
};
ShareCheck share_check(const AppState& s);

// The corpus_url the platform still has to fetch (same origin) after apply(); "" when nothing is pending.
std::string pending_corpus_url(const AppState& s);
// The content= lesson file the platform still has to fetch (same origin); "" when nothing is pending. The
// fetched bytes go to open_bytes(..., "content"), which validates them like the shipped lesson files.
std::string pending_content_url(const AppState& s);
// The platform hands over the fetched bytes of pending_corpus_url(). They become the learner's text (named by
// the url, so capture() keeps the link), and when the pre-training corpus is "user" the run starts from them.
// Returns the error shown to the learner (also sent to s.notify), or "" on success.
std::string open_linked_text(AppState& s, std::span<const uint8_t> bytes);

// The shortest decimal that reads back as exactly this float ("0.003", not "0.00300000003"; "1e-5"), so
// links stay readable and decoding gives the same bits. How a link, and a notice, writes a real number.
std::string format_link_float(float f);
// What makes `text` unfit for the link's text setting (the prompt): not UTF-8, longer than
// kMaxLinkPromptBytes, or a control character other than tab and line break; "" when it is fine.
std::string link_text_problem(std::string_view text);
// A value as it may appear inside a notice: quoted, valid UTF-8, at most 24 characters (then "…"), and
// with control and bidirectional-formatting characters written as \uXXXX (so U+202E cannot reverse the
// text around it). Notices are plain text everywhere (ImGui, JSON), but short and unambiguous.
std::string quoted_value(std::string_view raw);

// Percent-encoding of one value: every byte except A-Z a-z 0-9 - . _ ~ : / becomes %XX (UTF-8 bytes), so
// "texts/poems.txt" and "https://example.org" stay readable while & = # + % , and spaces are escaped.
std::string percent_encode(std::string_view value);
// The inverse; '+' reads as a space (as URLSearchParams writes it). Returns false on a malformed escape.
bool percent_decode(std::string_view value, std::string* out);

}  // namespace knobs

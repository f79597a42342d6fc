#include "corpus.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "checksum.h"

namespace knobs {

namespace {

// Independent generator streams for the two parts of a corpus. Hashing (seed, stream) rather than using
// seed and seed + 1 keeps corpus seed 1's validation stream from being corpus seed 2's training stream.
enum class Stream : uint64_t { train = 1, val = 2 };
uint64_t stream_seed(uint64_t seed, Stream stream) {
    return checksum64(&seed, sizeof seed, static_cast<uint64_t>(stream));
}

double clamp_fraction(double f) {
    if (std::isnan(f)) return kDefaultValFraction;
    return std::clamp(f, 0.0, kMaxValFraction);
}

uint64_t sentence_hash(std::string_view s) { return checksum64(s.data(), s.size()); }

// Appends whole lines from `generator` while they fit into `target` bytes (at least one line), skipping
// sentences `skip` rejects, and records what it appended in `seen` when given. Stops early once this call
// has appended `max_bytes`, to be called again; returns true when the part is complete. `attempts` counts
// the sentences drawn for this part across calls.
template <class Skip>
bool fill(std::vector<uint8_t>& out, SentenceGenerator& generator, size_t target, Skip&& skip,
          std::unordered_set<uint64_t>* seen, size_t& attempts, size_t max_bytes) {
    // Generated languages are large (many millions of sentences), so skipping only ever drops a small
    // share; the attempt cap just guarantees termination whatever a future grammar looks like.
    const size_t max_attempts = 1000 + 4 * (target / 8);
    const size_t start = out.size();
    while (attempts < max_attempts) {
        if (out.size() - start >= max_bytes) return false;
        ++attempts;
        std::string line = generator.next();
        if (skip(line)) continue;
        line += '\n';
        if (!out.empty() && out.size() + line.size() > target) return true;
        out.insert(out.end(), line.begin(), line.end());
        if (seen) seen->insert(sentence_hash(std::string_view(line).substr(0, line.size() - 1)));
    }
    return true;
}

}  // namespace

std::string generate_text(Language language, uint64_t seed, size_t bytes) {
    SentenceGenerator generator(language, stream_seed(seed, Stream::train));
    std::string text;
    for (;;) {
        std::string line = generator.next();
        line += '\n';
        if (text.size() + line.size() > bytes) return text;
        text += line;
    }
}

CorpusBuild::CorpusBuild(Language language, uint64_t seed, size_t bytes, double val_fraction) {
    const double f = clamp_fraction(val_fraction);
    val_target_ = f > 0 ? static_cast<size_t>(std::llround(static_cast<double>(bytes) * f)) : 0;
    train_target_ = bytes - val_target_;
    // v2: the English generator of 2026-11-28 (short sentences, Zipf word frequencies); Portuguese is unchanged.
    corpus_.id = std::string(language_id(language)) + (language == Language::english ? "-v2" : "-v1") + ":seed=" +
                 std::to_string(seed);
    train_generator_.emplace(language, stream_seed(seed, Stream::train));
    if (f > 0) val_generator_.emplace(language, stream_seed(seed, Stream::val));
}

bool CorpusBuild::advance_generated(size_t max_bytes) {
    if (!train_done_) {
        train_done_ = fill(corpus_.train, *train_generator_, train_target_, [](const std::string&) { return false; },
                           &train_sentences_, attempts_, max_bytes);
        if (!train_done_) return false;
        attempts_ = 0;
        if (!val_generator_) return true;
        // The rest of this slice goes to validation: a finished training part is no reason to stop.
    }
    return fill(corpus_.val, *val_generator_, val_target_,
                [&](const std::string& s) { return train_sentences_.count(sentence_hash(s)) != 0; }, nullptr, attempts_,
                max_bytes);
}

bool CorpusBuild::advance(size_t max_bytes) {
    if (done_) return true;
    max_bytes = std::max<size_t>(max_bytes, 1);
    if (train_generator_) {
        done_ = advance_generated(max_bytes);
    } else {
        const size_t copied = corpus_.train.size() + corpus_.val.size();
        const size_t n = std::min(max_bytes, text_.size() - copied);
        for (size_t from = copied, end = copied + n; from < end;) {  // at most two runs: train, then val
            std::vector<uint8_t>& part = from < cut_ ? corpus_.train : corpus_.val;
            const size_t to = from < cut_ ? std::min(end, cut_) : end;
            part.insert(part.end(), text_.begin() + static_cast<std::ptrdiff_t>(from),
                        text_.begin() + static_cast<std::ptrdiff_t>(to));
            from = to;
        }
        done_ = corpus_.train.size() + corpus_.val.size() == text_.size();
    }
    if (done_) {
        train_sentences_ = {};  // the hashes are only needed while validation is drawn
        train_generator_.reset();
        val_generator_.reset();
    }
    return done_;
}

double CorpusBuild::progress() const {
    if (done_) return 1.0;
    const double built = static_cast<double>(corpus_.train.size() + corpus_.val.size());
    const double total = train_generator_ ? static_cast<double>(train_target_ + val_target_) : static_cast<double>(text_.size());
    return total > 0 ? std::min(built / total, 1.0) : 0.0;
}

Corpus CorpusBuild::take() {
    Corpus out = std::move(corpus_);
    corpus_ = {};
    return out;
}

Corpus make_generated_corpus(Language language, uint64_t seed, size_t bytes, double val_fraction) {
    CorpusBuild build(language, seed, bytes, val_fraction);
    build.advance(SIZE_MAX);
    return build.take();
}

Corpus make_english_corpus(uint64_t seed, size_t bytes, double val_fraction) {
    return make_generated_corpus(Language::english, seed, bytes, val_fraction);
}

Corpus make_portuguese_corpus(uint64_t seed, size_t bytes, double val_fraction) {
    return make_generated_corpus(Language::portuguese, seed, bytes, val_fraction);
}

namespace {
// Checks `t` (already clean) against the context and decides where validation starts: the split both the
// one-shot and the sliced text corpus use. Returns an error message, or empty with *cut set.
std::string settings_error(std::string_view id, double val_fraction, int context) {
    if (id.empty()) return "The corpus needs a name (id).";
    if (context < 1) return "The context window must be at least 1 byte (got " + std::to_string(context) + ").";
    if (!(val_fraction >= 0.0 && val_fraction <= kMaxValFraction))
        return "The validation share must be between 0 and " + std::to_string(static_cast<int>(kMaxValFraction * 100)) +
               "% of the text.";
    return {};
}

std::string text_split(std::string_view id, std::string_view t, double val_fraction, int context, size_t* cut_out) {
    if (std::string e = settings_error(id, val_fraction, context); !e.empty()) return e;
    const size_t n = t.size();
    const size_t window = static_cast<size_t>(context) + 1;  // T inputs and the T next-byte targets
    if (n < window)
        return "The text is " + std::to_string(n) + " bytes long, shorter than one context window (" +
               std::to_string(window) + " bytes for a context of " + std::to_string(context) + "). Add more text.";

    size_t cut = n;
    if (val_fraction > 0) {
        if (n < 2 * window)
            return "The text is " + std::to_string(n) + " bytes long: too short to hold out validation text. With a context of " +
                   std::to_string(context) + " it needs at least " + std::to_string(2 * window) +
                   " bytes (one window to train on, one to validate).";
        const size_t val_len = std::max(window, static_cast<size_t>(std::llround(static_cast<double>(n) * val_fraction)));
        cut = n - std::min(val_len, n - window);
        // Prefer to start validation at the beginning of a line, if one is within a quarter of the
        // validation length before the cut (keeping the training part at least one window long).
        const size_t reach = (n - cut) / 4;
        for (size_t c = cut; c + reach >= cut && c > window; --c) {
            if (t[c - 1] == '\n') {
                cut = c;
                break;
            }
        }
        // Never split a UTF-8 character: move back over continuation bytes (10xxxxxx). The sanitizer
        // guaranteed valid UTF-8, so at most three steps.
        while (cut > window && (static_cast<uint8_t>(t[cut]) & 0xC0) == 0x80) --cut;
        if ((static_cast<uint8_t>(t[cut]) & 0xC0) == 0x80)
            while (cut < n && (static_cast<uint8_t>(t[cut]) & 0xC0) == 0x80) ++cut;
        if (cut < window || n - cut < window)
            return "The text is too short to split into a training part and a validation part of one context window each.";
    }
    *cut_out = cut;
    return {};
}
}  // namespace

CorpusBuild CorpusBuild::from_clean_text(std::string id, std::string_view clean_text, double val_fraction, int context,
                                         std::string* error) {
    CorpusBuild build;
    std::string e = text_split(id, clean_text, val_fraction, context, &build.cut_);
    if (error) *error = e;
    if (!e.empty()) {
        build.done_ = true;  // nothing to build
        return build;
    }
    build.corpus_.id = std::move(id);
    build.text_ = clean_text;
    build.corpus_.train.reserve(build.cut_);
    build.corpus_.val.reserve(clean_text.size() - build.cut_);
    return build;
}

CorpusResult make_text_corpus(std::string id, std::string_view text, double val_fraction, int context) {
    // The settings first: they are cheap to check, and the text may be 10 MB.
    if (std::string e = settings_error(id, val_fraction, context); !e.empty()) return {{}, e};
    SanitizedText clean = sanitize_user_text(text);
    if (!clean.ok()) return {{}, clean.error};
    return make_clean_text_corpus(std::move(id), clean.text, val_fraction, context);
}

CorpusResult make_clean_text_corpus(std::string id, std::string_view clean_text, double val_fraction, int context) {
    CorpusResult result;
    CorpusBuild build = CorpusBuild::from_clean_text(std::move(id), clean_text, val_fraction, context, &result.error);
    if (!result.ok()) return result;
    build.advance(SIZE_MAX);
    result.corpus = build.take();
    return result;
}

}  // namespace knobs

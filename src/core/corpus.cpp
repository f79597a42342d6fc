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
// sentences `skip` rejects. Returns the hashes of what it appended when `seen` is given.
template <class Skip>
void fill(std::vector<uint8_t>& out, SentenceGenerator& generator, size_t target, Skip&& skip,
          std::unordered_set<uint64_t>* seen) {
    // Generated languages are large (many millions of sentences), so skipping only ever drops a small
    // share; the attempt cap just guarantees termination whatever a future grammar looks like.
    size_t attempts = 0;
    const size_t max_attempts = 1000 + 4 * (target / 8);
    while (attempts++ < max_attempts) {
        std::string line = generator.next();
        if (skip(line)) continue;
        line += '\n';
        if (!out.empty() && out.size() + line.size() > target) break;
        out.insert(out.end(), line.begin(), line.end());
        if (seen) seen->insert(sentence_hash(std::string_view(line).substr(0, line.size() - 1)));
    }
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

Corpus make_generated_corpus(Language language, uint64_t seed, size_t bytes, double val_fraction) {
    const double f = clamp_fraction(val_fraction);
    const size_t val_target = static_cast<size_t>(std::llround(static_cast<double>(bytes) * f));
    const size_t train_target = bytes - val_target;

    Corpus corpus;
    // v2: the English generator of 2026-11-28 (short sentences, Zipf word frequencies); Portuguese is unchanged.
    corpus.id = std::string(language_id(language)) + (language == Language::english ? "-v2" : "-v1") + ":seed=" +
                std::to_string(seed);
    std::unordered_set<uint64_t> train_sentences;
    SentenceGenerator train_generator(language, stream_seed(seed, Stream::train));
    fill(corpus.train, train_generator, train_target, [](const std::string&) { return false; }, &train_sentences);
    if (f > 0) {
        SentenceGenerator val_generator(language, stream_seed(seed, Stream::val));
        fill(corpus.val, val_generator, val_target,
             [&](const std::string& s) { return train_sentences.count(sentence_hash(s)) != 0; }, nullptr);
    }
    return corpus;
}

Corpus make_english_corpus(uint64_t seed, size_t bytes, double val_fraction) {
    return make_generated_corpus(Language::english, seed, bytes, val_fraction);
}

Corpus make_portuguese_corpus(uint64_t seed, size_t bytes, double val_fraction) {
    return make_generated_corpus(Language::portuguese, seed, bytes, val_fraction);
}

namespace {
CorpusResult text_corpus(std::string id, std::string_view text, double val_fraction, int context, bool already_clean) {
    CorpusResult result;
    auto fail = [&](std::string message) {
        result.error = std::move(message);
        return result;
    };
    if (id.empty()) return fail("The corpus needs a name (id).");
    if (context < 1) return fail("The context window must be at least 1 byte (got " + std::to_string(context) + ").");
    if (!(val_fraction >= 0.0 && val_fraction <= kMaxValFraction))
        return fail("The validation share must be between 0 and " + std::to_string(static_cast<int>(kMaxValFraction * 100)) +
                    "% of the text.");

    SanitizedText clean;
    if (!already_clean) {
        clean = sanitize_user_text(text);
        if (!clean.ok()) return fail(clean.error);
    }
    const std::string_view t = already_clean ? text : std::string_view(clean.text);
    const size_t n = t.size();
    const size_t window = static_cast<size_t>(context) + 1;  // T inputs and the T next-byte targets
    if (n < window)
        return fail("The text is " + std::to_string(n) + " bytes long, shorter than one context window (" +
                    std::to_string(window) + " bytes for a context of " + std::to_string(context) + "). Add more text.");

    size_t cut = n;
    if (val_fraction > 0) {
        if (n < 2 * window)
            return fail("The text is " + std::to_string(n) + " bytes long: too short to hold out validation text. With a context of " +
                        std::to_string(context) + " it needs at least " + std::to_string(2 * window) +
                        " bytes (one window to train on, one to validate).");
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
            return fail("The text is too short to split into a training part and a validation part of one context window each.");
    }
    result.corpus.id = std::move(id);
    result.corpus.train.assign(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(cut));
    result.corpus.val.assign(t.begin() + static_cast<std::ptrdiff_t>(cut), t.end());
    return result;
}
}  // namespace

CorpusResult make_text_corpus(std::string id, std::string_view text, double val_fraction, int context) {
    return text_corpus(std::move(id), text, val_fraction, context, /*already_clean=*/false);
}

CorpusResult make_clean_text_corpus(std::string id, std::string_view clean_text, double val_fraction, int context) {
    return text_corpus(std::move(id), clean_text, val_fraction, context, /*already_clean=*/true);
}

}  // namespace knobs

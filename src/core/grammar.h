// The two built-in toy languages: a small English-like language and a small formal Brazilian Portuguese,
// each with a seeded, unbounded sentence generator and a validator that really parses the grammar.
//
// Why a grammar and not real text: a learner's model (a few thousand to a few million parameters, 64 bytes
// of context) can actually master a language this size within minutes in the browser, and the validator
// gives an honest quality number beside the loss ("68% of generated sentences are grammatical").
//
// Sentence format (both languages) — deliberately simple for a byte-level model with context 64:
//   * lowercase words separated by exactly one space, ending with the token "." after a space:
//       "the small dog sees a red ball ."      "o professor lê o livro antigo ."
//   * a corpus puts one sentence per line ("... .\n"); generated sentences are at most
//     kMaxGeneratedSentenceBytes bytes long (without the newline), so one fits in a context window.
//
// What the generators emit is a distribution over this grammar, not all of it equally. Words are drawn with
// Zipf-like frequencies (the k-th word of a list that fits is about 1/k as likely as the first), and the
// English generator mostly writes short single-clause sentences: two clauses, coordinated noun phrases,
// prepositional phrases inside noun phrases and two adjectives are all rare. That is how a tiny byte-level
// model (0.12M parameters, context 64) gets most of its sampled sentences grammatical within about a
// minute of training in the browser (the curve is in docs/models.md); the validators still accept every
// construction below at any length up to kMaxSentenceWords.
//
// English grammar (agreement is checked, word order is fixed):
//   Sentence -> Clause [Conj Clause] "."
//   Clause   -> Subject VP                      (subject-verb agreement in person and number)
//   Subject  -> NP[subj] | NounNP "and" NounNP   (a coordinated subject is third person plural)
//   NP[case] -> Pronoun[case] | NounNP
//   NounNP   -> Det Adj{0,2} Noun [PP]          (det-noun number agreement; "a" before a consonant,
//                                                "an" before a vowel; adjectives in the order
//                                                quality < size < age < colour, at most one of each rank)
//   PP       -> Prep NP[obj]                     (the NP inside a PP has no PP and no coordination)
//   VP       -> TransVerb Object Tail | IntransVerb Tail | Copula (Adj | PP)
//   Object   -> NP[obj] | NounNP "and" NounNP
//   Tail     -> [Adverb] [PP]                   (the adverb must fit the tense: "yesterday" needs a past)
//
// Portuguese grammar (gender and number agreement everywhere):
//   Sentence -> Clause [Conj Clause] "."
//   Clause   -> Subject VP                      (verb agrees in number; only third-person forms)
//   Subject  -> Pronoun | NounNP | NounNP "e" NounNP (coordination is plural, masculine unless both
//                                                     parts are feminine)
//   NounNP   -> Det Noun [Adj] [PP]             (det, noun and adjective agree in gender and number)
//   PP       -> Prep NounNP' | Prep Pronoun | Contraction Noun [Adj]
//               where em/de/por never take a definite article or demonstrative — formal Portuguese
//               contracts them ("no", "da", "pelos") — and only com/para/sobre/sem/sob take a pronoun
//   VP       -> TransVerb Object Tail | IntransVerb Tail | (ser|estar) (Adj | PP)
//               (a predicative adjective agrees with the subject in gender and number)
//   Object   -> NounNP | NounNP "e" NounNP       (no object pronouns: formal Portuguese uses clitics)
//   Tail     -> [Adverb] [PP]
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rng.h"

namespace knobs {

enum class Language { english, portuguese };
// "english" / "portuguese": stable ids used in corpus ids and files.
const char* language_id(Language language);

// Longest sentence the generators emit, in bytes, without the newline: fits the default context of 64.
inline constexpr size_t kMaxGeneratedSentenceBytes = 64;
// Sentences with more words than this are rejected without parsing (keeps the parser's work bounded on
// arbitrary model output).
inline constexpr size_t kMaxSentenceWords = 40;

// Unbounded, deterministic stream of grammatical sentences: the same language and seed give the same
// sentences on every platform.
class SentenceGenerator {
public:
    SentenceGenerator(Language language, uint64_t seed);
    // One sentence in the format above, without a newline.
    std::string next();
    Language language() const { return language_; }

private:
    Language language_;
    Rng rng_;
};

// Whether one sentence (format above; surrounding whitespace is ignored) is accepted by the grammar.
bool is_grammatical(std::string_view sentence, Language language);
bool is_grammatical_english(std::string_view sentence);
bool is_grammatical_portuguese(std::string_view sentence);

// How generated text is scored. The text is cut into sentences at each " ." (space, period) and at each
// newline. A piece ended by " ." or by a newline is a complete sentence and is judged as a whole (so a
// line without a final " ." counts as ungrammatical); blank pieces are skipped; the unterminated piece at
// the very end is incomplete and is not counted (generation usually stops mid-sentence).
struct GrammarScore {
    size_t sentences = 0;    // complete sentences
    size_t grammatical = 0;  // of those, accepted by the grammar
    // 0 when there is no complete sentence (the UI shows "no sentence yet" by looking at `sentences`).
    double share() const { return sentences == 0 ? 0.0 : static_cast<double>(grammatical) / sentences; }
};
GrammarScore score_grammar(std::string_view text, Language language);
// The sampling temperature at which the app's quality chart and `knobs train` measure the grammatical share
// of a model's samples (honest sampling, not greedy; docs/models.md states it beside the figures).
inline constexpr float kGrammarSampleTemperature = 0.6f;
// score_grammar(text, language).share()
double grammatical_share(std::string_view text, Language language);

// The lexical classes of a word ("noun", "determiner", "transitive verb", ...), empty when the word is not
// in the language. Used by the UI to explain a rejection and by tests.
std::vector<std::string_view> word_classes(std::string_view word, Language language);
// Number of distinct word forms the language uses (including ".").
size_t vocabulary_size(Language language);

}  // namespace knobs

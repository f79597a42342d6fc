#include "grammar.h"

#include <algorithm>
#include <span>
#include <unordered_map>

namespace knobs {

namespace {

// ---- word features ---------------------------------------------------------------------------------

// Semantic classes. Only the generators use them, to pick words that make sense together ("the baker
// reads a letter", not "the river reads a cake"); the validators check syntax and agreement only.
enum Sem : uint16_t { kPerson = 1, kAnimal = 2, kObject = 4, kFood = 8, kText = 16, kPlace = 32, kAnySem = 63 };
constexpr uint16_t kLiving = kPerson | kAnimal;

enum class Cat : uint8_t { period, det, noun, pronoun, adj, verb_t, verb_i, copula, prep, contraction, conj, coord, adv };

std::string_view cat_name(Cat c) {
    switch (c) {
        case Cat::period: return "period";
        case Cat::det: return "determiner";
        case Cat::noun: return "noun";
        case Cat::pronoun: return "pronoun";
        case Cat::adj: return "adjective";
        case Cat::verb_t: return "transitive verb";
        case Cat::verb_i: return "intransitive verb";
        case Cat::copula: return "copula";
        case Cat::prep: return "preposition";
        case Cat::contraction: return "preposition+article";
        case Cat::conj: return "conjunction";
        case Cat::coord: return "coordinator";
        case Cat::adv: return "adverb";
    }
    return "?";
}

// Agreement is a bitmask over (person, number) pairs. A noun phrase carries the pairs it can be, a verb
// form the subjects it agrees with; they agree when the masks intersect. "you" is {2sg, 2pl}, "sheep"
// {3sg, 3pl}, "sees" {3sg}, "see" everything except 3sg, "saw" everything.
constexpr uint8_t k1sg = 1, k1pl = 2, k2sg = 4, k2pl = 8, k3sg = 16, k3pl = 32, kAnyAgr = 63;
constexpr uint8_t kMasc = 1, kFem = 2;          // Portuguese gender mask
constexpr uint8_t kPresent = 1, kPast = 2;      // tense mask
constexpr uint8_t kBothTenses = kPresent | kPast;

// Analysis::flags
constexpr uint8_t kNeedsConsonant = 1;  // English "a"
constexpr uint8_t kNeedsVowel = 2;      // English "an"
constexpr uint8_t kContracts = 4;       // Portuguese definite article / demonstrative: "em o" must be "no"
constexpr uint8_t kSubjectCase = 8;     // pronoun usable as a subject
constexpr uint8_t kObjectCase = 16;     // pronoun usable as an object
constexpr uint8_t kNoArticle = 32;      // Portuguese em/de/por: only with a non-contracting determiner
constexpr uint8_t kTakesPronoun = 64;   // Portuguese preposition that may govern a pronoun ("com ele")

struct Analysis {
    Cat cat;
    uint8_t agr = 0;     // noun, pronoun, det, adjective, contraction: what it can be; verb: subjects it fits
    uint8_t gender = 0;  // Portuguese: kMasc/kFem mask
    uint8_t tense = 0;   // verb: its tense; adverb: tenses it combines with
    uint8_t rank = 0;    // English adjective order class
    uint8_t flags = 0;
    bool operator==(const Analysis&) const = default;
};

struct Lexicon {
    std::unordered_map<std::string_view, std::vector<Analysis>> words;
    void add(std::string_view word, Analysis a) {
        auto& list = words[word];
        if (std::find(list.begin(), list.end(), a) == list.end()) list.push_back(a);
    }
    const std::vector<Analysis>* find(std::string_view word) const {
        auto it = words.find(word);
        return it == words.end() ? nullptr : &it->second;
    }
};

// ---- English word lists ----------------------------------------------------------------------------

struct EnNoun { const char* sg; const char* pl; uint16_t sem; };
struct EnVerb { const char* base; const char* s3; const char* past; uint16_t subj; uint16_t obj; };  // obj 0: intransitive
struct EnAdj { const char* word; uint8_t rank; uint16_t sem; };  // rank: 0 quality, 1 size, 2 age, 3 colour
struct EnDet { const char* word; uint8_t agr; };
struct EnPron { const char* word; uint8_t cases; uint8_t agr; uint16_t sem; };
struct EnPrep { const char* word; uint16_t obj; uint16_t heads; bool with_verbs; };  // heads: nouns it may modify
struct Word { const char* word; uint8_t tense; };  // adverbs; conjunctions ignore tense

// The English lists are short on purpose (the vocabulary still has a few hundred word forms) and ordered
// by frequency: the generator draws the k-th fitting word about 1/k as often as the first.

constexpr EnNoun kEnNouns[] = {
    {"teacher", "teachers", kPerson}, {"child", "children", kPerson}, {"girl", "girls", kPerson},
    {"boy", "boys", kPerson}, {"man", "men", kPerson}, {"friend", "friends", kPerson},
    {"dog", "dogs", kAnimal}, {"cat", "cats", kAnimal}, {"bird", "birds", kAnimal}, {"horse", "horses", kAnimal},
    {"sheep", "sheep", kAnimal},
    {"ball", "balls", kObject}, {"box", "boxes", kObject}, {"hat", "hats", kObject}, {"kite", "kites", kObject},
    {"cup", "cups", kObject},
    {"apple", "apples", kFood}, {"cake", "cakes", kFood}, {"egg", "eggs", kFood}, {"cookie", "cookies", kFood},
    {"book", "books", kText}, {"letter", "letters", kText}, {"story", "stories", kText}, {"map", "maps", kText},
    {"house", "houses", kPlace}, {"garden", "gardens", kPlace}, {"park", "parks", kPlace},
    {"river", "rivers", kPlace},
};

constexpr EnVerb kEnVerbs[] = {
    {"see", "sees", "saw", kLiving, kAnySem}, {"watch", "watches", "watched", kLiving, kAnySem},
    {"find", "finds", "found", kLiving, kAnySem}, {"like", "likes", "liked", kLiving, kAnySem},
    {"carry", "carries", "carried", kLiving, kObject | kFood | kText | kAnimal},
    {"eat", "eats", "ate", kLiving, kFood}, {"read", "reads", "read", kPerson, kText},
    {"write", "writes", "wrote", kPerson, kText}, {"open", "opens", "opened", kPerson, kObject | kText},
    {"bring", "brings", "brought", kLiving, kObject | kFood | kText},
    {"buy", "buys", "bought", kPerson, kObject | kFood | kText},
    {"visit", "visits", "visited", kPerson, kPerson | kPlace}, {"help", "helps", "helped", kLiving, kLiving},
    {"want", "wants", "wanted", kLiving, kObject | kFood | kText | kAnimal},
    // intransitive
    {"sleep", "sleeps", "slept", kLiving, 0}, {"run", "runs", "ran", kLiving, 0}, {"walk", "walks", "walked", kLiving, 0},
    {"sing", "sings", "sang", kLiving, 0}, {"laugh", "laughs", "laughed", kPerson, 0},
    {"smile", "smiles", "smiled", kPerson, 0}, {"swim", "swims", "swam", kLiving, 0},
    {"jump", "jumps", "jumped", kLiving, 0}, {"play", "plays", "played", kLiving, 0},
    {"fly", "flies", "flew", kAnimal, 0},
};

constexpr EnAdj kEnAdjs[] = {
    {"happy", 0, kLiving}, {"sad", 0, kLiving}, {"hungry", 0, kLiving}, {"tired", 0, kLiving},
    {"brave", 0, kLiving}, {"kind", 0, kPerson}, {"quiet", 0, kLiving | kPlace}, {"funny", 0, kLiving | kText},
    {"beautiful", 0, kAnySem}, {"strange", 0, kAnySem}, {"clean", 0, kObject | kPlace | kAnimal},
    {"warm", 0, kFood | kPlace | kObject}, {"sweet", 0, kFood},
    {"small", 1, kAnySem}, {"big", 1, kAnySem}, {"tall", 1, kPerson | kAnimal | kPlace | kObject},
    {"long", 1, kText | kObject | kPlace},
    {"old", 2, kAnySem}, {"young", 2, kLiving}, {"new", 2, kObject | kText | kPlace},
    {"red", 3, kObject | kAnimal | kFood}, {"blue", 3, kObject | kAnimal}, {"green", 3, kObject | kAnimal | kFood},
    {"white", 3, kObject | kAnimal}, {"brown", 3, kObject | kAnimal | kFood},
};

// "a"/"an" are chosen by the generator from the following word, so they are not in this list.
constexpr EnDet kEnDets[] = {
    {"the", k3sg | k3pl}, {"this", k3sg}, {"that", k3sg}, {"these", k3pl}, {"those", k3pl}, {"every", k3sg},
    {"some", k3pl}, {"many", k3pl}, {"two", k3pl}, {"three", k3pl}, {"my", k3sg | k3pl}, {"your", k3sg | k3pl},
    {"his", k3sg | k3pl}, {"our", k3sg | k3pl}, {"their", k3sg | k3pl}, {"no", k3sg | k3pl},
};

// "her" is left out: it is both an object pronoun and a possessive, which would make "her" ambiguous in
// exactly the position where a learner's model makes mistakes.
constexpr EnPron kEnProns[] = {
    {"i", kSubjectCase, k1sg, kPerson}, {"you", kSubjectCase | kObjectCase, k2sg | k2pl, kPerson},
    {"he", kSubjectCase, k3sg, kPerson}, {"she", kSubjectCase, k3sg, kPerson},
    {"it", kSubjectCase | kObjectCase, k3sg, kAnimal | kObject | kFood | kText | kPlace},
    {"we", kSubjectCase, k1pl, kPerson}, {"they", kSubjectCase, k3pl, kAnySem}, {"me", kObjectCase, k1sg, kPerson},
    {"him", kObjectCase, k3sg, kPerson}, {"us", kObjectCase, k1pl, kPerson}, {"them", kObjectCase, k3pl, kAnySem},
};

constexpr EnPrep kEnPreps[] = {
    {"in", kPlace, kLiving | kObject | kFood, true},
    {"on", kObject | kPlace, kObject | kFood | kText | kAnimal, true},
    {"under", kObject, kObject | kAnimal | kFood, true},
    {"near", kPlace | kObject | kLiving, kAnySem, true},
    {"behind", kObject | kPlace | kLiving, kAnySem, true},
    {"with", kLiving | kObject, kLiving, true},
    {"from", kPlace | kPerson, kLiving | kText | kFood, true},
    {"to", kPlace | kPerson, kText, true},
    {"for", kLiving, kText | kFood | kObject, true},
    {"about", kAnySem, kText, false},
};

constexpr Word kEnConjs[] = {{"and", 0}, {"but", 0}, {"because", 0}, {"while", 0}, {"when", 0}, {"so", 0}};
constexpr Word kEnAdvs[] = {{"quickly", kBothTenses}, {"slowly", kBothTenses}, {"happily", kBothTenses},
                            {"quietly", kBothTenses}, {"loudly", kBothTenses}, {"together", kBothTenses},
                            {"again", kBothTenses}, {"today", kBothTenses}, {"often", kBothTenses},
                            {"yesterday", kPast}, {"now", kPresent}};

// English verb agreement masks (see k1sg...).
constexpr uint8_t kAgrBase = kAnyAgr & ~k3sg;             // see: I, you, we, they, plural nouns
constexpr uint8_t kAgrAre = kAnyAgr & ~(k1sg | k3sg);     // are, were
struct EnCopula { const char* word; uint8_t agr; uint8_t tense; };
constexpr EnCopula kEnCopulas[] = {{"am", k1sg, kPresent}, {"is", k3sg, kPresent}, {"are", kAgrAre, kPresent},
                                   {"was", k1sg | k3sg, kPast}, {"were", kAgrAre, kPast}};

// ---- Portuguese word lists -------------------------------------------------------------------------

struct PtNoun { const char* sg; const char* pl; uint8_t gender; uint16_t sem; };
struct PtVerb { const char* forms[4]; uint16_t subj; uint16_t obj; };  // present sg, present pl, past sg, past pl
struct PtAdj { const char* forms[4]; uint16_t sem; bool state; };       // masc sg, fem sg, masc pl, fem pl
enum class PtDetKind : uint8_t { definite, indefinite, demonstrative, quantifier };
struct PtDet { const char* word; uint8_t gender; uint8_t agr; PtDetKind kind; };
struct PtPron { const char* word; uint8_t gender; uint8_t agr; uint16_t sem; };
struct PtPrep { const char* word; uint16_t obj; uint16_t heads; bool no_article; bool takes_pronoun; bool with_verbs; };
struct PtContraction { const char* word; const char* prep; uint8_t gender; uint8_t agr; };

constexpr PtNoun kPtNouns[] = {
    {"professor", "professores", kMasc, kPerson}, {"professora", "professoras", kFem, kPerson},
    {"aluno", "alunos", kMasc, kPerson}, {"aluna", "alunas", kFem, kPerson},
    {"menino", "meninos", kMasc, kPerson}, {"menina", "meninas", kFem, kPerson},
    {"homem", "homens", kMasc, kPerson}, {"mulher", "mulheres", kFem, kPerson},
    {"médico", "médicos", kMasc, kPerson}, {"médica", "médicas", kFem, kPerson},
    {"irmão", "irmãos", kMasc, kPerson}, {"irmã", "irmãs", kFem, kPerson}, {"pai", "pais", kMasc, kPerson},
    {"mãe", "mães", kFem, kPerson}, {"avô", "avôs", kMasc, kPerson}, {"avó", "avós", kFem, kPerson},
    {"amigo", "amigos", kMasc, kPerson}, {"amiga", "amigas", kFem, kPerson},
    {"vizinho", "vizinhos", kMasc, kPerson}, {"vizinha", "vizinhas", kFem, kPerson},
    {"escritor", "escritores", kMasc, kPerson}, {"cantora", "cantoras", kFem, kPerson},
    {"rei", "reis", kMasc, kPerson}, {"rainha", "rainhas", kFem, kPerson}, {"criança", "crianças", kFem, kPerson},
    {"cachorro", "cachorros", kMasc, kAnimal}, {"gato", "gatos", kMasc, kAnimal},
    {"pássaro", "pássaros", kMasc, kAnimal}, {"cavalo", "cavalos", kMasc, kAnimal}, {"vaca", "vacas", kFem, kAnimal},
    {"peixe", "peixes", kMasc, kAnimal}, {"rato", "ratos", kMasc, kAnimal}, {"coelho", "coelhos", kMasc, kAnimal},
    {"pato", "patos", kMasc, kAnimal}, {"galinha", "galinhas", kFem, kAnimal}, {"leão", "leões", kMasc, kAnimal},
    {"tartaruga", "tartarugas", kFem, kAnimal}, {"abelha", "abelhas", kFem, kAnimal},
    {"borboleta", "borboletas", kFem, kAnimal},
    {"bola", "bolas", kFem, kObject}, {"caixa", "caixas", kFem, kObject}, {"chapéu", "chapéus", kMasc, kObject},
    {"chave", "chaves", kFem, kObject}, {"cadeira", "cadeiras", kFem, kObject}, {"mesa", "mesas", kFem, kObject},
    {"bolsa", "bolsas", kFem, kObject}, {"lâmpada", "lâmpadas", kFem, kObject},
    {"relógio", "relógios", kMasc, kObject}, {"garrafa", "garrafas", kFem, kObject},
    {"sapato", "sapatos", kMasc, kObject}, {"janela", "janelas", kFem, kObject}, {"porta", "portas", kFem, kObject},
    {"pedra", "pedras", kFem, kObject}, {"lápis", "lápis", kMasc, kObject}, {"cesta", "cestas", kFem, kObject},
    {"xícara", "xícaras", kFem, kObject}, {"copo", "copos", kMasc, kObject},
    {"maçã", "maçãs", kFem, kFood}, {"bolo", "bolos", kMasc, kFood}, {"ovo", "ovos", kMasc, kFood},
    {"pão", "pães", kMasc, kFood}, {"banana", "bananas", kFem, kFood}, {"laranja", "laranjas", kFem, kFood},
    {"biscoito", "biscoitos", kMasc, kFood}, {"sanduíche", "sanduíches", kMasc, kFood},
    {"torta", "tortas", kFem, kFood}, {"cenoura", "cenouras", kFem, kFood}, {"queijo", "queijos", kMasc, kFood},
    {"livro", "livros", kMasc, kText}, {"carta", "cartas", kFem, kText}, {"história", "histórias", kFem, kText},
    {"mapa", "mapas", kMasc, kText}, {"poema", "poemas", kMasc, kText}, {"jornal", "jornais", kMasc, kText},
    {"mensagem", "mensagens", kFem, kText}, {"lição", "lições", kFem, kText}, {"canção", "canções", kFem, kText},
    {"casa", "casas", kFem, kPlace}, {"jardim", "jardins", kMasc, kPlace}, {"parque", "parques", kMasc, kPlace},
    {"rio", "rios", kMasc, kPlace}, {"floresta", "florestas", kFem, kPlace}, {"escola", "escolas", kFem, kPlace},
    {"cidade", "cidades", kFem, kPlace}, {"aldeia", "aldeias", kFem, kPlace}, {"cozinha", "cozinhas", kFem, kPlace},
    {"rua", "ruas", kFem, kPlace}, {"campo", "campos", kMasc, kPlace}, {"lago", "lagos", kMasc, kPlace},
    {"ilha", "ilhas", kFem, kPlace}, {"praia", "praias", kFem, kPlace}, {"biblioteca", "bibliotecas", kFem, kPlace},
    {"loja", "lojas", kFem, kPlace}, {"fazenda", "fazendas", kFem, kPlace}, {"praça", "praças", kFem, kPlace},
    {"estação", "estações", kFem, kPlace}, {"museu", "museus", kMasc, kPlace},
};

constexpr PtVerb kPtVerbs[] = {
    {{"lê", "leem", "leu", "leram"}, kPerson, kText},
    {{"vê", "veem", "viu", "viram"}, kLiving, kAnySem},
    {{"escreve", "escrevem", "escreveu", "escreveram"}, kPerson, kText},
    {{"compra", "compram", "comprou", "compraram"}, kPerson, kObject | kFood | kText},
    {{"vende", "vendem", "vendeu", "venderam"}, kPerson, kObject | kFood | kText},
    {{"abre", "abrem", "abriu", "abriram"}, kPerson, kObject | kText},
    {{"fecha", "fecham", "fechou", "fecharam"}, kPerson, kObject | kText},
    {{"encontra", "encontram", "encontrou", "encontraram"}, kLiving, kAnySem},
    {{"conhece", "conhecem", "conheceu", "conheceram"}, kPerson, kPerson | kPlace},
    {{"ouve", "ouvem", "ouviu", "ouviram"}, kLiving, kLiving | kText},
    {{"come", "comem", "comeu", "comeram"}, kLiving, kFood},
    {{"prepara", "preparam", "preparou", "prepararam"}, kPerson, kFood},
    {{"lava", "lavam", "lavou", "lavaram"}, kPerson, kObject | kAnimal | kFood},
    {{"procura", "procuram", "procurou", "procuraram"}, kLiving, kAnySem},
    {{"visita", "visitam", "visitou", "visitaram"}, kPerson, kPerson | kPlace},
    {{"estuda", "estudam", "estudou", "estudaram"}, kPerson, kText},
    {{"desenha", "desenham", "desenhou", "desenharam"}, kPerson, kAnySem},
    {{"carrega", "carregam", "carregou", "carregaram"}, kLiving, kObject | kFood | kText},
    {{"guarda", "guardam", "guardou", "guardaram"}, kPerson, kObject | kFood | kText},
    {{"recebe", "recebem", "recebeu", "receberam"}, kPerson, kObject | kText | kFood},
    {{"ajuda", "ajudam", "ajudou", "ajudaram"}, kLiving, kLiving},
    {{"segue", "seguem", "seguiu", "seguiram"}, kLiving, kLiving},
    {{"pega", "pegam", "pegou", "pegaram"}, kLiving, kObject | kFood | kText},
    // intransitive
    {{"dorme", "dormem", "dormiu", "dormiram"}, kLiving, 0},
    {{"corre", "correm", "correu", "correram"}, kLiving, 0},
    {{"chega", "chegam", "chegou", "chegaram"}, kLiving, 0},
    {{"sai", "saem", "saiu", "saíram"}, kLiving, 0},
    {{"sorri", "sorriem", "sorriu", "sorriram"}, kPerson, 0},
    {{"trabalha", "trabalham", "trabalhou", "trabalharam"}, kPerson, 0},
    {{"viaja", "viajam", "viajou", "viajaram"}, kPerson, 0},
    {{"descansa", "descansam", "descansou", "descansaram"}, kLiving, 0},
    {{"nada", "nadam", "nadou", "nadaram"}, kLiving, 0},
    {{"canta", "cantam", "cantou", "cantaram"}, kLiving, 0},
    {{"dança", "dançam", "dançou", "dançaram"}, kPerson, 0},
    {{"brinca", "brincam", "brincou", "brincaram"}, kLiving, 0},
    {{"caminha", "caminham", "caminhou", "caminharam"}, kLiving, 0},
    {{"volta", "voltam", "voltou", "voltaram"}, kLiving, 0},
    {{"espera", "esperam", "esperou", "esperaram"}, kLiving, 0},
    {{"voa", "voam", "voou", "voaram"}, kAnimal, 0},
};
// ser (permanent properties) and estar (states, locations).
constexpr const char* kPtSer[4] = {"é", "são", "foi", "foram"};
constexpr const char* kPtEstar[4] = {"está", "estão", "esteve", "estiveram"};

constexpr PtAdj kPtAdjs[] = {
    {{"pequeno", "pequena", "pequenos", "pequenas"}, kAnySem, false},
    {{"grande", "grande", "grandes", "grandes"}, kAnySem, false},
    {{"novo", "nova", "novos", "novas"}, kObject | kText | kPlace, false},
    {{"velho", "velha", "velhos", "velhas"}, kAnySem, false},
    {{"antigo", "antiga", "antigos", "antigas"}, kObject | kText | kPlace, false},
    {{"bonito", "bonita", "bonitos", "bonitas"}, kAnySem, false},
    {{"lindo", "linda", "lindos", "lindas"}, kAnySem, false},
    {{"alto", "alta", "altos", "altas"}, kLiving | kPlace | kObject, false},
    {{"feliz", "feliz", "felizes", "felizes"}, kLiving, true},
    {{"triste", "triste", "tristes", "tristes"}, kLiving, true},
    {{"cansado", "cansada", "cansados", "cansadas"}, kLiving, true},
    {{"rápido", "rápida", "rápidos", "rápidas"}, kLiving, false},
    {{"vermelho", "vermelha", "vermelhos", "vermelhas"}, kObject | kAnimal | kFood, false},
    {{"azul", "azul", "azuis", "azuis"}, kObject | kAnimal, false},
    {{"verde", "verde", "verdes", "verdes"}, kObject | kFood | kPlace, false},
    {{"amarelo", "amarela", "amarelos", "amarelas"}, kObject | kAnimal | kFood, false},
    {{"branco", "branca", "brancos", "brancas"}, kObject | kAnimal, false},
    {{"preto", "preta", "pretos", "pretas"}, kObject | kAnimal, false},
    {{"limpo", "limpa", "limpos", "limpas"}, kObject | kPlace | kAnimal, true},
    {{"sujo", "suja", "sujos", "sujas"}, kObject | kPlace | kAnimal, true},
    {{"vazio", "vazia", "vazios", "vazias"}, kObject | kPlace, true},
    {{"pesado", "pesada", "pesados", "pesadas"}, kObject | kText | kFood, false},
    {{"doce", "doce", "doces", "doces"}, kFood, false},
    {{"fresco", "fresca", "frescos", "frescas"}, kFood, false},
    {{"quente", "quente", "quentes", "quentes"}, kFood | kPlace | kObject, true},
    {{"frio", "fria", "frios", "frias"}, kFood | kPlace | kObject, true},
    {{"famoso", "famosa", "famosos", "famosas"}, kPerson | kPlace | kText, false},
    {{"estranho", "estranha", "estranhos", "estranhas"}, kAnySem, false},
    {{"inteligente", "inteligente", "inteligentes", "inteligentes"}, kLiving, false},
    {{"simpático", "simpática", "simpáticos", "simpáticas"}, kPerson, false},
    {{"corajoso", "corajosa", "corajosos", "corajosas"}, kLiving, false},
    {{"gentil", "gentil", "gentis", "gentis"}, kPerson, false},
    {{"útil", "útil", "úteis", "úteis"}, kObject | kText, false},
    {{"difícil", "difícil", "difíceis", "difíceis"}, kText, false},
    {{"fácil", "fácil", "fáceis", "fáceis"}, kText, false},
    {{"curioso", "curiosa", "curiosos", "curiosas"}, kLiving, false},
    {{"alegre", "alegre", "alegres", "alegres"}, kLiving | kPlace, true},
    {{"tranquilo", "tranquila", "tranquilos", "tranquilas"}, kLiving | kPlace, true},
    {{"faminto", "faminta", "famintos", "famintas"}, kLiving, true},
};

constexpr PtDet kPtDets[] = {
    {"o", kMasc, k3sg, PtDetKind::definite}, {"a", kFem, k3sg, PtDetKind::definite},
    {"os", kMasc, k3pl, PtDetKind::definite}, {"as", kFem, k3pl, PtDetKind::definite},
    {"um", kMasc, k3sg, PtDetKind::indefinite}, {"uma", kFem, k3sg, PtDetKind::indefinite},
    {"uns", kMasc, k3pl, PtDetKind::indefinite}, {"umas", kFem, k3pl, PtDetKind::indefinite},
    {"este", kMasc, k3sg, PtDetKind::demonstrative}, {"esta", kFem, k3sg, PtDetKind::demonstrative},
    {"estes", kMasc, k3pl, PtDetKind::demonstrative}, {"estas", kFem, k3pl, PtDetKind::demonstrative},
    {"esse", kMasc, k3sg, PtDetKind::demonstrative}, {"essa", kFem, k3sg, PtDetKind::demonstrative},
    {"esses", kMasc, k3pl, PtDetKind::demonstrative}, {"essas", kFem, k3pl, PtDetKind::demonstrative},
    {"aquele", kMasc, k3sg, PtDetKind::demonstrative}, {"aquela", kFem, k3sg, PtDetKind::demonstrative},
    {"aqueles", kMasc, k3pl, PtDetKind::demonstrative}, {"aquelas", kFem, k3pl, PtDetKind::demonstrative},
    {"cada", kMasc | kFem, k3sg, PtDetKind::quantifier}, {"dois", kMasc, k3pl, PtDetKind::quantifier},
    {"duas", kFem, k3pl, PtDetKind::quantifier}, {"três", kMasc | kFem, k3pl, PtDetKind::quantifier},
    {"muitos", kMasc, k3pl, PtDetKind::quantifier}, {"muitas", kFem, k3pl, PtDetKind::quantifier},
    {"alguns", kMasc, k3pl, PtDetKind::quantifier}, {"algumas", kFem, k3pl, PtDetKind::quantifier},
};

constexpr PtPron kPtProns[] = {
    {"ele", kMasc, k3sg, kLiving}, {"ela", kFem, k3sg, kLiving}, {"eles", kMasc, k3pl, kLiving},
    {"elas", kFem, k3pl, kLiving}, {"você", kMasc | kFem, k3sg, kPerson}, {"vocês", kMasc | kFem, k3pl, kPerson},
};

constexpr PtPrep kPtPreps[] = {
    {"em", kPlace | kObject, kLiving | kObject | kFood, true, false, true},
    {"de", kPlace | kLiving, kAnySem, true, false, false},  // "o livro do professor": mostly after nouns
    {"por", kPlace, 0, true, false, true},
    {"com", kLiving | kObject, kLiving, false, true, true},
    {"para", kPerson | kPlace, kText | kFood | kObject, false, true, true},
    {"sobre", kAnySem, kText, false, true, true},
    {"sem", kLiving | kObject, kLiving, false, true, true},
    {"sob", kObject, kAnimal | kObject, false, true, true},
};

constexpr PtContraction kPtContractions[] = {
    {"no", "em", kMasc, k3sg}, {"na", "em", kFem, k3sg}, {"nos", "em", kMasc, k3pl}, {"nas", "em", kFem, k3pl},
    {"do", "de", kMasc, k3sg}, {"da", "de", kFem, k3sg}, {"dos", "de", kMasc, k3pl}, {"das", "de", kFem, k3pl},
    {"pelo", "por", kMasc, k3sg}, {"pela", "por", kFem, k3sg}, {"pelos", "por", kMasc, k3pl},
    {"pelas", "por", kFem, k3pl},
};

constexpr Word kPtConjs[] = {{"e", 0}, {"mas", 0}, {"porque", 0}, {"enquanto", 0}, {"quando", 0}};
constexpr Word kPtAdvs[] = {{"hoje", kBothTenses}, {"ontem", kPast}, {"sempre", kBothTenses},
                            {"depressa", kBothTenses}, {"devagar", kBothTenses}, {"cedo", kBothTenses},
                            {"agora", kPresent}};

// ---- lexicons built from the lists -----------------------------------------------------------------

Lexicon build_english() {
    Lexicon lex;
    lex.add(".", {Cat::period});
    lex.add("a", {.cat = Cat::det, .agr = k3sg, .flags = kNeedsConsonant});
    lex.add("an", {.cat = Cat::det, .agr = k3sg, .flags = kNeedsVowel});
    for (const auto& d : kEnDets) lex.add(d.word, {.cat = Cat::det, .agr = d.agr});
    for (const auto& n : kEnNouns) {
        lex.add(n.sg, {.cat = Cat::noun, .agr = k3sg});
        lex.add(n.pl, {.cat = Cat::noun, .agr = k3pl});
    }
    for (const auto& p : kEnProns) lex.add(p.word, {.cat = Cat::pronoun, .agr = p.agr, .flags = p.cases});
    for (const auto& a : kEnAdjs) lex.add(a.word, {.cat = Cat::adj, .rank = a.rank});
    for (const auto& v : kEnVerbs) {
        const Cat cat = v.obj ? Cat::verb_t : Cat::verb_i;
        lex.add(v.base, {.cat = cat, .agr = kAgrBase, .tense = kPresent});
        lex.add(v.s3, {.cat = cat, .agr = k3sg, .tense = kPresent});
        lex.add(v.past, {.cat = cat, .agr = kAnyAgr, .tense = kPast});
    }
    for (const auto& c : kEnCopulas) lex.add(c.word, {.cat = Cat::copula, .agr = c.agr, .tense = c.tense});
    for (const auto& p : kEnPreps) lex.add(p.word, {Cat::prep});
    for (const auto& c : kEnConjs) lex.add(c.word, {Cat::conj});
    lex.add("and", {Cat::coord});
    for (const auto& a : kEnAdvs) lex.add(a.word, {.cat = Cat::adv, .tense = a.tense});
    return lex;
}

Lexicon build_portuguese() {
    Lexicon lex;
    lex.add(".", {Cat::period});
    for (const auto& d : kPtDets) {
        const bool contracts = d.kind == PtDetKind::definite || d.kind == PtDetKind::demonstrative;
        lex.add(d.word, {.cat = Cat::det, .agr = d.agr, .gender = d.gender, .flags = contracts ? kContracts : uint8_t{0}});
    }
    for (const auto& n : kPtNouns) {
        lex.add(n.sg, {.cat = Cat::noun, .agr = k3sg, .gender = n.gender});
        lex.add(n.pl, {.cat = Cat::noun, .agr = k3pl, .gender = n.gender});
    }
    for (const auto& p : kPtProns) lex.add(p.word, {.cat = Cat::pronoun, .agr = p.agr, .gender = p.gender});
    for (const auto& a : kPtAdjs) {
        lex.add(a.forms[0], {.cat = Cat::adj, .agr = k3sg, .gender = kMasc});
        lex.add(a.forms[1], {.cat = Cat::adj, .agr = k3sg, .gender = kFem});
        lex.add(a.forms[2], {.cat = Cat::adj, .agr = k3pl, .gender = kMasc});
        lex.add(a.forms[3], {.cat = Cat::adj, .agr = k3pl, .gender = kFem});
    }
    auto add_verb = [&](const char* const forms[4], Cat cat) {
        lex.add(forms[0], {.cat = cat, .agr = k3sg, .tense = kPresent});
        lex.add(forms[1], {.cat = cat, .agr = k3pl, .tense = kPresent});
        lex.add(forms[2], {.cat = cat, .agr = k3sg, .tense = kPast});
        lex.add(forms[3], {.cat = cat, .agr = k3pl, .tense = kPast});
    };
    for (const auto& v : kPtVerbs) add_verb(v.forms, v.obj ? Cat::verb_t : Cat::verb_i);
    add_verb(kPtSer, Cat::copula);
    add_verb(kPtEstar, Cat::copula);
    for (const auto& p : kPtPreps) {
        const auto flags = static_cast<uint8_t>((p.no_article ? kNoArticle : 0) | (p.takes_pronoun ? kTakesPronoun : 0));
        lex.add(p.word, {.cat = Cat::prep, .flags = flags});
    }
    for (const auto& c : kPtContractions) lex.add(c.word, {.cat = Cat::contraction, .agr = c.agr, .gender = c.gender});
    for (const auto& c : kPtConjs) lex.add(c.word, {Cat::conj});
    lex.add("e", {Cat::coord});
    for (const auto& a : kPtAdvs) lex.add(a.word, {.cat = Cat::adv, .tense = a.tense});
    return lex;
}

const Lexicon& lexicon(Language language) {
    // Function-local statics: built once, thread-safe, and only for the languages actually used.
    if (language == Language::english) {
        static const Lexicon english = build_english();
        return english;
    }
    static const Lexicon portuguese = build_portuguese();
    return portuguese;
}

// ---- parsing -----------------------------------------------------------------------------------------
//
// Recursive descent that returns every position where a rule can end (not just the first), so the
// ambiguity of "and" (joining noun phrases or clauses) and of prepositional-phrase attachment is
// resolved by the rest of the sentence instead of by a guess. Sentences are at most kMaxSentenceWords
// words and phrase nesting is bounded (a PP's noun phrase has no PP), so the work stays small.

struct NpEnd {
    size_t end;
    uint8_t agr;
    uint8_t gender;
    bool operator==(const NpEnd&) const = default;
};

template <class T>
void add_unique(std::vector<T>& v, const T& x) {
    if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

class Parser {
public:
    // False when the sentence is malformed before any grammar applies: empty, double spaces, unknown
    // words, or too many words.
    bool load(std::string_view sentence, const Lexicon& lex) {
        sentence = trim(sentence);
        if (sentence.empty()) return false;
        size_t start = 0;
        for (;;) {
            const size_t space = sentence.find(' ', start);
            const std::string_view word = sentence.substr(start, space == std::string_view::npos ? space : space - start);
            const std::vector<Analysis>* analyses = lex.find(word);
            if (analyses == nullptr || words_.size() == kMaxSentenceWords) return false;
            words_.push_back(word);
            analyses_.push_back(analyses);
            if (space == std::string_view::npos) break;
            start = space + 1;
        }
        n_ = words_.size();
        return true;
    }

    bool accepts() {
        const size_t last = n_ - 1;
        for (size_t end : clause(0)) {
            if (end == last && is(end, Cat::period)) return true;
            if (is(end, Cat::conj))
                for (size_t end2 : clause(end + 1))
                    if (end2 == last && is(end2, Cat::period)) return true;
        }
        return false;
    }

    virtual ~Parser() = default;

protected:
    virtual std::vector<size_t> clause(size_t pos) = 0;

    template <class F>
    void each(size_t i, Cat cat, F&& f) const {
        if (i >= n_) return;
        for (const Analysis& a : *analyses_[i])
            if (a.cat == cat) f(a);
    }
    bool is(size_t i, Cat cat) const {
        bool found = false;
        each(i, cat, [&](const Analysis&) { found = true; });
        return found;
    }

    std::vector<std::string_view> words_;
    std::vector<const std::vector<Analysis>*> analyses_;
    size_t n_ = 0;
};

class EnglishParser final : public Parser {
    static bool starts_with_vowel(std::string_view w) {
        return !w.empty() && std::string_view("aeiou").find(w.front()) != std::string_view::npos;
    }

    // Adjectives (at most two, strictly rising order class) then the noun; then an optional PP.
    void nominal(size_t j, uint8_t agr, int adjectives, int last_rank, bool allow_pp, std::vector<NpEnd>& out) {
        each(j, Cat::noun, [&](const Analysis& noun) {
            const uint8_t a = agr & noun.agr;
            if (a == 0) return;
            add_unique(out, {j + 1, a, 0});
            if (allow_pp)
                for (size_t e : pp(j + 1)) add_unique(out, {e, a, 0});
        });
        if (adjectives < 2)
            each(j, Cat::adj, [&](const Analysis& adj) {
                if (adj.rank > last_rank) nominal(j + 1, agr, adjectives + 1, adj.rank, allow_pp, out);
            });
    }

    std::vector<NpEnd> noun_np(size_t pos, bool allow_pp) {
        std::vector<NpEnd> out;
        each(pos, Cat::det, [&](const Analysis& det) {
            if (pos + 1 >= n_) return;
            const bool vowel = starts_with_vowel(words_[pos + 1]);
            if ((det.flags & kNeedsVowel) && !vowel) return;
            if ((det.flags & kNeedsConsonant) && vowel) return;
            nominal(pos + 1, det.agr, 0, -1, allow_pp, out);
        });
        return out;
    }

    std::vector<NpEnd> np(size_t pos, uint8_t pronoun_case, bool allow_pp) {
        std::vector<NpEnd> out = noun_np(pos, allow_pp);
        each(pos, Cat::pronoun, [&](const Analysis& p) {
            if (p.flags & pronoun_case) add_unique(out, {pos + 1, p.agr, 0});
        });
        return out;
    }

    // Subject or object position: a noun phrase, or two noun phrases joined by "and" (third person plural).
    std::vector<NpEnd> argument(size_t pos, uint8_t pronoun_case) {
        std::vector<NpEnd> out = np(pos, pronoun_case, true);
        for (const NpEnd& first : noun_np(pos, true))
            if (is(first.end, Cat::coord))
                for (const NpEnd& second : noun_np(first.end + 1, true)) add_unique(out, {second.end, k3pl, 0});
        return out;
    }

    std::vector<size_t> pp(size_t pos) {
        std::vector<size_t> out;
        if (!is(pos, Cat::prep)) return out;
        for (const NpEnd& r : np(pos + 1, kObjectCase, false)) add_unique(out, r.end);
        return out;
    }

    std::vector<size_t> tail(size_t pos, uint8_t tense) {
        std::vector<size_t> out{pos};
        for (size_t e : pp(pos)) add_unique(out, e);
        each(pos, Cat::adv, [&](const Analysis& adv) {
            if (!(adv.tense & tense)) return;
            add_unique(out, pos + 1);
            for (size_t e : pp(pos + 1)) add_unique(out, e);
        });
        return out;
    }

    std::vector<size_t> vp(size_t pos, uint8_t subject_agr) {
        std::vector<size_t> out;
        each(pos, Cat::verb_t, [&](const Analysis& v) {
            if (!(v.agr & subject_agr)) return;
            for (const NpEnd& object : argument(pos + 1, kObjectCase))
                for (size_t e : tail(object.end, v.tense)) add_unique(out, e);
        });
        each(pos, Cat::verb_i, [&](const Analysis& v) {
            if (!(v.agr & subject_agr)) return;
            for (size_t e : tail(pos + 1, v.tense)) add_unique(out, e);
        });
        each(pos, Cat::copula, [&](const Analysis& v) {
            if (!(v.agr & subject_agr)) return;
            if (is(pos + 1, Cat::adj)) add_unique(out, pos + 2);
            for (size_t e : pp(pos + 1)) add_unique(out, e);
        });
        return out;
    }

    std::vector<size_t> clause(size_t pos) override {
        std::vector<size_t> out;
        for (const NpEnd& subject : argument(pos, kSubjectCase))
            for (size_t e : vp(subject.end, subject.agr)) add_unique(out, e);
        return out;
    }
};

class PortugueseParser final : public Parser {
    // Optional adjective after the noun, agreeing in gender and number; then an optional PP.
    void after_noun(size_t j, uint8_t agr, uint8_t gender, bool allow_pp, std::vector<NpEnd>& out) {
        std::vector<size_t> ends{j};
        each(j, Cat::adj, [&](const Analysis& adj) {
            if ((adj.agr & agr) && (adj.gender & gender)) add_unique(ends, j + 1);
        });
        for (size_t e : ends) {
            add_unique(out, {e, agr, gender});
            if (allow_pp)
                for (size_t e2 : pp(e)) add_unique(out, {e2, agr, gender});
        }
    }

    // The noun after a determiner or contraction with features (agr, gender).
    void head(size_t j, uint8_t agr, uint8_t gender, bool allow_pp, std::vector<NpEnd>& out) {
        each(j, Cat::noun, [&](const Analysis& noun) {
            const uint8_t a = agr & noun.agr, g = gender & noun.gender;
            if (a && g) after_noun(j + 1, a, g, allow_pp, out);
        });
    }

    // only_plain: em/de/por need a determiner that does not contract ("em um", "de cada", never "em o").
    std::vector<NpEnd> noun_np(size_t pos, bool allow_pp, bool only_plain = false) {
        std::vector<NpEnd> out;
        each(pos, Cat::det, [&](const Analysis& det) {
            if (only_plain && (det.flags & kContracts)) return;
            head(pos + 1, det.agr, det.gender, allow_pp, out);
        });
        return out;
    }

    // Subject or object: a noun phrase, or two joined by "e" — plural, and feminine only if both are.
    std::vector<NpEnd> argument(size_t pos, bool allow_pronoun) {
        std::vector<NpEnd> out = noun_np(pos, true);
        if (allow_pronoun) each(pos, Cat::pronoun, [&](const Analysis& p) { add_unique(out, {pos + 1, p.agr, p.gender}); });
        for (const NpEnd& first : noun_np(pos, true))
            if (is(first.end, Cat::coord))
                for (const NpEnd& second : noun_np(first.end + 1, true)) {
                    const uint8_t masc = ((first.gender | second.gender) & kMasc) ? kMasc : 0;
                    const uint8_t fem = ((first.gender & second.gender) & kFem) ? kFem : 0;
                    add_unique(out, {second.end, k3pl, static_cast<uint8_t>(masc | fem)});
                }
        return out;
    }

    std::vector<size_t> pp(size_t pos) {
        std::vector<size_t> out;
        std::vector<NpEnd> objects;
        each(pos, Cat::prep, [&](const Analysis& prep) {
            for (const NpEnd& r : noun_np(pos + 1, false, (prep.flags & kNoArticle) != 0)) add_unique(out, r.end);
            if (prep.flags & kTakesPronoun)
                each(pos + 1, Cat::pronoun, [&](const Analysis&) { add_unique(out, pos + 2); });
        });
        each(pos, Cat::contraction, [&](const Analysis& c) {
            head(pos + 1, c.agr, c.gender, false, objects);
        });
        for (const NpEnd& r : objects) add_unique(out, r.end);
        return out;
    }

    std::vector<size_t> tail(size_t pos, uint8_t tense) {
        std::vector<size_t> out{pos};
        for (size_t e : pp(pos)) add_unique(out, e);
        each(pos, Cat::adv, [&](const Analysis& adv) {
            if (!(adv.tense & tense)) return;
            add_unique(out, pos + 1);
            for (size_t e : pp(pos + 1)) add_unique(out, e);
        });
        return out;
    }

    std::vector<size_t> vp(size_t pos, const NpEnd& subject) {
        std::vector<size_t> out;
        each(pos, Cat::verb_t, [&](const Analysis& v) {
            if (!(v.agr & subject.agr)) return;
            for (const NpEnd& object : argument(pos + 1, false))
                for (size_t e : tail(object.end, v.tense)) add_unique(out, e);
        });
        each(pos, Cat::verb_i, [&](const Analysis& v) {
            if (!(v.agr & subject.agr)) return;
            for (size_t e : tail(pos + 1, v.tense)) add_unique(out, e);
        });
        each(pos, Cat::copula, [&](const Analysis& v) {
            if (!(v.agr & subject.agr)) return;
            each(pos + 1, Cat::adj, [&](const Analysis& adj) {
                if ((adj.agr & subject.agr) && (adj.gender & subject.gender)) add_unique(out, pos + 2);
            });
            for (size_t e : pp(pos + 1)) add_unique(out, e);
        });
        return out;
    }

    std::vector<size_t> clause(size_t pos) override {
        std::vector<size_t> out;
        for (const NpEnd& subject : argument(pos, true))
            for (size_t e : vp(subject.end, subject)) add_unique(out, e);
        return out;
    }
};

// ---- generation --------------------------------------------------------------------------------------

class Writer {
public:
    // zipf: draw words with Zipf-like frequencies (see zipf_weight) instead of uniformly.
    Writer(Rng& rng, bool zipf) : rng_(rng), zipf_(zipf) {}

protected:
    bool chance(double p) { return rng_.uniform() < static_cast<float>(p); }

    // A uniformly chosen element among those that satisfy `fits`. Every call site asks for something the
    // word lists are known to contain (a test generates many thousands of sentences).
    template <class T, size_t N, class F>
    const T& pick(std::span<const T, N> items, F&& fits) {
        uint32_t total = 0, rank = 0;
        for (const T& x : items)
            if (fits(x)) total += weight(++rank);
        uint32_t k = total ? rng_.below(total) : 0;
        rank = 0;
        for (const T& x : items) {
            if (!fits(x)) continue;
            const uint32_t w = weight(++rank);
            if (k < w) return x;
            k -= w;
        }
        return items.front();
    }
    template <class T, size_t N>
    const T& pick(std::span<const T, N> items) {
        return pick(items, [](const T&) { return true; });
    }
    // Weight of the rank-th fitting word (1-based). Zipf: proportional to 1/rank, as in natural language,
    // so a tiny model meets the common words often enough to spell them and learn their grammar early;
    // in integers so every platform draws the same words.
    uint32_t weight(uint32_t rank) const { return zipf_ ? 720720u / rank : 1u; }

    // One sentence: a clause, now and then a conjunction and a second clause, then " .". Drawn again
    // until it fits the generators' length limit (and so one context window).
    template <class Clause, class Conjunction>
    std::string sentence_of(double coordination_chance, Clause clause, Conjunction conjunction) {
        for (;;) {
            words_.clear();
            clause();
            if (chance(coordination_chance)) {
                words_.push_back(conjunction());
                clause();
            }
            words_.push_back(".");
            std::string s = join();
            if (s.size() <= kMaxGeneratedSentenceBytes) return s;
        }
    }

    std::string join() const {
        std::string s;
        for (std::string_view w : words_) {
            if (!s.empty()) s += ' ';
            s += w;
        }
        return s;
    }

    Rng& rng_;
    bool zipf_;
    std::vector<std::string_view> words_;
};

class EnglishWriter final : public Writer {
public:
    explicit EnglishWriter(Rng& rng) : Writer(rng, true) {}

    // Two clauses in 2 % of sentences: rare enough that a minute of training learns the one-clause shape.
    std::string sentence() {
        return sentence_of(0.02, [this] { clause(); }, [this] { return pick(std::span(kEnConjs)).word; });
    }

private:
    // A noun phrase whose head noun fits `sem`; returns its agreement (k3sg or k3pl).
    uint8_t noun_phrase(uint16_t sem, bool allow_pp) {
        const EnNoun& noun = pick(std::span(kEnNouns), [&](const EnNoun& n) { return (n.sem & sem) != 0; });
        const bool plural = chance(0.4);
        const size_t det_at = words_.size();
        words_.push_back("");  // the determiner depends on the next word (a/an), so it is filled in last
        const float r = rng_.uniform();
        const int adjectives = r < 0.8f ? 0 : r < 0.99f ? 1 : 2;
        const EnAdj* first = nullptr;
        for (int i = 0; i < adjectives; ++i) {
            const EnAdj& adj = pick(std::span(kEnAdjs), [&](const EnAdj& a) {
                return (a.sem & noun.sem) != 0 && (first == nullptr || a.rank != first->rank);
            });
            if (first == nullptr) {
                first = &adj;
                words_.push_back(adj.word);
            } else if (adj.rank > first->rank) {
                words_.push_back(adj.word);
            } else {
                words_.insert(words_.end() - 1, adj.word);  // keep the order class rising
            }
        }
        words_.push_back(plural ? noun.pl : noun.sg);
        const float d = rng_.uniform();
        if (d < 0.5f) {
            words_[det_at] = "the";
        } else if (d < 0.75f && !plural) {
            words_[det_at] = std::string_view("aeiou").find(words_[det_at + 1].front()) != std::string_view::npos ? "an" : "a";
        } else {
            const uint8_t agr = plural ? k3pl : k3sg;
            words_[det_at] = pick(std::span(kEnDets), [&](const EnDet& e) { return (e.agr & agr) != 0; }).word;
        }
        if (allow_pp && chance(0.01)) {
            const EnPrep& prep = pick(std::span(kEnPreps), [&](const EnPrep& p) { return (p.heads & noun.sem) != 0; });
            words_.push_back(prep.word);
            object(prep.obj, false, false);
        }
        return plural ? k3pl : k3sg;
    }

    uint8_t pronoun(uint16_t sem, uint8_t pronoun_case) {
        const EnPron& p = pick(std::span(kEnProns),
                               [&](const EnPron& x) { return (x.sem & sem) && (x.cases & pronoun_case); });
        words_.push_back(p.word);
        return p.agr;
    }

    uint8_t subject(uint16_t sem) {
        const float r = rng_.uniform();
        if (r < 0.15f) return pronoun(sem, kSubjectCase);
        if (r < 0.16f) {
            noun_phrase(sem, false);
            words_.push_back("and");
            noun_phrase(sem, false);
            return k3pl;
        }
        return noun_phrase(sem, true);
    }

    void object(uint16_t sem, bool allow_pp, bool allow_coordination) {
        const float r = rng_.uniform();
        if (r < 0.08f) {
            pronoun(sem, kObjectCase);
        } else if (allow_coordination && r < 0.09f) {
            noun_phrase(sem, false);
            words_.push_back("and");
            noun_phrase(sem, false);
        } else {
            noun_phrase(sem, allow_pp);
        }
    }

    // A verb form agreeing with the subject: among the forms of the wanted tense that agree, pick one
    // ("the sheep sleeps" and "the sheep sleep" are both right).
    void verb(const EnVerb& v, uint8_t subject_agr, uint8_t tense) {
        if (tense == kPast) {
            words_.push_back(v.past);
            return;
        }
        const bool s3 = (subject_agr & k3sg) != 0, base = (subject_agr & kAgrBase) != 0;
        words_.push_back(s3 && (!base || chance(0.5)) ? v.s3 : v.base);
    }

    void tail(uint8_t tense) {
        if (chance(0.05))
            words_.push_back(pick(std::span(kEnAdvs), [&](const Word& a) { return (a.tense & tense) != 0; }).word);
        if (chance(0.1)) {
            const EnPrep& prep = pick(std::span(kEnPreps), [](const EnPrep& p) { return p.with_verbs; });
            words_.push_back(prep.word);
            object(prep.obj, false, false);
        }
    }

    void clause() {
        const uint8_t tense = chance(0.6) ? kPresent : kPast;
        const float kind = rng_.uniform();
        if (kind < 0.55f) {
            const EnVerb& v = pick(std::span(kEnVerbs), [](const EnVerb& x) { return x.obj != 0; });
            verb(v, subject(v.subj), tense);
            object(v.obj, true, true);
            tail(tense);
        } else if (kind < 0.85f) {
            const EnVerb& v = pick(std::span(kEnVerbs), [](const EnVerb& x) { return x.obj == 0; });
            verb(v, subject(v.subj), tense);
            tail(tense);
        } else if (chance(0.7)) {
            const EnAdj& adj = pick(std::span(kEnAdjs));
            copula(subject(adj.sem), tense);
            words_.push_back(adj.word);
        } else {
            const uint8_t agr = subject(kAnySem);
            copula(agr, tense);
            // "to" says where something goes, not where it is ("the dog is to the park").
            const EnPrep& prep = pick(std::span(kEnPreps), [](const EnPrep& p) {
                return p.with_verbs && std::string_view(p.word) != "to";
            });
            words_.push_back(prep.word);
            noun_phrase(prep.obj, false);
        }
    }

    void copula(uint8_t subject_agr, uint8_t tense) {
        words_.push_back(pick(std::span(kEnCopulas), [&](const EnCopula& c) {
                             return c.tense == tense && (c.agr & subject_agr) != 0;
                         }).word);
    }
};

struct PtAgreement {
    bool plural;
    uint8_t gender;  // kMasc or kFem (a single one: the generator always knows)
};

class PortugueseWriter final : public Writer {
public:
    explicit PortugueseWriter(Rng& rng) : Writer(rng, false) {}

    std::string sentence() {
        return sentence_of(0.25, [this] { clause(); }, [this] { return pick(std::span(kPtConjs)).word; });
    }

private:
    static int form(PtAgreement a) { return (a.plural ? 2 : 0) + (a.gender == kFem ? 1 : 0); }

    void adjective(uint16_t sem, PtAgreement a) {
        words_.push_back(pick(std::span(kPtAdjs), [&](const PtAdj& x) { return (x.sem & sem) != 0; }).forms[form(a)]);
    }

    // The noun (and maybe an adjective) after a determiner or contraction.
    const PtNoun& noun_with(const PtNoun& noun, PtAgreement a, double adjective_chance) {
        words_.push_back(a.plural ? noun.pl : noun.sg);
        if (chance(adjective_chance)) adjective(noun.sem, a);
        return noun;
    }

    PtAgreement noun_phrase(uint16_t sem, bool allow_pp) {
        const PtNoun& noun = pick(std::span(kPtNouns), [&](const PtNoun& n) { return (n.sem & sem) != 0; });
        const PtAgreement a{chance(0.4), noun.gender};
        const uint8_t agr = a.plural ? k3pl : k3sg;
        const float r = rng_.uniform();
        const PtDetKind kind = r < 0.5f   ? PtDetKind::definite
                               : r < 0.75f ? PtDetKind::indefinite
                               : r < 0.9f  ? PtDetKind::demonstrative
                                           : PtDetKind::quantifier;
        words_.push_back(pick(std::span(kPtDets), [&](const PtDet& d) {
                             return d.kind == kind && (d.gender & a.gender) && (d.agr & agr);
                         }).word);
        noun_with(noun, a, 0.35);
        if (allow_pp && chance(0.12)) {
            const PtPrep& prep = pick(std::span(kPtPreps), [&](const PtPrep& p) { return (p.heads & noun.sem) != 0; });
            prepositional(prep);
        }
        return a;
    }

    void prepositional(const PtPrep& prep) {
        if (prep.no_article) {
            const PtNoun& noun = pick(std::span(kPtNouns), [&](const PtNoun& n) { return (n.sem & prep.obj) != 0; });
            const PtAgreement a{chance(0.3), noun.gender};
            const uint8_t agr = a.plural ? k3pl : k3sg;
            if (chance(0.75)) {  // definite article: the contraction is obligatory
                words_.push_back(pick(std::span(kPtContractions), [&](const PtContraction& c) {
                                     return std::string_view(c.prep) == prep.word && c.gender == a.gender && c.agr == agr;
                                 }).word);
            } else {
                words_.push_back(prep.word);
                words_.push_back(pick(std::span(kPtDets), [&](const PtDet& d) {
                                     return d.kind == PtDetKind::indefinite && (d.gender & a.gender) && (d.agr & agr);
                                 }).word);
            }
            noun_with(noun, a, 0.3);
            return;
        }
        words_.push_back(prep.word);
        if (prep.takes_pronoun && (prep.obj & kLiving) && chance(0.15)) {
            words_.push_back(pick(std::span(kPtProns), [](const PtPron& p) { return (p.sem & kAnimal) != 0; }).word);
            return;
        }
        noun_phrase(prep.obj, false);
    }

    PtAgreement subject(uint16_t sem) {
        const float r = rng_.uniform();
        if (r < 0.12f && (sem & kLiving)) {  // the subject pronouns here stand for people and animals
            const PtPron& p = pick(std::span(kPtProns), [&](const PtPron& x) { return (x.sem & sem) != 0; });
            words_.push_back(p.word);
            const uint8_t gender = p.gender == (kMasc | kFem) ? (chance(0.5) ? kMasc : kFem) : p.gender;
            return {p.agr == k3pl, gender};
        }
        if (r < 0.19f) {
            const PtAgreement first = noun_phrase(sem, false);
            words_.push_back("e");
            const PtAgreement second = noun_phrase(sem, false);
            return {true, (first.gender == kFem && second.gender == kFem) ? kFem : kMasc};
        }
        return noun_phrase(sem, true);
    }

    void object(uint16_t sem) {
        if (chance(0.05)) {
            noun_phrase(sem, false);
            words_.push_back("e");
            noun_phrase(sem, false);
        } else {
            noun_phrase(sem, true);
        }
    }

    void tail(uint8_t tense) {
        if (chance(0.15))
            words_.push_back(pick(std::span(kPtAdvs), [&](const Word& a) { return (a.tense & tense) != 0; }).word);
        if (chance(0.25)) prepositional(pick(std::span(kPtPreps), [](const PtPrep& p) { return p.with_verbs; }));
    }

    void clause() {
        const bool past = chance(0.4);
        const uint8_t tense = past ? kPast : kPresent;
        const float kind = rng_.uniform();
        if (kind < 0.55f) {
            const PtVerb& v = pick(std::span(kPtVerbs), [](const PtVerb& x) { return x.obj != 0; });
            const PtAgreement s = subject(v.subj);
            words_.push_back(v.forms[(past ? 2 : 0) + (s.plural ? 1 : 0)]);
            object(v.obj);
            tail(tense);
        } else if (kind < 0.85f) {
            const PtVerb& v = pick(std::span(kPtVerbs), [](const PtVerb& x) { return x.obj == 0; });
            const PtAgreement s = subject(v.subj);
            words_.push_back(v.forms[(past ? 2 : 0) + (s.plural ? 1 : 0)]);
            tail(tense);
        } else if (chance(0.7)) {
            // ser for lasting properties ("a casa é antiga"), estar for states ("o gato está cansado").
            const PtAdj& adj = pick(std::span(kPtAdjs));
            const PtAgreement s = subject(adj.sem);
            words_.push_back((adj.state ? kPtEstar : kPtSer)[(past ? 2 : 0) + (s.plural ? 1 : 0)]);
            words_.push_back(adj.forms[form(s)]);
        } else {
            const PtAgreement s = subject(kAnySem);
            words_.push_back(kPtEstar[(past ? 2 : 0) + (s.plural ? 1 : 0)]);
            prepositional(kPtPreps[0]);  // "em": where something is
        }
    }
};

}  // namespace

const char* language_id(Language language) {
    return language == Language::english ? "english" : "portuguese";
}

SentenceGenerator::SentenceGenerator(Language language, uint64_t seed) : language_(language), rng_(seed) {}

std::string SentenceGenerator::next() {
    if (language_ == Language::english) return EnglishWriter(rng_).sentence();
    return PortugueseWriter(rng_).sentence();
}

bool is_grammatical(std::string_view sentence, Language language) {
    if (language == Language::english) {
        EnglishParser parser;
        return parser.load(sentence, lexicon(language)) && parser.accepts();
    }
    PortugueseParser parser;
    return parser.load(sentence, lexicon(language)) && parser.accepts();
}

bool is_grammatical_english(std::string_view sentence) { return is_grammatical(sentence, Language::english); }
bool is_grammatical_portuguese(std::string_view sentence) { return is_grammatical(sentence, Language::portuguese); }

GrammarScore score_grammar(std::string_view text, Language language) {
    GrammarScore score;
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        size_t end;
        if (text[i] == '\n')
            end = i;
        else if (text[i] == '.' && i > start && text[i - 1] == ' ')
            end = i + 1;
        else
            continue;
        const std::string_view piece = trim(text.substr(start, end - start));
        start = i + 1;
        if (piece.empty()) continue;
        ++score.sentences;
        if (is_grammatical(piece, language)) ++score.grammatical;
    }
    return score;
}

double grammatical_share(std::string_view text, Language language) { return score_grammar(text, language).share(); }

std::vector<std::string_view> word_classes(std::string_view word, Language language) {
    std::vector<std::string_view> classes;
    if (const std::vector<Analysis>* analyses = lexicon(language).find(word))
        for (const Analysis& a : *analyses) add_unique(classes, cat_name(a.cat));
    return classes;
}

size_t vocabulary_size(Language language) { return lexicon(language).words.size(); }

}  // namespace knobs

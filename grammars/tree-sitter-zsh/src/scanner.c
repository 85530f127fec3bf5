// External scanner for condago's zsh grammar.
//
// The grammar extends tree-sitter-bash's grammar, so the first 29 tokens are the ones that
// grammar declares (same order, same meaning); the rest are zsh's own. The parser asks for
// a token by listing which ones are valid here; each `lex_*` function below decides one
// family of tokens and returns false when the text is better left to the grammar's own
// lexer.

#include "tree_sitter/array.h"
#include "tree_sitter/parser.h"

#include <string.h>
#include <wctype.h>

enum TokenType {
    HEREDOC_START,
    SIMPLE_HEREDOC_BODY,
    HEREDOC_BODY_BEGINNING,
    HEREDOC_CONTENT,
    HEREDOC_END,
    FILE_DESCRIPTOR,
    EMPTY_VALUE,
    CONCAT,
    VARIABLE_NAME,
    TEST_OPERATOR,
    REGEX,
    REGEX_NO_SLASH,
    REGEX_NO_SPACE,
    EXPANSION_WORD,
    EXTGLOB_PATTERN,
    BARE_DOLLAR,
    BRACE_START,
    IMMEDIATE_DOUBLE_HASH,
    EXTERNAL_EXPANSION_SYM_HASH,
    EXTERNAL_EXPANSION_SYM_BANG,
    EXTERNAL_EXPANSION_SYM_EQUAL,
    CLOSING_BRACE,
    CLOSING_BRACKET,
    HEREDOC_ARROW,
    HEREDOC_ARROW_DASH,
    NEWLINE,
    OPENING_PAREN,
    ESAC,
    ERROR_RECOVERY,
    // zsh
    GLOB_QUALIFIER,
    INDEX,
    EXPANSION_FLAGS,
    FLAGGED_DOLLAR,
    TEST_PATTERN,
    COMPLETION_CONDITION,
    EXPANSION_OPERATION,
    ARITHMETIC_TEXT,
    WORD_GROUP,
};

// A here-document whose `<<` has been read and whose body has not ended yet.
typedef struct {
    Array(char) tag;
    bool quoted;       // `<<'EOF'`: no expansions in the body
    bool strip_tabs;   // `<<-EOF`: leading tabs are ignored on every line
    bool body_started; // the body's first token has been emitted
} PendingHeredoc;

typedef struct {
    Array(PendingHeredoc) heredocs;
} Scanner;

// Serialised size of one here-document before its tag: three flags and the tag length.
#define HEREDOC_HEADER 5

static inline void take(TSLexer *lexer) { lexer->advance(lexer, false); }
static inline void pass(TSLexer *lexer) { lexer->advance(lexer, true); }
static inline bool at_eof(TSLexer *lexer) { return lexer->eof(lexer); }
static inline bool is_blank(int32_t c) { return c == ' ' || c == '\t' || c == '\r'; }
static inline bool is_name_start(int32_t c) { return iswalpha(c) || c == '_'; }
static inline bool is_name_char(int32_t c) { return iswalnum(c) || c == '_'; }

static inline bool emit(TSLexer *lexer, enum TokenType token) {
    lexer->result_symbol = token;
    return true;
}

static void drop_heredoc(PendingHeredoc *heredoc) { array_delete(&heredoc->tag); }

static void forget_heredocs(Scanner *scanner) {
    for (uint32_t i = 0; i < scanner->heredocs.size; i++) {
        drop_heredoc(array_get(&scanner->heredocs, i));
    }
    array_clear(&scanner->heredocs);
}

static void push_heredoc(Scanner *scanner, bool strip_tabs) {
    PendingHeredoc heredoc = {.tag = array_new(), .quoted = false, .strip_tabs = strip_tabs,
                              .body_started = false};
    array_push(&scanner->heredocs, heredoc);
}

static void pop_heredoc(Scanner *scanner) {
    if (scanner->heredocs.size > 0) {
        drop_heredoc(array_back(&scanner->heredocs));
        array_pop(&scanner->heredocs);
    }
}

// ---------------------------------------------------------------------------------------
// Here-documents

// Reads the delimiter word after `<<`: quoting anywhere in it makes the body literal.
static bool lex_heredoc_start(Scanner *scanner, TSLexer *lexer) {
    while (iswspace(lexer->lookahead)) pass(lexer);
    PendingHeredoc *heredoc = array_back(&scanner->heredocs);
    array_clear(&heredoc->tag);
    int32_t quote = 0;
    while (!at_eof(lexer)) {
        int32_t c = lexer->lookahead;
        if (quote) {
            if (c == quote) {
                quote = 0;
            } else if (c == '\n') {
                break;
            } else {
                array_push(&heredoc->tag, (char)c);
            }
            take(lexer);
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            heredoc->quoted = true;
            take(lexer);
            continue;
        }
        if (c == '\\') {
            heredoc->quoted = true;
            take(lexer);
            if (at_eof(lexer)) break;
            array_push(&heredoc->tag, (char)lexer->lookahead);
            take(lexer);
            continue;
        }
        if (iswspace(c) || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' ||
            c == ')') {
            break;
        }
        array_push(&heredoc->tag, (char)c);
        take(lexer);
    }
    return heredoc->tag.size > 0 && emit(lexer, HEREDOC_START);
}

// At a line start: consumes the line's tag if it is exactly the delimiter.
static bool take_delimiter_line(PendingHeredoc *heredoc, TSLexer *lexer) {
    for (uint32_t i = 0; i < heredoc->tag.size; i++) {
        if (lexer->lookahead != (unsigned char)*array_get(&heredoc->tag, i)) return false;
        take(lexer);
    }
    return lexer->lookahead == '\n' || lexer->lookahead == '\r' || at_eof(lexer);
}

// Whether the text after `$` starts an expansion the grammar reads inside a body.
static inline bool starts_expansion(int32_t c) { return is_name_start(c) || c == '{' || c == '('; }

// Scans body text up to the next expansion, or up to the delimiter line. `piece` is the
// token for text followed by more of the body, `last` for text that ends it.
static bool lex_heredoc_body(Scanner *scanner, TSLexer *lexer, enum TokenType piece,
                             enum TokenType last) {
    PendingHeredoc *heredoc = array_back(&scanner->heredocs);
    bool took_text = false;
    bool at_line_start = lexer->get_column(lexer) == 0;
    for (;;) {
        if (at_line_start) {
            if (heredoc->strip_tabs) {
                while (lexer->lookahead == '\t') take(lexer);
            }
            lexer->mark_end(lexer);
            lexer->result_symbol = heredoc->body_started ? piece : last;
            if (take_delimiter_line(heredoc, lexer)) {
                // The text so far is the body; the delimiter comes as its own token.
                heredoc->body_started = heredoc->body_started || piece == HEREDOC_BODY_BEGINNING;
                return true;
            }
            at_line_start = false;
            took_text = true;
            continue;
        }
        if (at_eof(lexer)) {
            if (!took_text) return false;
            lexer->mark_end(lexer);
            enum TokenType token = heredoc->body_started ? HEREDOC_END : last;
            pop_heredoc(scanner);
            return emit(lexer, token);
        }
        int32_t c = lexer->lookahead;
        if (c == '\n') {
            take(lexer);
            took_text = true;
            at_line_start = true;
            continue;
        }
        if (c == '\\' && !heredoc->quoted) {
            take(lexer);
            if (!at_eof(lexer)) take(lexer);
            took_text = true;
            continue;
        }
        if (c == '$' && !heredoc->quoted) {
            lexer->mark_end(lexer);
            take(lexer);
            if (starts_expansion(lexer->lookahead)) {
                if (!took_text && piece == HEREDOC_CONTENT) return false;
                heredoc->body_started = true;
                return emit(lexer, piece);
            }
            took_text = true;
            continue;
        }
        take(lexer);
        took_text = true;
    }
}

static bool lex_heredoc_end(Scanner *scanner, TSLexer *lexer) {
    PendingHeredoc *heredoc = array_back(&scanner->heredocs);
    if (heredoc->strip_tabs) {
        while (lexer->lookahead == '\t') take(lexer);
    }
    if (!take_delimiter_line(heredoc, lexer)) return false;
    pop_heredoc(scanner);
    return emit(lexer, HEREDOC_END);
}

// ---------------------------------------------------------------------------------------
// Words and their joins

// What a lexing attempt did: made its token, declined before consuming anything (other
// tokens may still start here), or declined after consuming text (nothing else can).
typedef enum { DECLINED, MADE, SPENT } Attempt;

// Text that continues the current word with no space in between.
static Attempt lex_concat(TSLexer *lexer, const bool *valid) {
    int32_t c = lexer->lookahead;
    if (at_eof(lexer) || iswspace(c)) {
        // Inside `${x:-a b}` the words of the default value are joined.
        if (iswspace(c) && valid[CLOSING_BRACE] && !valid[EXPANSION_WORD]) {
            emit(lexer, CONCAT);
            return MADE;
        }
        return DECLINED;
    }
    switch (c) {
        case '<': case '>': case '(': case ')': case ';': case '&': case '|':
            return DECLINED;
        case '}':
            if (valid[CLOSING_BRACE]) return DECLINED;
            break;
        case ']':
            if (valid[CLOSING_BRACKET]) return DECLINED;
            break;
        case '\\':
            // A line continuation ends the word; any other escape continues it.
            lexer->mark_end(lexer);
            take(lexer);
            if (at_eof(lexer) || lexer->lookahead == '\n' || lexer->lookahead == '\r') return SPENT;
            emit(lexer, CONCAT);
            return MADE;
        case '`': {
            // a`cmd` is one word only when the closing backquote ends it.
            lexer->mark_end(lexer);
            take(lexer);
            while (lexer->lookahead != '`' && !at_eof(lexer)) take(lexer);
            if (at_eof(lexer)) return SPENT;
            take(lexer);
            if (!iswspace(lexer->lookahead) && !at_eof(lexer)) return SPENT;
            emit(lexer, CONCAT);
            return MADE;
        }
        default:
            break;
    }
    emit(lexer, CONCAT);
    return MADE;
}

// `=` after a name with nothing after it: an empty value.
static bool lex_empty_value(TSLexer *lexer) {
    int32_t c = lexer->lookahead;
    return (at_eof(lexer) || iswspace(c) || c == ';' || c == '&' || c == ')') &&
           emit(lexer, EMPTY_VALUE);
}

// `##` as an operator inside `${…}`, unless it is the whole body (`${##}`).
static bool lex_double_hash(TSLexer *lexer) {
    if (lexer->lookahead != '#') return false;
    take(lexer);
    if (lexer->lookahead != '#') return false;
    take(lexer);
    return lexer->lookahead != '}' && emit(lexer, IMMEDIATE_DOUBLE_HASH);
}

// `${#}`, `${!}`, `${=}` and runs of them: operators with no name after them.
static bool lex_lone_expansion_operator(TSLexer *lexer) {
    int32_t c = lexer->lookahead;
    if (c != '#' && c != '!' && c != '=') return false;
    enum TokenType token = c == '#'   ? EXTERNAL_EXPANSION_SYM_HASH
                           : c == '!' ? EXTERNAL_EXPANSION_SYM_BANG
                                      : EXTERNAL_EXPANSION_SYM_EQUAL;
    take(lexer);
    lexer->mark_end(lexer);
    while (lexer->lookahead == '#' || lexer->lookahead == '!' || lexer->lookahead == '=') take(lexer);
    while (iswspace(lexer->lookahead)) pass(lexer);
    return lexer->lookahead == '}' && emit(lexer, token);
}

// A `$` that stands alone before a space, the end or a closing quote.
static bool lex_bare_dollar(TSLexer *lexer) {
    while (is_blank(lexer->lookahead)) pass(lexer);
    if (lexer->lookahead != '$') return false;
    take(lexer);
    lexer->mark_end(lexer);
    return (iswspace(lexer->lookahead) || at_eof(lexer) || lexer->lookahead == '"') &&
           emit(lexer, BARE_DOLLAR);
}

// `{1..10}`: a sequence expression (only its opening brace is the token).
static bool lex_brace_start(TSLexer *lexer) {
    while (iswspace(lexer->lookahead)) pass(lexer);
    if (lexer->lookahead != '{') return false;
    take(lexer);
    lexer->mark_end(lexer);
    while (iswdigit(lexer->lookahead)) take(lexer);
    if (lexer->lookahead != '.') return false;
    take(lexer);
    if (lexer->lookahead != '.') return false;
    take(lexer);
    while (iswdigit(lexer->lookahead)) take(lexer);
    return lexer->lookahead == '}' && emit(lexer, BRACE_START);
}

// ---------------------------------------------------------------------------------------
// Names, descriptors and `<<`

static bool lex_expansion_word(TSLexer *lexer);
static bool lex_extglob(TSLexer *lexer, const bool *valid);
static void skip_bracket_expression(TSLexer *lexer);
static bool lex_flagged_dollar(TSLexer *lexer, bool *took_only_dollar);

// At a `\\`: passes it and the line end after it, as blank space; false (with the `\\`
// passed) when it escapes something else.
static bool pass_line_continuation(TSLexer *lexer) {
    pass(lexer);
    if (lexer->lookahead == '\r') pass(lexer);
    if (lexer->lookahead != '\n') return false;
    pass(lexer);
    return true;
}

// After a first `<`: the rest of a here-document's `<<` or `<<-` (not `<<<`, `<<=`, `<<(`).
static bool lex_heredoc_arrow_after_first(Scanner *scanner, TSLexer *lexer) {
    if (lexer->lookahead != '<') return false;
    take(lexer);
    if (lexer->lookahead == '-') {
        take(lexer);
        push_heredoc(scanner, true);
        return emit(lexer, HEREDOC_ARROW_DASH);
    }
    if (lexer->lookahead == '<' || lexer->lookahead == '=' || lexer->lookahead == '(') return false;
    push_heredoc(scanner, false);
    return emit(lexer, HEREDOC_ARROW);
}

static bool take_numeric_range_after_open(TSLexer *lexer);

static bool lex_name_like(Scanner *scanner, TSLexer *lexer, const bool *valid) {
    for (;;) {
        int32_t c = lexer->lookahead;
        if (valid[EXPANSION_WORD]) break;
        if (is_blank(c) || (c == '\n' && !valid[NEWLINE])) {
            pass(lexer);
        } else if (c == '\\') {
            if (!pass_line_continuation(lexer)) return false;
        } else {
            break;
        }
    }

    int32_t c = lexer->lookahead;
    if (c == '$' && valid[FLAGGED_DOLLAR]) {
        bool took_only_dollar;
        return lex_flagged_dollar(lexer, &took_only_dollar);
    }
    if (valid[HEREDOC_ARROW] && c == '<') {
        take(lexer);
        return lex_heredoc_arrow_after_first(scanner, lexer);
    }

    if (!is_name_char(c)) {
        if (c == '{' && valid[BRACE_START]) return lex_brace_start(lexer);
        if (valid[EXPANSION_WORD]) return lex_expansion_word(lexer);
        if (valid[EXTGLOB_PATTERN]) return lex_extglob(lexer, valid);
        return false;
    }

    bool all_digits = true;
    while (is_name_char(lexer->lookahead)) {
        all_digits = all_digits && iswdigit(lexer->lookahead);
        take(lexer);
    }
    c = lexer->lookahead;
    if (all_digits && valid[FILE_DESCRIPTOR] && (c == '<' || c == '>')) {
        return emit(lexer, FILE_DESCRIPTOR);
    }
    if (!valid[VARIABLE_NAME]) return false;
    lexer->mark_end(lexer);
    switch (c) {
        case '+':
            take(lexer);
            return (lexer->lookahead == '=' || lexer->lookahead == ':' || valid[CLOSING_BRACE]) &&
                   emit(lexer, VARIABLE_NAME);
        case '=':
        case '[':
        case '%':
        case '@':
            return emit(lexer, VARIABLE_NAME);
        case ':':
            return !valid[CLOSING_BRACE] && !valid[OPENING_PAREN] && emit(lexer, VARIABLE_NAME);
        case '#':
            return !all_digits && emit(lexer, VARIABLE_NAME);
        case '-':
            return valid[CLOSING_BRACE] && emit(lexer, VARIABLE_NAME);
        case '?':
            take(lexer);
            return iswalpha(lexer->lookahead) && emit(lexer, VARIABLE_NAME);
        default:
            return false;
    }
}

// `-f`, `-eq`, `-nt`: an operator of `test`/`[[ ]]` followed by a space.
static bool lex_test_operator(TSLexer *lexer, const bool *valid) {
    if (lexer->lookahead != '-') return false;
    take(lexer);
    char letters[16];
    size_t count = 0;
    while (iswalpha(lexer->lookahead)) {
        if (count + 1 < sizeof letters) letters[count++] = (char)lexer->lookahead;
        take(lexer);
    }
    letters[count] = '\0';
    if (!iswspace(lexer->lookahead)) return false;
    if (count > 0) {
        // Completion conditions take patterns: `[[ -prefix 1 (f|ht)tp:// ]]`.
        bool completion = strcmp(letters, "prefix") == 0 || strcmp(letters, "suffix") == 0 ||
                          strcmp(letters, "after") == 0 || strcmp(letters, "between") == 0;
        if (completion && valid[COMPLETION_CONDITION]) return emit(lexer, COMPLETION_CONDITION);
        return emit(lexer, TEST_OPERATOR);
    }
    // `[[ $1 = - ]]`: a lone `-` is a pattern.
    if (valid[EXTGLOB_PATTERN]) return emit(lexer, EXTGLOB_PATTERN);
    return valid[REGEX_NO_SPACE] && emit(lexer, REGEX_NO_SPACE);
}

// ---------------------------------------------------------------------------------------
// Patterns

// zsh's numeric range glob `<->`, `<1->`, `<-12>`, `<0-12>`: consumes it and says whether
// it was one.
static bool take_numeric_range_after_open(TSLexer *lexer) {
    while (iswdigit(lexer->lookahead)) take(lexer);
    if (lexer->lookahead != '-') return false;
    take(lexer);
    while (iswdigit(lexer->lookahead)) take(lexer);
    if (lexer->lookahead != '>') return false;
    take(lexer);
    return true;
}

static bool take_numeric_range(TSLexer *lexer) {
    if (lexer->lookahead != '<') return false;
    take(lexer);
    return take_numeric_range_after_open(lexer);
}

// Looks past blanks for the `]]` that closes a test (consumes, so only after mark_end).
static bool closes_test(TSLexer *lexer) {
    while (is_blank(lexer->lookahead)) take(lexer);
    if (lexer->lookahead != ']') return false;
    take(lexer);
    return lexer->lookahead == ']';
}

// The pattern after `#`, `%`, `:#` … inside `${…}`, or a `=~` operand: text up to the
// closing brace (or the first unbracketed space for `=~`).
static bool lex_pattern(TSLexer *lexer, const bool *valid) {
    bool until_space = valid[REGEX_NO_SPACE] && !valid[REGEX] && !valid[REGEX_NO_SLASH];
    bool until_slash = valid[REGEX_NO_SLASH];
    if (!until_slash) {
        while (iswspace(lexer->lookahead)) pass(lexer);
    }
    int32_t first = lexer->lookahead;
    if (first == '"' && !until_slash) return false;
    if (first == '\'' && !until_space && !until_slash) return false;
    if (first == '$' && until_slash) {
        take(lexer);
        if (lexer->lookahead == '(') return false;
    }

    enum TokenType token = until_slash ? REGEX_NO_SLASH : until_space ? REGEX_NO_SPACE : REGEX;
    uint32_t parens = 0, brackets = 0, braces = 0;
    bool took = false, special = false, in_quote = false;
    lexer->mark_end(lexer);
    for (;;) {
        int32_t c = lexer->lookahead;
        if (at_eof(lexer)) return false;
        if (in_quote) {
            if (c == '\'') in_quote = false;
            take(lexer);
            lexer->mark_end(lexer);
            continue;
        }
        if (c == '\'') {
            in_quote = true;
            special = true;
            take(lexer);
            took = true;
            continue;
        }
        if (c == ')' && parens == 0) break;
        if (c == ']' && brackets == 0) break;
        if (c == '}' && braces == 0) break;
        if (until_slash && c == '/') break;
        if (until_space && iswspace(c) && parens == 0) break;
        if (c == '(') parens++;
        if (c == ')') parens--;
        if (c == '[') brackets++;
        if (c == ']') brackets--;
        if (c == '{') braces++;
        if (c == '}') braces--;
        if (c == '\\') {
            take(lexer);
            special = true;
            took = true;
            if (!at_eof(lexer) && !(until_slash && lexer->lookahead == '/')) take(lexer);
            lexer->mark_end(lexer);
            continue;
        }
        if (until_space && c == '$') {
            lexer->mark_end(lexer);
            take(lexer);
            if (lexer->lookahead == '(') return false;
            if (iswspace(lexer->lookahead)) {
                lexer->mark_end(lexer);
                return emit(lexer, token);
            }
            took = true;
            continue;
        }
        if (!is_name_char(c) && c != '$' && c != '-') special = true;
        bool space = iswspace(c);
        take(lexer);
        took = true;
        if (!space || parens > 0) lexer->mark_end(lexer);
    }
    if (!took) return false;
    // A plain word after `=~` is read as a word.
    if (until_space && !special) return false;
    if (until_space && valid[EXTGLOB_PATTERN] && !closes_test(lexer)) {
        // `[[ $a = x* && … ]]`: a pattern inside a longer test, not the whole test's regex.
        token = EXTGLOB_PATTERN;
    }
    return emit(lexer, token);
}

// A `case` or `[[ = ]]` pattern that is more than a word: with groups (`@(a|b)`,
// `(free|net)bsd*`, `*.(c|h)`), numeric ranges (`<->`, `solaris2.<11->`) or a lone `-`.
// Plain patterns are left to the grammar's words.
static bool lex_extglob(TSLexer *lexer, const bool *valid) {
    while (iswspace(lexer->lookahead)) pass(lexer);
    uint32_t parens = 0;
    bool special = false;
    bool took = false;
    if (lexer->lookahead == '(' && valid[OPENING_PAREN]) {
        // `(a|b)c)` starts with a group; `(a) …` is the case item's own parenthesis.
        take(lexer);
        uint32_t depth = 1;
        while (depth > 0) {
            int32_t c = lexer->lookahead;
            if (at_eof(lexer) || c == '\n') return false;
            if (c == '(') depth++;
            if (c == ')') depth--;
            if (c == '\\') take(lexer);
            take(lexer);
        }
        int32_t next = lexer->lookahead;
        if (next == ')') {
            // `(a|b))`: the whole pattern is a group; the item's parenthesis follows.
            lexer->mark_end(lexer);
            return emit(lexer, EXTGLOB_PATTERN);
        }
        if (at_eof(lexer) || iswspace(next) || next == '|' || next == ';') return false;
        special = true;
        took = true;
    }
    int32_t start = lexer->lookahead;
    bool lone_operator = false;
    if (!took && start == '|' && valid[OPENING_PAREN]) {
        // `|a|b)`: an empty first alternative, as zsh allows.
        return emit(lexer, EXTGLOB_PATTERN);
    }
    if (!took && start == '$') {
        // `($)`: a lone `$` is a pattern; `$x)` is an expansion.
        take(lexer);
        if (lexer->lookahead != ')' && lexer->lookahead != '|') return false;
        lexer->mark_end(lexer);
        return emit(lexer, EXTGLOB_PATTERN);
    }
    if (!took && (start == '-' || start == '+' || start == '@' || start == '/')) {
        take(lexer);
        took = true;
        lone_operator = iswspace(lexer->lookahead);
    }
    for (;;) {
        int32_t c = lexer->lookahead;
        if (at_eof(lexer) || c == '\n') break;
        if (parens == 0 && (iswspace(c) || c == ')' || c == '|' || c == ';' || c == '"' ||
                            c == '\'' || c == '$' || c == '`' || c == '&' || c == '>')) {
            break;
        }
        if (c == '<') {
            if (!take_numeric_range(lexer)) return false;
            special = true;
            took = true;
            continue;
        }
        if (c == '[') {
            // `[[*?[:alnum:]$]`: a bracket expression holds `$`, `[` and the like literally.
            skip_bracket_expression(lexer);
            special = true;
            took = true;
            continue;
        }
        if (c == '(') {
            parens++;
            special = true;
        } else if (c == ')') {
            parens--;
        } else if (c == '\\') {
            take(lexer);
            took = true;
            if (at_eof(lexer)) return false;
            // `\ #)`: an escaped blank, which no plain word starts with
            if (is_blank(lexer->lookahead)) special = true;
        }
        take(lexer);
        took = true;
    }
    if (parens != 0 || !took) return false;
    lexer->mark_end(lexer);
    // A lone operator character is a pattern here, not an operator.
    return (special || lone_operator) && emit(lexer, EXTGLOB_PATTERN);
}

// The word after `:-`, `:=` … inside `${…}`, up to the closing brace or an expansion.
static bool lex_expansion_word(TSLexer *lexer) {
    bool took = false;
    uint32_t parens = 0;
    for (;;) {
        int32_t c = lexer->lookahead;
        if (at_eof(lexer) || c == '"' || c == '\'') return false;
        if (c == '}' && parens == 0) {
            lexer->mark_end(lexer);
            return took && emit(lexer, EXPANSION_WORD);
        }
        if (c == '$') {
            lexer->mark_end(lexer);
            take(lexer);
            int32_t next = lexer->lookahead;
            if (next == '{' || next == '(' || next == '\'' || iswalnum(next)) {
                return took && emit(lexer, EXPANSION_WORD);
            }
            took = true;
            continue;
        }
        // zsh takes an unmatched `)` literally: `${x:+)}`, `${x:+($x)}`.
        if (c == '(') parens++;
        if (c == ')' && parens > 0) parens--;
        took = true;
        take(lexer);
    }
}

// ---------------------------------------------------------------------------------------
// zsh

static void skip_single_quoted(TSLexer *lexer);
static void skip_double_quoted(TSLexer *lexer);

// Skips a quoted part, `'…'` or `"…"`, at the lookahead; false when none starts there.
static bool skip_quoted(TSLexer *lexer) {
    if (lexer->lookahead == '\'') {
        skip_single_quoted(lexer);
        return true;
    }
    if (lexer->lookahead == '"') {
        skip_double_quoted(lexer);
        return true;
    }
    return false;
}

// `(N)`, `(N.)`, `(/om[1])`, `(#q…)` right after a glob, or `(c|h)` inside one: a group
// written without spaces, directly after the word it belongs to.
static bool lex_glob_parens(TSLexer *lexer, bool word_start) {
    if (lexer->lookahead != '(') return false;
    take(lexer);
    uint32_t depth = 1;
    bool content = false;
    while (depth > 0) {
        int32_t c = lexer->lookahead;
        if (at_eof(lexer) || iswspace(c) || c == ';' || c == '&' || c == '`') return false;
        // `(${x:#*)--*})` is an array holding an expansion, not a group.
        if (word_start && (c == '{' || c == '}')) return false;
        if (c == ')' && depth == 1) {
            take(lexer);
            break;
        }
        content = true;
        // `(Ne:'REPLY=( … ):')`: a qualifier's code is quoted and may hold spaces.
        if (skip_quoted(lexer)) continue;
        if (c == '(') depth++;
        if (c == ')') depth--;
        if (c == '\\') {
            take(lexer);
            if (at_eof(lexer)) return false;
        }
        take(lexer);
    }
    lexer->mark_end(lexer);
    return content && emit(lexer, GLOB_QUALIFIER);
}

// A group that starts a word and is joined to the rest of it: `(../)#main.aap(N)`,
// `(#a2)"$file"(N)`. A subshell `(cmd)` is followed by a space or an operator instead.
static bool lex_word_group(TSLexer *lexer) {
    if (!lex_glob_parens(lexer, true)) return false;
    int32_t next = lexer->lookahead;
    if (at_eof(lexer) || iswspace(next) || strchr(";&|)<>", (int)next) != NULL) return false;
    lexer->result_symbol = WORD_GROUP;
    return true;
}

// `[…]` after a parameter name: zsh subscripts, flags and patterns included
// (`$path[1]`, `${words[(r)-d]}`, `argv[(i)--]`). One line at most.
static bool lex_index(TSLexer *lexer) {
    if (lexer->lookahead != '[') return false;
    take(lexer);
    uint32_t brackets = 1, parens = 0;
    int32_t quote = 0;
    while (brackets > 0) {
        int32_t c = lexer->lookahead;
        if (at_eof(lexer) || c == '\n') return false;
        if (quote) {
            if (c == quote) quote = 0;
            else if (c == '\\' && quote == '"') take(lexer);
            take(lexer);
            continue;
        }
        if (c == '\'' || c == '"') quote = c;
        else if (c == '[') brackets++;
        else if (c == ']') brackets--;
        else if (c == '(') parens++;
        else if (c == ')' && parens > 0) parens--;
        else if (c == '\\') take(lexer);
        take(lexer);
    }
    lexer->mark_end(lexer);
    return emit(lexer, INDEX);
}

// Whether a parameter-expansion flag takes a delimited argument (`s:x:`, `j.,.`, `l:5::0:`).
static bool flag_takes_argument(int32_t flag) {
    return flag == 's' || flag == 'j' || flag == 'l' || flag == 'r' || flag == 'Z' ||
           flag == '_' || flag == 'g' || flag == 'I';
}

static int32_t closing_delimiter(int32_t open) {
    switch (open) {
        case '(': return ')';
        case '[': return ']';
        case '{': return '}';
        case '<': return '>';
        default: return open;
    }
}

// `(s.:.)` in `${(s.:.)PATH}`: the flags, with their delimited arguments.
static bool lex_expansion_flags(TSLexer *lexer) {
    if (lexer->lookahead != '(') return false;
    take(lexer);
    for (;;) {
        int32_t c = lexer->lookahead;
        if (at_eof(lexer) || c == '\n') return false;
        if (c == ')') {
            take(lexer);
            lexer->mark_end(lexer);
            return emit(lexer, EXPANSION_FLAGS);
        }
        take(lexer);
        if (!flag_takes_argument(c)) continue;
        // `l` and `r` take up to three arguments; the others one.
        int rounds = (c == 'l' || c == 'r') ? 3 : 1;
        for (int i = 0; i < rounds; i++) {
            int32_t open = lexer->lookahead;
            if (open == ')' || is_name_char(open) || iswspace(open)) break;
            int32_t close = closing_delimiter(open);
            take(lexer);
            while (lexer->lookahead != close) {
                if (at_eof(lexer) || lexer->lookahead == '\n') return false;
                take(lexer);
            }
            take(lexer);
            if (close == open && i + 1 < rounds && lexer->lookahead == open) {
                continue;
            }
            if (close != open && i + 1 < rounds && lexer->lookahead == open) continue;
            break;
        }
    }
}

// `$+name`, `$#name`, `$^name`, `$=name`, `$~name`: zsh's one-character flags before a
// parameter name. `$#` alone is the argument count and is left to the grammar.
static bool lex_flagged_dollar(TSLexer *lexer, bool *took_only_dollar) {
    *took_only_dollar = false;
    if (lexer->lookahead != '$') return false;
    lexer->mark_end(lexer);
    take(lexer);
    int32_t flag = lexer->lookahead;
    *took_only_dollar = true;
    if (flag != '+' && flag != '#' && flag != '^' && flag != '=' && flag != '~') return false;
    *took_only_dollar = false;
    take(lexer);
    // `$==x` and `$^^x` double the flag.
    if ((flag == '=' || flag == '^' || flag == '~') && lexer->lookahead == flag) take(lexer);
    int32_t next = lexer->lookahead;
    // `$#*` counts the positional parameters, `$~*` and `$^@` flag them, `$+1` asks
    // whether there is a first one.
    bool special = next == '*' || next == '@' || (flag == '+' && iswdigit(next));
    if (!is_name_start(next) && !special) return false;
    lexer->mark_end(lexer);
    return emit(lexer, FLAGGED_DOLLAR);
}

// A `$` where zsh's flagged forms are possible: `$#x`, `$+x` …, or else an ordinary `$`
// that continues a word or stands alone.
static bool lex_dollar(TSLexer *lexer, const bool *valid, bool after_space) {
    bool took_only_dollar;
    if (lex_flagged_dollar(lexer, &took_only_dollar)) return true;
    if (valid[CONCAT] && !after_space) return emit(lexer, CONCAT);
    if (valid[BARE_DOLLAR] && took_only_dollar) {
        bool alone = iswspace(lexer->lookahead) || at_eof(lexer) || lexer->lookahead == '"';
        lexer->mark_end(lexer);
        return alone && emit(lexer, BARE_DOLLAR);
    }
    return false;
}

// ---------------------------------------------------------------------------------------
// Text the grammar keeps whole: test patterns, zsh's expansion operators, arithmetic

static void skip_dollar(TSLexer *lexer);

static void skip_single_quoted(TSLexer *lexer) {
    take(lexer);
    while (!at_eof(lexer) && lexer->lookahead != '\'') take(lexer);
    if (!at_eof(lexer)) take(lexer);
}

// From an opening quote to its closing `close`, where a backslash escapes: `` `…` ``, `$'…'`.
static void skip_escaped_until(TSLexer *lexer, int32_t close) {
    take(lexer);
    while (!at_eof(lexer) && lexer->lookahead != close) {
        if (lexer->lookahead == '\\') take(lexer);
        if (!at_eof(lexer)) take(lexer);
    }
    if (!at_eof(lexer)) take(lexer);
}

static void skip_backquoted(TSLexer *lexer) { skip_escaped_until(lexer, '`'); }

static void skip_double_quoted(TSLexer *lexer) {
    take(lexer);
    while (!at_eof(lexer)) {
        int32_t c = lexer->lookahead;
        if (c == '"') {
            take(lexer);
            return;
        }
        if (c == '\\') {
            take(lexer);
            if (!at_eof(lexer)) take(lexer);
        } else if (c == '$') {
            skip_dollar(lexer);
        } else if (c == '`') {
            skip_backquoted(lexer);
        } else {
            take(lexer);
        }
    }
}

// From an opening `(` or `{` to its match, with the quotes and expansions inside.
static void skip_balanced(TSLexer *lexer, int32_t open, int32_t close) {
    take(lexer);
    uint32_t depth = 1;
    while (depth > 0 && !at_eof(lexer)) {
        int32_t c = lexer->lookahead;
        if (c == '\\') {
            take(lexer);
            if (!at_eof(lexer)) take(lexer);
        } else if (c == '\'' && open == '(') {
            skip_single_quoted(lexer);
        } else if (c == '"') {
            skip_double_quoted(lexer);
        } else if (c == '`') {
            skip_backquoted(lexer);
        } else if (c == '$') {
            skip_dollar(lexer);
        } else {
            if (c == open) depth++;
            if (c == close) depth--;
            take(lexer);
        }
    }
}

// `$…` in text the scanner keeps whole: `$(…)`, `${…}`, `$'…'`; a name is ordinary text.
static void skip_dollar(TSLexer *lexer) {
    take(lexer);
    int32_t c = lexer->lookahead;
    if (c == '(') {
        skip_balanced(lexer, '(', ')');
    } else if (c == '{') {
        skip_balanced(lexer, '{', '}');
    } else if (c == '[') {
        skip_balanced(lexer, '[', ']');
    } else if (c == '\'') {
        skip_escaped_until(lexer, '\'');
    }
}

// `[…]` in a pattern: `[[:space:]]`, `[^]x]`, `[[@:]` (a `[` inside is an ordinary member).
// Ends early at a space or a line end, which no bracket expression holds unquoted.
static void skip_bracket_expression(TSLexer *lexer) {
    take(lexer);
    if (lexer->lookahead == '!' || lexer->lookahead == '^') take(lexer);
    if (lexer->lookahead == ']') take(lexer);
    while (!at_eof(lexer)) {
        int32_t c = lexer->lookahead;
        if (c == ']') {
            take(lexer);
            return;
        }
        if (iswspace(c)) return;
        // `[$' \t']`, `["$chars"]`: quoted members
        if (skip_quoted(lexer)) continue;
        if (c == '$') {
            skip_dollar(lexer);
            continue;
        }
        take(lexer);
        if (c == '\\' && !at_eof(lexer)) {
            take(lexer);
        } else if (c == '[' && lexer->lookahead == ':') {
            // a class: `[:alpha:]`
            take(lexer);
            while (!at_eof(lexer) && lexer->lookahead != ':' && !iswspace(lexer->lookahead)) take(lexer);
            if (lexer->lookahead == ':') take(lexer);
            if (lexer->lookahead == ']') take(lexer);
        }
    }
}

// The pattern after `=`, `==` or `!=` in `[[ … ]]`, or after `-prefix`: one token up to a
// space, `&&`, `||` or `]]` outside groups. zsh patterns mix text, quotes and expansions
// (`*" -s "<->`, `(#b)'<'(?##)'>'*`, `$~1`, `-(|-)`), and groups may hold spaces.
static bool lex_test_pattern(TSLexer *lexer) {
    bool took_escape = false;
    for (;;) {
        int32_t c = lexer->lookahead;
        if (is_blank(c) || c == '\n') {
            pass(lexer);
        } else if (c == '\\') {
            pass(lexer);
            if (lexer->lookahead == '\r') pass(lexer);
            if (lexer->lookahead == '\n') {
                pass(lexer);
                continue;
            }
            // An escaped character starts the pattern.
            if (at_eof(lexer)) return false;
            take(lexer);
            lexer->mark_end(lexer);
            took_escape = true;
            break;
        } else {
            break;
        }
    }
    uint32_t parens = 0;
    bool took = took_escape;
    if (!took_escape) lexer->mark_end(lexer);
    for (;;) {
        if (at_eof(lexer)) break;
        int32_t c = lexer->lookahead;
        if (parens == 0) {
            if (iswspace(c) || c == ')' || c == ';') break;
            if (c == '&' || c == '|' || c == ']') {
                // `&&`, `||` and `]]` end the pattern; one such character is part of it.
                take(lexer);
                if (lexer->lookahead == c) return took && emit(lexer, TEST_PATTERN);
                took = true;
                lexer->mark_end(lexer);
                continue;
            }
        }
        switch (c) {
            case '(': parens++; take(lexer); break;
            case ')': parens--; take(lexer); break;
            case '[': skip_bracket_expression(lexer); break;
            case '\\':
                take(lexer);
                if (!at_eof(lexer)) take(lexer);
                break;
            case '\'': skip_single_quoted(lexer); break;
            case '"': skip_double_quoted(lexer); break;
            case '`': skip_backquoted(lexer); break;
            case '$': skip_dollar(lexer); break;
            default: take(lexer); break;
        }
        took = true;
        lexer->mark_end(lexer);
    }
    return took && emit(lexer, TEST_PATTERN);
}

// After the name in `${…}`: zsh's modifiers and operators (`:h:t`, `:gs/a/b`, `::=`, `:#pat`,
// `:^arr`, `##pat`, `//a/b`) as text up to the closing brace, stopping before quotes and
// expansions inside it, which the grammar reads. Bash's `:-`, `:=`, `:+`, `:?` (and without
// the colon) and substrings (`${x:1:2}`) stay with the grammar when they come first.
static bool lex_expansion_operation(TSLexer *lexer, bool first) {
    if (first) {
        int32_t c = lexer->lookahead;
        if (c == '}' || c == '[') return false;
        bool value_operator = false;
        if (c == ':') {
            take(lexer);
            int32_t next = lexer->lookahead;
            if (next == '-' || next == '+' || next == '=' || next == '?') {
                take(lexer);
                value_operator = true;
            } else if (iswdigit(next) || iswspace(next) || next == '$' || next == '(') {
                return false;
            }
        } else if (c == '-' || c == '+' || c == '=' || c == '?') {
            take(lexer);
            value_operator = true;
        }
        if (value_operator) {
            // Bash reads `${x:-word}`; zsh's words may also hold spaces, parentheses and
            // `$[…]`, and then the scanner takes the operator and the text.
            bool zsh_only = false;
            lexer->mark_end(lexer);
            for (;;) {
                if (at_eof(lexer)) return false;
                c = lexer->lookahead;
                if (c == '}' || c == '"' || c == '\'' || c == '`') break;
                if (c == '$') {
                    take(lexer);
                    zsh_only = zsh_only || lexer->lookahead == '[';
                    break;
                }
                if (iswspace(c) || strchr("()<>|;&", (int)c) != NULL) zsh_only = true;
                take(lexer);
                if (c == '\\' && !at_eof(lexer)) take(lexer);
                lexer->mark_end(lexer);
            }
            return zsh_only && emit(lexer, EXPANSION_OPERATION);
        }
    }
    uint32_t braces = 0;
    bool took = false;
    lexer->mark_end(lexer);
    for (;;) {
        if (at_eof(lexer)) return false;
        int32_t c = lexer->lookahead;
        if (c == '}' && braces == 0) break;
        if (c == '"' || c == '\'' || c == '`') break;
        if (c == '$') {
            take(lexer);
            int32_t next = lexer->lookahead;
            if (is_name_char(next) || next == '{' || next == '(' || next == '[' || next == '\'' ||
                (next != '}' && strchr("#@*?$!-+^=~", (int)next) != NULL && next != 0)) {
                break;
            }
            took = true;
            lexer->mark_end(lexer);
            continue;
        }
        if (c == '\\') {
            take(lexer);
            if (!at_eof(lexer)) take(lexer);
        } else {
            if (c == '{') braces++;
            if (c == '}') braces--;
            take(lexer);
        }
        took = true;
        lexer->mark_end(lexer);
    }
    return took && emit(lexer, EXPANSION_OPERATION);
}

// The inside of `(( … ))`, `$(( … ))`, `$[ … ]` and `for (( … ))` as text: zsh's arithmetic
// has output bases (`[##8]`), `#x`, floats, hexadecimal, math functions and commas.
static bool lex_arithmetic_text(TSLexer *lexer) {
    uint32_t parens = 0, brackets = 0;
    bool took = false;
    lexer->mark_end(lexer);
    for (;;) {
        if (at_eof(lexer)) return false;
        int32_t c = lexer->lookahead;
        if ((c == ')' && parens == 0) || (c == ']' && brackets == 0)) break;
        switch (c) {
            case '(': parens++; take(lexer); break;
            case ')': parens--; take(lexer); break;
            case '[': brackets++; take(lexer); break;
            case ']': brackets--; take(lexer); break;
            case '\\':
                take(lexer);
                if (!at_eof(lexer)) take(lexer);
                break;
            case '\'': skip_single_quoted(lexer); break;
            case '"': skip_double_quoted(lexer); break;
            case '`': skip_backquoted(lexer); break;
            case '$':
                take(lexer);
                if (lexer->lookahead == '{') skip_balanced(lexer, '{', '}');
                break;
            default: take(lexer); break;
        }
        if (!iswspace(c)) {
            took = true;
            lexer->mark_end(lexer);
        }
    }
    return took && emit(lexer, ARITHMETIC_TEXT);
}

// ---------------------------------------------------------------------------------------

static bool scan(Scanner *scanner, TSLexer *lexer, const bool *valid) {
    if (valid[ERROR_RECOVERY]) {
        // Recovery: only the tokens that keep here-document state right.
        if (valid[HEREDOC_END] && scanner->heredocs.size > 0) return lex_heredoc_end(scanner, lexer);
        return false;
    }

    // The zsh tokens are decided on their first character; once one has consumed text, no
    // other token can start here.
    if (valid[TEST_PATTERN]) return lex_test_pattern(lexer);
    if (valid[ARITHMETIC_TEXT]) return lex_arithmetic_text(lexer);
    int32_t first = lexer->lookahead;
    if (valid[INDEX] && first == '[') return lex_index(lexer);
    if (valid[EXPANSION_OPERATION] && first != '$' && first != '"' && first != '\'' &&
        first != '`') {
        // Right after the name, bash's own operator tokens are still possible.
        bool after_name = valid[IMMEDIATE_DOUBLE_HASH];
        if (first != '}') return lex_expansion_operation(lexer, after_name);
    }
    if (valid[EXPANSION_FLAGS] && first == '(') return lex_expansion_flags(lexer);
    if (valid[GLOB_QUALIFIER] && first == '(') return lex_glob_parens(lexer, false);
    if (valid[GLOB_QUALIFIER] && first == '<') {
        // `/dev/fd/<3->`, `$HOST:<->.pid`: a numeric range inside a word. Otherwise a
        // redirection, or a here-document's `<<`.
        take(lexer);
        int32_t next = lexer->lookahead;
        if (iswdigit(next) || next == '-') {
            if (!take_numeric_range_after_open(lexer)) return false;
            lexer->mark_end(lexer);
            return emit(lexer, GLOB_QUALIFIER);
        }
        if (next == '<' && valid[HEREDOC_ARROW]) return lex_heredoc_arrow_after_first(scanner, lexer);
        return false;
    }
    bool dollar_is_pattern = valid[REGEX] || valid[REGEX_NO_SLASH] || valid[REGEX_NO_SPACE] ||
                             valid[EXPANSION_WORD] || valid[EXTGLOB_PATTERN];
    if (valid[WORD_GROUP] && !valid[CONCAT] && !valid[EXTGLOB_PATTERN] && first == '(') {
        return lex_word_group(lexer);
    }
    if (valid[FLAGGED_DOLLAR] && first == '$' && !dollar_is_pattern) {
        return lex_dollar(lexer, valid, false);
    }

    if (valid[CONCAT]) {
        Attempt attempt = lex_concat(lexer, valid);
        if (attempt != DECLINED) return attempt == MADE;
    }

    // After a space, `$#x` and friends (e.g. in arithmetic) where no other token cares
    // about the space.
    bool space_matters = valid[EMPTY_VALUE] || valid[EXPANSION_WORD] || valid[HEREDOC_BODY_BEGINNING] ||
                         valid[SIMPLE_HEREDOC_BODY] || valid[HEREDOC_CONTENT] || valid[HEREDOC_END];
    if (valid[FLAGGED_DOLLAR] && !dollar_is_pattern && !space_matters &&
        (is_blank(lexer->lookahead) || (lexer->lookahead == '\\' && !valid[CONCAT]))) {
        // blanks and line continuations: `for x in \⏎ $^dirs/*(N)`
        for (;;) {
            if (is_blank(lexer->lookahead)) {
                pass(lexer);
            } else if (lexer->lookahead == '\\') {
                if (!pass_line_continuation(lexer)) return false;
            } else {
                break;
            }
        }
        if (lexer->lookahead == '$') return lex_dollar(lexer, valid, true);
        if (lexer->lookahead == '(' && valid[WORD_GROUP] && !valid[EXTGLOB_PATTERN]) {
            return lex_word_group(lexer);
        }
    }

    if (valid[IMMEDIATE_DOUBLE_HASH] && lexer->lookahead == '#') return lex_double_hash(lexer);

    if (valid[EXTERNAL_EXPANSION_SYM_HASH] && lex_lone_expansion_operator(lexer)) return true;

    if (valid[EMPTY_VALUE] && lex_empty_value(lexer)) return true;

    if (scanner->heredocs.size > 0) {
        PendingHeredoc *heredoc = array_back(&scanner->heredocs);
        if ((valid[HEREDOC_BODY_BEGINNING] || valid[SIMPLE_HEREDOC_BODY]) && !heredoc->body_started) {
            return lex_heredoc_body(scanner, lexer, HEREDOC_BODY_BEGINNING, SIMPLE_HEREDOC_BODY);
        }
        if (valid[HEREDOC_END] && heredoc->body_started) {
            // An expansion may end right before the delimiter line.
            if (lexer->get_column(lexer) == 0 && lex_heredoc_end(scanner, lexer)) return true;
        }
        if (valid[HEREDOC_CONTENT] && heredoc->body_started) {
            return lex_heredoc_body(scanner, lexer, HEREDOC_CONTENT, HEREDOC_END);
        }
        if (valid[HEREDOC_START] && heredoc->tag.size == 0) return lex_heredoc_start(scanner, lexer);
    }

    if (valid[TEST_OPERATOR] && !valid[EXPANSION_WORD]) {
        for (;;) {
            int32_t c = lexer->lookahead;
            if (is_blank(c) || (c == '\n' && !valid[NEWLINE])) {
                pass(lexer);
            } else if (c == '\\' && !valid[EXTGLOB_PATTERN] && !valid[REGEX_NO_SPACE]) {
                if (!pass_line_continuation(lexer)) return false;
            } else {
                break;
            }
        }
        if (lexer->lookahead == '-') return lex_test_operator(lexer, valid);
    }

    if ((valid[VARIABLE_NAME] || valid[FILE_DESCRIPTOR] || valid[HEREDOC_ARROW]) &&
        !valid[REGEX_NO_SLASH]) {
        return lex_name_like(scanner, lexer, valid);
    }

    if (valid[BARE_DOLLAR] && lex_bare_dollar(lexer)) return true;

    if (valid[REGEX] || valid[REGEX_NO_SLASH] || valid[REGEX_NO_SPACE]) {
        if (lex_pattern(lexer, valid)) return true;
        if (!valid[EXTGLOB_PATTERN]) return false;
    }

    if (valid[EXTGLOB_PATTERN]) return lex_extglob(lexer, valid);
    if (valid[EXPANSION_WORD]) return lex_expansion_word(lexer);
    if (valid[BRACE_START]) return lex_brace_start(lexer);
    return false;
}

// ---------------------------------------------------------------------------------------
// tree-sitter's entry points

void *tree_sitter_zsh_external_scanner_create(void) {
    Scanner *scanner = ts_calloc(1, sizeof(Scanner));
    array_init(&scanner->heredocs);
    return scanner;
}

void tree_sitter_zsh_external_scanner_destroy(void *payload) {
    Scanner *scanner = (Scanner *)payload;
    forget_heredocs(scanner);
    array_delete(&scanner->heredocs);
    ts_free(scanner);
}

bool tree_sitter_zsh_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols) {
    return scan((Scanner *)payload, lexer, valid_symbols);
}

// Layout: a count, then per here-document three flags, a 16-bit tag length and the tag.
// Here-documents that do not fit are dropped from the end (their bodies then read as text).
unsigned tree_sitter_zsh_external_scanner_serialize(void *payload, char *buffer) {
    Scanner *scanner = (Scanner *)payload;
    unsigned size = 1;
    uint8_t count = 0;
    for (uint32_t i = 0; i < scanner->heredocs.size && count < UINT8_MAX; i++) {
        PendingHeredoc *heredoc = array_get(&scanner->heredocs, i);
        if (size + HEREDOC_HEADER + heredoc->tag.size > TREE_SITTER_SERIALIZATION_BUFFER_SIZE) break;
        buffer[size++] = (char)heredoc->quoted;
        buffer[size++] = (char)heredoc->strip_tabs;
        buffer[size++] = (char)heredoc->body_started;
        uint16_t length = (uint16_t)heredoc->tag.size;
        memcpy(&buffer[size], &length, sizeof length);
        size += sizeof length;
        if (length > 0) memcpy(&buffer[size], heredoc->tag.contents, length);
        size += length;
        count++;
    }
    buffer[0] = (char)count;
    return size;
}

void tree_sitter_zsh_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
    Scanner *scanner = (Scanner *)payload;
    forget_heredocs(scanner);
    if (length == 0) return;
    unsigned size = 1;
    uint8_t count = (uint8_t)buffer[0];
    for (uint8_t i = 0; i < count && size + HEREDOC_HEADER <= length; i++) {
        PendingHeredoc heredoc = {.tag = array_new()};
        heredoc.quoted = buffer[size++];
        heredoc.strip_tabs = buffer[size++];
        heredoc.body_started = buffer[size++];
        uint16_t tag_length;
        memcpy(&tag_length, &buffer[size], sizeof tag_length);
        size += sizeof tag_length;
        if (size + tag_length > length) break;
        array_reserve(&heredoc.tag, tag_length);
        if (tag_length > 0) memcpy(heredoc.tag.contents, &buffer[size], tag_length);
        heredoc.tag.size = tag_length;
        size += tag_length;
        array_push(&scanner->heredocs, heredoc);
    }
}

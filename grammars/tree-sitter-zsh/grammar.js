/**
 * @file zsh grammar for condago, built on tree-sitter-bash
 * @license MIT
 *
 * Where zsh's syntax is bash's, the trees are bash's (same node kinds and fields), so the
 * code that reads them is shared. What zsh adds is written here: glob qualifiers,
 * parameter flags and subscripts, the short forms of loops and conditionals, `always`
 * blocks, anonymous functions, `foreach`, `repeat`, and the extra operators.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const bash = require('tree-sitter-bash/grammar');

// tree-sitter-bash's precedence of `=` in tests.
const PREC_ASSIGN = 1;
// tree-sitter-bash's precedence of test operators.
const PREC_TEST = 10;
// tree-sitter-bash's precedence of `==` and `!=`.
const PREC_EQUALITY = 8;

module.exports = grammar(bash, {
  name: 'zsh',

  externals: ($, previous) => previous.concat([
    $.glob_qualifier,
    $.index,
    $.expansion_flags,
    $._flagged_dollar,
    $._test_pattern,
    $._completion_condition,
    $._expansion_operation,
    $._arithmetic_text,
    $._word_group,
  ]),

  inline: ($, previous) => previous.concat([
    $._condition_item,
    $._zsh_condition,
  ]),

  conflicts: ($, previous) => previous.concat([
    [$._zsh_short_body, $.command],
    [$._condition_list, $.list],
  ]),

  rules: {
    _statement_not_subshell: ($, previous) => choice(
      previous,
      $.repeat_statement,
      $.anonymous_function,
      $.always_statement,
    ),

    _statement_not_pipeline: ($, previous) => choice(
      previous,
      $.repeat_statement,
      $.anonymous_function,
      $.always_statement,
    ),

    // `;|` goes on to test the next pattern; `&|` and `&!` run in the background, disowned.
    _terminator: _ => choice(';', ';;', /\n/, '&', '&|', '&!'),

    case_item: $ => seq(
      optional('('),
      field('value', choice($._literal, $._extglob_blob)),
      repeat(seq('|', field('value', choice($._literal, $._extglob_blob)))),
      ')',
      optional($._statements),
      prec(1, choice(
        field('termination', ';;'),
        field('fallthrough', choice(';&', ';;&', ';|')),
      )),
    ),

    last_case_item: $ => seq(
      optional('('),
      field('value', choice($._literal, $._extglob_blob)),
      repeat(seq('|', field('value', choice($._literal, $._extglob_blob)))),
      ')',
      optional($._statements),
      optional(prec(1, choice(';;', ';&', ';|'))),
    ),

    // `for x in a b; do …; done`, `for x (a b) cmd`, `for x in a b; { … }`,
    // `for k v in …`, `foreach x (a b) … end`, and `select`.
    for_statement: $ => choice(
      seq(
        choice('for', 'select'),
        repeat1(field('variable', $._simple_variable_name)),
        choice(
          seq(
            optional(seq('in', field('value', repeat1($._literal)))),
            $._terminator,
            field('body', choice($.do_group, $.compound_statement)),
          ),
          seq(
            '(',
            field('value', repeat($._literal)),
            ')',
            optional($._terminator),
            field('body', choice($.do_group, $.compound_statement, $._zsh_short_body)),
          ),
        ),
      ),
      seq(
        'foreach',
        repeat1(field('variable', $._simple_variable_name)),
        choice(
          seq('(', field('value', repeat($._literal)), ')'),
          seq('in', field('value', repeat1($._literal))),
        ),
        choice(
          seq($._terminator, field('body', alias($._foreach_body, $.do_group))),
          // zsh reads `foreach` as `for`: `foreach c (…); do …; done`
          seq(optional($._terminator), field('body', $.do_group)),
        ),
      ),
    ),

    _foreach_body: $ => seq(optional($._terminated_statement), 'end'),

    c_style_for_statement: ($, previous) => choice(
      previous,
      seq(
        'for',
        '((',
        alias($._arithmetic_text, $.arithmetic_text),
        '))',
        optional(';'),
        field('body', choice($.do_group, $.compound_statement, $._zsh_short_body)),
      ),
      seq(
        'for',
        '((',
        $._for_body,
        '))',
        optional(';'),
        field('body', $._zsh_short_body),
      ),
    ),

    // The body of a short loop: one simple command, pipeline or list.
    _zsh_short_body: $ => prec.right(choice(
      $.command,
      $.variable_assignment,
      $.declaration_command,
      $.test_command,
      alias($._short_redirected, $.redirected_statement),
      alias($._short_list, $.list),
      alias($._short_pipeline, $.pipeline),
    )),

    _short_redirected: $ => prec.right(seq(
      field('body', $.command),
      field('redirect', repeat1(choice($.file_redirect, $.heredoc_redirect))),
    )),

    _short_list: $ => prec.left(-1, seq(
      choice($.command, $.test_command, $.declaration_command, $.variable_assignment),
      choice('&&', '||'),
      choice($.command, $.test_command, $.declaration_command, $.variable_assignment),
    )),

    _short_pipeline: $ => prec.right(seq(
      $.command,
      repeat1(seq(choice('|', '|&'), $.command)),
    )),

    while_statement: ($, previous) => choice(
      previous,
      seq(
        choice('while', 'until'),
        field('condition', $._zsh_condition),
        field('body', $.compound_statement),
      ),
    ),

    // `if … then … fi`, `if [[ … ]] { … } elif … { … } else { … }`, `if [[ … ]] cmd`.
    if_statement: ($, previous) => choice(
      previous,
      // `if …; then; …`: zsh allows an empty command after `then`
      seq(
        'if',
        field('condition', $._terminated_statement),
        'then',
        ';',
        optional($._terminated_statement),
        repeat($.elif_clause),
        optional($.else_clause),
        'fi',
      ),
      // `if [[ … ]] then`, `elif (( x )) then`, `if { … } then`: no `;` needed before `then`
      seq(
        'if',
        field('condition', $._zsh_condition),
        'then',
        optional($._terminated_statement),
        repeat($.elif_clause),
        optional($.else_clause),
        'fi',
      ),
      prec.right(seq(
        'if',
        field('condition', $._zsh_condition),
        field('body', $.compound_statement),
        repeat(alias($._brace_elif, $.elif_clause)),
        optional(alias($._brace_else, $.else_clause)),
      )),
      prec.right(seq(
        'if',
        field('condition', $._zsh_condition),
        field('body', $._zsh_short_body),
      )),
    ),

    // The condition of a short `if`/`while`: tests and arithmetic, maybe chained with `&&`
    // and `||`, and no terminator before the body.
    _zsh_condition: $ => choice(
      $._condition_item,
      alias($._condition_list, $.list),
    ),

    _condition_item: $ => choice(
      $.test_command,
      $.compound_statement,
      $.subshell,
      $.negated_command,
    ),

    _condition_list: $ => prec.left(-1, seq(
      choice($._condition_item, alias($._condition_list, $.list)),
      choice('&&', '||'),
      $._condition_item,
    )),

    elif_clause: ($, previous) => choice(
      previous,
      seq('elif', $._zsh_condition, 'then', optional($._terminated_statement)),
    ),

    _brace_elif: $ => seq(
      'elif',
      field('condition', $._zsh_condition),
      field('body', $.compound_statement),
    ),
    _brace_else: $ => seq('else', field('body', $.compound_statement)),

    // `repeat 3 cmd`, `repeat $n do … done`, `repeat 2 { … }`.
    repeat_statement: $ => seq(
      'repeat',
      field('count', choice(
        $.number, $.word, $.simple_expansion, $.expansion, $.arithmetic_expansion,
        $.command_substitution, $.string, $.raw_string,
      )),
      optional($._terminator),
      field('body', choice($.do_group, $.compound_statement, $._zsh_short_body)),
    ),

    // `{ try } always { finally }`.
    always_statement: $ => seq(
      field('body', $.compound_statement),
      'always',
      field('always', $.compound_statement),
    ),

    // `() { … } args` and `function { … } args`: defined and run at once.
    anonymous_function: $ => prec.right(seq(
      choice(seq('(', ')'), seq('function', optional(seq('(', ')')))),
      field('body', $.compound_statement),
      repeat(field('argument', $._literal)),
    )),

    // `function a b { … }` defines both names; `f() cmd` has a simple command as its body.
    function_definition: $ => prec.right(seq(
      choice(
        seq(
          'function',
          field('name', $._function_name),
          repeat(field('name', $._function_name)),
          optional(seq('(', ')')),
        ),
        seq(
          field('name', choice($.word, $.concatenation)),
          '(', ')',
        ),
      ),
      field(
        'body',
        choice(
          $.compound_statement,
          $.subshell,
          $.test_command,
          $.if_statement,
          $.for_statement,
          $.while_statement,
          $.case_statement,
        ),
      ),
      field('redirect', optional($._redirect)),
    )),

    // `function $w-by-keymap { … }`, `function azhw:${^hooks} { … }`: names built at run time.
    _function_name: $ => choice($.word, $.concatenation, $.simple_expansion, $.expansion),

    file_redirect: $ => prec.left(seq(
      field('descriptor', optional($.file_descriptor)),
      choice(
        seq(
          choice('<', '>', '>>', '&>', '&>>', '<&', '>&', '>|', '>!', '>>|', '>>!', '&>|', '&>!',
            '<>'),
          field('destination', repeat1($._literal)),
        ),
        seq(
          choice('<&-', '>&-'),
          optional(field('destination', $._literal)),
        ),
      ),
    )),

    // `=(cmd)`: a temporary file holding the command's output.
    process_substitution: $ => seq(
      choice('<(', '>(', '=('),
      optional($._statements),
      ')',
    ),

    // zsh closes a brace group at a `}` word even with no `;` before it: `f() { cmd }`,
    // `{ a || b } && c`. A lone `}` is never an argument (`a}` and `{}` still are words).
    compound_statement: ($, previous) => choice(
      previous,
      seq('((', alias($._arithmetic_text, $.arithmetic_text), '))'),
      seq('{', optional($._terminated_statement), $._statement, token(prec(-1, '}'))),
    ),

    // `! { a; b }` and `! (( x ))` negate a group too.
    negated_command: $ => seq(
      '!',
      choice(
        prec(2, $.command),
        prec(1, $.variable_assignment),
        $.test_command,
        $.subshell,
        $.compound_statement,
      ),
    ),

    _literal: $ => choice(
      $.concatenation,
      $._primary_expression,
      alias(prec(-2, $._special_character_open), $.word),
    ),

    _special_character_open: _ => token(prec(-1, choice('{', '[', ']'))),

    // `*(N)` and `*.(c|h)`: glob qualifiers and groups join the word before them.
    concatenation: $ => prec(-1, seq(
      choice(
        $._primary_expression,
        alias($._special_character_open, $.word),
        // a group at the start of a word: `(../)#main.aap(N)`, `(#a2)"$file"(N)`
        alias($._word_group, $.glob_qualifier),
      ),
      repeat1(choice(
        $.glob_qualifier,
        seq(
          choice($._concat, alias(/`\s*`/, '``')),
          choice(
            $._primary_expression,
            alias($._special_character, $.word),
            alias($._comment_word, $.word),
            alias($._bare_dollar, '$'),
          ),
        ),
      )),
      optional(seq($._concat, '$')),
    )),

    // `$path[1]`, `$+commands[go]`, `$#array`, `$^list`, `$=words`, `$~pattern`.
    simple_expansion: ($, previous) => choice(
      prec.right(seq(
        previous,
        optional($.index),
      )),
      prec.right(seq(
        alias($._flagged_dollar, '$'),
        choice($._simple_variable_name, $.variable_name, $._special_variable_name),
        optional($.index),
      )),
    ),

    // `${(s.:.)PATH}`, `${${(f)"$(cmd)"}[1]}`, `${path:#*/conda/*}`, `${+commands[go]}`.
    expansion: $ => seq(
      '${',
      optional($.expansion_flags),
      optional($._expansion_body),
      '}',
    ),

    // `name[…]` everywhere, with zsh's subscript flags: `${words[(r)-d]}`, `argv[(i)--]=()`.
    subscript: $ => seq(
      field('name', $.variable_name),
      field('index', $.index),
    ),

    // `[[ -prefix - ]]` (completion conditions take a pattern).
    unary_expression: ($, previous) => choice(
      previous,
      // `[[ -prefix 1 (f|ht)tp:// ]]`, `[[ -after -- ]]`: completion conditions.
      prec.right(PREC_TEST, seq(
        field('operator', alias($._completion_condition, $.test_operator)),
        repeat1(alias($._test_pattern, $.extglob_pattern)),
      )),
      prec.right(PREC_TEST, seq(
        field('operator', $.test_operator),
        $._extglob_blob,
      )),
    ),

    // `[[ $x = (a|b)* ]]`, `[[ $n = <-> ]]`: `=` compares with a pattern as `==` does.
    binary_expression: ($, previous) => choice(
      previous,
      prec.left(PREC_ASSIGN, seq(
        field('left', $._expression),
        field('operator', '='),
        field('right', $._extglob_blob),
      )),
      // The scanner reads a whole pattern operand, quotes and expansions included:
      // `*" -s "<->`, `(#b)'<'(?##)'>'*`, `$~1`, `-(|-)`, `--`.
      prec.left(PREC_ASSIGN, seq(
        field('left', $._expression),
        field('operator', '='),
        field('right', alias($._test_pattern, $.extglob_pattern)),
      )),
      prec.left(PREC_EQUALITY, seq(
        field('left', $._expression),
        field('operator', choice('==', '!=')),
        field('right', alias($._test_pattern, $.extglob_pattern)),
      )),
    ),

    _expansion_body: ($, previous) => choice(
      previous,
      // `${$(cmd)[1]}`, `${$(cmd):-default}`, `${=$(cmd)//,/ }`
      seq(
        optional(field('operator', choice(
          token.immediate('='), token.immediate('~'), token.immediate('^'), token.immediate('#'),
        ))),
        $.command_substitution,
        choice(seq($.index, optional($._zsh_operator_or_tail)), $._zsh_operator_or_tail),
      ),
      // no name: `${:-word}`, `${(%):-%N}`, and its length `${#:-$PREFIX}`
      seq(
        optional(field('operator', choice(
          token.immediate('#'), token.immediate('~'), token.immediate('='), token.immediate('^'),
        ))),
        field('operator', choice(
          token.immediate(':-'), token.immediate(':+'), token.immediate(':='),
          token.immediate(':?'),
        )),
        optional(choice(
          alias($._concatenation_in_expansion, $.concatenation),
          $.command_substitution,
          $.word,
          $.expansion,
          $.simple_expansion,
          $.string,
          $.raw_string,
          alias($._expansion_word, $.word),
          // `${~:-<$min-$max>}`
          $._expansion_tail,
        )),
      ),
      // a nested expansion or string, with a subscript and an operator
      seq(
        optional(field('operator', choice(
          token.immediate('#'), token.immediate('+'), token.immediate('^'), token.immediate('~'),
          token.immediate('='), token.immediate('^^'), token.immediate('~~'), token.immediate('=='),
        ))),
        choice($.expansion, $.string, $.arithmetic_expansion),
        repeat($.index),
        optional($._zsh_operator_or_tail),
      ),
      // a name after a zsh flag: `${+x}`, `${^x}`, `${~x}`
      seq(
        field('operator', choice(
          token.immediate('+'), token.immediate('^'), token.immediate('~'),
          token.immediate('^^'), token.immediate('~~'), token.immediate('=='),
          token.immediate('^~'), token.immediate('~^'), token.immediate('=~'),
          token.immediate('~='), token.immediate('^='), token.immediate('=^'),
        )),
        choice($.variable_name, $._simple_variable_name, $._special_variable_name, $.subscript),
        optional($._zsh_expansion_operator),
      ),
      // `${=PAGER:-less}`: bash reads `${=x}` alone, zsh also with an operator
      seq(
        field('operator', token.immediate('=')),
        choice($.variable_name, $._simple_variable_name, $._special_variable_name, $.subscript),
        $._zsh_expansion_operator,
      ),
      // zsh's modifiers and pattern operators, read by the scanner: `${0:A:h}`,
      // `${x:gs/-/_}`, `${(M)#words:#--*}`, `${n##-(n|-max(=|))}`, `${(P)2::=$v}`
      seq(
        optional(field('operator', choice(
          token.immediate('#'), token.immediate('+'), token.immediate('^'), token.immediate('~'),
          token.immediate('='), token.immediate('^^'), token.immediate('~~'),
          token.immediate('=='), token.immediate('!'),
          // two flags at once: `${^~fpath}`, `${=~x}`
          token.immediate('^~'), token.immediate('~^'), token.immediate('=~'),
          token.immediate('~='), token.immediate('^='), token.immediate('=^'),
        ))),
        choice(
          seq(
            choice($.variable_name, $._simple_variable_name, $._special_variable_name, $.subscript),
            $._expansion_tail,
          ),
          // `${@[-1]}`, `${(@)@[1,-2]}`, `${*[(I)--x]}`
          seq($._special_variable_name, repeat1($.index), optional($._zsh_operator_or_tail)),
          // more subscripts: `${funcstack[2,-1][(I)x]}`, `${~words[i][8,-1]}`
          seq($.subscript, repeat1($.index), optional($._zsh_operator_or_tail)),
        ),
      ),
      // a name with an operator only zsh has
      seq(
        choice($.variable_name, $._simple_variable_name, $._special_variable_name),
        $._zsh_array_operator,
      ),
    ),

    // What follows the name in `${…}` when it is zsh's: text the scanner reads, and the
    // quotes and expansions inside it.
    _expansion_tail: $ => prec.right(seq(
      alias($._expansion_operation, $.expansion_operation),
      repeat(choice(
        alias($._expansion_operation, $.expansion_operation),
        $.simple_expansion,
        $.expansion,
        $.command_substitution,
        $.arithmetic_expansion,
        $.string,
        $.raw_string,
        $.ansi_c_string,
      )),
    )),

    // zsh arithmetic that bash's expression grammar does not read (`[##8]`, `#x`, `0x7f`,
    // `0.8`, `int(x)`, commas) is kept as text: `(( … ))`, `$(( … ))`, `$[ … ]`, `for (( … ))`.
    arithmetic_expansion: ($, previous) => choice(
      previous,
      seq('$((', alias($._arithmetic_text, $.arithmetic_text), '))'),
      seq('$[', alias($._arithmetic_text, $.arithmetic_text), ']'),
    ),

    _zsh_operator_or_tail: $ => choice($._zsh_expansion_operator, $._expansion_tail),

    _zsh_expansion_operator: $ => choice(
      $._zsh_array_operator,
      $._expansion_expression,
      $._expansion_regex,
      $._expansion_regex_replacement,
      $._expansion_max_length,
    ),

    // `:#pattern` removes matching elements, `:|array` and `:*array` compare arrays.
    _zsh_array_operator: $ => seq(
      field('operator', choice(':#', ':|', ':*')),
      optional(choice($.regex, $.string, $.raw_string)),
    ),
  },
});

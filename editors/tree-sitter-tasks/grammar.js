/**
 * Tree-sitter grammar for `.tasks` scripts, for editors' highlighting,
 * folding and selection. It follows `grammar/tasks.pest` (the language's
 * own grammar, which the interpreter uses): newlines are whitespace, `;` is
 * an optional terminator, comments are `#` to the end of the line or a
 * block from slash-star to star-slash, and `//` is floor division.
 *
 * Generate `src/parser.c` with `tree-sitter generate` (see docs/EDITORS.md).
 */

const PREC = {
  or: 1,
  and: 2,
  not: 3,
  compare: 4,
  add: 5,
  mul: 6,
  unary: 7,
  pow: 8,
  prefix: 9,
  postfix: 10,
};

const commaSep = (rule) => optional(seq(rule, repeat(seq(',', rule)), optional(',')));

module.exports = grammar({
  name: 'tasks',

  extras: ($) => [/\s/, '\uFEFF', $.comment],

  word: ($) => $.identifier,

  // Where the language's own grammar decides by trying one reading first
  // (pest's ordered choice), tree-sitter keeps both readings and the
  // dynamic precedences below pick the one pest picks: a statement that
  // starts with `if` or `{` is an if statement or a block, not a value.
  conflicts: ($) => [
    [$.block, $.map],
    [$.expression_statement, $.if_expression],
    [$._expression, $.index],
  ],

  rules: {
    source_file: ($) => repeat($._statement),

    _statement: ($) =>
      choice(
        ';',
        $.import_statement,
        $.struct_declaration,
        $.let_statement,
        $.function_declaration,
        $.if_statement,
        $.while_statement,
        $.for_statement,
        $.try_statement,
        $.return_statement,
        $.break_statement,
        $.continue_statement,
        $.throw_statement,
        $.group_statement,
        $.with_statement,
        prec.dynamic(1, $.block),
        $.expression_statement,
        $.assignment,
      ),

    block: ($) => seq('{', repeat($._statement), '}'),

    import_statement: ($) => seq('import', field('path', $.string), 'as', field('name', $.identifier)),

    struct_declaration: ($) =>
      seq(
        'struct',
        field('name', $.identifier),
        '{',
        commaSep($.parameter),
        repeat(choice($.function_declaration, ';')),
        '}',
      ),

    let_statement: ($) =>
      seq('let', field('target', $._pattern), optional(seq('=', field('value', $._expression)))),

    _pattern: ($) => choice($.identifier, $.list_pattern),
    list_pattern: ($) =>
      seq('[', $._pattern_item, repeat(seq(',', $._pattern_item)), optional(','), ']'),
    _pattern_item: ($) => choice($._pattern, $.star_pattern),
    star_pattern: ($) => seq('*', $.identifier),

    function_declaration: ($) =>
      seq(
        optional(field('async', 'async')),
        'fn',
        field('name', $.identifier),
        field('parameters', $.parameters),
        field('body', $.block),
      ),
    parameters: ($) => seq('(', commaSep($.parameter), ')'),
    parameter: ($) => seq(field('name', $.identifier), optional(seq('=', field('default', $._expression)))),

    if_statement: ($) =>
      prec.dynamic(1, prec.right(
        seq(
          'if',
          field('condition', $._expression),
          field('consequence', $.block),
          repeat($.else_if_clause),
          optional($.else_clause),
        ),
      )),
    else_if_clause: ($) => seq('else', 'if', field('condition', $._expression), field('consequence', $.block)),
    else_clause: ($) => seq('else', $.block),

    while_statement: ($) => seq('while', field('condition', $._expression), field('body', $.block)),

    for_statement: ($) =>
      seq(
        'for',
        optional(field('await', 'await')),
        field('target', $._for_target),
        'in',
        field('iterable', $._expression),
        field('body', $.block),
      ),
    _for_target: ($) => choice($.list_pattern, seq($.identifier, optional(seq(',', $.identifier)))),

    try_statement: ($) => seq('try', field('body', $.block), repeat($.catch_clause), optional($.finally_clause)),
    catch_clause: ($) =>
      seq('catch', optional(field('name', $.identifier)), optional($.catch_kinds), field('body', $.block)),
    catch_kinds: ($) => seq(':', $.identifier, repeat(seq('|', $.identifier))),
    finally_clause: ($) => seq('finally', $.block),

    return_statement: ($) => prec.right(seq('return', optional($._expression))),
    break_statement: (_) => 'break',
    continue_statement: (_) => 'continue',
    throw_statement: ($) => seq('throw', $._expression),
    group_statement: ($) => seq('group', optional(seq('as', field('name', $.identifier))), $.block),
    with_statement: ($) => seq('with', field('value', $._expression), field('body', $.block)),

    expression_statement: ($) => $._expression,
    assignment: ($) =>
      seq(
        field('left', $._assign_target),
        field('operator', choice('=', '+=', '-=', '*=', '/=', '//=', '%=')),
        field('right', $._expression),
      ),
    _assign_target: ($) => choice($.identifier, $.index, $.field_access, $.list),

    // ------------------------------------------------------------ expressions

    _expression: ($) =>
      choice(
        $.boolean_operator,
        $.not_operator,
        $.comparison,
        $.binary_operator,
        $.unary_operator,
        $.await_expression,
        $.spawn_expression,
        $._primary,
      ),

    boolean_operator: ($) =>
      choice(
        prec.left(PREC.or, seq(field('left', $._expression), 'or', field('right', $._expression))),
        prec.left(PREC.and, seq(field('left', $._expression), 'and', field('right', $._expression))),
      ),
    not_operator: ($) => prec(PREC.not, seq('not', $._expression)),
    comparison: ($) =>
      prec.left(
        PREC.compare,
        seq(
          field('left', $._expression),
          field('operator', choice('==', '!=', '<=', '>=', '<', '>', 'in', seq('not', 'in'))),
          field('right', $._expression),
        ),
      ),
    binary_operator: ($) =>
      choice(
        prec.left(PREC.add, seq(field('left', $._expression), field('operator', choice('+', '-')), field('right', $._expression))),
        prec.left(
          PREC.mul,
          seq(field('left', $._expression), field('operator', choice('*', '/', '//', '%')), field('right', $._expression)),
        ),
        prec.right(PREC.pow, seq(field('left', $._expression), field('operator', '**'), field('right', $._expression))),
      ),
    unary_operator: ($) => prec(PREC.unary, seq('-', $._expression)),
    await_expression: ($) => prec(PREC.prefix, seq('await', $._expression)),
    spawn_expression: ($) => prec(PREC.prefix, seq('spawn', $._expression)),

    _primary: ($) =>
      choice(
        $.identifier,
        $.float,
        $.integer,
        $.fstring,
        $.command_string,
        $.bytes,
        $.string,
        $.true,
        $.false,
        $.nil,
        $.list,
        $.list_comprehension,
        $.map,
        $.map_comprehension,
        $.function_expression,
        $.async_block,
        $.parenthesized_expression,
        $.if_expression,
        $.call,
        $.index,
        $.field_access,
      ),

    call: ($) => prec(PREC.postfix, seq(field('function', $._primary), field('arguments', $.arguments))),
    arguments: ($) => seq('(', commaSep(choice($._expression, $.named_argument)), ')'),
    named_argument: ($) => seq(field('name', $.identifier), ':', field('value', $._expression)),
    // `xs[i]`. A `[` after a value on the next line may also start the next
    // statement (`let b = [0, 0]` then `[a, b] = [b, a]`): pest tries the
    // index and, when what follows is no index, ends the statement there;
    // here both readings are kept until one fails.
    index: ($) =>
      prec.dynamic(1, seq(field('value', $._primary), '[', choice($._expression, $.slice), ']')),
    slice: ($) =>
      seq(
        optional(field('start', $._expression)),
        ':',
        optional(field('stop', $._expression)),
        optional(seq(':', optional(field('step', $._expression)))),
      ),
    // `g.spawn(...)`: a keyword is a method name after a dot.
    field_access: ($) =>
      prec(
        PREC.postfix,
        seq(field('value', $._primary), '.', field('field', choice($.identifier, alias('spawn', $.identifier)))),
      ),

    parenthesized_expression: ($) => seq('(', $._expression, ')'),
    if_expression: ($) =>
      prec.right(
        seq(
          'if',
          field('condition', $._expression),
          '{',
          field('consequence', $._expression),
          '}',
          'else',
          choice($.if_expression, seq('{', field('alternative', $._expression), '}')),
        ),
      ),

    list: ($) => seq('[', commaSep(choice($._expression, $.star_item)), ']'),
    star_item: ($) => seq('*', $._expression),
    list_comprehension: ($) => seq('[', $._expression, $._comprehension_clauses, ']'),
    map: ($) => seq('{', commaSep($.pair), '}'),
    map_comprehension: ($) => seq('{', $.pair, $._comprehension_clauses, '}'),
    pair: ($) => seq(field('key', $._expression), ':', field('value', $._expression)),
    _comprehension_clauses: ($) => seq($.for_in_clause, repeat(choice($.for_in_clause, $.if_clause))),
    for_in_clause: ($) => seq('for', $._for_target, 'in', $._expression),
    if_clause: ($) => seq('if', $._expression),

    function_expression: ($) =>
      seq(optional(field('async', 'async')), 'fn', field('parameters', $.parameters), field('body', $.block)),
    async_block: ($) => seq('async', $.block),

    // ----------------------------------------------------------------- tokens

    identifier: (_) => /[A-Za-z_][A-Za-z0-9_]*/,
    integer: (_) => token(choice(/0x[0-9A-Fa-f](_?[0-9A-Fa-f])*/, /[0-9](_?[0-9])*/)),
    float: (_) =>
      token(
        choice(
          /[0-9](_?[0-9])*\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?/,
          /[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*/,
        ),
      ),
    true: (_) => 'true',
    false: (_) => 'false',
    nil: (_) => 'nil',

    string: ($) => seq('"', repeat(choice($.string_content, $.escape_sequence)), '"'),
    string_content: (_) => token.immediate(prec(2, /[^"\\]+/)),
    escape_sequence: (_) => token.immediate(/\\(u\{[0-9A-Fa-f]{1,6}\}|x[0-9A-Fa-f]{2}|.|\n)/),

    // `b"..."`: ASCII text and escapes (`\xNN`), as a string's.
    bytes: ($) => seq('b"', repeat(choice($.string_content, $.escape_sequence)), token.immediate('"')),

    fstring: ($) =>
      seq(
        'f"',
        repeat(choice($.fstring_content, $.escape_sequence, $.double_brace, $.interpolation)),
        token.immediate('"'),
      ),
    // `sh"grep {pattern} {file}"`: a command for `sh`, its values quoted;
    // its parts are an f-string's.
    command_string: ($) =>
      seq(
        'sh"',
        repeat(choice($.fstring_content, $.escape_sequence, $.double_brace, $.interpolation)),
        token.immediate('"'),
      ),
    fstring_content: (_) => token.immediate(prec(2, /[^"\\{}]+/)),
    double_brace: (_) => token.immediate(choice('{{', '}}')),
    interpolation: ($) =>
      seq(
        token.immediate('{'),
        $._expression,
        optional($.conversion),
        optional($.format_spec),
        '}',
      ),
    conversion: (_) => /![A-Za-z]*/,
    format_spec: (_) => seq(':', optional(token.immediate(prec(2, /[^}"]+/)))),

    comment: (_) => token(choice(seq('#', /[^\n]*/), seq('/*', /[^*]*\*+([^/*][^*]*\*+)*/, '/'))),
  },
});

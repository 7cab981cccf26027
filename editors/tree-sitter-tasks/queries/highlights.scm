; Highlighting for .tasks scripts. Where several patterns match one node the
; last one here wins (tree-sitter's highlighter): plain identifiers come first,
; then what their place makes them, then the builtins' names, then literals.

(identifier) @variable

(field_access field: (identifier) @property)
(parameter name: (identifier) @variable.parameter)
(named_argument name: (identifier) @variable.parameter)
(call function: (identifier) @function.call)
(call function: (field_access field: (identifier) @function.method.call))
(function_declaration name: (identifier) @function)
(struct_declaration name: (identifier) @type)
(catch_kinds (identifier) @type)
(import_statement name: (identifier) @module)

((identifier) @function.builtin
  (#any-of? @function.builtin
    "abs" "all" "all_tasks" "any" "args" "as_completed" "assert" "barrier" "bool"
    "call_at" "call_later" "call_soon" "chr" "condition" "contains" "current_task" "divmod" "is_main"
    "enumerate" "eprint" "error" "event" "exit" "filter" "float" "future" "gather" "int"
    "items" "keys" "len" "lock" "map" "map_concurrent" "max" "min" "now" "ord" "print" "queue" "race"
    "range" "repr" "retry" "reversed" "round" "semaphore" "shield" "sleep" "sorted" "str" "sum"
    "timeout" "timeout_at" "type" "values" "wait" "wait_for" "zip"))

((identifier) @module.builtin
  (#any-of? @module.builtin "fs" "env" "process" "http" "net" "json" "math" "random" "time" "re" "stdin"))

(comment) @comment

(string) @string
(fstring) @string
(command_string) @string
(bytes) @string
(string_content) @string
(fstring_content) @string
(escape_sequence) @string.escape
(double_brace) @string.escape
(format_spec) @string.special
(conversion) @string.special
(interpolation
  "{" @punctuation.special
  "}" @punctuation.special)

(integer) @number
(float) @number.float
(true) @boolean
(false) @boolean
(nil) @constant.builtin

[
  "let" "fn" "async" "await" "spawn" "return" "if" "else" "while" "for" "in"
  "try" "catch" "finally" "throw" "and" "or" "not"
  "import" "as" "struct" "group" "with"
] @keyword

(break_statement) @keyword
(continue_statement) @keyword

[
  "=" "+=" "-=" "*=" "/=" "//=" "%="
  "==" "!=" "<" "<=" ">" ">="
  "+" "-" "*" "/" "//" "%" "**"
] @operator

["(" ")" "[" "]" "{" "}"] @punctuation.bracket
["," "." ":" ";" "|"] @punctuation.delimiter

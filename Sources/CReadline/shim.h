#ifndef STREAMSQL_CREADLINE_SHIM_H
#define STREAMSQL_CREADLINE_SHIM_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/readline.h>
#include <readline/history.h>

/* Readline's settings are C globals; these setters keep Swift from touching them directly. */
static inline void streamsql_rl_setup(const char *name, rl_compentry_func_t *generator);

static rl_compentry_func_t *streamsql_generator = 0;

/* The line being edited and the cursor in it, for context-aware completion. */
static inline const char *streamsql_rl_line(void) { return rl_line_buffer ? rl_line_buffer : ""; }
static inline int streamsql_rl_point(void) { return rl_point; }

static inline char **streamsql_attempt_completion(const char *text, int start, int end) {
    (void)end;
    rl_attempted_completion_over = 1;   /* no file-name completion after ours */
    /* Inside a quoted string ('path.csv' in CREATE TABLE … FROM FILE): complete file names. */
    int quotes = 0;
    for (int i = 0; i < start && rl_line_buffer[i]; i++) if (rl_line_buffer[i] == '\'') quotes++;
    /* The file argument of .read, .replay and .output. */
    int fileCommand = (strncmp(rl_line_buffer, ".read ", 6) == 0 || strncmp(rl_line_buffer, ".replay ", 8) == 0
                       || strncmp(rl_line_buffer, ".output ", 8) == 0) && start > 0 && strchr(rl_line_buffer, ' ') - rl_line_buffer + 1 == start;
    if (quotes % 2 == 1 || fileCommand) {
        rl_completion_append_character = '\0';
        return rl_completion_matches(text, rl_filename_completion_function);
    }
    rl_completion_append_character = ' ';
    char **matches = rl_completion_matches(text, streamsql_generator);
    /* A pane option (`value=`) is followed by its value, not a space. */
    if (matches && matches[0] && !matches[1]) {
        size_t n = strlen(matches[0]);
        if (n > 0 && matches[0][n - 1] == '=') rl_completion_append_character = '\0';
    }
    return matches;
}

static inline void streamsql_rl_setup(const char *name, rl_compentry_func_t *generator) {
    rl_readline_name = name;
    streamsql_generator = generator;
    rl_attempted_completion_function = streamsql_attempt_completion;
    /* readline's default word breaks, and the SQL punctuation a name can follow (`a,b`, `f(x)+y`); not '-' or
       '/', which file names inside quotes hold. */
    rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{(),+*%";
}
#endif

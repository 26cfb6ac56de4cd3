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
/* Syntax highlighting: readline's redisplay hook draws the prompt and the line as `streamsql_highlighter`
   colours it (a malloc'd string), the cursor put back by the columns after it. A line wider than the
   terminal is left to readline's own redisplay (which knows how to wrap) until the line is empty again. */
typedef char *(*streamsql_highlight_func_t)(const char *line);
static streamsql_highlight_func_t streamsql_highlighter = 0;
static int streamsql_rl_wide = 0;
/* Whether the hook drew the line last: readline then thinks nothing is on the screen and does not end the
   line when it is accepted, so the caller does (streamsql_rl_take_drawn). */
static int streamsql_rl_drawn = 0;
static inline int streamsql_rl_take_drawn(void) { int d = streamsql_rl_drawn; streamsql_rl_drawn = 0; return d; }

static inline int streamsql_columns(const char *s, int upto) {
    int n = 0, hidden = 0;
    for (int i = 0; s[i] && (upto < 0 || i < upto); i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 1) hidden = 1; else if (c == 2) hidden = 0;
        else if (!hidden && (c & 0xC0) != 0x80) n++;
    }
    return n;
}

static inline void streamsql_redisplay(void) {
    const char *prompt = rl_display_prompt ? rl_display_prompt : "";
    int rows = 0, cols = 0;
    rl_get_screen_size(&rows, &cols);
    int width = streamsql_columns(prompt, -1) + streamsql_columns(rl_line_buffer, -1);
    if (streamsql_rl_wide || cols <= 0 || width >= cols) {
        if (!streamsql_rl_wide) { fputs("\r\033[K", rl_outstream); rl_on_new_line(); }
        streamsql_rl_wide = rl_end > 0;
        streamsql_rl_drawn = 0;
        rl_redisplay();
        return;
    }
    char *coloured = streamsql_highlighter(rl_line_buffer);
    fprintf(rl_outstream, "\r%s%s\033[K", prompt, coloured ? coloured : rl_line_buffer);
    free(coloured);
    int back = streamsql_columns(rl_line_buffer, -1) - streamsql_columns(rl_line_buffer, rl_point);
    if (back > 0) fprintf(rl_outstream, "\033[%dD", back);
    fflush(rl_outstream);
    rl_on_new_line();   /* readline's own picture of the screen stays empty, so a later rl_redisplay draws it all */
    streamsql_rl_drawn = 1;
}

/* NULL: readline's own redisplay (no colour). */
static inline void streamsql_rl_set_highlighter(streamsql_highlight_func_t f) {
    streamsql_highlighter = f;
    streamsql_rl_wide = 0;
    rl_redisplay_function = f ? streamsql_redisplay : rl_redisplay;
}
#endif

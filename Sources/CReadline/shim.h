#ifndef STREAMSQL_CREADLINE_SHIM_H
#define STREAMSQL_CREADLINE_SHIM_H
#include <stdio.h>
#include <stdlib.h>
#include <readline/readline.h>
#include <readline/history.h>

/* Readline's settings are C globals; these setters keep Swift from touching them directly. */
static inline void streamsql_rl_setup(const char *name, rl_compentry_func_t *generator);

static rl_compentry_func_t *streamsql_generator = 0;

static inline char **streamsql_attempt_completion(const char *text, int start, int end) {
    (void)start; (void)end;
    rl_attempted_completion_over = 1;   /* no file-name completion after ours */
    return rl_completion_matches(text, streamsql_generator);
}

static inline void streamsql_rl_setup(const char *name, rl_compentry_func_t *generator) {
    rl_readline_name = name;
    streamsql_generator = generator;
    rl_attempted_completion_function = streamsql_attempt_completion;
}
#endif

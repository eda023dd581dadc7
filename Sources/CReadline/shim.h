#ifndef PHASE0_CREADLINE_SHIM_H
#define PHASE0_CREADLINE_SHIM_H
// readline.h uses FILE without including stdio.h itself.
#include <stdio.h>
#include <dlfcn.h>
#include <readline/readline.h>
#include <readline/history.h>

// GNU readline is loaded when phase0 first reads from a terminal (dlopen), not linked: a run
// from a script or a pipe never maps it and its libtinfo (~330 KiB of a practice run's peak
// RSS, and the loader's symbol lookups at every start, issue 14). readline.h is included for its
// types only; every call goes through the pointers found here. Swift 6 rejects direct writes to
// C globals (shared mutable state), so each global the wizard sets has a tiny setter here too.
struct phase0_readline_api {
    char *(*readline)(const char *);
    void (*add_history)(const char *);
    void (*using_history)(void);
    int (*variable_bind)(const char *, const char *);
    char **(*completion_matches)(const char *, rl_compentry_func_t *);
    rl_completion_func_t **attempted_completion_function;
    int *attempted_completion_over;
    rl_getc_func_t **getc_function;
    int *catch_signals;
    const char **readline_name;
    int *done;
    int *completion_append_character;
};

// The library's entry points, loaded on first use; NULL when libreadline.so.8 cannot be loaded.
static inline const struct phase0_readline_api *phase0_rl_api(void) {
    static struct phase0_readline_api api;
    static int tried, loaded;
    if (!tried) {
        tried = 1;
        void *library = dlopen("libreadline.so.8", RTLD_NOW | RTLD_LOCAL);
        if (!library) return NULL;
#define PHASE0_RL_FIND(field, name) if (!(*(void **)&api.field = dlsym(library, name))) return NULL
        PHASE0_RL_FIND(readline, "readline");
        PHASE0_RL_FIND(add_history, "add_history");
        PHASE0_RL_FIND(using_history, "using_history");
        PHASE0_RL_FIND(variable_bind, "rl_variable_bind");
        PHASE0_RL_FIND(completion_matches, "rl_completion_matches");
        PHASE0_RL_FIND(attempted_completion_function, "rl_attempted_completion_function");
        PHASE0_RL_FIND(attempted_completion_over, "rl_attempted_completion_over");
        PHASE0_RL_FIND(getc_function, "rl_getc_function");
        PHASE0_RL_FIND(catch_signals, "rl_catch_signals");
        PHASE0_RL_FIND(readline_name, "rl_readline_name");
        PHASE0_RL_FIND(done, "rl_done");
        PHASE0_RL_FIND(completion_append_character, "rl_completion_append_character");
#undef PHASE0_RL_FIND
        loaded = 1;
    }
    return loaded ? &api : NULL;
}

static inline int phase0_rl_available(void) { return phase0_rl_api() != NULL; }

// Calls; only made once phase0_rl_available() said yes.
static inline char *phase0_rl_readline(const char *prompt) { return phase0_rl_api()->readline(prompt); }
static inline void phase0_rl_add_history(const char *line) { phase0_rl_api()->add_history(line); }
static inline void phase0_rl_using_history(void) { phase0_rl_api()->using_history(); }
static inline int phase0_rl_variable_bind(const char *name, const char *value) { return phase0_rl_api()->variable_bind(name, value); }
static inline char **phase0_rl_completion_matches(const char *text, rl_compentry_func_t *generator) {
    return phase0_rl_api()->completion_matches(text, generator);
}

// Setters of readline's globals.
static inline void phase0_rl_set_completion(rl_completion_func_t *fn) { *phase0_rl_api()->attempted_completion_function = fn; }
static inline void phase0_rl_set_completion_over(int over) { *phase0_rl_api()->attempted_completion_over = over; }
static inline void phase0_rl_set_getc(rl_getc_func_t *fn) { *phase0_rl_api()->getc_function = fn; }
static inline void phase0_rl_set_catch_signals(int on) { *phase0_rl_api()->catch_signals = on; }
static inline void phase0_rl_set_readline_name(const char *name) { *phase0_rl_api()->readline_name = name; }
static inline void phase0_rl_set_done(int done) { *phase0_rl_api()->done = done; }
static inline void phase0_rl_set_append_character(int c) { *phase0_rl_api()->completion_append_character = c; }
#endif

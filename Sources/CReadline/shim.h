#ifndef PHASE0_CREADLINE_SHIM_H
#define PHASE0_CREADLINE_SHIM_H
// readline.h uses FILE without including stdio.h itself.
#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>

// Swift 6 rejects direct writes to C globals (they are shared mutable state), so each global
// the wizard sets goes through a tiny setter here.
static inline void phase0_rl_set_completion(rl_completion_func_t *fn) { rl_attempted_completion_function = fn; }
static inline void phase0_rl_set_completion_over(int over) { rl_attempted_completion_over = over; }
static inline void phase0_rl_set_getc(rl_getc_func_t *fn) { rl_getc_function = fn; }
static inline void phase0_rl_set_catch_signals(int on) { rl_catch_signals = on; }
static inline void phase0_rl_set_readline_name(const char *name) { rl_readline_name = name; }
static inline void phase0_rl_set_done(int done) { rl_done = done; }
static inline void phase0_rl_set_append_character(int c) { rl_completion_append_character = c; }
#endif

/*
 * The KLEE API a job may call, for the container-labs KLEE stand-in. The
 * stand-in runs the program once, concretely: klee_make_symbolic fills the
 * object with zeros, klee_range and klee_int return their lowest value, and
 * klee_assume ends the run quietly when its condition does not hold.
 */
#ifndef KLEE_H
#define KLEE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void klee_make_symbolic(void *addr, size_t nbytes, const char *name);
int klee_range(int begin, int end, const char *name);
int klee_int(const char *name);
void klee_assume(uintptr_t condition);
unsigned klee_is_symbolic(uintptr_t value);
void klee_silent_exit(int status) __attribute__((noreturn));
void klee_abort(void) __attribute__((noreturn));
void klee_report_error(const char *file, int line, const char *message, const char *suffix) __attribute__((noreturn));
void klee_print_expr(const char *message, ...);
void klee_warning(const char *message);

#define klee_assert(expr) \
  ((expr) ? (void)0 : klee_report_error(__FILE__, __LINE__, "ASSERTION FAIL: " #expr, "assert.err"))

#ifdef __cplusplus
}
#endif

#endif

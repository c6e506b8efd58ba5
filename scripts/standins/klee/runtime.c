/* The concrete meaning the KLEE stand-in gives the KLEE API (see klee/klee.h). */
#include <klee/klee.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void klee_make_symbolic(void *addr, size_t nbytes, const char *name) {
  memset(addr, 0, nbytes);
  fprintf(stderr, "KLEE stand-in: symbolic object '%s' (%zu bytes) is all zeros in this concrete run\n", name, nbytes);
}

int klee_range(int begin, int end, const char *name) {
  if (begin >= end) klee_report_error(__FILE__, __LINE__, "invalid range", "user.err");
  fprintf(stderr, "KLEE stand-in: symbolic value '%s' in [%d, %d) is %d in this concrete run\n", name, begin, end, begin);
  return begin;
}

int klee_int(const char *name) {
  int value;
  klee_make_symbolic(&value, sizeof value, name);
  return value;
}

void klee_assume(uintptr_t condition) {
  if (!condition) {
    fprintf(stderr, "KLEE stand-in: an assumption does not hold for the concrete input; the run ends here\n");
    exit(0);
  }
}

unsigned klee_is_symbolic(uintptr_t value) {
  (void)value;
  return 0;
}

void klee_silent_exit(int status) { exit(status); }

void klee_abort(void) { abort(); }

void klee_report_error(const char *file, int line, const char *message, const char *suffix) {
  fprintf(stderr, "KLEE: ERROR: %s:%d: %s (%s)\n", file, line, message, suffix);
  exit(1);
}

void klee_print_expr(const char *message, ...) { fprintf(stderr, "KLEE stand-in: %s\n", message); }

void klee_warning(const char *message) { fprintf(stderr, "KLEE: WARNING: %s\n", message); }

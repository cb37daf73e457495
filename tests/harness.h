/* Test harness: every tests/<layer>/test_<name>.c is one CUnit program.
 *
 * A file lists its tests in a CU_TestInfo table and calls ug_test_main from
 * main(). Exit status: 0 all passed, 1 a failure, 77 skipped (ctest shows
 * SKIPPED; see SKIP_RETURN_CODE in tests/CMakeLists.txt).
 */
#ifndef UG_TESTS_HARNESS_H
#define UG_TESTS_HARNESS_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stddef.h>
#include <stdint.h>

int ug_test_main(const char *suite, CU_TestInfo *tests);

/* Reads a whole file into a malloc'ed buffer; NULL on error. */
uint8_t *ug_test_read_file(const char *path, size_t *len);

/* Copies `len` bytes so that they end right before a PROT_NONE page: any read
 * past the end crashes. Returns a pointer to the copy; free with
 * ug_test_guard_free. len may be 0. */
uint8_t *ug_test_guard(const void *data, size_t len);
void ug_test_guard_free(uint8_t *p);

/* Source directory of the project (for vectors), from the build. */
const char *ug_test_srcdir(void);

#endif

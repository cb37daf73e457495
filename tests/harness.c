#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int ug_test_main(const char *suite, CU_TestInfo *tests)
{
    CU_SuiteInfo suites[] = {{suite, NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (run == 0) {
        fprintf(stderr, "%s: no test ran\n", suite);
        return 1;
    }
    return failed ? 1 : 0;
}

uint8_t *ug_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

struct guard_hdr {
    void *base;
    size_t maplen;
};

uint8_t *ug_test_guard(const void *data, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t need = len + sizeof(struct guard_hdr);
    size_t pages = (need + page - 1) / page;
    size_t maplen = (pages + 1) * page;
    uint8_t *base = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    uint8_t *guard = base + pages * page;
    if (mprotect(guard, page, PROT_NONE) != 0) {
        munmap(base, maplen);
        return NULL;
    }
    uint8_t *p = guard - len;
    struct guard_hdr h = {base, maplen};
    memcpy(base, &h, sizeof h); /* header at the start of the mapping */
    if (len)
        memcpy(p, data, len);
    return p;
}

void ug_test_guard_free(uint8_t *p)
{
    if (!p)
        return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    /* The header sits at the page-aligned start of the mapping: walk back.
     * Start from p - 1: with len 0, p is the first byte of the guard page. */
    uint8_t *base = (uint8_t *)((uintptr_t)(p - 1) & ~(uintptr_t)(page - 1));
    for (;;) {
        struct guard_hdr h;
        memcpy(&h, base, sizeof h);
        if (h.base == base) {
            munmap(h.base, h.maplen);
            return;
        }
        base -= page;
    }
}

const char *ug_test_srcdir(void)
{
    const char *s = getenv("UG_SRCDIR");
    return s ? s : UG_SOURCE_DIR;
}

/* ug_arena: alignment, exhaustion, growth, reset, absurd sizes. */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "uagate/types.h"

static void test_aligned_bump(void)
{
    _Alignas(8) uint8_t buf[64];
    ug_arena a;
    ug_arena_init(&a, buf, sizeof buf, false);
    uint8_t *p1 = ug_arena_alloc(&a, 1);
    uint8_t *p2 = ug_arena_alloc(&a, 3);
    uint8_t *p3 = ug_arena_alloc(&a, 8);
    CU_ASSERT_PTR_EQUAL(p1, buf);
    CU_ASSERT_PTR_EQUAL(p2, buf + 8);
    CU_ASSERT_PTR_EQUAL(p3, buf + 16);
    CU_ASSERT_EQUAL(a.used, 24);
    CU_ASSERT_EQUAL(a.heap_allocs, 0);
}

static void test_unaligned_buffer(void)
{
    _Alignas(8) uint8_t buf[40];
    ug_arena a;
    ug_arena_init(&a, buf + 3, 37, false);
    uint8_t *p = ug_arena_alloc(&a, 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL((uintptr_t)p % 8, 0);
    CU_ASSERT_PTR_EQUAL(p, buf + 8);
    CU_ASSERT_PTR_NOT_NULL(ug_arena_alloc(&a, 24));
    CU_ASSERT_PTR_NULL(ug_arena_alloc(&a, 1)); /* 32 usable bytes, all taken */
}

static void test_exhaustion_and_reset(void)
{
    _Alignas(8) uint8_t buf[32];
    ug_arena a;
    ug_arena_init(&a, buf, sizeof buf, false);
    CU_ASSERT_PTR_NOT_NULL(ug_arena_alloc(&a, 32));
    CU_ASSERT_PTR_NULL(ug_arena_alloc(&a, 1));
    CU_ASSERT_PTR_NOT_NULL(ug_arena_alloc(&a, 0)); /* never NULL for 0 */
    ug_arena_reset(&a);
    CU_ASSERT_EQUAL(a.used, 0);
    CU_ASSERT_PTR_EQUAL(ug_arena_alloc(&a, 32), buf);
    CU_ASSERT_EQUAL(a.heap_allocs, 0);
}

static void test_no_buffer(void)
{
    ug_arena a;
    ug_arena_init(&a, NULL, 0, false);
    CU_ASSERT_PTR_NULL(ug_arena_alloc(&a, 1));
    CU_ASSERT_PTR_NOT_NULL(ug_arena_alloc(&a, 0));
    ug_arena_init(&a, NULL, 0, true);
    uint8_t *p = ug_arena_alloc(&a, 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memset(p, 0xA5, 100);
    CU_ASSERT_EQUAL(a.heap_allocs, 1);
    ug_arena_free(&a);
}

static void test_growth(void)
{
    _Alignas(8) uint8_t buf[64];
    ug_arena a;
    ug_arena_init(&a, buf, sizeof buf, true);
    CU_ASSERT_PTR_NOT_NULL(ug_arena_alloc(&a, 64));
    CU_ASSERT_EQUAL(a.heap_allocs, 0);
    /* Many small overflow allocations share blocks: far fewer mallocs. */
    for (int i = 0; i < 1000; i++) {
        uint8_t *p = ug_arena_alloc(&a, 24);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_EQUAL((uintptr_t)p % 8, 0);
        memset(p, i & 0xFF, 24);
    }
    CU_ASSERT(a.heap_allocs >= 1 && a.heap_allocs <= 8);
    /* One huge request gets its own block. */
    size_t before = a.heap_allocs;
    uint8_t *big = ug_arena_alloc(&a, 1 << 20);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 1, 1 << 20);
    CU_ASSERT_EQUAL(a.heap_allocs, before + 1);
    ug_arena_reset(&a); /* frees the blocks (ASan reports leaks otherwise) */
    CU_ASSERT_PTR_NULL(a.blocks);
    CU_ASSERT_PTR_EQUAL(ug_arena_alloc(&a, 8), buf);
    CU_ASSERT_PTR_NOT_NULL(ug_arena_alloc(&a, 4096));
    ug_arena_free(&a);
    CU_ASSERT_PTR_NULL(a.blocks);
}

static void test_absurd_sizes(void)
{
    _Alignas(8) uint8_t buf[64];
    ug_arena a;
    ug_arena_init(&a, buf, sizeof buf, true);
    CU_ASSERT_PTR_NULL(ug_arena_alloc(&a, SIZE_MAX));
    CU_ASSERT_PTR_NULL(ug_arena_alloc(&a, SIZE_MAX - 7));
    CU_ASSERT_PTR_NULL(ug_arena_alloc(&a, SIZE_MAX / 2));
    CU_ASSERT_EQUAL(a.used, 0);
    CU_ASSERT_EQUAL(a.heap_allocs, 0);
    ug_arena_free(&a);
}

static CU_TestInfo tests[] = {
    {"aligned bump", test_aligned_bump},
    {"unaligned buffer", test_unaligned_buffer},
    {"exhaustion and reset", test_exhaustion_and_reset},
    {"no buffer", test_no_buffer},
    {"growth", test_growth},
    {"absurd sizes", test_absurd_sizes},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("arena", tests); }

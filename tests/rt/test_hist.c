/* Latency histogram (rt/hist.c): percentiles on known data, merge, reset,
 * bucket bounds, JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uagate/rt.h"

static struct ug_hist a, b, c;

static void test_exact_small_values(void)
{
    ug_hist_reset(&a);
    for (int v = 1; v <= 60; v++)
        ug_hist_record(&a, v);
    CU_ASSERT_EQUAL(a.count, 60);
    CU_ASSERT_EQUAL(a.min, 1);
    CU_ASSERT_EQUAL(a.max, 60);
    CU_ASSERT_EQUAL(ug_hist_percentile(&a, 50), 30);
    CU_ASSERT_EQUAL(ug_hist_percentile(&a, 90), 54);
    CU_ASSERT_EQUAL(ug_hist_percentile(&a, 0), 1);
    CU_ASSERT_EQUAL(ug_hist_percentile(&a, 100), 60);
    CU_ASSERT_DOUBLE_EQUAL(ug_hist_mean(&a), 30.5, 1e-9);
}

/* Table: percentile of the values 1..N us, expected within the 1/64 bucket
 * width of the exact rank. */
static void test_percentiles_known(void)
{
    ug_hist_reset(&a);
    for (int64_t v = 1; v <= 100000; v++)
        ug_hist_record(&a, v * 1000); /* 1 us .. 100 ms */
    const struct {
        double p;
        int64_t exact;
    } t[] = {{50, 50000000}, {90, 90000000}, {99, 99000000}, {99.9, 99900000}, {100, 100000000}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int64_t got = ug_hist_percentile(&a, t[i].p);
        CU_ASSERT(got >= t[i].exact);
        CU_ASSERT(got <= t[i].exact + t[i].exact / 64 + 1);
    }
    CU_ASSERT_EQUAL(ug_hist_percentile(&a, 100), 100000000);
    CU_ASSERT_EQUAL(a.min, 1000);
    CU_ASSERT_DOUBLE_EQUAL(ug_hist_mean(&a), 50000500.0, 1e-3);
}

static void test_outliers_and_edges(void)
{
    ug_hist_reset(&a);
    CU_ASSERT_EQUAL(ug_hist_percentile(&a, 50), 0);
    CU_ASSERT_DOUBLE_EQUAL(ug_hist_mean(&a), 0.0, 0);
    for (int i = 0; i < 999; i++)
        ug_hist_record(&a, 10000);
    ug_hist_record(&a, 200LL * 1000000000); /* 200 s: beyond the top bucket */
    ug_hist_record(&a, -5);                 /* negative: counted as 0 */
    CU_ASSERT_EQUAL(a.count, 1001);
    CU_ASSERT_EQUAL(a.min, 0);
    CU_ASSERT_EQUAL(a.max, 200LL * 1000000000);
    int64_t p99 = ug_hist_percentile(&a, 99);
    CU_ASSERT(p99 >= 10000 && p99 <= 10000 + 10000 / 64);
    CU_ASSERT_EQUAL(ug_hist_percentile(&a, 100), 200LL * 1000000000);
    CU_ASSERT_EQUAL(a.buckets[UG_HIST_BUCKETS - 1], 1);
    CU_ASSERT_EQUAL(a.buckets[0], 1);
    /* Powers of two land at the start of their range. */
    ug_hist_reset(&b);
    ug_hist_record(&b, 64);
    ug_hist_record(&b, 1LL << 36);
    CU_ASSERT_EQUAL(b.buckets[64], 1);
    CU_ASSERT_EQUAL(b.buckets[64 + 30 * 64], 1);
}

static void test_merge_reset(void)
{
    ug_hist_reset(&a);
    ug_hist_reset(&b);
    ug_hist_reset(&c);
    for (int v = 1; v <= 1000; v++) {
        ug_hist_record(v % 2 ? &a : &b, v * 100);
        ug_hist_record(&c, v * 100);
    }
    ug_hist_merge(&a, &b);
    CU_ASSERT_EQUAL(a.count, c.count);
    CU_ASSERT_EQUAL(a.min, c.min);
    CU_ASSERT_EQUAL(a.max, c.max);
    CU_ASSERT_EQUAL(memcmp(a.buckets, c.buckets, sizeof a.buckets), 0);
    const double ps[] = {50, 90, 99, 99.9};
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(ug_hist_percentile(&a, ps[i]), ug_hist_percentile(&c, ps[i]));
    ug_hist_reset(&b);
    ug_hist_merge(&a, &b); /* empty: no change */
    CU_ASSERT_EQUAL(a.count, 1000);
    CU_ASSERT_EQUAL(a.min, 100);
    ug_hist_reset(&a);
    CU_ASSERT_EQUAL(a.count, 0);
    ug_hist_merge(&a, &c);
    CU_ASSERT_EQUAL(a.min, 100);
    CU_ASSERT_EQUAL(a.max, 100000);
}

static void test_json_and_table(void)
{
    ug_hist_reset(&a);
    ug_hist_record(&a, 5);
    ug_hist_record(&a, 5);
    ug_hist_record(&a, 1000);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ug_hist_write_json(&a, "jit\"ter", f);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"label\":\"jit\\\"ter\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"count\":3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"p50_ns\":5"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"buckets\":[[5,2],[1007,1]]"));
    free(buf);
    f = open_memstream(&buf, &len);
    ug_hist_print_header(f);
    ug_hist_print_row(&a, "row", f);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "p99.9"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "row"));
    free(buf);
}

static CU_TestInfo tests[] = {
    {"exact below 64 ns", test_exact_small_values},
    {"percentiles of 1..100000 us", test_percentiles_known},
    {"outliers, negatives and bucket edges", test_outliers_and_edges},
    {"merge and reset", test_merge_reset},
    {"json and table", test_json_and_table},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return ug_test_main("rt/hist", tests);
}

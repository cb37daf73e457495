/* Real-time set-up and clocks (rt/rtsetup.c). Refusals are legal results
 * (EPERM without root): the test checks that they come with a reason, and
 * that the settings took effect when granted. */
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <time.h>

#include "harness.h"
#include "uagate/rt.h"

static void test_clocks_and_datetime(void)
{
    int64_t m1 = ug_clock_mono_ns(), m2 = ug_clock_mono_ns();
    CU_ASSERT(m2 >= m1);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t real = ug_clock_real_ns();
    CU_ASSERT(real - ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec) < 1000000000);
    /* TAI is REALTIME + the TAI offset (0 when unset, 37 s today). */
    int64_t diff = ug_clock_tai_ns() - ug_clock_real_ns();
    CU_ASSERT(diff > -1000000000 && diff < 40LL * 1000000000);
    /* Part 6 §5.2.2.5: 1970-01-01 is 116444736000000000 ticks after 1601. */
    CU_ASSERT_EQUAL(ug_datetime_from_unix_ns(0), 116444736000000000LL);
    CU_ASSERT_EQUAL(ug_datetime_from_unix_ns(1000000000), 116444736010000000LL);
    CU_ASSERT_EQUAL(ug_datetime_from_unix_ns(199), 116444736000000001LL);
    CU_ASSERT_EQUAL(ug_datetime_from_unix_ns(-1), 116444735999999999LL);
    CU_ASSERT_EQUAL(ug_datetime_to_unix_ns(116444736010000000LL), 1000000000);
    CU_ASSERT_EQUAL(ug_datetime_to_unix_ns(0), INT64_MIN); /* 1601: before int64 ns */
    CU_ASSERT_EQUAL(ug_datetime_to_unix_ns(INT64_MAX), INT64_MAX);
    int64_t now = ug_datetime_now();
    CU_ASSERT(now > 133000000000000000LL); /* after 2022 */
}

static void test_pin_and_fifo(void)
{
    char why[200];
    CU_ASSERT_EQUAL(ug_rt_pin_cpu(-1, why, sizeof why), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT(why[0] != '\0');
    ug_status st = ug_rt_pin_cpu(0, why, sizeof why);
    if (ug_is_good(st)) {
        CU_ASSERT_EQUAL(sched_getcpu(), 0);
    } else {
        CU_ASSERT(why[0] != '\0');
    }
    CU_ASSERT_EQUAL(ug_rt_set_fifo(1000, why, sizeof why), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "SCHED_FIFO"));
    st = ug_rt_set_fifo(10, why, sizeof why);
    if (ug_is_good(st)) {
        int pol;
        struct sched_param sp;
        pthread_getschedparam(pthread_self(), &pol, &sp);
        CU_ASSERT_EQUAL(pol, SCHED_FIFO);
        CU_ASSERT_EQUAL(sp.sched_priority, 10);
        CU_ASSERT_EQUAL(ug_rt_set_other(why, sizeof why), UG_STATUS_GOOD);
        pthread_getschedparam(pthread_self(), &pol, &sp);
        CU_ASSERT_EQUAL(pol, SCHED_OTHER);
    } else {
        CU_ASSERT_EQUAL(st, UG_STATUS_BADUSERACCESSDENIED);
        CU_ASSERT(why[0] != '\0');
    }
    cpu_set_t all;
    CPU_ZERO(&all);
    for (int i = 0; i < CPU_SETSIZE; i++)
        CPU_SET(i, &all);
    pthread_setaffinity_np(pthread_self(), sizeof all, &all);
    /* NULL reason buffers are allowed. */
    CU_ASSERT_EQUAL(ug_rt_pin_cpu(-3, NULL, 0), UG_STATUS_BADINVALIDARGUMENT);
}

static void test_memory_and_slack(void)
{
    char why[200];
    CU_ASSERT_EQUAL(ug_rt_prefault(64 * 1024, 1 << 20, why, sizeof why), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(ug_rt_prefault(1ull << 40, 0, why, sizeof why), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(ug_rt_set_timer_slack(1000, why, sizeof why), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 1000);
    struct ug_rt_config cfg;
    ug_rt_config_init(&cfg);
    CU_ASSERT_EQUAL(cfg.cpu, -1);
    struct ug_rt_result res;
    /* Nothing asked: Good, every step Good. */
    CU_ASSERT_EQUAL(ug_rt_apply(&cfg, &res), UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(res.pin, UG_STATUS_GOOD);
    cfg.cpu = 100000; /* refused */
    cfg.timer_slack_ns = 2000;
    CU_ASSERT_EQUAL(ug_rt_apply(&cfg, &res), UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT_EQUAL(res.pin, UG_STATUS_BADINVALIDARGUMENT);
    CU_ASSERT(res.why[0][0] != '\0');
    /* The other steps still ran. */
    CU_ASSERT_EQUAL(res.slack, UG_STATUS_GOOD);
    CU_ASSERT_EQUAL(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 2000);
}

static CU_TestInfo tests[] = {
    {"clocks and DateTime", test_clocks_and_datetime},
    {"pin and SCHED_FIFO (or a reasoned refusal)", test_pin_and_fifo},
    {"prefault, timer slack, apply", test_memory_and_slack},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return ug_test_main("rt/rtsetup", tests);
}

/* Log-linear latency histogram: exact below 64 ns, then 64 linear sub-buckets
 * per power of two. Recording is a count-leading-zeros, a shift and an
 * increment, so benchmarks and the gateway's diagnostics can record on every
 * message. */
#include <math.h>
#include <string.h>

#include "loop_internal.h"

static uint32_t bucket_of(int64_t value)
{
    uint64_t v = value < 0 ? 0 : (uint64_t)value;
    if (v < UG_HIST_SUB)
        return (uint32_t)v;
    int k = 63 - __builtin_clzll(v);
    if (k >= UG_HIST_MAX_EXP)
        return UG_HIST_BUCKETS - 1;
    uint32_t sub = (uint32_t)(v >> (k - 6)) - UG_HIST_SUB;
    return UG_HIST_SUB + (uint32_t)(k - 6) * UG_HIST_SUB + sub;
}

/* Highest value that falls in bucket i. */
static int64_t bucket_upper(uint32_t i)
{
    if (i < UG_HIST_SUB)
        return (int64_t)i;
    uint32_t k = 6 + (i - UG_HIST_SUB) / UG_HIST_SUB;
    uint64_t sub = (i - UG_HIST_SUB) % UG_HIST_SUB;
    uint64_t lower = (UG_HIST_SUB + sub) << (k - 6);
    return (int64_t)(lower + (1ull << (k - 6)) - 1);
}

void ug_hist_reset(struct ug_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = INT64_MAX;
    h->max = INT64_MIN;
}

void ug_hist_record(struct ug_hist *h, int64_t value_ns)
{
    if (value_ns < 0)
        value_ns = 0;
    h->buckets[bucket_of(value_ns)]++;
    h->count++;
    h->sum += (double)value_ns;
    if (value_ns < h->min)
        h->min = value_ns;
    if (value_ns > h->max)
        h->max = value_ns;
}

void ug_hist_merge(struct ug_hist *dst, const struct ug_hist *src)
{
    if (src->count == 0)
        return;
    for (uint32_t i = 0; i < UG_HIST_BUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
    dst->count += src->count;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

int64_t ug_hist_percentile(const struct ug_hist *h, double p)
{
    if (h->count == 0)
        return 0;
    if (p < 0)
        p = 0;
    if (p > 100)
        p = 100;
    uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
    if (rank < 1)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (uint32_t i = 0; i < UG_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            if (i == UG_HIST_BUCKETS - 1)
                return h->max; /* the overflow bucket has no upper edge */
            int64_t v = bucket_upper(i);
            if (v > h->max)
                v = h->max;
            if (v < h->min)
                v = h->min;
            return v;
        }
    }
    return h->max;
}

double ug_hist_mean(const struct ug_hist *h)
{
    return h->count ? h->sum / (double)h->count : 0.0;
}

void ug_hist_print_header(FILE *out)
{
    fprintf(out, "%-28s %10s %9s %9s %9s %9s %9s %9s %9s\n", "(microseconds)", "count", "min",
            "p50", "p90", "p99", "p99.9", "max", "mean");
}

void ug_hist_print_row(const struct ug_hist *h, const char *label, FILE *out)
{
    const double us = 1000.0;
    fprintf(out, "%-28s %10llu %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n", label,
            (unsigned long long)h->count, h->count ? (double)h->min / us : 0.0,
            (double)ug_hist_percentile(h, 50) / us, (double)ug_hist_percentile(h, 90) / us,
            (double)ug_hist_percentile(h, 99) / us, (double)ug_hist_percentile(h, 99.9) / us,
            h->count ? (double)h->max / us : 0.0, ug_hist_mean(h) / us);
}

static void json_string(const char *s, FILE *out)
{
    fputc('"', out);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void ug_hist_write_json(const struct ug_hist *h, const char *label, FILE *out)
{
    fputs("{\"label\":", out);
    json_string(label, out);
    fprintf(out,
            ",\"count\":%llu,\"min_ns\":%lld,\"max_ns\":%lld,\"mean_ns\":%.1f,"
            "\"p50_ns\":%lld,\"p90_ns\":%lld,\"p99_ns\":%lld,\"p999_ns\":%lld,\"buckets\":[",
            (unsigned long long)h->count, (long long)(h->count ? h->min : 0),
            (long long)(h->count ? h->max : 0), ug_hist_mean(h),
            (long long)ug_hist_percentile(h, 50), (long long)ug_hist_percentile(h, 90),
            (long long)ug_hist_percentile(h, 99), (long long)ug_hist_percentile(h, 99.9));
    bool first = true;
    for (uint32_t i = 0; i < UG_HIST_BUCKETS; i++) {
        if (!h->buckets[i])
            continue;
        fprintf(out, "%s[%lld,%llu]", first ? "" : ",", (long long)bucket_upper(i),
                (unsigned long long)h->buckets[i]);
        first = false;
    }
    fputs("]}", out);
}

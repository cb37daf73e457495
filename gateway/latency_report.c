/* latency_report — the output side of `uagate bench latency` and
 * bench/latency (see latency.h): labels, the table, the JSON summary, and the
 * per-run data files plus the gnuplot script. It reads results only; the
 * measurement itself is in latency.c. */
#include "latency.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void rate_text(int64_t hz, char *out, size_t cap)
{
    if (hz == 0)
        snprintf(out, cap, "flat");
    else if (hz % 1000 == 0)
        snprintf(out, cap, "%lldk", (long long)(hz / 1000));
    else
        snprintf(out, cap, "%lldHz", (long long)hz);
}

static const char *path_text(const struct ug_lat_spec *s)
{
    if (s->role != UG_LAT_BOTH_ENDS)
        return s->link == UG_LAT_ETH ? "eth-peer" : "udp-peer";
    if (s->link == UG_LAT_ETH)
        return "eth-ns";
    return s->net->ns ? "udp-ns" : "udp-lo";
}

void ug_lat_label(const struct ug_lat_spec *s, char *out, size_t cap)
{
    char rate[24];
    rate_text(s->rate_hz, rate, sizeof rate);
    snprintf(out, cap, "%s %s %s %s", path_text(s), s->rtt ? "rtt" : "1way", rate,
             s->impl == UG_LAT_UAGATE ? "uagate" : "bare");
}

void ug_lat_print_header(FILE *out)
{
    fprintf(out, "%7s %7s %7s ", "loss", "reorder", "missed");
    ug_hist_print_header(out);
}

void ug_lat_print_row(const struct ug_lat_spec *s, const struct ug_lat_result *r, FILE *out)
{
    char label[64];
    ug_lat_label(s, label, sizeof label);
    fprintf(out, "%7llu %7llu %7llu ", (unsigned long long)ug_lat_loss(r),
            (unsigned long long)r->reordered, (unsigned long long)r->missed);
    ug_hist_print_row(&r->h, label, out);
}

bool ug_lat_write_json(const char *file, const struct ug_lat_spec *specs,
                       const struct ug_lat_result *results, size_t n)
{
    FILE *f = fopen(file, "w");
    if (!f)
        return false;
    fprintf(f, "{\"message_bytes\":%zu,\"runs\":[\n", n ? specs[0].msg->len : (size_t)0);
    for (size_t i = 0; i < n; i++) {
        const struct ug_lat_spec *s = &specs[i];
        const struct ug_lat_result *r = &results[i];
        char label[64];
        ug_lat_label(s, label, sizeof label);
        fprintf(f,
                "%s{\"path\":\"%s\",\"link\":\"%s\",\"mode\":\"%s\",\"impl\":\"%s\","
                "\"rate_hz\":%lld,\"message_bytes\":%zu,\"vlan\":%s,\"vid\":%u,\"pcp\":%u,"
                "\"elapsed_ns\":%lld,\"sent\":%llu,\"received\":%llu,\"loss\":%llu,"
                "\"duplicates\":%llu,\"reordered\":%llu,\"missed\":%llu,\"echoed\":%llu,"
                "\"p50_ns\":%lld,\"p99_ns\":%lld,"
                "\"p999_ns\":%lld,\"max_ns\":%lld,\"hist\":",
                i ? "," : "", path_text(s), s->link == UG_LAT_ETH ? "opc.eth" : "opc.udp",
                s->rtt ? "rtt" : "one-way", s->impl == UG_LAT_UAGATE ? "uagate" : "bare",
                (long long)s->rate_hz, s->msg->len, s->vlan ? "true" : "false", s->vid, s->pcp,
                (long long)r->elapsed_ns, (unsigned long long)r->sent,
                (unsigned long long)r->received, (unsigned long long)ug_lat_loss(r),
                (unsigned long long)r->duplicates, (unsigned long long)r->reordered,
                (unsigned long long)r->missed, (unsigned long long)r->echoed,
                (long long)ug_hist_percentile(&r->h, 50), (long long)ug_hist_percentile(&r->h, 99),
                (long long)ug_hist_percentile(&r->h, 99.9),
                (long long)(r->h.count ? r->h.max : 0));
        ug_hist_write_json(&r->h, label, f);
        fprintf(f, "}\n");
    }
    fprintf(f, "]}\n");
    return fclose(f) == 0;
}

static void file_label(const struct ug_lat_spec *s, bool with_impl, char *out, size_t cap)
{
    ug_lat_label(s, out, cap);
    if (!with_impl) {
        char *last = strrchr(out, ' ');
        if (last)
            *last = '\0';
    }
    for (char *c = out; *c; c++)
        if (*c == ' ')
            *c = '_';
}

static const double pcts[] = {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995,
                              99.999};

/* Bounds of bucket i in the layout rt.h documents: exact below 64 ns, then
 * 64 linear sub-buckets per power of two. */
static void bucket_bounds(uint32_t i, int64_t *lo, int64_t *hi)
{
    if (i < UG_HIST_SUB) {
        *lo = *hi = i;
        return;
    }
    uint32_t k = 6 + (i - UG_HIST_SUB) / UG_HIST_SUB;
    uint64_t sub = (i - UG_HIST_SUB) % UG_HIST_SUB;
    *lo = (int64_t)((UG_HIST_SUB + sub) << (k - 6));
    *hi = *lo + (int64_t)(1ull << (k - 6)) - 1;
}

static bool write_run_files(const char *dir, const struct ug_lat_spec *s,
                            const struct ug_lat_result *r, char *err, size_t cap)
{
    char name[64], file[600], label[64];
    file_label(s, true, name, sizeof name);
    ug_lat_label(s, label, sizeof label);
    snprintf(file, sizeof file, "%s/%s.dat", dir, name);
    FILE *f = fopen(file, "w");
    if (!f)
        goto fail;
    fprintf(f, "# %s: percentile, 1/(1-p) (x axis), latency_us\n", label);
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
        fprintf(f, "%g %g %.3f\n", pcts[i], 1.0 / (1.0 - pcts[i] / 100.0),
                (double)ug_hist_percentile(&r->h, pcts[i]) / 1000.0);
    if (fclose(f) != 0)
        goto fail;
    snprintf(file, sizeof file, "%s/%s.hist", dir, name);
    if (!(f = fopen(file, "w")))
        goto fail;
    fprintf(f, "# %s: bucket_lower_us bucket_upper_us count count_per_us\n", label);
    for (uint32_t i = 0; i < UG_HIST_BUCKETS; i++) {
        if (!r->h.buckets[i])
            continue;
        int64_t lo, hi;
        bucket_bounds(i, &lo, &hi);
        fprintf(f, "%.3f %.3f %llu %.3f\n", (double)lo / 1000.0, (double)(hi + 1) / 1000.0,
                (unsigned long long)r->h.buckets[i],
                (double)r->h.buckets[i] * 1000.0 / (double)(hi + 1 - lo));
    }
    if (fclose(f) != 0)
        goto fail;
    snprintf(file, sizeof file, "%s/%s.json", dir, name);
    if (!(f = fopen(file, "w")))
        goto fail;
    ug_hist_write_json(&r->h, label, f);
    fputc('\n', f);
    if (fclose(f) != 0)
        goto fail;
    return true;
fail:
    snprintf(err, cap, "%s: %s", file, strerror(errno));
    return false;
}

/* The plot command's data sets: runs i.. of the same group as run i. */
static void plot_group(FILE *f, const struct ug_lat_spec *specs, size_t n, size_t i,
                       const char *ext, const char *style)
{
    char group[64], other[64], name[64];
    file_label(&specs[i], false, group, sizeof group);
    const char *sep = "";
    for (size_t j = i; j < n; j++) {
        file_label(&specs[j], false, other, sizeof other);
        if (strcmp(group, other) != 0)
            continue;
        file_label(&specs[j], true, name, sizeof name);
        fprintf(f, "%s'%s%s' using %s title '%s'", sep, name, ext, style,
                specs[j].impl == UG_LAT_UAGATE ? "uagate" : "bare floor");
        sep = ", ";
    }
    fputc('\n', f);
}

bool ug_lat_have_gnuplot(void)
{
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

bool ug_lat_write_plots(const char *dir, const struct ug_lat_spec *specs,
                        const struct ug_lat_result *results, size_t n, bool with_gnuplot,
                        char *err, size_t err_cap)
{
    for (size_t i = 0; i < n; i++)
        if (!write_run_files(dir, &specs[i], &results[i], err, err_cap))
            return false;
    char file[600];
    snprintf(file, sizeof file, "%s/plot.gp", dir);
    FILE *f = fopen(file, "w");
    if (!f) {
        snprintf(err, err_cap, "%s: %s", file, strerror(errno));
        return false;
    }
    fprintf(f, "# gnuplot plot.gp (in this directory) draws NAME.svg and NAME_hist.svg\n"
               "set terminal svg size 800,500 dynamic\nset grid\nset key top left\n");
    /* one plot per group of runs differing only in implementation */
    for (size_t i = 0; i < n; i++) {
        char group[64], other[64], title[64];
        file_label(&specs[i], false, group, sizeof group);
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            file_label(&specs[j], false, other, sizeof other);
            seen = strcmp(group, other) == 0;
        }
        if (seen)
            continue;
        ug_lat_label(&specs[i], title, sizeof title);
        *strrchr(title, ' ') = '\0';
        fprintf(f, "set output '%s.svg'\nset title '%s (%zu-byte UADP): latency by percentile'\n"
                   "unset logscale\nset logscale x\nset xlabel 'percentile'\n"
                   "set ylabel 'latency (us)'\nset xtics ('0' 1, '50' 2, '90' 10, '99' 100, "
                   "'99.9' 1000, '99.99' 10000, '99.999' 100000)\nplot ",
                group, title, specs[i].msg->len);
        plot_group(f, specs, n, i, ".dat", "2:3 with linespoints");
        fprintf(f, "set output '%s_hist.svg'\nset title '%s: latency histogram'\n"
                   "unset logscale\nset logscale xy\nset xtics auto\nset xlabel 'latency (us)'\n"
                   "set ylabel 'messages per us'\nplot ",
                group, title);
        plot_group(f, specs, n, i, ".hist", "1:4 with steps");
    }
    if (fclose(f) != 0) {
        snprintf(err, err_cap, "%s: %s", file, strerror(errno));
        return false;
    }
    if (!with_gnuplot)
        return true;
    /* no shell: dir is whatever the user named */
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir) == 0)
            execlp("gnuplot", "gnuplot", "plot.gp", (char *)NULL);
        _exit(127);
    }
    int ws = 0;
    if (pid < 0 || waitpid(pid, &ws, 0) != pid || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        snprintf(err, err_cap, "gnuplot failed on %s/plot.gp (see above)", dir);
        return false;
    }
    return true;
}

/* bench/server — figures of uagate's OPC UA server (issue 7, item 10):
 *
 *   1. synchronous single-node Value reads per second from one client over
 *      loopback (each read waits for its answer), for -d seconds (5), -r
 *      times (3; the median run is the figure, the best is shown too);
 *   2. the same from -c concurrent clients (8), each a thread with its own
 *      loop and ug_client;
 *   3. server CPU time per read in both (the server process's CPU time over
 *      the measured window, from /proc/PID/task/N/schedstat, divided by the
 *      reads);
 *   4. subscription throughput: -m monitored items (10,000) at 100 ms
 *      sampling and publishing, on variables whose value changes at every
 *      sample, for -s seconds (10): the server's CPU share of one core and
 *      the data changes the client received per second;
 *   5. resident memory (VmRSS) of the server at idle, under the 8-client read
 *      load and with the subscription running;
 *   6. the size of the stripped server-only binary (bench/server_only; and
 *      --reduced PATH: one built with -DUG_NS0_REDUCED=ON);
 *   7. the floor: a bare blocking TCP echo of the same sizes over loopback,
 *      round trips per second and the echo thread's CPU time per round trip.
 *
 * The server under test is bench/server_only (found next to this program, or
 * --server PATH) in its own process, so its CPU time and memory are its own.
 * Prints a table against the targets; asserts nothing (exit 0 even
 * when a target is missed; 1 only when the benchmark itself could not run).
 *
 *   bench/server [-d SEC] [-c CLIENTS] [-r REPEATS] [-m ITEMS] [-s SEC]
 *                [--server PATH] [--reduced PATH]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uagate/client.h"
#include "uagate/rt.h"
#include "uagate/types.h"

extern char **environ;

static const char *const READ_NODE = "ns=1;s=bench/value";

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------ server process -- */

struct server_proc {
    pid_t pid;
    unsigned port;
    char url[64];
};

/* Starts `path -p 0 -n nvars` and reads its "port N" line (10 s at most). */
static int server_spawn(const char *path, unsigned long nvars, struct server_proc *sp)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    char n[24];
    snprintf(n, sizeof n, "%lu", nvars);
    char *argv[] = {(char *)path, "-p", "0", "-n", n, NULL};
    int rc = posix_spawn(&sp->pid, path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        fprintf(stderr, "server: cannot start %s: %s\n", path, strerror(rc));
        return -1;
    }
    char line[128];
    size_t len = 0;
    int64_t deadline = now_ns() + 10 * 1000000000LL;
    sp->port = 0;
    while (len < sizeof line - 1 && now_ns() < deadline) {
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        ssize_t r = read(fds[0], line + len, sizeof line - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
        line[len] = 0;
        if (strchr(line, '\n')) {
            sscanf(line, "port %u", &sp->port);
            break;
        }
    }
    close(fds[0]);
    if (sp->port == 0) {
        fprintf(stderr, "server: %s did not report its port\n", path);
        kill(sp->pid, SIGKILL);
        waitpid(sp->pid, NULL, 0);
        return -1;
    }
    snprintf(sp->url, sizeof sp->url, "opc.tcp://127.0.0.1:%u", sp->port);
    return 0;
}

static void server_stop(struct server_proc *sp)
{
    kill(sp->pid, SIGTERM);
    for (int i = 0; i < 50; i++) {
        if (waitpid(sp->pid, NULL, WNOHANG) == sp->pid)
            return;
        usleep(100000);
    }
    kill(sp->pid, SIGKILL);
    waitpid(sp->pid, NULL, 0);
}

/* CPU time of every thread of pid, ns (schedstat: first field, on-CPU time). */
static int64_t proc_cpu_ns(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int64_t sum = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[320];
        snprintf(p, sizeof p, "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
        FILE *f = fopen(p, "r");
        if (!f)
            continue;
        long long ns;
        if (fscanf(f, "%lld", &ns) == 1)
            sum += ns;
        fclose(f);
    }
    closedir(d);
    return sum;
}

/* User-mode CPU time of pid (all threads), ns, from /proc/PID/stat (clock
 * ticks: 10 ms resolution, fine over seconds). -1 when unknown. */
static int64_t proc_user_ns(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long long utime;
    /* after ") ": state ppid pgrp session tty_nr tpgid flags minflt cminflt
     * majflt cmajflt utime (field 14) */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu", &utime) != 1)
        return -1;
    return (int64_t)(utime * (1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK)));
}

/* VmRSS of pid in KiB, -1 when unknown. */
static long proc_rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* Pss of pid in KiB (smaps_rollup: shared library pages divided among the
 * processes mapping them), -1 when unknown. */
static long proc_pss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Pss: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* ---------------------------------------------------------------- reads -- */

struct reader {
    const char *url;
    int64_t duration_ns;
    pthread_barrier_t *start, *stop;
    uint64_t reads;
    ug_status status;
    char why[160];
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    ug_loop *loop = NULL;
    ug_client *c = NULL;
    static _Thread_local uint8_t buf[4096];
    ug_arena arena;
    ug_arena_init(&arena, buf, sizeof buf, true);
    ug_nodeid node;
    bool ready = false;

    r->status = ug_loop_new(NULL, &loop);
    if (r->status == UG_STATUS_GOOD) {
        struct ug_client_config cfg;
        ug_client_config_init(&cfg);
        cfg.endpoint_url = r->url;
        cfg.reconnect = false;
        r->status = ug_client_new(loop, &cfg, &c);
    }
    if (r->status == UG_STATUS_GOOD)
        r->status = ug_client_connect(c);
    if (r->status == UG_STATUS_GOOD)
        r->status = ug_nodeid_parse(READ_NODE, strlen(READ_NODE), &node, NULL);
    if (r->status == UG_STATUS_GOOD) {
        /* One read outside the window checks the node and its value. */
        ug_variant v;
        r->status = ug_client_read_value(c, &node, &v, &arena);
        if (r->status == UG_STATUS_GOOD && (v.type != UG_TYPE_DOUBLE || v.u.v.f64 != 42.5)) {
            r->status = UG_STATUS_BADUNEXPECTEDERROR;
            snprintf(r->why, sizeof r->why, "%s is not the Double 42.5", READ_NODE);
        }
        ug_arena_reset(&arena);
    }
    ready = r->status == UG_STATUS_GOOD;
    if (!ready && !r->why[0])
        snprintf(r->why, sizeof r->why, "connect/read: %s", ug_status_name(r->status));

    pthread_barrier_wait(r->start);
    int64_t end = now_ns() + r->duration_ns;
    while (ready && now_ns() < end) {
        ug_variant v;
        ug_status st = ug_client_read_value(c, &node, &v, &arena);
        ug_arena_reset(&arena);
        if (st != UG_STATUS_GOOD) {
            r->status = st;
            snprintf(r->why, sizeof r->why, "read: %s", ug_status_name(st));
            break;
        }
        r->reads++;
    }
    pthread_barrier_wait(r->stop);
    if (c) {
        if (ug_client_state(c) == UG_CLIENT_SESSION_ACTIVATED)
            ug_client_disconnect(c);
        ug_client_free(c);
    }
    ug_arena_free(&arena);
    ug_loop_close(loop, -1);
    return NULL;
}

struct read_result {
    bool ok;
    double reads_per_s;
    double cpu_us_per_read;
    double user_us_per_read; /* the user-mode part of cpu_us_per_read */
    long rss_kib;
};

static struct read_result run_reads(const struct server_proc *sp, unsigned n, double seconds)
{
    struct read_result res = {0};
    struct reader *rs = calloc(n, sizeof *rs);
    pthread_t *th = calloc(n, sizeof *th);
    pthread_barrier_t start, stop;
    pthread_barrier_init(&start, NULL, n + 1);
    pthread_barrier_init(&stop, NULL, n + 1);
    for (unsigned i = 0; i < n; i++) {
        rs[i] = (struct reader){.url = sp->url, .duration_ns = (int64_t)(seconds * 1e9),
                                .start = &start, .stop = &stop};
        pthread_create(&th[i], NULL, reader_main, &rs[i]);
    }
    pthread_barrier_wait(&start);
    int64_t t0 = now_ns(), cpu0 = proc_cpu_ns(sp->pid), user0 = proc_user_ns(sp->pid);
    /* Memory under load: sampled in the middle of the window. */
    usleep((useconds_t)(seconds * 1e6 / 2));
    res.rss_kib = proc_rss_kib(sp->pid);
    pthread_barrier_wait(&stop);
    int64_t t1 = now_ns(), cpu1 = proc_cpu_ns(sp->pid), user1 = proc_user_ns(sp->pid);
    uint64_t total = 0;
    res.ok = true;
    for (unsigned i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        total += rs[i].reads;
        if (rs[i].status != UG_STATUS_GOOD) {
            fprintf(stderr, "server: client %u: %s\n", i, rs[i].why);
            res.ok = false;
        }
    }
    if (total) {
        res.reads_per_s = (double)total / ((double)(t1 - t0) / 1e9);
        res.cpu_us_per_read = cpu0 >= 0 && cpu1 >= 0 ? (double)(cpu1 - cpu0) / 1e3 / (double)total : -1;
        res.user_us_per_read =
            user0 >= 0 && user1 >= 0 ? (double)(user1 - user0) / 1e3 / (double)total : -1;
    }
    pthread_barrier_destroy(&start);
    pthread_barrier_destroy(&stop);
    free(rs);
    free(th);
    return res;
}

/* Runs the read test `repeats` times (the machine is shared: single runs
 * swing by 2x), logs each on stderr and returns the median run by reads/s;
 * *best gets the fastest. */
static int cmp_reads(const void *a, const void *b)
{
    double x = ((const struct read_result *)a)->reads_per_s;
    double y = ((const struct read_result *)b)->reads_per_s;
    return (x > y) - (x < y);
}

static struct read_result run_reads_repeated(const struct server_proc *sp, unsigned n,
                                             double seconds, unsigned repeats,
                                             struct read_result *best)
{
    struct read_result runs[16];
    if (repeats > 16)
        repeats = 16;
    for (unsigned i = 0; i < repeats; i++) {
        runs[i] = run_reads(sp, n, seconds);
        fprintf(stderr,
                "server:   %u client(s), run %u: %.0f reads/s, %.2f us server CPU per read "
                "(%.2f us in user mode)\n",
                n, i + 1, runs[i].reads_per_s, runs[i].cpu_us_per_read, runs[i].user_us_per_read);
        if (!runs[i].ok) {
            *best = runs[i];
            return runs[i];
        }
    }
    qsort(runs, repeats, sizeof runs[0], cmp_reads);
    *best = runs[repeats - 1];
    return runs[repeats / 2];
}

/* -------------------------------------------------------- subscription -- */

struct sub_count {
    atomic_uint_fast64_t changes;
};

static void on_data(ug_client_mon *mon, const ug_datavalue *value, void *ctx)
{
    (void)mon;
    (void)value;
    struct sub_count *sc = ctx;
    atomic_fetch_add_explicit(&sc->changes, 1, memory_order_relaxed);
}

struct sub_result {
    bool ok;
    double cpu_share;     /* of one core */
    double changes_per_s; /* received by the client */
    long rss_kib;
    unsigned accepted;
};

static struct sub_result run_subscription(const struct server_proc *sp, unsigned items,
                                          double seconds)
{
    struct sub_result res = {0};
    ug_loop *loop = NULL;
    ug_client *c = NULL;
    ug_client_sub *sub = NULL;
    struct sub_count sc = {0};
    ug_client_mon **mons = calloc(items, sizeof *mons);
    struct ug_client_mon_params *mp = calloc(items, sizeof *mp);
    char (*ids)[40] = calloc(items, sizeof *ids);
    ug_status st = mons && mp && ids ? ug_loop_new(NULL, &loop) : UG_STATUS_BADOUTOFMEMORY;
    if (st == UG_STATUS_GOOD) {
        struct ug_client_config cfg;
        ug_client_config_init(&cfg);
        cfg.endpoint_url = sp->url;
        cfg.reconnect = false;
        cfg.request_timeout_ns = 30 * 1000000000LL;
        st = ug_client_new(loop, &cfg, &c);
    }
    if (st == UG_STATUS_GOOD)
        st = ug_client_connect(c);
    if (st == UG_STATUS_GOOD) {
        struct ug_client_sub_params p = {.publishing_interval_ms = 100, .lifetime_count = 100,
                                         .max_keepalive_count = 10};
        st = ug_client_sub_create(c, &p, NULL, NULL, &sub);
    }
    for (unsigned i = 0; i < items && st == UG_STATUS_GOOD; i++) {
        snprintf(ids[i], sizeof ids[i], "ns=1;s=bench/v%u", i);
        st = ug_nodeid_parse(ids[i], strlen(ids[i]), &mp[i].node, NULL);
        mp[i].attribute_id = UG_ATTR_VALUE;
        mp[i].sampling_interval_ms = 100;
        mp[i].queue_size = 1;
        mp[i].discard_oldest = true;
        mp[i].cb = on_data;
        mp[i].ctx = &sc;
    }
    /* CreateMonitoredItems in batches the server's per-call limit allows. */
    const unsigned batch = 1000;
    for (unsigned i = 0; i < items && st == UG_STATUS_GOOD; i += batch) {
        unsigned n = items - i < batch ? items - i : batch;
        st = ug_client_mon_create(sub, mp + i, n, mons + i);
    }
    if (st != UG_STATUS_GOOD) {
        fprintf(stderr, "server: subscription set-up: %s\n", ug_status_name(st));
        goto out;
    }
    for (unsigned i = 0; i < items; i++)
        res.accepted += ug_client_mon_status(mons[i]) == UG_STATUS_GOOD;
    /* Settle (initial values), then measure. */
    ug_client_run_for(c, 2 * 1000000000LL, NULL);
    uint64_t n0 = atomic_load(&sc.changes);
    int64_t t0 = now_ns(), cpu0 = proc_cpu_ns(sp->pid);
    st = ug_client_run_for(c, (int64_t)(seconds * 1e9 / 2), NULL);
    res.rss_kib = proc_rss_kib(sp->pid);
    if (st == UG_STATUS_GOOD)
        st = ug_client_run_for(c, (int64_t)(seconds * 1e9 / 2), NULL);
    int64_t t1 = now_ns(), cpu1 = proc_cpu_ns(sp->pid);
    uint64_t n1 = atomic_load(&sc.changes);
    double wall = (double)(t1 - t0) / 1e9;
    res.cpu_share = cpu0 >= 0 && cpu1 >= 0 ? (double)(cpu1 - cpu0) / 1e9 / wall : -1;
    res.changes_per_s = (double)(n1 - n0) / wall;
    res.ok = st == UG_STATUS_GOOD && res.accepted == items;
    if (st != UG_STATUS_GOOD)
        fprintf(stderr, "server: subscription run: %s\n", ug_status_name(st));
    ug_client_sub_delete(sub);
out:
    if (c) {
        if (ug_client_state(c) == UG_CLIENT_SESSION_ACTIVATED)
            ug_client_disconnect(c);
        ug_client_free(c);
    }
    if (loop)
        ug_loop_close(loop, -1);
    free(mons);
    free(mp);
    free(ids);
    return res;
}

/* ---------------------------------------------------------------- floor -- */

/* The floor of a synchronous request/response over loopback TCP on this
 * machine: a thread echoing 90-byte requests with 50-byte answers (the sizes
 * of a one-node Read) with blocking recv/send, no protocol at all. Its
 * round trips per second and CPU time per round trip bound what any server
 * can do here. */
struct echo {
    int lfd;
    int64_t cpu_ns;
};

static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *echo_main(void *arg)
{
    struct echo *e = arg;
    int fd = accept(e->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    uint8_t buf[90], out[50] = {0};
    int64_t c0 = thread_cpu_ns();
    for (;;) {
        size_t got = 0;
        while (got < sizeof buf) {
            ssize_t r = recv(fd, buf + got, sizeof buf - got, 0);
            if (r <= 0)
                goto done;
            got += (size_t)r;
        }
        if (send(fd, out, sizeof out, MSG_NOSIGNAL) != (ssize_t)sizeof out)
            break;
    }
done:
    e->cpu_ns = thread_cpu_ns() - c0;
    close(fd);
    return NULL;
}

static void run_floor(double seconds, double *rt_per_s, double *cpu_us)
{
    *rt_per_s = *cpu_us = -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    struct echo e = {.lfd = socket(AF_INET, SOCK_STREAM, 0)};
    if (e.lfd < 0 || bind(e.lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(e.lfd, 1) != 0 ||
        getsockname(e.lfd, (struct sockaddr *)&a, &alen) != 0) {
        if (e.lfd >= 0)
            close(e.lfd);
        return;
    }
    pthread_t th;
    pthread_create(&th, NULL, echo_main, &e);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    uint64_t n = 0;
    int64_t t0 = now_ns(), end = t0 + (int64_t)(seconds * 1e9);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        uint8_t req[90] = {0}, resp[50];
        while (now_ns() < end) {
            if (send(fd, req, sizeof req, MSG_NOSIGNAL) != (ssize_t)sizeof req)
                break;
            size_t got = 0;
            while (got < sizeof resp) {
                ssize_t r = recv(fd, resp + got, sizeof resp - got, 0);
                if (r <= 0)
                    goto out;
                got += (size_t)r;
            }
            n++;
        }
    }
out:;
    int64_t t1 = now_ns();
    close(fd);
    pthread_join(th, NULL);
    close(e.lfd);
    if (n) {
        *rt_per_s = (double)n / ((double)(t1 - t0) / 1e9);
        *cpu_us = (double)e.cpu_ns / 1e3 / (double)n;
    }
}

/* --------------------------------------------------------- binary size -- */

/* Size of a stripped copy of path (strip -o), -1 when strip failed. */
static long stripped_size(const char *path, long *unstripped)
{
    struct stat sb;
    *unstripped = stat(path, &sb) == 0 ? (long)sb.st_size : -1;
    char tmp[] = "/tmp/uagate-bench-strip-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    close(fd);
    char *argv[] = {"strip", "-o", tmp, (char *)path, NULL};
    pid_t pid;
    long size = -1;
    int status;
    if (posix_spawnp(&pid, "strip", NULL, NULL, argv, environ) == 0 &&
        waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
        stat(tmp, &sb) == 0)
        size = (long)sb.st_size;
    unlink(tmp);
    return size;
}

/* ---------------------------------------------------------------- table -- */

static void row(const char *what, const char *target, const char *measured, int met)
{
    printf("%-44s %-14s %-16s %s\n", what, target, measured,
           met < 0 ? "" : met ? "met" : "NOT MET");
}

static int usage(void)
{
    fprintf(stderr, "usage: server [-d SEC] [-c CLIENTS] [-r REPEATS] [-m ITEMS] [-s SEC] "
                    "[--server PATH] [--reduced PATH]\n");
    return 2;
}

int main(int argc, char **argv)
{
    double read_s = 5, sub_s = 10;
    unsigned clients = 8, items = 10000, repeats = 3;
    const char *server_path = NULL, *reduced_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            return usage();
        if (strcmp(a, "-d") == 0)
            read_s = atof(argv[++i]);
        else if (strcmp(a, "-s") == 0)
            sub_s = atof(argv[++i]);
        else if (strcmp(a, "-c") == 0)
            clients = (unsigned)atoi(argv[++i]);
        else if (strcmp(a, "-m") == 0)
            items = (unsigned)atoi(argv[++i]);
        else if (strcmp(a, "-r") == 0)
            repeats = (unsigned)atoi(argv[++i]);
        else if (strcmp(a, "--server") == 0)
            server_path = argv[++i];
        else if (strcmp(a, "--reduced") == 0)
            reduced_path = argv[++i];
        else
            return usage();
    }
    if (read_s <= 0 || sub_s <= 0 || clients < 1 || clients > 256 || items < 1 || repeats < 1 ||
        repeats > 16)
        return usage();
    static char self_dir[4096];
    if (!server_path) {
        ssize_t n = readlink("/proc/self/exe", self_dir, sizeof self_dir - 32);
        if (n <= 0)
            return usage();
        self_dir[n] = 0;
        char *slash = strrchr(self_dir, '/');
        strcpy(slash ? slash + 1 : self_dir, "server_only");
        server_path = self_dir;
    }
    signal(SIGPIPE, SIG_IGN);

    struct server_proc sp;
    if (server_spawn(server_path, 0, &sp) != 0)
        return 1;
    usleep(1000000);
    long rss_idle = proc_rss_kib(sp.pid), pss_idle = proc_pss_kib(sp.pid);
    fprintf(stderr, "server: %s at %s, idle RSS %ld KiB; 1 client for %.0f s...\n", server_path,
            sp.url, rss_idle, read_s);
    struct read_result b1, bn;
    struct read_result r1 = run_reads_repeated(&sp, 1, read_s, repeats, &b1);
    fprintf(stderr, "server: %u clients for %.0f s...\n", clients, read_s);
    struct read_result rn = run_reads_repeated(&sp, clients, read_s, repeats, &bn);
    server_stop(&sp);

    struct sub_result sr = {0};
    if (server_spawn(server_path, items, &sp) == 0) {
        fprintf(stderr, "server: %u monitored items at 100 ms for %.0f s...\n", items, sub_s);
        sr = run_subscription(&sp, items, sub_s);
        server_stop(&sp);
    }
    long rss_red = -1, pss_red = -1;
    if (reduced_path && server_spawn(reduced_path, 0, &sp) == 0) {
        usleep(1000000);
        rss_red = proc_rss_kib(sp.pid);
        pss_red = proc_pss_kib(sp.pid);
        server_stop(&sp);
    }
    double floor_rt, floor_cpu;
    run_floor(read_s, &floor_rt, &floor_cpu);
    long full_raw, full = stripped_size(server_path, &full_raw);
    long red_raw = -1, red = reduced_path ? stripped_size(reduced_path, &red_raw) : -1;

    char m[64], w[64];
    printf("\nuagate OPC UA server (%s), loopback, SecurityPolicy None\n\n", server_path);
    printf("%-44s %-14s %-16s %s\n", "figure", "target", "measured", "");
    snprintf(m, sizeof m, r1.ok ? "%.0f" : "failed", r1.reads_per_s);
    row("reads/s, 1 client (sync, one node)", ">= 40,000", m, r1.ok ? r1.reads_per_s >= 40000 : 0);
    snprintf(m, sizeof m, "%.0f", b1.reads_per_s);
    row("  fastest run", ">= 40,000", m, r1.ok ? b1.reads_per_s >= 40000 : 0);
    snprintf(m, sizeof m, r1.ok ? "%.2f us" : "failed", r1.cpu_us_per_read);
    row("server CPU per read, 1 client", "<= 8 us", m, r1.ok ? r1.cpu_us_per_read <= 8 : 0);
    snprintf(m, sizeof m, "%.2f us", b1.cpu_us_per_read);
    row("  fastest run", "<= 8 us", m, r1.ok ? b1.cpu_us_per_read <= 8 : 0);
    snprintf(m, sizeof m, "%.2f us", r1.user_us_per_read);
    row("  of which user mode (the rest: kernel)", "-", m, -1);
    snprintf(m, sizeof m, "%.0f", floor_rt);
    row("  floor: bare TCP echo round trips/s", "-", m, -1);
    snprintf(m, sizeof m, "%.2f us", floor_cpu);
    row("  floor: echo thread CPU per round trip", "-", m, -1);
    snprintf(w, sizeof w, "reads/s, %u clients", clients);
    snprintf(m, sizeof m, rn.ok ? "%.0f" : "failed", rn.reads_per_s);
    row(w, "-", m, -1);
    snprintf(m, sizeof m, "%.0f", bn.reads_per_s);
    row("  fastest run", "-", m, -1);
    snprintf(w, sizeof w, "server CPU per read, %u clients", clients);
    snprintf(m, sizeof m, rn.ok ? "%.2f us" : "failed", rn.cpu_us_per_read);
    row(w, "<= 8 us", m, rn.ok ? rn.cpu_us_per_read <= 8 : 0);
    snprintf(m, sizeof m, "%.2f us", rn.user_us_per_read);
    row("  of which user mode", "-", m, -1);
    snprintf(w, sizeof w, "%u items @ 100 ms: server CPU", items);
    snprintf(m, sizeof m, sr.ok ? "%.1f %% core" : "failed", sr.cpu_share * 100);
    row(w, "< 25 % core", m, sr.ok ? sr.cpu_share < 0.25 : 0);
    snprintf(m, sizeof m, sr.ok ? "%.0f" : "failed", sr.changes_per_s);
    row("  data changes/s at the client", "-", m, -1);
    snprintf(m, sizeof m, "%.2f MiB", rss_idle / 1024.0);
    row("resident memory, idle", "<= 4 MiB", m, rss_idle > 0 && rss_idle <= 4096);
    snprintf(m, sizeof m, "%.2f MiB", pss_idle / 1024.0);
    row("  proportional (Pss), idle", "-", m, -1);
    if (reduced_path) {
        snprintf(m, sizeof m, rss_red > 0 ? "%.2f MiB" : "failed", rss_red / 1024.0);
        row("resident memory, idle, reduced ns0", "<= 4 MiB", m, rss_red > 0 && rss_red <= 4096);
        snprintf(m, sizeof m, pss_red > 0 ? "%.2f MiB" : "failed", pss_red / 1024.0);
        row("  proportional (Pss), idle, reduced ns0", "-", m, -1);
    }
    snprintf(w, sizeof w, "resident memory, %u clients reading", clients);
    snprintf(m, sizeof m, "%.2f MiB", rn.rss_kib / 1024.0);
    row(w, "-", m, -1);
    snprintf(w, sizeof w, "resident memory, %u items subscribed", items);
    snprintf(m, sizeof m, sr.ok ? "%.2f MiB" : "failed", sr.rss_kib / 1024.0);
    row(w, "-", m, -1);
    snprintf(m, sizeof m, "%.0f KiB", full / 1024.0);
    row("stripped server-only binary, full ns0", "<= 1 MiB", m, full > 0 && full <= 1048576);
    if (reduced_path) {
        snprintf(m, sizeof m, "%.0f KiB", red / 1024.0);
        row("stripped server-only binary, reduced ns0", "<= 1 MiB", m, red > 0 && red <= 1048576);
    }
    printf("\n(unstripped: %ld bytes%s", full_raw, reduced_path ? "; reduced " : ")\n");
    if (reduced_path)
        printf("%ld bytes)\n", red_raw);
    return r1.ok && rn.ok && sr.ok ? 0 : 1;
}

/* broker: `uagate run` forwarding UADP from UDP to brokers, side by side in
 * the same run with a floor on the same broker.
 *
 * For each path the benchmark sends N messages as fast as it can and an
 * independent subscriber (a libmosquitto client on its own thread for MQTT;
 * uagate's amqp transport on its own loop thread for AMQP) receives them:
 *   floor mqtt qos0/qos1  a bare libmosquitto publisher loop sending the same
 *                         JSON payloads the gateway makes
 *   gw mqtt qos0/qos1     UADP over UDP into `uagate run` (a child process),
 *                         routed to JSON on MQTT
 *   floor amqp            uagate's amqp transport sending the same payloads
 *                         (proton underneath; the bare-proton floor is not
 *                         written yet)
 *   gw amqp               UADP into `uagate run`, JSON out on AMQP 1.0
 * Each payload carries a counter and its send time (CLOCK_MONOTONIC): the
 * subscriber records the end-to-end latency in an rt histogram. Rate is
 * messages received over first send to last receipt; CPU is the publisher's
 * (floor: this thread's getrusage; gateway: the child's /proc utime+stime)
 * per message received. Prints a table, asserts nothing.
 *
 *   broker -m MQTT_PORT [-a AMQP_PORT] [-g path/to/uagate] [-n N] [-r RATE]
 *
 * Two rounds: "flat" sends N messages as fast as possible (rate, CPU);
 * "paced" sends N/4 at RATE per second (default 2000) so the latency is the
 * path's, not the time a burst waits in queues.
 *
 * bench/broker.sh starts mosquitto and RabbitMQ on free loopback ports and
 * runs this.
 */
#include <arpa/inet.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uagate/rt.h"
#include "uagate/transport.h"
#include "uagate/uadp.h"

#if !defined(UG_HAVE_TRANSPORTS) || !defined(UG_HAVE_RT)
#error "broker needs the rt and transports layers"
#endif

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------------ receiving -- */

typedef struct rx {
    struct ug_hist hist;
    atomic_uint_fast64_t count;
    _Atomic int64_t last_ns;
    pthread_mutex_t mu;
} rx;

/* The counter "n" and the send time "t" out of a JSON NetworkMessage (the
 * gateway's verbose form {"UaType":..,"Value":..} or the floor's plain one). */
static void rx_payload(rx *r, const char *p, size_t len)
{
    char buf[1024];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    const char *t = strstr(buf, "\"t\":");
    if (!t)
        return;
    t += 4;
    const char *v = strstr(t, "\"Value\":");
    if (v && v - t < 24)
        t = v + 8;
    double sent = strtod(t, NULL);
    int64_t now = mono_ns();
    pthread_mutex_lock(&r->mu);
    ug_hist_record(&r->hist, now - (int64_t)sent);
    pthread_mutex_unlock(&r->mu);
    atomic_store(&r->last_ns, now);
    atomic_fetch_add(&r->count, 1);
}

static void mq_on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    (void)m;
    rx_payload(obj, msg->payload, (size_t)msg->payloadlen);
}

static void mq_on_connect(struct mosquitto *m, void *obj, int rc)
{
    (void)obj;
    if (rc == 0)
        mosquitto_subscribe(m, NULL, "bench/#", 1);
}

/* AMQP subscriber: uagate's transport on a loop thread of its own. */
typedef struct amqp_sub {
    rx *r;
    ug_loop *loop;
    ug_transport *t;
    pthread_t th;
    atomic_bool stop;
    atomic_bool ready;
} amqp_sub;

static void as_recv(void *ctx, ug_transport *t, const ug_transport_msg *m)
{
    (void)t;
    amqp_sub *s = ctx;
    ug_amqp_rx arx;
    if (ug_transport_amqp_rx(t, &arx) == UG_STATUS_GOOD && arx.subject.len == 11 &&
        memcmp(arx.subject.data, "ua-metadata", 11) == 0)
        return;
    rx_payload(s->r, (const char *)m->data.data, (size_t)m->data.len);
}

static void as_state(void *ctx, ug_transport *t, enum ug_transport_state st, ug_status why)
{
    (void)t;
    (void)why;
    if (st == UG_TRANSPORT_CONNECTED)
        atomic_store(&((amqp_sub *)ctx)->ready, true);
}

static void as_closed(void *ctx, ug_transport *t)
{
    (void)ctx;
    (void)t;
}

static void *as_thread(void *arg)
{
    amqp_sub *s = arg;
    while (!atomic_load(&s->stop))
        ug_loop_run_once(s->loop, false), usleep(50);
    ug_transport_close(s->t);
    for (int i = 0; i < 200; i++)
        ug_loop_run_once(s->loop, false), usleep(1000);
    return NULL;
}

/* ------------------------------------------------------------- sending -- */

static int json_payload(char *buf, size_t cap, uint32_t n)
{
    /* The floor sends what the gateway sends, near enough in size. */
    return snprintf(buf, cap,
                    "{\"MessageId\":\"floor-%u\",\"MessageType\":\"ua-data\",\"PublisherId\":\"gw\","
                    "\"Messages\":[{\"DataSetWriterId\":21,\"SequenceNumber\":%u,\"MessageType\":"
                    "\"ua-keyframe\",\"Payload\":{\"n\":{\"UaType\":7,\"Value\":%u},\"t\":{\"UaType\":11,"
                    "\"Value\":%.1f}}}]}",
                    n, n & 0xffff, n, (double)mono_ns());
}

/* Sleeps until t0 + i * pace_ns (pace 0: no pacing). */
static void pace(int64_t t0, uint32_t i, int64_t pace_ns)
{
    if (!pace_ns)
        return;
    int64_t at = t0 + (int64_t)i * pace_ns;
    struct timespec ts = {.tv_sec = at / 1000000000, .tv_nsec = at % 1000000000};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static atomic_uint_fast64_t floor_acked;

static void floor_on_publish(struct mosquitto *m, void *obj, int mid)
{
    (void)m;
    (void)obj;
    (void)mid;
    atomic_fetch_add(&floor_acked, 1);
}

static int64_t thread_cpu_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

static int64_t proc_cpu_ns(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[1024];
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    char *p = strrchr(line, ')');
    unsigned long ut = 0, st = 0;
    if (p)
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
    return (int64_t)(ut + st) * (1000000000LL / sysconf(_SC_CLK_TCK));
}

typedef struct result {
    const char *name;
    uint64_t sent, received;
    double rate;
    int64_t cpu_ns;
    int paced;
    struct ug_hist hist;
} result;

static void wait_quiet(rx *r, uint64_t want)
{
    int64_t end = mono_ns() + 10000000000LL;
    uint64_t last = 0;
    int64_t last_change = mono_ns();
    while (mono_ns() < end && atomic_load(&r->count) < want) {
        uint64_t c = atomic_load(&r->count);
        if (c != last) {
            last = c;
            last_change = mono_ns();
        } else if (mono_ns() - last_change > 2000000000LL) {
            break;
        }
        usleep(1000);
    }
}

static void rx_reset(rx *r)
{
    pthread_mutex_lock(&r->mu);
    ug_hist_reset(&r->hist);
    pthread_mutex_unlock(&r->mu);
    atomic_store(&r->count, 0);
    atomic_store(&r->last_ns, 0);
}

static void finish(result *res, rx *r, int64_t t0, int64_t cpu_ns)
{
    res->received = atomic_load(&r->count);
    int64_t last = atomic_load(&r->last_ns);
    res->rate = last > t0 ? (double)res->received * 1e9 / (double)(last - t0) : 0;
    res->cpu_ns = cpu_ns;
    pthread_mutex_lock(&r->mu);
    res->hist = r->hist;
    pthread_mutex_unlock(&r->mu);
}

static void floor_mqtt(int port, int qos, uint32_t n, int64_t pace_ns, rx *r, result *res)
{
    rx_reset(r);
    atomic_store(&floor_acked, 0);
    struct mosquitto *m = mosquitto_new(NULL, true, NULL);
    mosquitto_publish_callback_set(m, floor_on_publish);
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    /* The same in-flight window the gateway's transport uses by default. */
    mosquitto_max_inflight_messages_set(m, 20);
    if (mosquitto_connect(m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "broker: floor cannot connect to mqtt port %d\n", port);
        mosquitto_destroy(m);
        return;
    }
    char buf[512];
    int64_t c0 = thread_cpu_ns(), t0 = mono_ns();
    for (uint32_t i = 0; i < n; i++) {
        pace(t0, i, pace_ns);
        int len = json_payload(buf, sizeof buf, i);
        while (mosquitto_publish(m, NULL, "bench/floor", len, buf, qos, false) == MOSQ_ERR_NOMEM)
            mosquitto_loop(m, 0, 1);
        mosquitto_loop(m, 0, 1);
    }
    /* Let the library finish writing (on_publish: QoS 0 written, QoS 1
     * acknowledged). */
    int64_t end = mono_ns() + 20000000000LL;
    while (mono_ns() < end && atomic_load(&floor_acked) < n)
        mosquitto_loop(m, 1, 1);
    int64_t cpu = thread_cpu_ns() - c0;
    wait_quiet(r, n);
    res->sent = n;
    finish(res, r, t0, cpu);
    mosquitto_disconnect(m);
    mosquitto_destroy(m);
}

/* UADP with the fields n (UInt32) and t (Double, CLOCK_MONOTONIC ns). */
static size_t uadp_msg(uint8_t *buf, size_t cap, uint32_t i)
{
    ug_dsm_field f[2];
    memset(f, 0, sizeof f);
    f[0].index = 0;
    f[0].dv.mask = UG_DV_VALUE;
    f[0].dv.value.type = UG_TYPE_UINT32;
    f[0].dv.value.array_len = UG_SCALAR;
    f[0].dv.value.u.v.uint32 = i;
    f[1].index = 1;
    f[1].dv.mask = UG_DV_VALUE;
    f[1].dv.value.type = UG_TYPE_DOUBLE;
    f[1].dv.value.array_len = UG_SCALAR;
    f[1].dv.value.u.v.f64 = (double)mono_ns();
    ug_nm nm;
    ug_dsm d;
    ug_nm_init(&nm);
    ug_dsm_init(&d);
    nm.publisher_id.type = UG_PUBID_UINT16;
    nm.publisher_id.u64 = 7;
    nm.has_group_header = true;
    nm.group.has_writer_group_id = true;
    nm.group.writer_group_id = 3;
    nm.group.has_seq = true;
    nm.group.seq = (uint16_t)i;
    nm.has_payload_header = true;
    d.writer_id = 4;
    d.has_writer_id = true;
    d.has_seq = true;
    d.seq = (uint16_t)i;
    d.field_count = 2;
    d.fields = f;
    nm.n_dsm = 1;
    nm.dsm = &d;
    size_t len = 0;
    return ug_uadp_encode(&nm, buf, cap, &len) == UG_STATUS_GOOD ? len : 0;
}

static const char *write_config(const char *dir, int udp_port, const char *url, const char *qos,
                                const char *extra)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/gw-%d.json", dir, udp_port);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fprintf(f,
            "{ \"name\": \"bench\", \"statusInterval\": \"10s\",\n"
            "  \"publishedDataSets\": [ { \"name\": \"out\", \"fields\": [ { \"name\": \"n\", "
            "\"dataType\": \"UInt32\" }, { \"name\": \"t\", \"dataType\": \"Double\" } ] } ],\n"
            "  \"connections\": [\n"
            "    { \"name\": \"field\", \"address\": { \"url\": \"opc.udp://127.0.0.1:%d\" },\n"
            "      \"connectionProperties\": { \"maxMessageSize\": 1472 },\n"
            "      \"readerGroups\": [ { \"name\": \"rg\", \"dataSetReaders\": [ { \"name\": \"in\", "
            "\"publisherId\": 7, \"writerGroupId\": 3, \"dataSetWriterId\": 4,\n"
            "        \"dataSetMetaData\": { \"fields\": [ { \"name\": \"n\", \"dataType\": \"UInt32\" "
            "}, { \"name\": \"t\", \"dataType\": \"Double\" } ] } } ] } ] },\n"
            "    { \"name\": \"cloud\", \"publisherId\": \"gw\", \"address\": { \"url\": \"%s\" }, %s\n"
            "      \"writerGroups\": [ { \"name\": \"out\", \"writerGroupId\": 20, "
            "\"publishingInterval\": \"1h\", \"keepAliveTime\": \"2h\", \"encoding\": \"JSON\",\n"
            "        \"transportSettings\": { \"requestedDeliveryGuarantee\": \"%s\" },\n"
            "        \"dataSetWriters\": [ { \"name\": \"w\", \"dataSetWriterId\": 21, "
            "\"dataSetName\": \"out\" } ] } ] } ],\n"
            "  \"routes\": [ { \"name\": \"r\", \"from\": \"in\", \"to\": \"out\", "
            "\"publishOnReceive\": true } ] }\n",
            udp_port, url, extra, qos);
    fclose(f);
    return path;
}

static int free_udp_port(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    bind(s, (struct sockaddr *)&a, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &l);
    close(s);
    return ntohs(a.sin_port);
}

static void gateway(const char *uagate, const char *dir, const char *url, const char *qos,
                    uint32_t n, int64_t pace_ns, rx *r, result *res)
{
    rx_reset(r);
    int port = free_udp_port();
    /* A large queue: the burst arrives faster than a QoS 1 window drains. */
    const char *cfg = write_config(dir, port, url, qos,
                                   "\"transportSettings\": { \"queueSize\": 1048576 },");
    char logp[600];
    snprintf(logp, sizeof logp, "%s.log", cfg);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *lf = freopen(logp, "w", stderr);
        (void)lf;
        execl(uagate, uagate, "run", cfg, (char *)NULL);
        _exit(127);
    }
    /* Wait for the broker connection ("broker connected" in its log). */
    int64_t end = mono_ns() + 10000000000LL;
    bool up = false;
    while (!up && mono_ns() < end) {
        usleep(20000);
        FILE *f = fopen(logp, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f))
            up = up || strstr(line, "broker connected");
        if (f)
            fclose(f);
    }
    if (!up)
        fprintf(stderr, "broker: the gateway did not connect for %s (log %s)\n", url, logp);
    usleep(200000);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    int big = 8 << 20;
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    uint8_t buf[256];
    int64_t c0 = proc_cpu_ns(pid), t0 = mono_ns();
    for (uint32_t i = 0; i < n; i++) {
        pace(t0, i, pace_ns);
        size_t len = uadp_msg(buf, sizeof buf, i);
        sendto(s, buf, len, 0, (struct sockaddr *)&to, sizeof to);
        /* Flat out: short breaks, or a burst beyond the gateway's socket
         * buffer would only measure kernel drops. */
        if (!pace_ns && (i & 63) == 63)
            usleep(200);
    }
    close(s);
    wait_quiet(r, n);
    int64_t cpu = proc_cpu_ns(pid) - c0;
    res->sent = n;
    finish(res, r, t0, cpu);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

static void print_row(const result *r)
{
    double p50 = (double)ug_hist_percentile(&r->hist, 50) / 1e3;
    double p99 = (double)ug_hist_percentile(&r->hist, 99) / 1e3;
    double p999 = (double)ug_hist_percentile(&r->hist, 99.9) / 1e3;
    double mx = (double)ug_hist_percentile(&r->hist, 100) / 1e3;
    double span = r->rate > 0 ? (double)r->received / r->rate : 0;
    printf("%-16s %-5s %8llu %8llu %10.0f %9.1f %9.1f %9.1f %10.1f %8.2f %6.2f\n", r->name,
           r->paced ? "paced" : "flat", (unsigned long long)r->sent, (unsigned long long)r->received, r->rate, p50, p99, p999,
           mx, r->received ? (double)r->cpu_ns / (double)r->received / 1e3 : 0,
           span > 0 ? (double)r->cpu_ns / 1e9 / span : 0);
}

int main(int argc, char **argv)
{
    int mport = 0, aport = 0, c;
    uint32_t n = 20000, rate = 2000;
    const char *uagate = "./uagate";
    while ((c = getopt(argc, argv, "m:a:g:n:r:")) != -1) {
        switch (c) {
        case 'm': mport = atoi(optarg); break;
        case 'a': aport = atoi(optarg); break;
        case 'g': uagate = optarg; break;
        case 'n': n = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 'r': rate = (uint32_t)strtoul(optarg, NULL, 10); break;
        default:
            fprintf(stderr, "usage: %s -m MQTT_PORT [-a AMQP_PORT] [-g uagate] [-n N] [-r paced_rate]\n", argv[0]);
            return 2;
        }
    }
    if (!mport || !n || !rate) {
        fprintf(stderr, "usage: %s -m MQTT_PORT [-a AMQP_PORT] [-g uagate] [-n N] [-r paced_rate]\n", argv[0]);
        return 2;
    }
    char dir[] = "/tmp/ug-bench-broker.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    mosquitto_lib_init();
    static rx r = {.mu = PTHREAD_MUTEX_INITIALIZER};
    struct mosquitto *sub = mosquitto_new(NULL, true, &r);
    mosquitto_int_option(sub, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    mosquitto_connect_callback_set(sub, mq_on_connect);
    mosquitto_message_callback_set(sub, mq_on_message);
    if (mosquitto_connect(sub, "127.0.0.1", mport, 60) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "broker: no MQTT broker on 127.0.0.1:%d\n", mport);
        return 1;
    }
    mosquitto_loop_start(sub);
    usleep(300000);

    result res[12];
    memset(res, 0, sizeof res);
    size_t nres = 0;
    char url[256];
    snprintf(url, sizeof url, "mqtt://127.0.0.1:%d/bench/gw", mport);

    static const struct {
        const char *floor, *gw, *qos;
        int mqos;
    } mq[] = {{"floor mqtt qos0", "gw mqtt qos0", "BestEffort", 0},
              {"floor mqtt qos1", "gw mqtt qos1", "AtLeastOnce", 1}};
    for (int round = 0; round < 2; round++) {
        int64_t pace_ns = round ? 1000000000 / rate : 0;
        for (size_t k = 0; k < 2; k++) {
            uint32_t cnt = round ? n / 4 : n;
            res[nres].name = mq[k].floor;
            res[nres].paced = round;
            floor_mqtt(mport, mq[k].mqos, cnt, pace_ns, &r, &res[nres++]);
            res[nres].name = mq[k].gw;
            res[nres].paced = round;
            gateway(uagate, dir, url, mq[k].qos, cnt, pace_ns, &r, &res[nres++]);
        }
    }
    mosquitto_disconnect(sub);
    mosquitto_loop_stop(sub, false);
    mosquitto_destroy(sub);

    if (aport) {
        amqp_sub as = {.r = &r};
        ug_loop_new(NULL, &as.loop);
        snprintf(url, sizeof url, "amqp://127.0.0.1:%d/queue/ug-bench", aport);
        ug_transport_opts o = {.mode = UG_TRANSPORT_RECV, .max_msg = 65536,
                               .amqp = {.credit = 1000}};
        ug_transport_cbs cbs = {.ctx = &as, .on_recv = as_recv, .on_state = as_state,
                                .on_closed = as_closed};
        if (ug_transport_open(as.loop, url, &o, &cbs, &as.t) == UG_STATUS_GOOD) {
            pthread_create(&as.th, NULL, as_thread, &as);
            for (int i = 0; i < 500 && !atomic_load(&as.ready); i++)
                usleep(10000);
            /* Paced first: a flat run's backlog would still be arriving. */
            res[nres].name = "gw amqp alo";
            res[nres].paced = 1;
            gateway(uagate, dir, url, "AtLeastOnce", n / 4, 1000000000 / rate, &r, &res[nres++]);
            res[nres].name = "gw amqp alo";
            gateway(uagate, dir, url, "AtLeastOnce", n, 0, &r, &res[nres++]);
            atomic_store(&as.stop, true);
            pthread_join(as.th, NULL);
        } else {
            fprintf(stderr, "broker: cannot open the AMQP subscriber on %s\n", url);
        }
        ug_loop_close(as.loop, -1);
    }
    mosquitto_lib_cleanup();

    printf("uagate bench/broker: %u JSON messages per path, loopback, one broker each\n", n);
    printf("%-16s %-5s %8s %8s %10s %9s %9s %9s %10s %8s %6s\n", "path", "mode", "sent", "recv", "msg/s",
           "p50 us", "p99 us", "p99.9 us", "max us", "cpu us/m", "cores");
    for (size_t i = 0; i < nres; i++)
        print_row(&res[i]);
    for (size_t i = 0; i + 1 < nres && i < 4; i += 2)
        if (res[i].rate > 0)
            printf("%s flat: %.0f%% of the floor's rate\n", res[i + 1].name,
                   100.0 * res[i + 1].rate / res[i].rate);
    printf("(cores: publisher CPU time over the send-to-last-receipt span; the gateway "
           "figures are the whole `uagate run` process)\n");
    return 0;
}

/* status — the live status view of a running gateway: per connection, group
 * and reader its state, message rate, last sequence number, errors and (for
 * readers) the last values received. Text for a terminal, or one JSON object
 * per line for machines (--status-json). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gw.h"
#include "print.h"

void ug_gw_format_value(const ug_datavalue *dv, char *buf, size_t cap)
{
    if (!(dv->mask & UG_DV_VALUE) || dv->value.type == UG_TYPE_NULL) {
        snprintf(buf, cap, "%s", (dv->mask & UG_DV_STATUS) ? ug_status_name(dv->status) : "null");
        return;
    }
    const ug_scalar *s = &dv->value.u.v;
    if (ug_variant_is_array(&dv->value)) {
        snprintf(buf, cap, "%s[%d]", ug_type_name(dv->value.type), dv->value.array_len);
        return;
    }
    switch (dv->value.type) {
    case UG_TYPE_BOOLEAN: snprintf(buf, cap, "%s", s->boolean ? "true" : "false"); break;
    case UG_TYPE_SBYTE: snprintf(buf, cap, "%d", s->sbyte); break;
    case UG_TYPE_BYTE: snprintf(buf, cap, "%u", s->byte); break;
    case UG_TYPE_INT16: snprintf(buf, cap, "%d", s->int16); break;
    case UG_TYPE_UINT16: snprintf(buf, cap, "%u", s->uint16); break;
    case UG_TYPE_INT32: snprintf(buf, cap, "%" PRId32, s->int32); break;
    case UG_TYPE_UINT32: snprintf(buf, cap, "%" PRIu32, s->uint32); break;
    case UG_TYPE_INT64: snprintf(buf, cap, "%" PRId64, s->int64); break;
    case UG_TYPE_UINT64: snprintf(buf, cap, "%" PRIu64, s->uint64); break;
    case UG_TYPE_FLOAT: snprintf(buf, cap, "%.6g", (double)s->f32); break;
    case UG_TYPE_DOUBLE: snprintf(buf, cap, "%.6g", s->f64); break;
    case UG_TYPE_STATUSCODE: snprintf(buf, cap, "%s", ug_status_name(s->status)); break;
    case UG_TYPE_DATETIME: {
        char iso[40];
        snprintf(buf, cap, "%s", ug_print_datetime_iso(s->datetime, iso));
        break;
    }
    case UG_TYPE_STRING: {
        int n = s->string.len < 0 ? 0 : s->string.len;
        snprintf(buf, cap, "\"%.*s\"", n > 40 ? 40 : n, (const char *)s->string.data);
        break;
    }
    default: snprintf(buf, cap, "<%s>", ug_type_name(dv->value.type)); break;
    }
}

static double rate(gw_rate *r, uint64_t now_count, double dt_s)
{
    uint64_t d = now_count >= r->last ? now_count - r->last : 0;
    r->last = now_count;
    r->per_s = dt_s > 0 ? (double)d / dt_s : 0;
    return r->per_s;
}

static uint64_t dropped(const ug_ps_diag *d)
{
    uint64_t n = 0;
    for (int i = 0; i < UG_PS_DROP_KINDS; i++)
        n += d->dropped[i];
    return n;
}

static void reader_values(gw *g, gw_reader *r, FILE *f, bool json)
{
    for (size_t i = 0; i < r->cfg->n_fields; i++) {
        uint32_t slot = ug_dataset_reader_slot(r->h, (uint16_t)i);
        const ug_datavalue *dv = ug_pubsub_store_read(g->ps, slot);
        char v[96] = "-";
        if (dv)
            ug_gw_format_value(dv, v, sizeof v);
        if (json) {
            fprintf(f, "%s", i ? "," : "");
            ug_print_json_string(f, (const uint8_t *)r->cfg->fields[i].name,
                                 strlen(r->cfg->fields[i].name));
            fputc(':', f);
            ug_print_json_string(f, (const uint8_t *)v, strlen(v));
        } else {
            fprintf(f, " %s=%s", r->cfg->fields[i].name, v);
        }
    }
}

void ug_gw_status_print(gw *g, FILE *f, bool json)
{
    int64_t now = ug_loop_now(g->loop);
    double dt = (double)(now - g->last_status_ns) / 1e9;
    double up = (double)(now - g->started_ns) / 1e9;
    g->last_status_ns = now;
    const ug_cfg *cfg = g->cfg;
    if (json)
        fprintf(f, "{\"uptime\":%.3f,\"reloads\":%" PRIu64 ",\"connections\":[", up, g->reloads);
    else
        fprintf(f, "--- uagate %s  up %.1fs  reloads %" PRIu64 "\n",
                cfg->name ? cfg->name : cfg->path, up, g->reloads);
    for (size_t c = 0; c < cfg->n_conns; c++) {
        gw_conn *gc = g->conns[c];
        if (!gc)
            continue;
        ug_ps_comp *cc = ug_ps_connection_comp(gc->h);
        const ug_ps_diag *d = ug_ps_diag_of(cc);
        double rx = rate(&gc->rate, d->received, dt);
        if (json)
            fprintf(f, "%s{\"name\":\"%s\",\"state\":\"%s\",\"rxPerS\":%.1f,\"received\":%" PRIu64
                       ",\"decodeErrors\":%" PRIu64 ",\"transportErrors\":%" PRIu64
                       ",\"writerGroups\":[",
                    c ? "," : "", gc->cfg->name, ug_ps_state_name(ug_ps_state(cc)), rx,
                    d->received, d->decode_errors, d->transport_errors);
        else
            fprintf(f, "connection %-16s %-14s %s  rx %.1f msg/s  decode errors %" PRIu64
                       "  transport errors %" PRIu64 "\n",
                    gc->cfg->name, ug_ps_state_name(ug_ps_state(cc)), gc->cfg->address, rx,
                    d->decode_errors, d->transport_errors);
        for (size_t w = 0; w < gc->cfg->n_wgs; w++) {
            gw_wg *wg = gc->wgs[w];
            if (!wg)
                continue;
            ug_ps_comp *wc = ug_writer_group_comp(wg->h);
            const ug_ps_diag *wd = ug_ps_diag_of(wc);
            double tx = rate(&wg->rate, wd->sent, dt);
            uint16_t seq = wg->cfg->n_writers ? ug_ps_diag_of(ug_dataset_writer_comp(wg->writers[0]))->last_seq : 0;
            uint64_t errs = wd->encode_errors + wd->dropped[UG_PS_DROP_SEND_FAILED];
            if (json)
                fprintf(f, "%s{\"name\":\"%s\",\"state\":\"%s\",\"txPerS\":%.1f,\"sent\":%" PRIu64
                           ",\"lastSequenceNumber\":%u,\"errors\":%" PRIu64 "}",
                        w ? "," : "", wg->cfg->name, ug_ps_state_name(ug_ps_state(wc)), tx,
                        wd->sent, seq, errs);
            else
                fprintf(f, "  writer group %-12s %-14s tx %8.1f msg/s  sent %" PRIu64
                           "  seq %u  errors %" PRIu64 "%s\n",
                        wg->cfg->name, ug_ps_state_name(ug_ps_state(wc)), tx, wd->sent, seq,
                        errs, ug_writer_group_is_fixed(wg->h) ? "  (fixed layout)" : "");
        }
        if (json)
            fprintf(f, "],\"readers\":[");
        bool first = true;
        for (size_t r = 0; r < gc->cfg->n_rgs; r++) {
            gw_rg *rg = gc->rgs[r];
            for (size_t i = 0; rg && i < rg->cfg->n_readers; i++) {
                gw_reader *rd = rg->readers[i];
                ug_ps_comp *rc = ug_dataset_reader_comp(rd->h);
                const ug_ps_diag *rdg = ug_ps_diag_of(rc);
                double rxr = rate(&rd->rate, rdg->received, dt);
                uint64_t errs = rdg->decode_errors + dropped(rdg) + rdg->timeouts;
                if (json) {
                    fprintf(f, "%s{\"name\":\"%s\",\"state\":\"%s\",\"rxPerS\":%.1f,"
                               "\"received\":%" PRIu64 ",\"lastSequenceNumber\":%u,"
                               "\"gaps\":%" PRIu64 ",\"timeouts\":%" PRIu64
                               ",\"dropped\":%" PRIu64 ",\"decodeErrors\":%" PRIu64
                               ",\"values\":{",
                            first ? "" : ",", rd->cfg->name, ug_ps_state_name(ug_ps_state(rc)),
                            rxr, rdg->received, rdg->last_seq, rdg->gaps, rdg->timeouts,
                            dropped(rdg), rdg->decode_errors);
                    reader_values(g, rd, f, true);
                    fprintf(f, "}}");
                } else {
                    fprintf(f, "  reader %-18s %-14s rx %8.1f msg/s  received %" PRIu64
                               "  seq %u  gaps %" PRIu64 "  errors %" PRIu64 "\n    values:",
                            rd->cfg->name, ug_ps_state_name(ug_ps_state(rc)), rxr,
                            rdg->received, rdg->last_seq, rdg->gaps, errs);
                    reader_values(g, rd, f, false);
                    fputc('\n', f);
                }
                first = false;
            }
        }
        if (json)
            fprintf(f, "]}");
    }
    if (json)
        fprintf(f, "]}\n");
    fflush(f);
}

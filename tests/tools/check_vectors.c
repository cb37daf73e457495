/* check-vectors DIR — run the UADP decoder and encoder over a directory of
 * test vectors (schema "uagate-uadp-vector/1", tests/vectors/open62541/README.md).
 *
 * For every NAME.uadp (sorted): read NAME.expect.json, unsecure with the keys
 * of its "security" object, decode with layouts from "decode_metadata",
 * compare every field with "network_message" (expect.c), re-encode (and
 * re-secure) and compare the bytes with the file. For every NAME.bad.uadp:
 * the decoder must return a Bad status. A vector with a non-null
 * spec_deviation may be rejected or misread: what happened is printed and it
 * counts as passed. Nothing here knows a vector by name.
 *
 * With the JSON codec (UG_HAVE_JSON, check_json.h): every valid UADP vector
 * also goes UADP -> JSON (Compact, Verbose) -> UADP and must come back
 * identical, and every NAME.json (not NAME.expect.json) is decoded and
 * compared with NAME.expect.json.
 *
 * Output: "FAIL name: ..." per failure, "ok name ..." per vector with -v,
 * "deviation name: ..." always, and last "N passed, N failed".
 * Exit: 0 all passed, 1 some failed, 2 usage error or no vectors in DIR.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "check_json.h"
#include "expect.h"
#include "uagate/uadp.h"
#include "uagate/uadp_ext.h"

#define WHY_CAP 1024

typedef struct checker {
    const char *dir;
    bool verbose;
    int passed;
    int failed;
    ug_arena arena;
    ug_uadp_crypto *crypto;
} checker;

/* One vector being checked: its files, parsed expectation and buffers. */
typedef struct vec {
    char name[256];
    char path[4096];
    uint8_t *wire; /* the file */
    size_t len;
    uint8_t *msg; /* the message decoded: the file, or its unsecured copy */
    size_t msg_len;
    json_t *expect;
    ug_expect_layouts lay;
    uint16_t sig_len;
    bool secured;
    ug_uadp_keys keys;
} vec;

static int fail(checker *c, const vec *v, const char *fmt, ...)
{
    va_list ap;
    printf("FAIL %s: ", v->name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    c->failed++;
    return -1;
}

static void pass(checker *c, const vec *v, const char *fmt, ...)
{
    if (c->verbose) {
        va_list ap;
        printf("ok %s: ", v->name);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
    }
    c->passed++;
}

static const char *status_text(ug_status s)
{
    static char buf[16];
    const char *n = ug_status_name(s);
    if (n)
        return n;
    snprintf(buf, sizeof buf, "0x%08X", (unsigned)s);
    return buf;
}

static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        errno = buf ? EIO : ENOMEM;
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

static const char *jstr(const json_t *obj, const char *key)
{
    const json_t *s = json_object_get(obj, key);
    return json_is_string(s) ? json_string_value(s) : NULL;
}

/* Hex of the `security` key fields into the key struct. */
static int load_keys(checker *c, vec *v, const json_t *sec)
{
    ug_uadp_keys *k = &v->keys;
    const char *uri = jstr(sec, "policy_uri");
    const char *sk = jstr(sec, "signing_key_hex"), *ek = jstr(sec, "encrypting_key_hex");
    const char *kn = jstr(sec, "key_nonce_hex");
    const json_t *sl = json_object_get(sec, "signature_length");
    memset(k, 0, sizeof *k);
    if (!uri || !ug_uadp_policy_from_uri(uri, strlen(uri), &k->policy))
        return fail(c, v, "security.policy_uri: unknown policy %s", uri ? uri : "(missing)");
    if (!sk || ug_expect_unhex(sk, k->signing_key, sizeof k->signing_key) !=
                   (long)sizeof k->signing_key)
        return fail(c, v, "security.signing_key_hex: expected %zu hex bytes",
                    sizeof k->signing_key);
    long elen = ek ? ug_expect_unhex(ek, k->encrypting_key, sizeof k->encrypting_key) : -1;
    const char *mode = jstr(sec, "mode");
    bool encrypt = mode && strcmp(mode, "SignAndEncrypt") == 0;
    if (elen < 0 || (encrypt && (size_t)elen != ug_uadp_encrypting_key_len(k->policy)))
        return fail(c, v, "security.encrypting_key_hex: bad length for the policy");
    if (!kn || ug_expect_unhex(kn, k->key_nonce, sizeof k->key_nonce) != (long)sizeof k->key_nonce)
        return fail(c, v, "security.key_nonce_hex: expected %zu hex bytes", sizeof k->key_nonce);
    if (!json_is_integer(sl) || json_integer_value(sl) < 0 || json_integer_value(sl) > 0xFFFF)
        return fail(c, v, "security.signature_length: missing");
    v->sig_len = (uint16_t)json_integer_value(sl);
    return 0;
}

/* Verify and decrypt the wire bytes into v->msg; the plaintext must be the
 * expectation's plaintext_message_hex. The signature stays after it. */
static int unsecure(checker *c, vec *v, const json_t *sec)
{
    if (load_keys(c, v, sec))
        return -1;
    size_t plain_len = 0;
    ug_status s = ug_uadp_unsecure(c->crypto, v->msg, v->msg_len, &v->keys, &plain_len);
    if (s != UG_STATUS_GOOD)
        return fail(c, v, "unsecure: %s", status_text(s));
    const char *ph = jstr(sec, "plaintext_message_hex");
    uint8_t *plain = malloc(v->len + 1);
    long n = ph && plain ? ug_expect_unhex(ph, plain, v->len) : -1;
    int rc = 0;
    if (n < 0)
        rc = fail(c, v, "security.plaintext_message_hex: missing or not hex");
    else if ((size_t)n != plain_len)
        rc = fail(c, v, "unsecured message length: expected %ld got %zu", n, plain_len);
    else if (memcmp(plain, v->msg, plain_len) != 0)
        for (size_t i = 0; i < plain_len; i++)
            if (plain[i] != v->msg[i]) {
                rc = fail(c, v, "decrypted byte %zu: expected 0x%02x got 0x%02x", i, plain[i],
                          v->msg[i]);
                break;
            }
    free(plain);
    return rc;
}

static void first_diff(const uint8_t *want, size_t wlen, const uint8_t *got, size_t glen,
                       char *out, size_t cap)
{
    size_t i = 0;
    while (i < wlen && i < glen && want[i] == got[i])
        i++;
    if (i < wlen && i < glen)
        snprintf(out, cap, "byte %zu: expected 0x%02x got 0x%02x (length %zu vs %zu)", i, want[i],
                 got[i], wlen, glen);
    else
        snprintf(out, cap, "length: expected %zu got %zu (equal up to byte %zu)", wlen, glen, i);
}

/* Re-encode nm (re-secure it for secured vectors) and compare with the file. */
static int reencode(checker *c, vec *v, const ug_nm *nm, char *why, size_t cap)
{
    ug_nm copy = *nm;
    size_t out_cap = v->len + 4096, out_len = 0;
    uint8_t *out = malloc(out_cap);
    if (!out) {
        snprintf(why, cap, "re-encode: out of memory");
        return -1;
    }
    int rc = 0;
    if (v->secured)
        copy.security.signature = UG_NULL_BYTES;
    ug_status s = ug_uadp_encode(&copy, out, out_cap, &out_len);
    if (s != UG_STATUS_GOOD) {
        snprintf(why, cap, "re-encode: %s", status_text(s));
        rc = -1;
    } else if (v->secured) {
        size_t plain_len = v->msg_len - v->sig_len;
        if (out_len != plain_len || memcmp(out, v->msg, plain_len) != 0) {
            char d[160];
            first_diff(v->msg, plain_len, out, out_len, d, sizeof d);
            snprintf(why, cap, "re-encoded plaintext differs at %s", d);
            rc = -1;
        } else if ((s = ug_uadp_secure(c->crypto, out, out_len, out_cap, &v->keys, &out_len)) !=
                   UG_STATUS_GOOD) {
            snprintf(why, cap, "re-secure: %s", status_text(s));
            rc = -1;
        }
    }
    if (rc == 0 && (out_len != v->len || memcmp(out, v->wire, v->len) != 0)) {
        char d[160];
        first_diff(v->wire, v->len, out, out_len, d, sizeof d);
        snprintf(why, cap, "re-encoded%s bytes differ at %s", v->secured ? " and secured" : "", d);
        rc = -1;
    }
    free(out);
    return rc;
}

/* The sizes array is on the wire only; check its values at the payload start. */
static int check_sizes(const vec *v, const ug_uadp_frame *fr, const json_t *nm_expect, char *why,
                       size_t cap)
{
    const json_t *es = json_object_get(nm_expect, "dataset_message_sizes");
    if (!json_is_array(es))
        return 0;
    for (size_t i = 0; i < json_array_size(es); i++) {
        size_t off = fr->payload_off + 2 * i;
        if (off + 2 > v->msg_len) {
            snprintf(why, cap, "dataset_message_sizes[%zu]: beyond the message", i);
            return -1;
        }
        unsigned got = v->msg[off] | (unsigned)v->msg[off + 1] << 8;
        const json_t *e = json_array_get(es, i);
        if (!json_is_integer(e) || json_integer_value(e) != got) {
            char *t = json_dumps(e, JSON_ENCODE_ANY);
            snprintf(why, cap, "dataset_message_sizes[%zu]: expected %s got %u", i, t ? t : "?",
                     got);
            free(t);
            return -1;
        }
    }
    return 0;
}

static int range_is(const json_t *r, size_t lo, size_t hi)
{
    return json_is_array(r) && json_array_size(r) == 2 &&
           json_integer_value(json_array_get(r, 0)) == (json_int_t)lo &&
           json_integer_value(json_array_get(r, 1)) == (json_int_t)hi;
}

/* The rest of the "security" object against the decoded header and frame:
 * mode, token, nonce, signature, the signed and encrypted byte ranges and
 * the AES-CTR counter block (KeyNonce | MessageNonce | block counter 1,
 * Part 14 §8.3.4). */
static int check_security_meta(const vec *v, const ug_nm *nm, const ug_uadp_frame *fr,
                               const json_t *sec, char *why, size_t cap)
{
    const ug_security_header *h = &nm->security;
    bool enc = h->flags & UG_SEC_ENCRYPTED;
    const char *mode = jstr(sec, "mode"), *alg = jstr(sec, "signature_algorithm");
    const char *nonce = jstr(sec, "message_nonce_hex");
    const char *ctr = jstr(sec, "aes_ctr_initial_counter_block_hex");
    char got[128];
    if (!nm->has_security || !(h->flags & UG_SEC_SIGNED)) {
        snprintf(why, cap, "security.mode: expected %s got an unsigned message",
                 mode ? mode : "?");
        return -1;
    }
    if (!mode || strcmp(mode, enc ? "SignAndEncrypt" : "Sign") != 0) {
        snprintf(why, cap, "security.mode: expected %s got %s", mode ? mode : "(missing)",
                 enc ? "SignAndEncrypt" : "Sign");
        return -1;
    }
    if (!alg || strcmp(alg, "HMAC-SHA256") != 0 || v->sig_len != UG_UADP_SIGNATURE_LEN ||
        h->signature.len != v->sig_len) {
        snprintf(why, cap,
                 "security.signature_algorithm/length: expected %s/%u got HMAC-SHA256/%d",
                 alg ? alg : "(missing)", v->sig_len, (int)h->signature.len);
        return -1;
    }
    const json_t *tok = json_object_get(sec, "security_token_id");
    if (json_integer_value(tok) != (json_int_t)h->token_id) {
        snprintf(why, cap, "security.security_token_id: expected %" JSON_INTEGER_FORMAT " got %u",
                 json_integer_value(tok), (unsigned)h->token_id);
        return -1;
    }
    ug_expect_hex(h->nonce, got, sizeof got);
    if (!nonce || strcasecmp(nonce, got) != 0) {
        snprintf(why, cap, "security.message_nonce_hex: expected %s got %s", nonce ? nonce : "?",
                 got);
        return -1;
    }
    const json_t *sr = json_object_get(sec, "signed_range");
    const json_t *er = json_object_get(sec, "encrypted_range");
    const char *key = NULL;
    const json_t *bad_range = NULL;
    if (!range_is(sr, 0, v->msg_len - v->sig_len)) {
        key = "signed_range";
        bad_range = sr;
        snprintf(got, sizeof got, "[0, %zu]", v->msg_len - v->sig_len);
    } else if (enc ? !range_is(er, fr->payload_off, fr->payload_end) : !json_is_null(er)) {
        key = "encrypted_range";
        bad_range = er;
        if (enc)
            snprintf(got, sizeof got, "[%zu, %zu]", fr->payload_off, fr->payload_end);
        else
            snprintf(got, sizeof got, "null");
    }
    if (key) {
        char *t = bad_range ? json_dumps(bad_range, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        snprintf(why, cap, "security.%s: expected %s got %s", key, t ? t : "(missing)", got);
        free(t);
        return -1;
    }
    uint8_t block[16];
    memcpy(block, v->keys.key_nonce, 4);
    memset(block + 4, 0, 8);
    if (h->nonce.len == 8)
        memcpy(block + 4, h->nonce.data, 8);
    memcpy(block + 12, "\0\0\0\1", 4);
    ug_expect_hex((ug_bytes){block, 16}, got, sizeof got);
    if (h->nonce.len != 8 || !ctr || strcasecmp(ctr, got) != 0) {
        snprintf(why, cap, "security.aes_ctr_initial_counter_block_hex: expected %s got %s",
                 ctr ? ctr : "(missing)", got);
        return -1;
    }
    return 0;
}

static ug_status decode(checker *c, vec *v, ug_nm *nm, ug_uadp_frame *fr, size_t *off)
{
    ug_uadp_decode_opts o = {0};
    o.arena = &c->arena;
    o.layouts = v->lay.layouts;
    o.n_layouts = v->lay.n;
    o.signature_len = v->sig_len;
    ug_arena_reset(&c->arena);
    *off = 0;
    ug_status s = ug_uadp_decode_header(v->msg, v->msg_len, nm, &o, fr, off);
    if (s == UG_STATUS_GOOD)
        s = ug_uadp_decode_payload(v->msg, v->msg_len, fr, nm, &o, off);
    return s;
}

static void check_valid(checker *c, vec *v)
{
    char why[WHY_CAP] = "";
    const json_t *dev = json_object_get(v->expect, "spec_deviation");
    const char *deviation = json_is_string(dev) ? json_string_value(dev) : NULL;
    const json_t *nm_expect = json_object_get(v->expect, "network_message");
    const json_t *sec = json_object_get(v->expect, "security");

    v->msg = malloc(v->len ? v->len : 1);
    if (!v->msg) {
        fail(c, v, "out of memory");
        return;
    }
    memcpy(v->msg, v->wire, v->len);
    v->msg_len = v->len;
    if (json_is_object(sec)) {
        v->secured = true;
        if (unsecure(c, v, sec))
            return;
    }

    ug_nm nm;
    ug_uadp_frame fr;
    size_t off;
    ug_status s = decode(c, v, &nm, &fr, &off);
    if (s != UG_STATUS_GOOD) {
        if (deviation) {
            printf("deviation %s: rejected (%s at %zu) — spec_deviation: %s\n", v->name,
                   status_text(s), off, deviation);
            c->passed++;
        } else {
            fail(c, v, "decode: expected Good got %s at byte %zu", status_text(s), off);
        }
        return;
    }
    int rc = ug_expect_compare_nm(nm_expect, &nm, false, why, sizeof why);
    /* The JSON checker relies on the content-only comparison: it must agree
     * with the full one whenever the full one matches. */
    char why2[WHY_CAP / 2];
    if (rc == 0 && ug_expect_compare_nm(nm_expect, &nm, true, why2, sizeof why2)) {
        snprintf(why, sizeof why, "content-only comparison disagrees: %s", why2);
        rc = -1;
    }
    int n_mut = 0;
    if (rc == 0)
        rc = ug_expect_mutation_check(nm_expect, &nm, &n_mut, why, sizeof why);
    if (rc == 0)
        rc = check_sizes(v, &fr, nm_expect, why, sizeof why);
    if (rc == 0 && v->secured)
        rc = check_security_meta(v, &nm, &fr, sec, why, sizeof why);
    if (rc == 0)
        rc = reencode(c, v, &nm, why, sizeof why);
#ifdef UG_HAVE_JSON
    char xnote[256] = "";
    if (rc == 0 && !deviation)
        rc = ug_check_json_crosscodec(nm_expect, &nm, &v->lay, xnote, sizeof xnote, why,
                                      sizeof why);
#else
    const char *xnote = "";
#endif
    if (deviation) {
        printf("deviation %s: accepted, %s%s — spec_deviation: %s\n", v->name,
               rc ? "misread: " : "matches expect and re-encodes identically", rc ? why : "",
               deviation);
        c->passed++;
    } else if (rc) {
        fail(c, v, "%s", why);
    } else {
        pass(c, v, "%zu bytes, %u DataSetMessage(s), %d values compared%s; %s", v->len,
             nm.n_dsm, n_mut, v->secured ? ", unsecured and re-secured" : "", xnote);
    }
}

static void check_bad(checker *c, vec *v)
{
    ug_nm nm;
    ug_uadp_frame fr;
    size_t off = 0;
    ug_status s = UG_STATUS_GOOD;
    const json_t *sec = json_object_get(v->expect, "security");
    v->msg = malloc(v->len ? v->len : 1);
    if (!v->msg) {
        fail(c, v, "out of memory");
        return;
    }
    memcpy(v->msg, v->wire, v->len);
    v->msg_len = v->len;
    /* A malformed secured message may be one whose signature is wrong. */
    if (json_is_object(sec)) {
        size_t plain_len;
        if (load_keys(c, v, sec))
            return;
        s = ug_uadp_unsecure(c->crypto, v->msg, v->msg_len, &v->keys, &plain_len);
    }
    if (s == UG_STATUS_GOOD)
        s = decode(c, v, &nm, &fr, &off);
    if (!ug_is_bad(s)) {
        const char *what = jstr(v->expect, "what_is_wrong");
        fail(c, v, "accepted (%s), expected a Bad status: %s", status_text(s),
             what ? what : "(what_is_wrong missing)");
        return;
    }
    pass(c, v, "rejected (%s at %zu)", status_text(s), off);
}

static void check_one(checker *c, const char *file)
{
    vec v;
    memset(&v, 0, sizeof v);
    size_t flen = strlen(file);
    bool is_bad = flen > 9 && strcmp(file + flen - 9, ".bad.uadp") == 0;
    size_t stem = flen - 5; /* without ".uadp" */
    snprintf(v.name, sizeof v.name, "%.*s", (int)(is_bad ? stem - 4 : stem), file);

    snprintf(v.path, sizeof v.path, "%s/%s", c->dir, file);
    if (read_file(v.path, &v.wire, &v.len)) {
        fail(c, &v, "cannot read %s: %s", v.path, strerror(errno));
        return;
    }
    snprintf(v.path, sizeof v.path, "%s/%.*s.expect.json", c->dir, (int)stem, file);
    json_error_t jerr;
    char why[WHY_CAP];
    v.expect = json_load_file(v.path, 0, &jerr);
    if (!v.expect) {
        fail(c, &v, "cannot load %s: %s (line %d)", v.path, jerr.text, jerr.line);
    } else if (!json_is_object(v.expect)) {
        fail(c, &v, "%s: not a JSON object", v.path);
    } else if (json_is_boolean(json_object_get(v.expect, "valid")) &&
               json_is_true(json_object_get(v.expect, "valid")) == is_bad) {
        fail(c, &v, "expect.valid: %s but the file is named %s", is_bad ? "true" : "false", file);
    } else if (json_integer_value(json_object_get(v.expect, "length")) != (json_int_t)v.len) {
        fail(c, &v, "length: expected %" JSON_INTEGER_FORMAT " got %zu (file size)",
             json_integer_value(json_object_get(v.expect, "length")), v.len);
    } else if (ug_expect_layouts_init(&v.lay, json_object_get(v.expect, "decode_metadata"), why,
                                      sizeof why)) {
        fail(c, &v, "%s", why);
    } else {
        if (is_bad)
            check_bad(c, &v);
        else
            check_valid(c, &v);
        ug_expect_layouts_free(&v.lay);
    }
    json_decref(v.expect);
    free(v.msg);
    free(v.wire);
}

/* NAME.json (not NAME.expect.json): a JSON vector, check_json.c. */
static bool is_json_vector(const char *file)
{
#ifdef UG_HAVE_JSON
    size_t len = strlen(file);
    return len > 5 && strcmp(file + len - 5, ".json") == 0 &&
           !(len > 12 && strcmp(file + len - 12, ".expect.json") == 0);
#else
    (void)file;
    return false;
#endif
}

static void check_json(checker *c, const char *file)
{
    vec v;
    char why[WHY_CAP], note[WHY_CAP];
    memset(&v, 0, sizeof v);
    snprintf(v.name, sizeof v.name, "%s", file);
    if (ug_check_json_vector(c->dir, file, &c->arena, note, sizeof note, why, sizeof why))
        fail(c, &v, "%s", why);
    else
        pass(c, &v, "%s", note);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int usage(void)
{
    fprintf(stderr, "usage: check-vectors [-v] DIR\n"
                    "  checks every DIR/NAME.uadp against DIR/NAME.expect.json\n"
                    "  and that every DIR/NAME.bad.uadp is rejected;\n"
                    "  with the JSON codec also every DIR/NAME.json (check_json.h)\n");
    return 2;
}

int main(int argc, char **argv)
{
    checker c;
    memset(&c, 0, sizeof c);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0)
            c.verbose = true;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return usage() & 0;
        else if (argv[i][0] == '-' || c.dir)
            return usage();
        else
            c.dir = argv[i];
    }
    if (!c.dir)
        return usage();

    DIR *d = opendir(c.dir);
    if (!d) {
        fprintf(stderr, "check-vectors: %s: %s\n", c.dir, strerror(errno));
        return 2;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if ((len <= 5 || strcmp(e->d_name + len - 5, ".uadp") != 0) &&
            !is_json_vector(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn)
                return fprintf(stderr, "check-vectors: out of memory\n"), 2;
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name)))
            return fprintf(stderr, "check-vectors: out of memory\n"), 2;
        n++;
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "check-vectors: %s: no *.uadp or *.json vectors\n", c.dir);
        free(names);
        return 2;
    }
    qsort(names, n, sizeof *names, cmp_names);

    static uint8_t arena_buf[256 * 1024];
    ug_arena_init(&c.arena, arena_buf, sizeof arena_buf, true);
    ug_status s = ug_uadp_crypto_new(&c.crypto);
    if (s != UG_STATUS_GOOD) {
        fprintf(stderr, "check-vectors: crypto: %s\n", status_text(s));
        return 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (is_json_vector(names[i]))
            check_json(&c, names[i]);
        else
            check_one(&c, names[i]);
        free(names[i]);
    }
    free(names);
    ug_uadp_crypto_free(c.crypto);
    ug_arena_free(&c.arena);
    printf("%d passed, %d failed\n", c.passed, c.failed);
    return c.failed ? 1 : 0;
}

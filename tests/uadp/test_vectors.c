/* Smoke test over tests/vectors/open62541: every valid vector decodes (with
 * the decode_metadata of its .expect.json where it has one, written out here),
 * re-encodes to the same bytes where that is expected, and survives the
 * truncation sweep; every .bad vector is rejected without over-reading. The
 * field-by-field check is tests/tools (check-vectors). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "uadp_check.h"
#include "uagate/uadp.h"

/* Macros, not const objects: C11 does not allow a const object as an
 * initializer of a static one (gcc accepts it as an extension, clang not). */
#define M_INT32 {.builtin_type = UG_TYPE_INT32, .value_rank = -1, .n_array_dims = -1}
#define M_DOUBLE {.builtin_type = UG_TYPE_DOUBLE, .value_rank = -1, .n_array_dims = -1}
#define M_UINT64 {.builtin_type = UG_TYPE_UINT64, .value_rank = -1, .n_array_dims = -1}
#define M_STR8 {.builtin_type = UG_TYPE_STRING, .value_rank = -1, .n_array_dims = -1, .max_string_len = 8}
static const uint32_t dims4[] = {4}, dims23[] = {2, 3};
#define M_ARR4 {.builtin_type = UG_TYPE_INT32, .value_rank = 1, .n_array_dims = 1, .array_dims = dims4}
#define M_MAT23 {.builtin_type = UG_TYPE_INT16, .value_rank = 2, .n_array_dims = 2, .array_dims = dims23}

static const ug_field_meta f_int32x10[10] = {M_INT32, M_INT32, M_INT32, M_INT32, M_INT32,
                                             M_INT32, M_INT32, M_INT32, M_INT32, M_INT32};
static const ug_field_meta f_strmax[2] = {M_STR8, M_INT32};
static const ug_field_meta f_arrays[2] = {M_ARR4, M_MAT23};
static const ug_field_meta f_fixed1[2] = {M_INT32, M_DOUBLE};
static const ug_field_meta f_fixed2[1] = {M_UINT64};

static const ug_dsm_layout l_int32x10[] = {{62541, 0, 10, f_int32x10}};
static const ug_dsm_layout l_strmax[] = {{62541, 0, 2, f_strmax}};
static const ug_dsm_layout l_arrays[] = {{62541, 0, 2, f_arrays}};
static const ug_dsm_layout l_fixed[] = {{1, 24, 2, f_fixed1}, {2, 16, 1, f_fixed2}};

enum expect { OK_IDENTICAL, OK, REJECT, ENCRYPTED };

static const struct vec {
    const char *name;
    const ug_dsm_layout *layouts;
    size_t n_layouts;
    uint16_t sig_len;
    enum expect expect;
    ug_status status; /* for REJECT: the exact status, 0 = any Bad */
} special[] = {
    {"enc_raw_int32x10", l_int32x10, 1, 0, OK_IDENTICAL, 0},
    /* open62541's decoder misreads it; the bytes are per spec, so we round-trip. */
    {"enc_raw_string_maxlen", l_strmax, 1, 0, OK_IDENTICAL, 0},
    /* spec_deviation: the 2x3 matrix lacks the Int32 count of dimensions. */
    {"enc_raw_arrays", l_arrays, 1, 0, REJECT, UG_STATUS_BADDECODINGERROR},
    {"nm_fixed_layout_configured_size", l_fixed, 2, 0, OK_IDENTICAL, 0},
    {"sec_sign_aes128ctr", NULL, 0, 32, OK_IDENTICAL, 0},
    {"sec_signencrypt_aes128ctr", NULL, 0, 32, ENCRYPTED, 0},
    {"bad_version_2.bad", NULL, 0, 0, REJECT, UG_STATUS_BADPROTOCOLVERSIONUNSUPPORTED},
    {"bad_variant_depth_bomb.bad", NULL, 0, 0, REJECT, UG_STATUS_BADENCODINGLIMITSEXCEEDED},
};

static struct vec lookup(const char *name)
{
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (strcmp(special[i].name, name) == 0)
            return special[i];
    bool bad = strstr(name, ".bad") != NULL;
    return (struct vec){name, NULL, 0, 0, bad ? REJECT : OK_IDENTICAL, 0};
}

static int run_one(const char *dir, const char *file)
{
    char path[2048], name[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(name, sizeof name, "%.*s", (int)(strlen(file) - 5), file);
    struct vec v = lookup(name);
    size_t len = 0;
    uint8_t *data = ug_test_read_file(path, &len);
    if (!data) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 1;
    }
    uint8_t *g = ug_test_guard(data, len);
    ug_arena a;
    check_arena(&a);
    ug_uadp_decode_opts o = {.arena = &a, .layouts = v.layouts, .n_layouts = v.n_layouts,
                             .signature_len = v.sig_len};
    ug_nm nm;
    size_t err = 0;
    ug_status s = ug_uadp_decode(g, len, &nm, &o, &err);
    int bad = 0;
    switch (v.expect) {
    case REJECT:
        if (!ug_is_bad(s) || (v.status && s != v.status) || err > len) {
            fprintf(stderr, "%s: expected rejection, got %s at %zu\n", name, ug_status_name(s), err);
            bad++;
        }
        break;
    case ENCRYPTED: {
        ug_uadp_frame fr;
        ug_status h = ug_uadp_decode_header(g, len, &nm, &o, &fr, &err);
        if (s != UG_STATUS_BADNOTSUPPORTED || h != UG_STATUS_GOOD || !nm.has_security ||
            !(nm.security.flags & UG_SEC_ENCRYPTED) || fr.payload_end != len - 32 ||
            fr.count != 1 || ug_uadp_frame_writer_id(&fr, 0) != 62541) {
            fprintf(stderr, "%s: header of encrypted message not as expected\n", name);
            bad++;
        }
        break;
    }
    default: {
        if (s != UG_STATUS_GOOD) {
            fprintf(stderr, "%s: decode: %s at %zu\n", name, ug_status_name(s), err);
            bad++;
            break;
        }
        static uint8_t re[1 << 16];
        size_t n = 0;
        if (v.expect == OK_IDENTICAL &&
            (ug_uadp_encode(&nm, re, sizeof re, &n) != UG_STATUS_GOOD || n != len ||
             memcmp(re, data, len) != 0)) {
            fprintf(stderr, "%s: re-encoding differs (%zu vs %zu bytes)\n", name, n, len);
            bad++;
        }
        o.arena = NULL;
        bad += check_truncations(data, len, &o, name);
    }
    }
    check_guard_free(g, len);
    free(data);
    return bad;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_open62541_vectors(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/vectors/open62541", ug_test_srcdir());
    DIR *d = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".uadp") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_names);
    CU_ASSERT(n >= 50);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        bad += run_one(dir, names[i]);
        free(names[i]);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static CU_TestInfo tests[] = {
    {"open62541 vectors decode", test_open62541_vectors},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("uadp/vectors", tests); }

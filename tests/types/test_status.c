/* StatusCode names (types/status.c over the generated table). */
#include <string.h>

#include "harness.h"
#include "uagate/status.h"

static const struct {
    ug_status code;
    const char *name;
} known[] = {
    {UG_STATUS_GOOD, "Good"},
    {UG_STATUS_UNCERTAIN, "Uncertain"},
    {UG_STATUS_BAD, "Bad"},
    {0x80070000U, "BadDecodingError"},
    {UG_STATUS_BADENCODINGLIMITSEXCEEDED, "BadEncodingLimitsExceeded"},
    {UG_STATUS_BADSYNTAXERROR, "BadSyntaxError"},
    {UG_STATUS_BADOUTOFRANGE, "BadOutOfRange"},
    {UG_STATUS_BADOUTOFMEMORY, "BadOutOfMemory"},
    {UG_STATUS_GOODEDITED_DOMINANTVALUECHANGED_DEPENDENTVALUECHANGED,
     "GoodEdited_DominantValueChanged_DependentValueChanged"},
    {UG_STATUS_BADTICKETINVALID, "BadTicketInvalid"}, /* the highest code: last in the table */
};
#define N_KNOWN (sizeof known / sizeof known[0])

static void test_names(void)
{
    CU_ASSERT_EQUAL(UG_STATUS_BADDECODINGERROR, 0x80070000U);
    CU_ASSERT_EQUAL(UG_STATUS_BADENCODINGLIMITSEXCEEDED, 0x80080000U);
    for (size_t i = 0; i < N_KNOWN; i++) {
        const char *n = ug_status_name(known[i].code);
        CU_ASSERT_PTR_NOT_NULL_FATAL(n);
        CU_ASSERT_STRING_EQUAL(n, known[i].name);
    }
}

/* The low 16 bits (InfoType, limit and overflow bits, Part 4 §7.39) do not
 * change which code it is. */
static void test_info_bits_ignored(void)
{
    static const uint32_t info[] = {0x0001, 0x0400, 0x0480, 0x0100, 0xFFFF};
    for (size_t i = 0; i < N_KNOWN; i++)
        for (size_t j = 0; j < sizeof info / sizeof info[0]; j++) {
            const char *n = ug_status_name(known[i].code | info[j]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(n);
            CU_ASSERT_STRING_EQUAL(n, known[i].name);
        }
}

static void test_unknown(void)
{
    static const ug_status unknown[] = {0x00010000U, 0x4FFF0000U, 0x80FF0000U, 0xC0000000U,
                                        0xFFFF0000U, 0x81210000U, 0xFFFFFFFFU};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CU_ASSERT_PTR_NULL(ug_status_name(unknown[i]));
}

static void test_from_name(void)
{
    for (size_t i = 0; i < N_KNOWN; i++) {
        ug_status s = 0xDEADBEEFU;
        CU_ASSERT_TRUE(ug_status_from_name(known[i].name, -1, &s));
        CU_ASSERT_EQUAL(s, known[i].code);
    }
    /* An explicit length: the text need not end there. */
    ug_status s = 0;
    CU_ASSERT_TRUE(ug_status_from_name("BadDecodingErrorXYZ", 16, &s));
    CU_ASSERT_EQUAL(s, UG_STATUS_BADDECODINGERROR);
    CU_ASSERT_TRUE(ug_status_from_name("Good;", 4, &s));
    CU_ASSERT_EQUAL(s, UG_STATUS_GOOD);

    static const char *bad[] = {"", "BadDecoding", "BadDecodingErrorX", "baddecodingerror",
                                "BADDECODINGERROR", " BadDecodingError", "Bad_DecodingError"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s = 0x12345678U;
        CU_ASSERT_FALSE(ug_status_from_name(bad[i], -1, &s));
        CU_ASSERT_EQUAL(s, 0x12345678U); /* untouched */
    }
    CU_ASSERT_FALSE(ug_status_from_name("BadDecodingError", 4, &s)); /* "BadD" */
    CU_ASSERT_TRUE(ug_status_from_name("BadDecodingError", 3, &s)); /* "Bad" is a code */
    CU_ASSERT_EQUAL(s, UG_STATUS_BAD);
}

static void test_severity(void)
{
    CU_ASSERT_TRUE(ug_is_good(UG_STATUS_GOOD));
    CU_ASSERT_TRUE(ug_is_good(UG_STATUS_GOODCLAMPED));
    CU_ASSERT_TRUE(ug_is_uncertain(UG_STATUS_UNCERTAININITIALVALUE));
    CU_ASSERT_FALSE(ug_is_good(UG_STATUS_UNCERTAININITIALVALUE));
    CU_ASSERT_TRUE(ug_is_bad(UG_STATUS_BADDECODINGERROR));
    CU_ASSERT_FALSE(ug_is_bad(UG_STATUS_UNCERTAIN));
    CU_ASSERT_TRUE(ug_is_bad(0xC0000000U)); /* reserved severity 11 counts as bad */
    CU_ASSERT(UG_STATUS_CODE_COUNT > 200);
}

static CU_TestInfo tests[] = {
    {"names of known codes", test_names},
    {"info bits are ignored", test_info_bits_ignored},
    {"unknown codes have no name", test_unknown},
    {"code from name", test_from_name},
    {"severity", test_severity},
    CU_TEST_INFO_NULL,
};

int main(void) { return ug_test_main("status", tests); }

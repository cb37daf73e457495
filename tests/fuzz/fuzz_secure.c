/* Fuzz target: the receive side of UADP message security and chunking —
 * ug_uadp_unsecure (signature check, AES-CTR decryption) and the chunk
 * reassembler fed with every chunk NetworkMessage the input decodes to.
 * Input: a sequence of [UInt16 length][message] records. Properties: no
 * crash or over-read; a message that passes ug_uadp_unsecure decodes or is
 * rejected cleanly; a reassembled DataSetMessage is within the limits and
 * decodes or is rejected cleanly. */
#include <stdlib.h>
#include <string.h>

#include "uagate/uadp.h"
#include "uagate/uadp_ext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t arena_mem[1 << 18];
static uint8_t msg[1 << 16];
static ug_uadp_crypto *crypto;
static ug_uadp_reasm reasm;
static const ug_uadp_reasm_limits lim = {
    .max_messages = 4, .max_total_size = 4096, .max_buffered = 16384, .max_pubid_len = 16};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!crypto) {
        if (ug_uadp_crypto_new(&crypto) != UG_STATUS_GOOD ||
            ug_uadp_reasm_init(&reasm, &lim) != UG_STATUS_GOOD)
            abort();
    }
    ug_uadp_reasm_reset(&reasm);
    ug_uadp_keys keys;
    memset(&keys, 0, sizeof keys);
    keys.policy = UG_UADP_POLICY_AES128_CTR;
    /* The keys of tests/vectors/open62541/sec_*: the seeds verify. */
    for (unsigned i = 0; i < sizeof keys.signing_key; i++)
        keys.signing_key[i] = (uint8_t)i;
    for (unsigned i = 0; i < 16; i++)
        keys.encrypting_key[i] = (uint8_t)(0xA0 + i);
    for (unsigned i = 0; i < UG_UADP_KEY_NONCE_LEN; i++)
        keys.key_nonce[i] = (uint8_t)(0xC0 + i);

    ug_arena arena;
    ug_arena_init(&arena, arena_mem, sizeof arena_mem, false);
    while (size >= 2) {
        size_t n = (size_t)data[0] | ((size_t)data[1] << 8);
        data += 2;
        size -= 2;
        if (n > size)
            n = size;
        memcpy(msg, data, n);
        data += n;
        size -= n;
        ug_arena_reset(&arena);
        ug_uadp_decode_opts o = {.arena = &arena};
        ug_nm nm;
        size_t plain = 0;
        if (ug_uadp_unsecure(crypto, msg, n, &keys, &plain) == UG_STATUS_GOOD) {
            if (plain > n)
                abort();
            (void)ug_uadp_decode_plain(msg, plain, &nm, &o, NULL);
            continue;
        }
        if (ug_uadp_decode(msg, n, &nm, &o, NULL) != UG_STATUS_GOOD || !nm.is_chunk)
            continue;
        ug_uadp_reasm_msg out;
        bool complete = false;
        if (ug_uadp_reasm_add_nm(&reasm, &nm, &out, &complete) != UG_STATUS_GOOD || !complete)
            continue;
        if (out.len > lim.max_total_size)
            abort();
        ug_dsm dsm;
        (void)ug_uadp_reasm_decode(&out, &o, &dsm);
    }
    return 0;
}

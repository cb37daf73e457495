/* Initial values of the PubSub message model (pubsub_msg.h).
 *
 * Zero is not a neutral value everywhere in the model: a zero-length string
 * is the empty string, not the null one (Part 6 keeps them apart), and
 * publisher id type 0 is Byte. So every string and byte string starts null and
 * the publisher id starts absent.
 */
#include <string.h>

#include "uagate/pubsub_msg.h"

static void metadata_init(ug_dataset_metadata *m)
{
    memset(m, 0, sizeof *m);
    m->name = UG_NULL_BYTES;
    m->description = (ug_localized_text){UG_NULL_BYTES, UG_NULL_BYTES};
}

void ug_nm_init(ug_nm *nm)
{
    memset(nm, 0, sizeof *nm);
    nm->version = 1; /* Part 14 §7.2.2.2.2: UADPVersion 1 */
    nm->type = UG_NM_DATASET;
    nm->publisher_id.type = UG_PUBID_NONE;
    nm->publisher_id.str = UG_NULL_BYTES;
    nm->security.nonce = UG_NULL_BYTES;
    nm->security.footer = UG_NULL_BYTES;
    nm->security.signature = UG_NULL_BYTES;
    nm->chunk.data = UG_NULL_BYTES;
    metadata_init(&nm->disc_resp.metadata);
    nm->disc_resp.status = UG_STATUS_GOOD;
    nm->disc_resp.body = UG_NULL_BYTES;
    nm->message_id = UG_NULL_BYTES;
    nm->writer_group_name = UG_NULL_BYTES;
}

void ug_dsm_init(ug_dsm *dsm)
{
    memset(dsm, 0, sizeof *dsm);
    dsm->valid = true;
    dsm->field_encoding = UG_FE_VARIANT;
    dsm->type = UG_DSM_KEYFRAME;
    dsm->raw = UG_NULL_BYTES;
}

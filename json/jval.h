/* Private: built-in type values in JSON (Part 6 §5.4.2), both directions. */
#ifndef UG_JSON_JVAL_H
#define UG_JSON_JVAL_H

#include "jrd.h"
#include "jwr.h"

/* One element of `type` (C types as in ug_rd_element). */
void jw_element(ug_wr *wr, unsigned type, const void *in, const ug_json_enc_opts *o);
/* The members of a Variant ("UaType","Value","Dimensions") inside an object
 * already opened; used by Variant and by the flattened DataValue. */
void jw_variant_members(ug_wr *wr, const ug_variant *v, const ug_json_enc_opts *o, bool *first);
/* The bare value of a Variant (RawData field encoding): scalar or array. */
void jw_variant_value(ug_wr *wr, const ug_variant *v, const ug_json_enc_opts *o);
/* RawData: the bare value, Variant array elements bare as well. */
void jw_raw_value(ug_wr *wr, const ug_variant *v, const ug_json_enc_opts *o);
void jw_datavalue(ug_wr *wr, const ug_datavalue *d, const ug_json_enc_opts *o);
void jw_statuscode(ug_wr *wr, ug_status s, const ug_json_enc_opts *o);

void jr_element(ug_jr *jr, unsigned type, void *out);
void jr_variant(ug_jr *jr, ug_variant *v);
void jr_datavalue(ug_jr *jr, ug_datavalue *d);
/* Fast path of jr_datavalue for the field every encoder writes most, read as
 * bytes: {"UaType":<t>,"Value":<v>} with t a number type, Boolean, String or
 * DateTime and v in its plainest form (no whitespace, escape or exponent).
 * Anything else returns false with nothing consumed (*d may be scribbled
 * on), for the general path to decide and to report any error. */
bool jr_quick_dv(ug_jr *jr, ug_datavalue *d);
/* A value of a known built-in type: a JSON array gives an array Variant
 * (value_rank < 0 allows either). */
void jr_typed_value(ug_jr *jr, unsigned type, ug_variant *v);
/* A value without type information (1.04 NonReversible, RawData without
 * metadata): Boolean, Int32/Int64/Double, String, arrays as Variant arrays,
 * objects as JSON-bodied ExtensionObjects. */
void jr_infer(ug_jr *jr, ug_variant *v);
ug_status jr_statuscode(ug_jr *jr);
void jr_publisher_id(ug_jr *jr, ug_publisher_id *id);
void jw_publisher_id(ug_wr *wr, const ug_publisher_id *id);

#endif

-- uadp.lua — Wireshark dissector for OPC UA PubSub UADP NetworkMessages
-- (OPC UA Part 14 1.05 §7.2.4; §7.2.2 in 1.04) over UDP ports 4840-4850 and
-- Ethernet frames of EtherType 0xB62C (§7.3.3), tagged or not.
--
--   tshark -X lua_script:tools/uadp.lua -r capture.pcapng -V
--   wireshark -X lua_script:tools/uadp.lua capture.pcapng
--   (or copy it into ~/.local/lib/wireshark/plugins/)
--
-- Dissects the NetworkMessage header (UADPFlags, ExtendedFlags1/2,
-- PublisherId of every type, DataSetClassId, GroupHeader, PayloadHeader,
-- Timestamp, PicoSeconds, PromotedFields, SecurityHeader), the Sizes array,
-- the chunk header and each DataSetMessage header (DataSetFlags1/2, sequence
-- number, timestamp, picoseconds, status, configuration versions, field
-- count). Field values are not decoded: `uagate decode` does that. Bad input
-- gives expert info ("Malformed UADP") and never a Lua error. The bit layout
-- matches uadp/header.c and uadp/dsm.c of uagate.

local uadp = Proto("uadp", "OPC UA PubSub UADP")

local pubid_types = { [0] = "Byte", [1] = "UInt16", [2] = "UInt32", [3] = "UInt64", [4] = "String" }
local nm_types = { [0] = "DataSetMessage", [1] = "Discovery request", [2] = "Discovery response" }
local encodings = { [0] = "Variant", [1] = "RawData", [2] = "DataValue", [3] = "Reserved" }
local dsm_types = { [0] = "Data Key Frame", [1] = "Data Delta Frame", [2] = "Event", [3] = "Keep Alive" }

local F = uadp.fields
local function add(f) F[#F + 1] = f; return f end

-- §7.2.4.4.2 UADPFlags, ExtendedFlags1, ExtendedFlags2
local f_flags = add(ProtoField.uint8("uadp.flags", "UADPFlags", base.HEX))
local f_version = add(ProtoField.uint8("uadp.flags.version", "UADP version", base.DEC, nil, 0x0F))
local f_f_pubid = add(ProtoField.bool("uadp.flags.publisher_id", "PublisherId enabled", 8, nil, 0x10))
local f_f_group = add(ProtoField.bool("uadp.flags.group_header", "GroupHeader enabled", 8, nil, 0x20))
local f_f_payload = add(ProtoField.bool("uadp.flags.payload_header", "PayloadHeader enabled", 8, nil, 0x40))
local f_f_ext1 = add(ProtoField.bool("uadp.flags.ext1", "ExtendedFlags1 enabled", 8, nil, 0x80))
local f_ext1 = add(ProtoField.uint8("uadp.ext1", "ExtendedFlags1", base.HEX))
local f_e1_pubid_type = add(ProtoField.uint8("uadp.ext1.publisher_id_type", "PublisherId type", base.DEC, pubid_types, 0x07))
local f_e1_class = add(ProtoField.bool("uadp.ext1.dataset_class_id", "DataSetClassId enabled", 8, nil, 0x08))
local f_e1_security = add(ProtoField.bool("uadp.ext1.security", "Security enabled", 8, nil, 0x10))
local f_e1_ts = add(ProtoField.bool("uadp.ext1.timestamp", "Timestamp enabled", 8, nil, 0x20))
local f_e1_ps = add(ProtoField.bool("uadp.ext1.picoseconds", "PicoSeconds enabled", 8, nil, 0x40))
local f_e1_ext2 = add(ProtoField.bool("uadp.ext1.ext2", "ExtendedFlags2 enabled", 8, nil, 0x80))
local f_ext2 = add(ProtoField.uint8("uadp.ext2", "ExtendedFlags2", base.HEX))
local f_e2_chunk = add(ProtoField.bool("uadp.ext2.chunk", "Chunk message", 8, nil, 0x01))
local f_e2_promoted = add(ProtoField.bool("uadp.ext2.promoted_fields", "PromotedFields enabled", 8, nil, 0x02))
local f_e2_type = add(ProtoField.uint8("uadp.ext2.type", "NetworkMessage type", base.DEC, nm_types, 0x1C))
-- §7.2.4.4.2 PublisherId
local f_pubid = add(ProtoField.uint64("uadp.publisher_id", "PublisherId", base.DEC))
local f_pubid_str = add(ProtoField.string("uadp.publisher_id_string", "PublisherId (String)"))
local f_class_id = add(ProtoField.guid("uadp.dataset_class_id", "DataSetClassId"))
-- §7.2.4.4.3 GroupHeader
local f_gflags = add(ProtoField.uint8("uadp.group_flags", "GroupFlags", base.HEX))
local f_g_wgid = add(ProtoField.bool("uadp.group_flags.writer_group_id", "WriterGroupId enabled", 8, nil, 0x01))
local f_g_ver = add(ProtoField.bool("uadp.group_flags.group_version", "GroupVersion enabled", 8, nil, 0x02))
local f_g_nmn = add(ProtoField.bool("uadp.group_flags.nm_number", "NetworkMessageNumber enabled", 8, nil, 0x04))
local f_g_seq = add(ProtoField.bool("uadp.group_flags.sequence_number", "SequenceNumber enabled", 8, nil, 0x08))
local f_wgid = add(ProtoField.uint16("uadp.writer_group_id", "WriterGroupId", base.DEC))
local f_gver = add(ProtoField.uint32("uadp.group_version", "GroupVersion", base.DEC))
local f_nmn = add(ProtoField.uint16("uadp.nm_number", "NetworkMessageNumber", base.DEC))
local f_nmseq = add(ProtoField.uint16("uadp.sequence_number", "SequenceNumber", base.DEC))
-- §7.2.4.4.4 PayloadHeader
local f_count = add(ProtoField.uint8("uadp.dsm_count", "DataSetMessage count", base.DEC))
local f_writer_id = add(ProtoField.uint16("uadp.writer_id", "DataSetWriterId", base.DEC))
-- §7.2.4.4.2 Timestamp, PicoSeconds; §7.2.4.4.5 PromotedFields
local f_ts = add(ProtoField.absolute_time("uadp.timestamp", "Timestamp", base.UTC))
local f_ps = add(ProtoField.uint16("uadp.picoseconds", "PicoSeconds", base.DEC))
local f_prom_size = add(ProtoField.uint16("uadp.promoted_fields_size", "PromotedFields size", base.DEC))
local f_prom = add(ProtoField.bytes("uadp.promoted_fields", "PromotedFields"))
-- §7.2.4.4.6 SecurityHeader
local f_sflags = add(ProtoField.uint8("uadp.security_flags", "SecurityFlags", base.HEX))
local f_s_signed = add(ProtoField.bool("uadp.security_flags.signed", "Signed", 8, nil, 0x01))
local f_s_enc = add(ProtoField.bool("uadp.security_flags.encrypted", "Encrypted", 8, nil, 0x02))
local f_s_footer = add(ProtoField.bool("uadp.security_flags.footer", "SecurityFooter enabled", 8, nil, 0x04))
local f_s_reset = add(ProtoField.bool("uadp.security_flags.force_key_reset", "ForceKeyReset", 8, nil, 0x08))
local f_token = add(ProtoField.uint32("uadp.security_token_id", "SecurityTokenId", base.DEC))
local f_nonce_len = add(ProtoField.uint8("uadp.nonce_length", "NonceLength", base.DEC))
local f_nonce = add(ProtoField.bytes("uadp.nonce", "MessageNonce"))
local f_footer_size = add(ProtoField.uint16("uadp.security_footer_size", "SecurityFooterSize", base.DEC))
local f_footer = add(ProtoField.bytes("uadp.security_footer", "SecurityFooter"))
local f_signature = add(ProtoField.bytes("uadp.signature", "Signature"))
local f_encrypted = add(ProtoField.bytes("uadp.encrypted_payload", "Encrypted payload"))
-- §7.2.4.5.3 Sizes; §7.2.4.4.4 chunk payload
local f_size = add(ProtoField.uint16("uadp.dsm_size", "DataSetMessage size", base.DEC))
local f_chunk_writer = add(ProtoField.uint16("uadp.chunk.writer_id", "DataSetWriterId", base.DEC))
local f_chunk_seq = add(ProtoField.uint16("uadp.chunk.message_sequence_number", "MessageSequenceNumber", base.DEC))
local f_chunk_off = add(ProtoField.uint32("uadp.chunk.offset", "ChunkOffset", base.DEC))
local f_chunk_total = add(ProtoField.uint32("uadp.chunk.total_size", "TotalSize", base.DEC))
local f_chunk_len = add(ProtoField.int32("uadp.chunk.length", "ChunkData length", base.DEC))
local f_chunk_data = add(ProtoField.bytes("uadp.chunk.data", "ChunkData"))
local f_discovery = add(ProtoField.bytes("uadp.discovery", "Discovery payload"))
-- §7.2.4.5.4 DataSetMessage header
local f_dsm = add(ProtoField.bytes("uadp.dsm", "DataSetMessage"))
local f_dsm_writer = add(ProtoField.uint16("uadp.dsm.writer_id", "DataSetWriterId", base.DEC))
local f_d1 = add(ProtoField.uint8("uadp.dsm.flags1", "DataSetFlags1", base.HEX))
local f_d1_valid = add(ProtoField.bool("uadp.dsm.flags1.valid", "Valid", 8, nil, 0x01))
local f_d1_enc = add(ProtoField.uint8("uadp.dsm.flags1.field_encoding", "Field encoding", base.DEC, encodings, 0x06))
local f_d1_seq = add(ProtoField.bool("uadp.dsm.flags1.sequence_number", "SequenceNumber enabled", 8, nil, 0x08))
local f_d1_status = add(ProtoField.bool("uadp.dsm.flags1.status", "Status enabled", 8, nil, 0x10))
local f_d1_major = add(ProtoField.bool("uadp.dsm.flags1.major_version", "ConfigurationVersionMajorVersion enabled", 8, nil, 0x20))
local f_d1_minor = add(ProtoField.bool("uadp.dsm.flags1.minor_version", "ConfigurationVersionMinorVersion enabled", 8, nil, 0x40))
local f_d1_f2 = add(ProtoField.bool("uadp.dsm.flags1.flags2", "DataSetFlags2 enabled", 8, nil, 0x80))
local f_d2 = add(ProtoField.uint8("uadp.dsm.flags2", "DataSetFlags2", base.HEX))
local f_d2_type = add(ProtoField.uint8("uadp.dsm.flags2.type", "DataSetMessage type", base.DEC, dsm_types, 0x0F))
local f_d2_ts = add(ProtoField.bool("uadp.dsm.flags2.timestamp", "Timestamp enabled", 8, nil, 0x10))
local f_d2_ps = add(ProtoField.bool("uadp.dsm.flags2.picoseconds", "PicoSeconds enabled", 8, nil, 0x20))
local f_dsm_seq = add(ProtoField.uint16("uadp.dsm.sequence_number", "SequenceNumber", base.DEC))
local f_dsm_ts = add(ProtoField.absolute_time("uadp.dsm.timestamp", "Timestamp", base.UTC))
local f_dsm_ps = add(ProtoField.uint16("uadp.dsm.picoseconds", "PicoSeconds", base.DEC))
local f_dsm_status = add(ProtoField.uint16("uadp.dsm.status", "Status (StatusCode bits 16-31)", base.HEX))
local f_dsm_major = add(ProtoField.uint32("uadp.dsm.major_version", "ConfigurationVersionMajorVersion", base.DEC))
local f_dsm_minor = add(ProtoField.uint32("uadp.dsm.minor_version", "ConfigurationVersionMinorVersion", base.DEC))
local f_dsm_fields = add(ProtoField.uint16("uadp.dsm.field_count", "FieldCount", base.DEC))
local f_dsm_data = add(ProtoField.bytes("uadp.dsm.data", "Fields"))
local f_dsm_pad = add(ProtoField.bytes("uadp.dsm.padding", "Padding"))

local e_malformed = ProtoExpert.new("uadp.malformed", "Malformed UADP", expert.group.MALFORMED, expert.severity.ERROR)
local e_note = ProtoExpert.new("uadp.not_dissected", "Not dissected", expert.group.UNDECODED, expert.severity.NOTE)
uadp.experts = { e_malformed, e_note }

-- Part 14 §7.2.4.4.5: both PubSub security policies sign with HMAC-SHA256.
local SIGNATURE_LEN = 32

-- A read position over [pos, stop) of tvb that never reads past stop: every
-- take checks first and on a shortfall adds the expert item and fails.
local Cur = {}
Cur.__index = Cur

local function cursor(tvb, pos, stop, tree)
    return setmetatable({ tvb = tvb, pos = pos, stop = stop, tree = tree, bad = false }, Cur)
end

function Cur:left() return self.stop - self.pos end

-- The next n bytes as a TvbRange, or nil (and the cursor marked bad).
function Cur:take(n, what)
    if self.bad then return nil end
    if n < 0 or self:left() < n then
        self.tree:add_proto_expert_info(e_malformed,
            string.format("%s: needs %d byte(s) at offset %d, %d left", what, n, self.pos, math.max(self:left(), 0)))
        self.bad = true
        return nil
    end
    local r = self.tvb(self.pos, n)
    self.pos = self.pos + n
    return r
end

-- DateTime (Part 6 §5.2.2.5): Int64 100 ns ticks since 1601-01-01 UTC.
local function add_datetime(tree, field, r)
    local ticks = r:le_int64()
    local secs = ticks / 10000000
    local rem = ticks % 10000000
    if rem < 0 then rem = rem + 10000000; secs = secs - 1 end
    local ok, t = pcall(function() return NSTime.new(secs:tonumber() - 11644473600, rem:tonumber() * 100) end)
    if ok then
        tree:add(field, r, t)
    else
        tree:add(field, r):append_text(" (out of range)")
    end
end

local function add_flags(tree, field, r, bits)
    local t = tree:add(field, r)
    for _, b in ipairs(bits) do t:add(b, r) end
    return t
end

local function dissect_dsm(c, tree, writer_id, index, known_size)
    local start = c.pos
    local dt = tree:add(f_dsm, c.tvb(c.pos, c:left()))
    dt:set_text(string.format("DataSetMessage %d%s", index,
        writer_id and string.format(", DataSetWriterId %d", writer_id) or ""))
    local dc = cursor(c.tvb, c.pos, c.stop, dt)
    if writer_id then dt:add(f_dsm_writer, writer_id):set_generated() end
    local r = dc:take(1, "DataSetFlags1")
    if not r then c.bad = true; return end
    local f1 = r:uint()
    add_flags(dt, f_d1, r, { f_d1_valid, f_d1_enc, f_d1_seq, f_d1_status, f_d1_major, f_d1_minor, f_d1_f2 })
    local f2 = 0
    if bit.band(f1, 0x80) ~= 0 then
        r = dc:take(1, "DataSetFlags2")
        if not r then c.bad = true; return end
        f2 = r:uint()
        local ti = add_flags(dt, f_d2, r, { f_d2_type, f_d2_ts, f_d2_ps })
        if bit.band(f2, 0xC0) ~= 0 or bit.band(f2, 0x0F) > 3 then
            ti:add_proto_expert_info(e_malformed, "DataSetFlags2: reserved bits or type set")
            c.bad = true
            return
        end
    end
    local enc = bit.rshift(bit.band(f1, 0x06), 1)
    local dtype = bit.band(f2, 0x0F)
    -- §7.2.4.5.4: encoding 3 is reserved; RawData only in key frames;
    -- events only with Variant fields (as uadp/dsm.c checks).
    local why = (enc == 3 and "field encoding 3 is reserved")
        or (enc == 1 and dtype ~= 0 and "RawData outside a key frame")
        or (dtype == 2 and enc ~= 0 and "event without Variant fields")
    if why then
        dt:add_proto_expert_info(e_malformed, why)
        c.bad = true
        return
    end
    dt:append_text(string.format(": %s, %s", dsm_types[dtype] or ("type " .. dtype), encodings[enc]))
    if bit.band(f1, 0x08) ~= 0 then
        r = dc:take(2, "SequenceNumber")
        if r then
            dt:add_le(f_dsm_seq, r)
            dt:append_text(string.format(", seq %d", r:le_uint()))
        end
    end
    if bit.band(f2, 0x10) ~= 0 then
        r = dc:take(8, "Timestamp"); if r then add_datetime(dt, f_dsm_ts, r) end
    end
    if bit.band(f2, 0x20) ~= 0 then
        r = dc:take(2, "PicoSeconds"); if r then dt:add_le(f_dsm_ps, r) end
    end
    if bit.band(f1, 0x10) ~= 0 then
        r = dc:take(2, "Status"); if r then dt:add_le(f_dsm_status, r) end
    end
    if bit.band(f1, 0x20) ~= 0 then
        r = dc:take(4, "ConfigurationVersionMajorVersion"); if r then dt:add_le(f_dsm_major, r) end
    end
    if bit.band(f1, 0x40) ~= 0 then
        r = dc:take(4, "ConfigurationVersionMinorVersion"); if r then dt:add_le(f_dsm_minor, r) end
    end
    if dc.bad then c.bad = true; return end
    -- §7.2.4.5.5-8: key frame (a heartbeat when only the header is there),
    -- delta frame and event carry a FieldCount; RawData and keep-alive do not.
    local has_count = (dtype == 1 or dtype == 2 or (dtype == 0 and enc ~= 1))
    if dtype == 0 and enc ~= 1 and known_size and dc:left() == 0 then has_count = false end
    if has_count then
        r = dc:take(2, "FieldCount")
        if not r then c.bad = true; return end
        dt:add_le(f_dsm_fields, r)
        dt:append_text(string.format(", %d field(s)", r:le_uint()))
    end
    if dc:left() > 0 then
        if dtype == 3 then
            -- a keep-alive is header only: the rest must be padding (zeros)
            local pad = dc.tvb(dc.pos, dc:left())
            local nonzero = false
            for i = 0, pad:len() - 1 do
                if pad(i, 1):uint() ~= 0 then nonzero = true; break end
            end
            local pi = dt:add(f_dsm_pad, pad)
            if nonzero then pi:add_proto_expert_info(e_malformed, "bytes after a keep-alive header") end
        else
            dt:add(f_dsm_data, dc.tvb(dc.pos, dc:left()))
        end
        dc.pos = dc.stop
    end
    dt:set_len(dc.pos - start)
    c.pos = dc.pos
end

local function dissect(tvb, pinfo, root)
    local len = tvb:len()
    pinfo.cols.protocol = "UADP"
    local tree = root:add(uadp, tvb())
    local c = cursor(tvb, 0, len, tree)

    local r = c:take(1, "UADPFlags")
    if not r then return end
    local flags = r:uint()
    local ft = add_flags(tree, f_flags, r, { f_version, f_f_pubid, f_f_group, f_f_payload, f_f_ext1 })
    if bit.band(flags, 0x0F) ~= 1 then
        ft:add_proto_expert_info(e_malformed, "UADP version " .. bit.band(flags, 0x0F) .. " is not 1")
        return
    end
    local e1, e2 = 0, 0
    if bit.band(flags, 0x80) ~= 0 then
        r = c:take(1, "ExtendedFlags1"); if not r then return end
        e1 = r:uint()
        add_flags(tree, f_ext1, r, { f_e1_pubid_type, f_e1_class, f_e1_security, f_e1_ts, f_e1_ps, f_e1_ext2 })
        if bit.band(e1, 0x80) ~= 0 then
            r = c:take(1, "ExtendedFlags2"); if not r then return end
            e2 = r:uint()
            local ti = add_flags(tree, f_ext2, r, { f_e2_chunk, f_e2_promoted, f_e2_type })
            if bit.band(e2, 0xE0) ~= 0 or bit.rshift(bit.band(e2, 0x1C), 2) > 2 then
                ti:add_proto_expert_info(e_malformed, "ExtendedFlags2: reserved bits or type set")
                return
            end
        end
    end
    local nm_type = bit.rshift(bit.band(e2, 0x1C), 2)
    local chunk = bit.band(e2, 0x01) ~= 0
    local info = { nm_types[nm_type] }

    if bit.band(flags, 0x10) ~= 0 then
        local ptype = bit.band(e1, 0x07)
        local sizes = { [0] = 1, [1] = 2, [2] = 4, [3] = 8 }
        if ptype == 4 then
            r = c:take(4, "PublisherId String length"); if not r then return end
            local n = r:le_int()
            if n < 0 then
                tree:add(f_pubid_str, r, "(null)")
            else
                local s = c:take(n, "PublisherId String"); if not s then return end
                tree:add(f_pubid_str, tvb(r:offset(), 4 + n), s:string(ENC_UTF_8))
                info[#info + 1] = "PublisherId \"" .. s:string(ENC_UTF_8) .. "\""
            end
        elseif sizes[ptype] then
            r = c:take(sizes[ptype], "PublisherId"); if not r then return end
            tree:add_le(f_pubid, r, r:le_uint64())
            info[#info + 1] = "PublisherId " .. tostring(r:le_uint64())
        else
            tree:add_proto_expert_info(e_malformed, "PublisherId type " .. ptype .. " is reserved")
            return
        end
    elseif bit.band(e1, 0x07) ~= 0 then
        tree:add_proto_expert_info(e_malformed, "PublisherId type given without a PublisherId")
        return
    end
    if bit.band(e1, 0x08) ~= 0 then
        r = c:take(16, "DataSetClassId"); if not r then return end
        tree:add_le(f_class_id, r)
    end
    if bit.band(flags, 0x20) ~= 0 then
        r = c:take(1, "GroupFlags"); if not r then return end
        local gf = r:uint()
        local g0 = r:offset()
        local gt = tree:add(tvb(g0, 1), "GroupHeader")
        local ti = add_flags(gt, f_gflags, r, { f_g_wgid, f_g_ver, f_g_nmn, f_g_seq })
        if bit.band(gf, 0xF0) ~= 0 then ti:add_proto_expert_info(e_malformed, "GroupFlags: reserved bits set"); return end
        if bit.band(gf, 0x01) ~= 0 then
            r = c:take(2, "WriterGroupId"); if not r then return end
            gt:add_le(f_wgid, r)
            info[#info + 1] = "WriterGroupId " .. r:le_uint()
        end
        if bit.band(gf, 0x02) ~= 0 then
            r = c:take(4, "GroupVersion"); if not r then return end
            gt:add_le(f_gver, r)
        end
        if bit.band(gf, 0x04) ~= 0 then
            r = c:take(2, "NetworkMessageNumber"); if not r then return end
            gt:add_le(f_nmn, r)
        end
        if bit.band(gf, 0x08) ~= 0 then
            r = c:take(2, "SequenceNumber"); if not r then return end
            gt:add_le(f_nmseq, r)
            info[#info + 1] = "seq " .. r:le_uint()
        end
        gt:set_len(c.pos - g0)
    end
    local writers = {}
    local chunk_writer
    if bit.band(flags, 0x40) ~= 0 then
        if nm_type ~= 0 then
            tree:add_proto_expert_info(e_malformed, "PayloadHeader on a discovery message")
            return
        end
        if chunk then
            r = c:take(2, "DataSetWriterId"); if not r then return end
            tree:add_le(f_chunk_writer, r)
            chunk_writer = r:le_uint()
        else
            r = c:take(1, "PayloadHeader Count"); if not r then return end
            local n = r:uint()
            local p0 = r:offset()
            local ph = tree:add(tvb(p0, 1), "PayloadHeader")
            ph:add(f_count, r)
            if n == 0 then ph:add_proto_expert_info(e_malformed, "PayloadHeader with no DataSetMessages"); return end
            local ids = {}
            for i = 1, n do
                local w = c:take(2, "DataSetWriterId"); if not w then return end
                ph:add_le(f_writer_id, w)
                writers[i] = w:le_uint()
                ids[i] = tostring(writers[i])
            end
            ph:set_len(c.pos - p0)
            info[#info + 1] = "writers " .. table.concat(ids, ",")
        end
    end
    if bit.band(e1, 0x20) ~= 0 then
        r = c:take(8, "Timestamp"); if not r then return end
        add_datetime(tree, f_ts, r)
    end
    if bit.band(e1, 0x40) ~= 0 then
        r = c:take(2, "PicoSeconds"); if not r then return end
        tree:add_le(f_ps, r)
    end
    if bit.band(e2, 0x02) ~= 0 then
        r = c:take(2, "PromotedFields Size"); if not r then return end
        tree:add_le(f_prom_size, r)
        local p = c:take(r:le_uint(), "PromotedFields"); if not p then return end
        if p:len() > 0 then tree:add(f_prom, p) end
    end
    local payload_stop = len
    local encrypted = false
    if bit.band(e1, 0x10) ~= 0 then
        r = c:take(1, "SecurityFlags"); if not r then return end
        local sf = r:uint()
        local s0 = r:offset()
        local st = tree:add(tvb(s0, 1), "SecurityHeader")
        local ti = add_flags(st, f_sflags, r, { f_s_signed, f_s_enc, f_s_footer, f_s_reset })
        if bit.band(sf, 0xF0) ~= 0 then ti:add_proto_expert_info(e_malformed, "SecurityFlags: reserved bits set"); return end
        r = c:take(4, "SecurityTokenId"); if not r then return end
        st:add_le(f_token, r)
        r = c:take(1, "NonceLength"); if not r then return end
        st:add(f_nonce_len, r)
        local nonce = c:take(r:uint(), "MessageNonce"); if not nonce then return end
        if nonce:len() > 0 then st:add(f_nonce, nonce) end
        local footer = 0
        if bit.band(sf, 0x04) ~= 0 then
            r = c:take(2, "SecurityFooterSize"); if not r then return end
            st:add_le(f_footer_size, r)
            footer = r:le_uint()
        end
        st:set_len(c.pos - s0)
        local sig = bit.band(sf, 0x01) ~= 0 and SIGNATURE_LEN or 0
        if c:left() < sig + footer then
            tree:add_proto_expert_info(e_malformed, "message shorter than its signature and footer")
            return
        end
        payload_stop = len - sig - footer
        if footer > 0 then tree:add(f_footer, tvb(payload_stop, footer)) end
        if sig > 0 then tree:add(f_signature, tvb(len - sig, sig)) end
        encrypted = bit.band(sf, 0x02) ~= 0
        if sig > 0 then info[#info + 1] = "signed" end
        if encrypted then info[#info + 1] = "encrypted" end
    end
    c.stop = payload_stop
    pinfo.cols.info = "UADP " .. table.concat(info, ", ")

    -- Payload
    if encrypted then
        if c:left() > 0 then tree:add(f_encrypted, tvb(c.pos, c:left())) end
        return
    end
    if nm_type ~= 0 then
        if c:left() > 0 then
            tree:add(f_discovery, tvb(c.pos, c:left())):add_proto_expert_info(e_note, "discovery payload not dissected")
        end
        return
    end
    if chunk then
        -- §7.2.4.4.4 Table 158: chunk of a DataSetMessage
        r = c:take(2, "MessageSequenceNumber"); if not r then return end
        tree:add_le(f_chunk_seq, r)
        r = c:take(4, "ChunkOffset"); if not r then return end
        tree:add_le(f_chunk_off, r)
        r = c:take(4, "TotalSize"); if not r then return end
        tree:add_le(f_chunk_total, r)
        r = c:take(4, "ChunkData length"); if not r then return end
        tree:add_le(f_chunk_len, r)
        local n = r:le_int()
        if n > 0 then
            local d = c:take(n, "ChunkData"); if not d then return end
            tree:add(f_chunk_data, d)
        end
        pinfo.cols.info:append(string.format(", chunk of writer %d", chunk_writer or 0))
        return
    end
    if #writers > 1 then
        -- §7.2.4.5.3 Sizes: one UInt16 per DataSetMessage
        local sizes = {}
        local stree = tree:add(tvb(c.pos, math.min(2 * #writers, math.max(c:left(), 0))), "Sizes")
        for i = 1, #writers do
            r = c:take(2, "Sizes"); if not r then return end
            stree:add_le(f_size, r)
            sizes[i] = r:le_uint()
        end
        for i = 1, #writers do
            if sizes[i] == 0 or sizes[i] > c:left() then
                tree:add_proto_expert_info(e_malformed,
                    string.format("DataSetMessage %d: size %d, %d byte(s) left", i, sizes[i], c:left()))
                return
            end
            local sub = cursor(tvb, c.pos, c.pos + sizes[i], tree)
            dissect_dsm(sub, tree, writers[i], i, true)
            if sub.bad then return end
            c.pos = c.pos + sizes[i]
        end
        if c:left() > 0 then
            -- zeros: Ethernet padding of a short frame, left to the caller
            for i = c.pos, c.stop - 1 do
                if tvb(i, 1):uint() ~= 0 then
                    tree:add_proto_expert_info(e_malformed, c:left() .. " byte(s) after the last DataSetMessage")
                    return
                end
            end
            return c.pos
        end
        return
    end
    if c:left() == 0 then
        tree:add_proto_expert_info(e_malformed, "no DataSetMessage")
        return
    end
    dissect_dsm(c, tree, writers[1], 1, true)
end

function uadp.dissector(tvb, pinfo, root)
    local ok, used = pcall(dissect, tvb, pinfo, root)
    if ok and type(used) == "number" then return used end
    if not ok then
        -- A bug here must not look like a Lua error on a valid frame of
        -- someone else's capture: report it as an expert item instead.
        root:add_proto_expert_info(e_malformed, "dissector error: " .. tostring(used))
    end
    return tvb:len()
end

local udp_port = DissectorTable.get("udp.port")
udp_port:add("4840-4850", uadp)
DissectorTable.get("ethertype"):add(0xB62C, uadp)

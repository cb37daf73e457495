#!/usr/bin/python3
"""Generates clientserver/ns0_gen.c, namespace 0 as compact const tables, from
the official Opc.Ua.NodeSet2.xml.

    tools/gen_ns0.py SCHEMA_DIR OUT_ROOT

writes OUT_ROOT/clientserver/ns0_gen.c. Kept: every node's NodeId, NodeClass,
BrowseName, DisplayName; DataType, ValueRank, ArrayDimensions, AccessLevel,
MinimumSamplingInterval of variables and variable types; IsAbstract of types;
Symmetric and InverseName of reference types; EventNotifier of objects; every
reference (normalised: each forward reference once, listed on its source as
forward and on its target as inverse); simple scalar and array values
(String, LocalizedText, Int32, UInt32, Boolean and their ListOf forms) and
the Argument lists of methods (InputArguments/OutputArguments, encoded here
as UA Binary ExtensionObject bodies, without their descriptions).
Left out: Descriptions, Documentation, Categories, RolePermissions,
DataTypeDefinitions and other ExtensionObject values (EnumValues, ...).

Two table sets: the full one, and under UG_NS0_REDUCED a minimal set for
small devices (the Server object with ServerStatus, ServerCapabilities,
NamespaceArray, ServerArray; the Root/Objects/Types/Views folders; all
reference types; base data types; the PublishSubscribe object i=14443; and,
closed over, every type definition, supertype, data type and modelling rule
those need, with the Mandatory children of kept variable types).

Strings live in one char pool addressed by offsets, so the tables hold no
pointers and need no relocations: they stay in rodata (shared, clean pages).
Only the Python 3 standard library is used.
"""
import re
import struct
import sys
import xml.etree.ElementTree as ET

NS = '{http://opcfoundation.org/UA/2011/03/UANodeSet.xsd}'
UAX = '{http://opcfoundation.org/UA/2008/02/Types.xsd}'

NODE_CLASSES = {
    'UAObject': 1, 'UAVariable': 2, 'UAMethod': 4, 'UAObjectType': 8,
    'UAVariableType': 16, 'UAReferenceType': 32, 'UADataType': 64, 'UAView': 128,
}

# flags, as in clientserver/aspace_ns0.h
F_ABSTRACT = 0x01
F_SYMMETRIC = 0x02
F_NOT_EXECUTABLE = 0x04
F_HISTORIZING = 0x08

# value kinds, as in clientserver/aspace_ns0.h
VALUE_TYPES = {'Boolean': 1, 'Int32': 6, 'UInt32': 7, 'String': 12, 'LocalizedText': 21,
               'ExtensionObject': 22}
ARGUMENT_XML = 297  # Argument_Encoding_DefaultXml: how the nodeset writes them

HIERARCHICAL = 33
HAS_SUBTYPE = 45
HAS_TYPEDEF = 40
HAS_MODELLING_RULE = 37


def nid(text, aliases):
    text = aliases.get(text, text)
    m = re.fullmatch(r'i=(\d+)', text)
    if not m:
        raise SystemExit('gen_ns0: unsupported NodeId %r' % text)
    return int(m.group(1))


def browse_name(text):
    m = re.fullmatch(r'(\d+):(.*)', text, re.S)
    if m:
        if m.group(1) != '0':
            raise SystemExit('gen_ns0: browse name outside ns 0: %r' % text)
        return m.group(2)
    return text


def enc_nodeid(text):
    """UA Binary NodeId (Part 6 §5.2.2.9) of a numeric ns=0 id."""
    m = re.fullmatch(r'(?:ns=0;)?i=(\d+)', text.strip())
    if not m:
        raise SystemExit('gen_ns0: unsupported Argument DataType %r' % text)
    n = int(m.group(1))
    if n <= 255:
        return bytes([0, n])
    if n <= 65535:
        return bytes([1, 0]) + struct.pack('<H', n)
    return bytes([2]) + struct.pack('<HI', 0, n)


def enc_argument(arg):
    """An Argument (Part 3 §8.6) body in UA Binary; the Description is left
    out (null LocalizedText): the task keeps names, ids and layouts only."""
    name = (arg.findtext(UAX + 'Name') or '').encode('utf-8')
    dt = arg.find(UAX + 'DataType')
    ident = dt.findtext(UAX + 'Identifier') if dt is not None else 'i=24'
    rank = int((arg.findtext(UAX + 'ValueRank') or '-1').strip())
    dims_el = arg.find(UAX + 'ArrayDimensions')
    dims = [int(d.text) for d in dims_el] if dims_el is not None else []
    out = struct.pack('<i', len(name)) + name + enc_nodeid(ident) + struct.pack('<i', rank)
    out += struct.pack('<i', len(dims)) + b''.join(struct.pack('<I', d) for d in dims)
    return out + b'\x00'


def parse_value(el):
    """(type, is_array, [items]) or None for values we do not keep."""
    if el is None or len(el) != 1:
        return None
    v = el[0]
    tag = v.tag.replace(UAX, '')
    arr = tag.startswith('ListOf')
    base = tag[6:] if arr else tag
    if base not in VALUE_TYPES:
        return None
    elems = list(v) if arr else [v]
    items = []
    for e in elems:
        if e.tag.replace(UAX, '') != base:
            return None
        if base == 'ExtensionObject':
            tid = e.find(UAX + 'TypeId')
            body = e.find(UAX + 'Body')
            arg = body.find(UAX + 'Argument') if body is not None else None
            if tid is None or arg is None or \
                    (tid.findtext(UAX + 'Identifier') or '').strip() != 'i=%d' % ARGUMENT_XML:
                return None  # only Argument lists are kept (EnumValues etc. are not)
            items.append(enc_argument(arg))
        elif base == 'LocalizedText':
            loc = e.find(UAX + 'Locale')
            txt = e.find(UAX + 'Text')
            items.append(((loc.text or '') if loc is not None else '',
                          (txt.text or '') if txt is not None else ''))
        elif base == 'String':
            items.append(e.text or '')
        elif base == 'Boolean':
            items.append(1 if (e.text or '').strip() == 'true' else 0)
        else:
            items.append(int((e.text or '0').strip()))
    return (VALUE_TYPES[base], arr, items)


class Node:
    __slots__ = ('id', 'cls', 'bname', 'dname', 'inv_name', 'data_type', 'value_rank',
                 'dims', 'access', 'event_notifier', 'flags', 'msi', 'value', 'fwd', 'inv')


def load(path):
    root = ET.parse(path).getroot()
    aliases = {}
    al = root.find(NS + 'Aliases')
    if al is not None:
        for a in al:
            aliases[a.attrib['Alias']] = a.text.strip()
    nodes = {}
    raw_refs = []
    for el in root:
        tag = el.tag.replace(NS, '')
        if tag not in NODE_CLASSES:
            continue
        n = Node()
        a = el.attrib
        n.id = nid(a['NodeId'], aliases)
        n.cls = NODE_CLASSES[tag]
        n.bname = browse_name(a['BrowseName'])
        dn = el.find(NS + 'DisplayName')
        n.dname = dn.text if dn is not None and dn.text is not None else n.bname
        inv = el.find(NS + 'InverseName')
        n.inv_name = inv.text if inv is not None and inv.text else None
        n.data_type = 0
        n.value_rank = -1
        n.dims = []
        n.access = 1
        n.event_notifier = 0
        n.flags = 0
        n.msi = -1
        n.value = None
        if n.cls in (2, 16):
            n.data_type = nid(a.get('DataType', 'i=24'), aliases)
            n.value_rank = int(a.get('ValueRank', '-1'))
            if a.get('ArrayDimensions'):
                n.dims = [int(x) for x in a['ArrayDimensions'].split(',')]
            n.access = int(a.get('AccessLevel', '1'))
            if 'MinimumSamplingInterval' in a:
                n.msi = int(float(a['MinimumSamplingInterval']))
            if a.get('Historizing') == 'true':
                n.flags |= F_HISTORIZING
            n.value = parse_value(el.find(NS + 'Value'))
        if n.cls in (8, 16, 32, 64) and a.get('IsAbstract') == 'true':
            n.flags |= F_ABSTRACT
        if n.cls == 32 and a.get('Symmetric') == 'true':
            n.flags |= F_SYMMETRIC
        if n.cls == 4 and a.get('Executable') == 'false':
            n.flags |= F_NOT_EXECUTABLE
        if n.cls in (1, 128):
            n.event_notifier = int(a.get('EventNotifier', '0'))
        n.fwd = []
        n.inv = []
        nodes[n.id] = n
        refs = el.find(NS + 'References')
        for r in (refs if refs is not None else []):
            rt = nid(r.attrib['ReferenceType'], aliases)
            tgt = nid(r.text.strip(), aliases)
            if r.attrib.get('IsForward', 'true') == 'false':
                raw_refs.append((tgt, rt, n.id))
            else:
                raw_refs.append((n.id, rt, tgt))
    # Normalise: each forward reference once, in first-seen order.
    seen = set()
    for src, rt, tgt in raw_refs:
        if (src, rt, tgt) in seen or src not in nodes or tgt not in nodes or rt not in nodes:
            continue
        seen.add((src, rt, tgt))
        nodes[src].fwd.append((rt, tgt))
        nodes[tgt].inv.append((rt, src))
    return nodes


def supertype(nodes, n):
    for rt, src in n.inv:
        if rt == HAS_SUBTYPE:
            return src
    return None


def is_subtype(nodes, t, sup):
    while t is not None:
        if t == sup:
            return True
        t = supertype(nodes, nodes[t])
    return False


def reduced_set(nodes):
    keep = set()
    hier = {rt for rt in nodes if nodes[rt].cls == 32 and is_subtype(nodes, rt, HIERARCHICAL)}

    def descendants(root):
        out, todo = set(), [root]
        while todo:
            x = todo.pop()
            if x in out:
                continue
            out.add(x)
            for rt, tgt in nodes[x].fwd:
                if rt in hier and nodes[tgt].cls in (1, 2, 4):
                    todo.append(tgt)
        return out

    keep |= {84, 85, 86, 87, 88, 89, 90, 91, 2253, 2254, 2255, 14443, 58, 61, 62, 63, 68, 24,
             78, 80, 11508, 11510, 77}
    keep |= descendants(2256) | descendants(2268) | descendants(14443)
    # the base data types: BaseDataType and its direct subtypes (built-ins,
    # Structure, Enumeration, Number) and the integer/number families
    for x in nodes.values():
        if x.cls == 64 and (supertype(nodes, x) in (24, 26, 27, 28) or x.id <= 30):
            keep.add(x.id)
        if x.cls == 32:
            keep.add(x.id)
    # closure over what kept nodes need
    declared = set()
    changed = True
    while changed:
        changed = False
        for k in list(keep):
            n = nodes[k]
            need = []
            st = supertype(nodes, n)
            if st is not None:
                need.append(st)
            for rt, tgt in n.fwd:
                if rt in (HAS_TYPEDEF, HAS_MODELLING_RULE):
                    need.append(tgt)
            if n.data_type:
                need.append(n.data_type)
            # the Mandatory instance declarations of kept variable types and
            # of their declarations, so instantiating them works
            if n.cls == 16 or (k in declared):
                for rt, tgt in n.fwd:
                    if rt in hier and (HAS_MODELLING_RULE, 78) in nodes[tgt].fwd:
                        need.append(tgt)
                        declared.add(tgt)
            for rt, src in n.inv:  # the parent, so every kept node is browsable
                if rt in hier and nodes[src].cls in (1, 128) and src in (2253, 14443, 85, 86, 87):
                    need.append(src)
            for x in need:
                if x in nodes and x not in keep:
                    keep.add(x)
                    changed = True
    return keep


def c_str(s):
    out = []
    for ch in (s if isinstance(s, bytes) else s.encode('utf-8')):
        if ch in (0x22, 0x5c):
            out.append('\\' + chr(ch))
        elif 0x20 <= ch < 0x7f and ch != 0x3f:  # '?' escaped: no trigraphs
            out.append(chr(ch))
        else:
            out.append('\\%03o' % ch)
    return '"' + ''.join(out) + '"'


def emit_set(nodes, ids, w):
    order = sorted(ids)
    index = {i: k for k, i in enumerate(order)}
    reftypes = [i for i in order if nodes[i].cls == 32]
    rt_index = {i: k for k, i in enumerate(reftypes)}
    assert len(order) < 65536 and len(reftypes) < 256

    pool = ['']
    pool_off = {b'': 0}
    pool_len = [1]

    def sref(s):
        """Pool offset of a str (UTF-8) or of bytes (ExtensionObject bodies)."""
        if s is None:
            return 0
        raw = s if isinstance(s, bytes) else s.encode('utf-8')
        if raw not in pool_off:
            pool_off[raw] = pool_len[0]
            pool.append(raw)
            pool_len[0] += len(raw) + 1
        return pool_off[raw]

    refs, dims, values, vdata = [], [], [], []
    rows = []
    for i in order:
        n = nodes[i]
        first = len(refs)
        for rt, tgt in n.fwd:
            if tgt in index and rt in rt_index:
                refs.append((index[tgt], rt_index[rt], 0))
        for rt, src in n.inv:
            if src in index and rt in rt_index:
                refs.append((index[src], rt_index[rt], 1))
        dim_off = len(dims)
        dims.extend(n.dims)
        vidx = -1
        if n.value is not None:
            vt, arr, items = n.value
            vidx = len(values)
            values.append((vt, 1 if arr else 0, len(items), len(vdata)))
            for it in items:
                if vt == 21:
                    vdata.append(sref(it[0]))
                    vdata.append(sref(it[1]))
                elif vt == 22:
                    vdata.append(sref(it))
                    vdata.append(len(it))
                elif vt == 12:
                    vdata.append(sref(it))
                else:
                    vdata.append(it & 0xffffffff)
        rows.append('    {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d},' % (
            n.id, sref(n.bname), sref(n.dname), sref(n.inv_name), n.data_type, first,
            len(refs) - first, vidx, dim_off, n.msi, n.cls, n.flags, n.access,
            n.event_notifier, n.value_rank, len(n.dims)))
        assert len(refs) - first < 65536 and len(n.dims) < 256 and len(values) < 32768

    w('static const char pool[] =\n')
    line = '    "\\000" '  # offset 0: the empty string
    for s in pool[1:]:
        piece = c_str(s + b'\0')
        if len(line) + len(piece) > 96:
            w(line.rstrip() + '\n')
            line = '    '
        line += piece + ' '
    w(line.rstrip() + ';\n\n')
    w('static const struct ug_ns0_node nodes[%d] = {\n' % len(rows))
    w('    /* id, browse_name, display_name, inverse_name, data_type, refs, n_refs, value,\n'
      '       dims, min_sampling_ms, node_class, flags, access_level, event_notifier,\n'
      '       value_rank, n_dims */\n')
    w('\n'.join(rows) + '\n};\n\n')
    w('static const struct ug_ns0_ref refs[%d] = {\n' % max(len(refs), 1))
    for k in range(0, len(refs), 8):
        w('    ' + ' '.join('{%d, %d, %d},' % r for r in refs[k:k + 8]) + '\n')
    w('};\n\n')
    w('static const uint16_t reftypes[%d] = {\n' % len(reftypes))
    for k in range(0, len(reftypes), 12):
        w('    ' + ' '.join('%d,' % index[r] for r in reftypes[k:k + 12]) + '\n')
    w('};\n\n')
    w('static const uint32_t dims[%d] = {' % max(len(dims), 1))
    w(', '.join(str(d) for d in dims) if dims else '0')
    w('};\n\n')
    w('static const struct ug_ns0_value values[%d] = {\n' % max(len(values), 1))
    for k in range(0, len(values), 6):
        w('    ' + ' '.join('{%d, %d, %d, %d},' % v for v in values[k:k + 6]) + '\n')
    w('};\n\n')
    w('static const uint32_t value_data[%d] = {\n' % max(len(vdata), 1))
    for k in range(0, len(vdata), 12):
        w('    ' + ' '.join('%du,' % v for v in vdata[k:k + 12]) + '\n')
    w('};\n\n')
    w('const struct ug_ns0_tables ug_ns0 = {\n'
      '    .pool = pool, .nodes = nodes, .n_nodes = %d, .refs = refs, .n_refs = %d,\n'
      '    .reftypes = reftypes, .n_reftypes = %d, .dims = dims, .values = values,\n'
      '    .n_values = %d, .value_data = value_data,\n};\n'
      % (len(rows), len(refs), len(reftypes), len(values)))


def main():
    if len(sys.argv) != 3:
        raise SystemExit('usage: gen_ns0.py SCHEMA_DIR OUT_ROOT')
    nodes = load(sys.argv[1] + '/Opc.Ua.NodeSet2.xml')
    reduced = reduced_set(nodes)
    chunks = []
    w = chunks.append
    w('/* clientserver/ns0_gen.c — namespace 0 as const tables.\n'
      ' * Generated by tools/gen_ns0.py from Opc.Ua.NodeSet2.xml; do not edit.\n'
      ' * Full set: %d nodes; reduced set (UG_NS0_REDUCED): %d nodes. */\n'
      % (len(nodes), len(reduced)))
    w('#include "aspace_ns0.h"\n\n')
    w('#ifndef UG_NS0_REDUCED\n\n')
    emit_set(nodes, set(nodes), w)
    w('\n#else /* UG_NS0_REDUCED */\n\n')
    emit_set(nodes, reduced, w)
    w('\n#endif /* UG_NS0_REDUCED */\n')
    with open(sys.argv[2] + '/clientserver/ns0_gen.c', 'w', encoding='utf-8') as f:
        f.write(''.join(chunks))


if __name__ == '__main__':
    main()

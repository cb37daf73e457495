#!/usr/bin/env node
// The node-opcua client side of the interop tests: drives a server that shows
// uagate's gateway address space (tests/interop/README.md, "the gateway
// contract") through every service set a SCADA client uses, and prints a JSON
// report on stdout.
//
//   node client.js URL [--user U --password P] [--variable NAME] [--value V]
//                      [--live NODEID] [--group NODEID] [--follow NODEID]
//                      [--changes N] [--timeout SECONDS] [--pki DIR]
//
// Steps (SecurityPolicy None; anonymous unless --user):
//   1. connect (GetEndpoints, OpenSecureChannel), CreateSession, ActivateSession
//   2. read Server/ServerStatus and NamespaceArray
//   3. browse Objects, find Gateway; browse the Gateway tree with at most 2
//      references per node so BrowseNext and continuation points are used
//   4. TranslateBrowsePathsToNodeIds Objects/1:Gateway/1:Variables
//   5. read a Gateway/Variables/<name> (Value, DataType, AccessLevel, ...),
//      write a new value of its type, read it back; with --follow, wait until
//      the field NODEID (a reader's field fed by a writer that publishes the
//      variable) shows the written value: the write went through PubSub
//   6. call Gateway/Echo with a String; expect the same String back
//   7. bad input gets Bad status codes: an unknown node, a write to a
//      read-only field, Echo with an Int32
//   8. a subscription with a monitored item on a live field variable; Disable
//      on a group (State -> 0), Enable (State -> 2), then >= N data changes
//   9. CloseSession, CloseSecureChannel
// Exit 0 when every step passed; 1 with "client.js: FAIL: <step>: <why>" on
// stderr (and the report so far on stdout) otherwise; 2 on bad usage.
"use strict";

// node-opcua logs through console.log; keep stdout for this script's output.
const stdoutWrite = (text) => process.stdout.write(text);
console.log = console.error;

const os = require("os");
const path = require("path");
const {
    OPCUAClient, OPCUACertificateManager, MessageSecurityMode, SecurityPolicy,
    AttributeIds, BrowseDirection, DataType, NodeClass, StatusCodes, Variant,
    ClientSubscription, ClientMonitoredItem, TimestampsToReturn, UserTokenType,
    makeBrowsePath, resolveNodeId
} = require("node-opcua");

function usage(msg) {
    if (msg) console.error("client.js: " + msg);
    console.error("usage: node client.js URL [--user U --password P] [--variable NAME] [--value V]\n" +
        "                      [--live NODEID] [--group NODEID] [--follow NODEID] [--changes N]\n" +
        "                      [--timeout SECONDS] [--pki DIR]");
    process.exit(2);
}

function parseArgs(argv) {
    const o = { url: null, user: null, password: null, variable: null, value: null, live: null,
        group: null, follow: null, changes: 3, timeout: 10, pki: null };
    const rest = [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const val = () => { if (i + 1 >= argv.length) usage(a + " needs a value"); return argv[++i]; };
        switch (a) {
        case "--user": o.user = val(); break;
        case "--password": o.password = val(); break;
        case "--variable": o.variable = val(); break;
        case "--value": o.value = val(); break;
        case "--live": o.live = val(); break;
        case "--group": o.group = val(); break;
        case "--follow": o.follow = val(); break;
        case "--changes": o.changes = Number(val()); break;
        case "--timeout": o.timeout = Number(val()); break;
        case "--pki": o.pki = val(); break;
        default:
            if (a.startsWith("--")) usage("unknown option " + a);
            rest.push(a);
        }
    }
    if (rest.length !== 1 || !rest[0].startsWith("opc.tcp://")) usage("one opc.tcp:// URL expected");
    o.url = rest[0];
    if ((o.user === null) !== (o.password === null)) usage("--user and --password go together");
    if (!(o.changes >= 1) || !(o.timeout > 0)) usage("bad --changes or --timeout");
    return o;
}

const report = { url: null, identity: "anonymous", steps: [], ok: false };
let currentStep = "start";

class StepError extends Error {}
function check(cond, msg) { if (!cond) throw new StepError(msg); }
function sc(statusCode) { return statusCode ? statusCode.name : "none"; }
function plain(v) { // Variant value -> JSON-friendly
    if (typeof v === "bigint") return v.toString();
    if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v, plain);
    if (v && typeof v === "object" && "text" in v && "locale" in v) return v.text; // LocalizedText
    if (v && typeof v === "object" && typeof v.toString === "function" && !(v instanceof Date)) return v.toString();
    return v;
}

async function step(name, fn) {
    currentStep = name;
    const t0 = Date.now();
    const detail = await fn();
    report.steps.push({ name, ok: true, ms: Date.now() - t0, ...(detail || {}) });
    return detail;
}

// Browse one node's forward hierarchical references, following continuation
// points (BrowseNext) until the server has given them all.
// maxRefs 0: no limit. A server must not return more than maxRefs in one
// answer (Part 4 5.8.2.2).
async function browseAll(session, nodeId, maxRefs, stats) {
    const saved = session.requestedMaxReferencesPerNode;
    session.requestedMaxReferencesPerNode = maxRefs;
    let res;
    try {
        res = await session.browse({
            nodeId, browseDirection: BrowseDirection.Forward, includeSubtypes: true,
            referenceTypeId: "HierarchicalReferences", nodeClassMask: 0, resultMask: 63
        });
    } finally {
        session.requestedMaxReferencesPerNode = saved;
    }
    check(res.statusCode.isGood(), `Browse ${nodeId}: ${sc(res.statusCode)}`);
    const over = (r) => maxRefs > 0 && (r.references || []).length > maxRefs;
    check(!over(res), `Browse ${nodeId}: ${res.references.length} references, asked for at most ${maxRefs}`);
    let refs = res.references || [];
    let cp = res.continuationPoint;
    while (cp && cp.length) {
        stats.browseNext++;
        const next = await session.browseNext(cp, false);
        check(next.statusCode.isGood(), `BrowseNext ${nodeId}: ${sc(next.statusCode)}`);
        check(!over(next), `BrowseNext ${nodeId}: ${next.references.length} references, asked for at most ${maxRefs}`);
        refs = refs.concat(next.references || []);
        cp = next.continuationPoint;
    }
    return refs;
}

function bumpValue(dataType, old, given) {
    const numeric = ["SByte", "Byte", "Int16", "UInt16", "Int32", "UInt32", "Float", "Double"];
    if (given !== null) {
        if (dataType === "Boolean") return given === "true";
        if (dataType === "String") return given;
        if (dataType === "Int64" || dataType === "UInt64") return BigInt(given);
        return Number(given);
    }
    if (dataType === "Boolean") return !old;
    if (dataType === "String") return (old || "") + "+node";
    if (dataType === "Double" || dataType === "Float") return (Number(old) || 0) + 1.5;
    if (numeric.includes(dataType)) return ((Number(old) || 0) + 7) % 100;
    if (dataType === "Int64" || dataType === "UInt64") return BigInt(old || 0) + 7n;
    throw new StepError("cannot write a value of type " + dataType);
}

function same(a, b) {
    if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));
    return String(a) === String(b);
}

async function run(opt) {
    report.url = opt.url;
    if (opt.user) report.identity = "user " + opt.user;
    const pki = opt.pki || path.join(os.tmpdir(), "uagate-interop-pki-" + process.getuid());
    const client = OPCUAClient.create({
        applicationName: "uagate-interop-client",
        clientCertificateManager: new OPCUACertificateManager({
            rootFolder: path.join(pki, "client"), automaticallyAcceptUnknownCertificate: true
        }),
        securityMode: MessageSecurityMode.None,
        securityPolicy: SecurityPolicy.None,
        endpointMustExist: false,
        connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
        requestedSessionTimeout: 30000,
        keepSessionAlive: false
    });
    let session = null;
    try {
        await step("connect", async () => {
            await client.connect(opt.url);
            const identity = opt.user
                ? { type: UserTokenType.UserName, userName: opt.user, password: opt.password }
                : { type: UserTokenType.Anonymous };
            session = await client.createSession(identity);
            return { sessionId: session.sessionId.toString() };
        });

        await step("server-status", async () => {
            const dvs = await session.read([
                { nodeId: "ns=0;i=2256", attributeId: AttributeIds.Value },  // Server_ServerStatus
                { nodeId: "ns=0;i=2255", attributeId: AttributeIds.Value },  // Server_NamespaceArray
                { nodeId: "ns=0;i=2259", attributeId: AttributeIds.Value }]); // ServerStatus_State
            dvs.forEach((dv, i) => check(dv.statusCode.isGood(), `read #${i}: ${sc(dv.statusCode)}`));
            const st = dvs[0].value.value;
            check(st && st.buildInfo, "ServerStatus is not a ServerStatusDataType");
            check(dvs[2].value.value === 0, "ServerStatus.State is not Running: " + dvs[2].value.value);
            const nsArray = dvs[1].value.value;
            check(Array.isArray(nsArray) && nsArray[0] === "http://opcfoundation.org/UA/" && nsArray.length >= 2,
                "NamespaceArray: " + JSON.stringify(nsArray));
            return { productName: st.buildInfo.productName, state: dvs[2].value.value,
                currentTime: st.currentTime, namespaceArray: nsArray };
        });

        const tree = {}; // nodeId -> { browseName, nodeClass, children: [nodeId] }
        const stats = { browseNext: 0, nodes: 0 };
        let gatewayId = null;
        await step("browse", async () => {
            const top = await browseAll(session, "ns=0;i=85", 0, stats);
            const gw = top.find((r) => r.browseName.name === "Gateway");
            check(gw, "no Gateway under Objects: " + top.map((r) => r.browseName.toString()).join(", "));
            gatewayId = gw.nodeId.toString();
            // Breadth-first, at most 2 references per Browse so the server has
            // to hand out continuation points; at most 2000 nodes.
            const queue = [[gatewayId, 0]];
            tree[gatewayId] = { browseName: "Gateway", nodeClass: "Object", children: [] };
            while (queue.length && stats.nodes < 2000) {
                const [id, depth] = queue.shift();
                stats.nodes++;
                const refs = await browseAll(session, id, 2, stats);
                for (const r of refs) {
                    const cid = r.nodeId.toString();
                    tree[id].children.push(cid);
                    if (tree[cid]) continue;
                    tree[cid] = { browseName: r.browseName.name, nodeClass: NodeClass[r.nodeClass], children: [] };
                    if (r.nodeClass === NodeClass.Object && depth < 8) queue.push([cid, depth + 1]);
                }
            }
            check(stats.nodes > 1, "the Gateway folder is empty");
            return { gateway: gatewayId, objectsUnderRoot: top.map((r) => r.browseName.toString()),
                gatewayChildren: tree[gatewayId].children.map((c) => tree[c].browseName),
                nodesBrowsed: stats.nodes, browseNextCalls: stats.browseNext };
        });
        report.nodes = Object.keys(tree).length;

        await step("translate", async () => {
            const r = await session.translateBrowsePath(makeBrowsePath("ObjectsFolder", "/1:Gateway/1:Variables"));
            check(r.statusCode.isGood() && r.targets && r.targets.length === 1,
                "Objects/1:Gateway/1:Variables: " + sc(r.statusCode));
            return { variables: r.targets[0].targetId.toString() };
        });

        // The Variables folder and the variable to write.
        const varsId = tree[gatewayId].children.find((c) => tree[c].browseName === "Variables");
        check(varsId, "no Gateway/Variables");
        const varIds = tree[varsId].children.filter((c) => tree[c].nodeClass === "Variable");
        let varId = opt.variable
            ? varIds.find((c) => tree[c].browseName === opt.variable)
            : varIds[0];
        currentStep = "read";
        check(varId, opt.variable ? `no variable ${opt.variable} under Gateway/Variables`
            : "no variable under Gateway/Variables");
        let dataTypeName;
        let oldValue;
        await step("read", async () => {
            const attrs = ["Value", "DataType", "AccessLevel", "UserAccessLevel", "BrowseName",
                "DisplayName", "NodeClass", "ValueRank"];
            const dvs = await session.read(attrs.map((a) => ({ nodeId: varId, attributeId: AttributeIds[a] })),
                0 /* maxAge */);
            const out = {};
            attrs.forEach((a, i) => {
                check(dvs[i].statusCode.isGood(), `${a} of ${varId}: ${sc(dvs[i].statusCode)}`);
                out[a] = plain(dvs[i].value.value);
            });
            check(dvs[0].sourceTimestamp || dvs[0].serverTimestamp, "Value without timestamps");
            const dt = dvs[1].value.value; // NodeId of the DataType
            check(dt.namespace === 0 && DataType[dt.value], "DataType not a built-in type: " + dt.toString());
            dataTypeName = DataType[dt.value];
            check((dvs[2].value.value & 0x03) === 0x03, "AccessLevel lacks CurrentRead|CurrentWrite: " + dvs[2].value.value);
            check(dvs[4].value.value.name === tree[varId].browseName, "BrowseName differs from Browse");
            oldValue = dvs[0].value.value;
            return { nodeId: varId, dataType: dataTypeName, attributes: out };
        });

        await step("write", async () => {
            const newValue = bumpValue(dataTypeName, oldValue, opt.value);
            const st = await session.write({
                nodeId: varId, attributeId: AttributeIds.Value,
                value: { value: new Variant({ dataType: DataType[dataTypeName], value: newValue }) }
            });
            check(st.isGood(), `Write ${varId}: ${sc(st)}`);
            const dv = await session.read({ nodeId: varId, attributeId: AttributeIds.Value });
            check(dv.statusCode.isGood(), "read back: " + sc(dv.statusCode));
            check(same(dv.value.value, newValue), `read back ${plain(dv.value.value)}, wrote ${plain(newValue)}`);
            const out = { nodeId: varId, before: plain(oldValue), written: plain(newValue),
                readBack: plain(dv.value.value) };
            if (opt.follow) {
                const deadline = Date.now() + opt.timeout * 1000;
                let seen;
                for (;;) {
                    const f = await session.read({ nodeId: opt.follow, attributeId: AttributeIds.Value });
                    check(f.statusCode.isGood(), `read ${opt.follow}: ${sc(f.statusCode)}`);
                    seen = f.value.value;
                    if (same(seen, newValue)) break;
                    check(Date.now() < deadline,
                        `${opt.follow} is ${plain(seen)} ${opt.timeout} s after writing ${plain(newValue)}`);
                    await new Promise((r) => setTimeout(r, 50));
                }
                out.followed = { nodeId: opt.follow, value: plain(seen), ms: Date.now() - deadline + opt.timeout * 1000 };
            }
            return out;
        });

        const echoId = tree[gatewayId].children.find((c) => tree[c].browseName === "Echo");
        await step("call-echo", async () => {
            check(echoId, "no Echo method under Gateway");
            const text = "hällo uagate ✓ " + Date.now();
            const r = await session.call({ objectId: gatewayId, methodId: echoId,
                inputArguments: [{ dataType: DataType.String, value: text }] });
            check(r.statusCode.isGood(), "Echo: " + sc(r.statusCode));
            check(r.outputArguments.length === 1 && r.outputArguments[0].value === text,
                "Echo returned " + JSON.stringify(r.outputArguments.map((v) => v.value)));
            return { methodId: echoId, sent: text, received: r.outputArguments[0].value };
        });

        // Field variables (read-only, live): Gateway/<conn>/<group>/<writer|reader>/<field>.
        const fields = [];
        const groups = [];
        for (const conn of tree[gatewayId].children) {
            if (tree[conn].nodeClass !== "Object" || conn === varsId) continue;
            for (const grp of tree[conn].children) {
                if (tree[grp].nodeClass !== "Object" || tree[grp].browseName === "Status") continue;
                groups.push(grp);
                for (const ws of tree[grp].children) {
                    if (tree[ws].nodeClass !== "Object" || tree[ws].browseName === "Status") continue;
                    for (const f of tree[ws].children) if (tree[f].nodeClass === "Variable") fields.push(f);
                }
            }
        }
        report.fields = fields;
        report.groups = groups;

        await step("bad-input", async () => {
            const unknown = await session.read({ nodeId: "ns=1;s=Gateway/no/such/node", attributeId: AttributeIds.Value });
            check(unknown.statusCode === StatusCodes.BadNodeIdUnknown, "read unknown node: " + sc(unknown.statusCode));
            const badAttr = await session.read({ nodeId: gatewayId, attributeId: AttributeIds.Value });
            check(badAttr.statusCode === StatusCodes.BadAttributeIdInvalid,
                "Value of an Object: " + sc(badAttr.statusCode));
            const out = { unknownNode: sc(unknown.statusCode), valueOfObject: sc(badAttr.statusCode) };
            if (fields.length) {
                const dv = await session.read({ nodeId: fields[0], attributeId: AttributeIds.Value });
                const w = await session.write({ nodeId: fields[0], attributeId: AttributeIds.Value, value: dv });
                check(w.isNotGood(), "a write to the read-only field " + fields[0] + " was accepted");
                out.writeReadOnly = sc(w);
            }
            if (echoId) {
                const r = await session.call({ objectId: gatewayId, methodId: echoId,
                    inputArguments: [{ dataType: DataType.Int32, value: 5 }] });
                const argBad = r.inputArgumentResults && r.inputArgumentResults.some((s) => s.isNotGood());
                check(r.statusCode.isNotGood() || argBad, "Echo(Int32) succeeded");
                out.echoWrongType = sc(r.statusCode);
                const none = await session.call({ objectId: gatewayId, methodId: echoId, inputArguments: [] });
                check(none.statusCode.isNotGood(), "Echo() without arguments succeeded");
                out.echoNoArgs = sc(none.statusCode);
            }
            return out;
        });

        const liveId = opt.live || fields[0];
        const groupId = opt.group || groups[0];
        await step("subscription", async () => {
            check(liveId, "no field variable to monitor under Gateway");
            check(groupId, "no group object under Gateway");
            const sub = ClientSubscription.create(session, {
                requestedPublishingInterval: 100, requestedLifetimeCount: 100,
                requestedMaxKeepAliveCount: 10, maxNotificationsPerPublish: 100,
                publishingEnabled: true, priority: 10
            });
            await new Promise((resolve, reject) => {
                sub.once("started", resolve);
                sub.once("internal_error", reject);
            });
            const values = [];
            let afterEnable = null;
            let waiter = null;
            const item = ClientMonitoredItem.create(sub,
                { nodeId: resolveNodeId(liveId), attributeId: AttributeIds.Value },
                { samplingInterval: 100, discardOldest: true, queueSize: 10 },
                TimestampsToReturn.Both);
            item.on("changed", (dv) => {
                values.push(plain(dv.value.value));
                if (afterEnable !== null && values.length - afterEnable >= opt.changes && waiter) waiter();
            });
            await new Promise((resolve, reject) => {
                item.once("initialized", resolve);
                item.once("err", (m) => reject(new StepError("CreateMonitoredItems on " + liveId + ": " + m)));
            });
            const stateId = groupId + "/Status/State";
            const readState = async () => {
                const dv = await session.read({ nodeId: stateId, attributeId: AttributeIds.Value });
                check(dv.statusCode.isGood(), `read ${stateId}: ${sc(dv.statusCode)}`);
                return dv.value.value;
            };
            const callStatus = async (m) => {
                const r = await session.call({ objectId: groupId + "/Status", methodId: groupId + "/Status/" + m,
                    inputArguments: [] });
                check(r.statusCode.isGood(), `${m} on ${groupId}: ${sc(r.statusCode)}`);
            };
            const states = { before: await readState() };
            await callStatus("Disable");
            states.afterDisable = await readState();
            check(states.afterDisable === 0, `State after Disable is ${states.afterDisable}, not 0 (Disabled)`);
            await callStatus("Enable");
            states.afterEnable = await readState();
            check(states.afterEnable === 2, `State after Enable is ${states.afterEnable}, not 2 (Operational)`);
            afterEnable = values.length;
            const done = new Promise((resolve) => { waiter = resolve; });
            const timedOut = await Promise.race([
                done.then(() => false),
                new Promise((resolve) => setTimeout(() => resolve(true), opt.timeout * 1000))]);
            const fresh = values.slice(afterEnable);
            check(!timedOut, `${fresh.length} data change(s) of ${liveId} in ${opt.timeout} s after Enable ` +
                `(want ${opt.changes}); ${values.length} in all: ${JSON.stringify(values.slice(-10))}`);
            check(new Set(fresh.map(String)).size >= Math.min(2, opt.changes), "the data changes repeat one value");
            await item.terminate();
            await sub.terminate();
            return { monitored: liveId, group: groupId, states, changes: values.length,
                changesAfterEnable: fresh.length, values: values.slice(-10),
                revisedPublishingInterval: sub.publishingInterval };
        });

        await step("close", async () => {
            await session.close();
            session = null;
            await client.disconnect();
        });
        report.ok = true;
    } finally {
        if (session) await session.close().catch(() => {});
        await client.disconnect().catch(() => {});
    }
}

const opt = parseArgs(process.argv.slice(2));
const overall = setTimeout(() => {
    console.error(`client.js: FAIL: ${currentStep}: no answer within ${opt.timeout + 30} s`);
    stdoutWrite(JSON.stringify(report, null, 1) + "\n");
    process.exit(1);
}, (opt.timeout + 30) * 1000);
run(opt).then(() => {
    clearTimeout(overall);
    stdoutWrite(JSON.stringify(report, null, 1) + "\n");
    process.exit(0);
}).catch((err) => {
    clearTimeout(overall);
    report.failed = { step: currentStep, error: err && err.message ? err.message : String(err) };
    stdoutWrite(JSON.stringify(report, null, 1) + "\n");
    console.error(`client.js: FAIL: ${currentStep}: ${report.failed.error}`);
    process.exit(1);
});

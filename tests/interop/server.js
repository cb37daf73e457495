#!/usr/bin/env node
// A node-opcua server for the interop tests of uagate's client
// (tests/scripts/test_interop_client.sh). Listens on 127.0.0.1 only,
// SecurityPolicy None, anonymous and (with --user/--password) user name.
//
//   node server.js PORT [--user U --password P] [--pki DIR] [--gateway]
//
// Namespace 1 (the server's own), under Objects/Demo (ns=1;s=Demo):
//   ns=1;s=Counter  Int32, +1 every 100 ms, read-only
//   ns=1;s=Double   Double, writable (initial 3.25)
//   ns=1;s=String   String, writable (initial "hello")
//   ns=1;s=Boolean  Boolean, writable (initial true)
//   ns=1;s=Demo/Add method Add(a Double, b Double) -> sum Double
// --gateway also builds a stand-in of uagate's gateway address space
// (tests/interop/README.md, "the gateway contract") so that client.js can be
// proven node-to-node before it meets uagate.
//
// Prints "ready PORT" on stdout once listening; stops on SIGTERM/SIGINT.
"use strict";

// node-opcua logs through console.log; keep stdout for this script's output.
const stdoutWrite = (text) => process.stdout.write(text);
console.log = console.error;

const os = require("os");
const path = require("path");
const {
    OPCUAServer, OPCUACertificateManager, Variant, DataType, StatusCodes,
    SecurityPolicy, MessageSecurityMode, UserTokenPolicy, UserTokenType, nodesets
} = require("node-opcua");

function usage(msg) {
    if (msg) console.error("server.js: " + msg);
    console.error("usage: node server.js PORT [--user U --password P] [--pki DIR] [--gateway]");
    process.exit(2);
}

function parseArgs(argv) {
    const o = { port: NaN, user: null, password: null, pki: null, gateway: false };
    const rest = [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const val = () => { if (i + 1 >= argv.length) usage(a + " needs a value"); return argv[++i]; };
        if (a === "--user") o.user = val();
        else if (a === "--password") o.password = val();
        else if (a === "--pki") o.pki = val();
        else if (a === "--gateway") o.gateway = true;
        else if (a.startsWith("--")) usage("unknown option " + a);
        else rest.push(a);
    }
    if (rest.length !== 1) usage();
    o.port = Number(rest[0]);
    if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) usage("bad port " + rest[0]);
    if ((o.user === null) !== (o.password === null)) usage("--user and --password go together");
    return o;
}

// The demo variables and the Add method.
function addDemo(ns, objects) {
    const demo = ns.addObject({ organizedBy: objects, browseName: "Demo", nodeId: "s=Demo" });
    let counter = 0;
    const counterVar = ns.addVariable({
        componentOf: demo, browseName: "Counter", nodeId: "s=Counter", dataType: "Int32",
        minimumSamplingInterval: 50, accessLevel: "CurrentRead", userAccessLevel: "CurrentRead",
        value: { get: () => new Variant({ dataType: DataType.Int32, value: counter }) }
    });
    const timer = setInterval(() => {
        counter = (counter + 1) | 0;
        counterVar.touchValue();
    }, 100);
    const writable = (browseName, dataType, value) => ns.addVariable({
        componentOf: demo, browseName, nodeId: "s=" + browseName, dataType,
        accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
        value: new Variant({ dataType: DataType[dataType], value })
    });
    writable("Double", "Double", 3.25);
    writable("String", "String", "hello");
    writable("Boolean", "Boolean", true);

    const add = ns.addMethod(demo, {
        browseName: "Add", nodeId: "s=Demo/Add",
        inputArguments: [
            { name: "a", dataType: DataType.Double },
            { name: "b", dataType: DataType.Double }],
        outputArguments: [{ name: "sum", dataType: DataType.Double }]
    });
    add.bindMethod((inputs, context, callback) => {
        callback(null, {
            statusCode: StatusCodes.Good,
            outputArguments: [{ dataType: DataType.Double, value: inputs[0].value + inputs[1].value }]
        });
    });
    return timer;
}

// A stand-in of uagate's gateway objects (the contract in README.md): one
// variable, Echo, and connection/group/writer/reader objects with Status
// (State, Enable, Disable) and live field variables.
function addGateway(ns, objects) {
    const gw = ns.addFolder(objects, { browseName: "Gateway", nodeId: "s=Gateway" });
    const vars = ns.addFolder(gw, { browseName: "Variables", nodeId: "s=Gateway/Variables" });
    const setpoint = ns.addVariable({
        componentOf: vars, browseName: "setpoint", nodeId: "s=Gateway/Variables/setpoint",
        dataType: "Double", accessLevel: "CurrentRead | CurrentWrite",
        userAccessLevel: "CurrentRead | CurrentWrite",
        value: new Variant({ dataType: DataType.Double, value: 1.5 })
    });
    const echo = ns.addMethod(gw, {
        browseName: "Echo", nodeId: "s=Gateway/Echo",
        inputArguments: [{ name: "in", dataType: DataType.String }],
        outputArguments: [{ name: "out", dataType: DataType.String }]
    });
    echo.bindMethod((inputs, context, callback) => callback(null, {
        statusCode: StatusCodes.Good,
        outputArguments: [{ dataType: DataType.String, value: inputs[0].value }]
    }));
    const withStatus = (parent, name, id) => {
        const o = ns.addObject({ componentOf: parent, browseName: name, nodeId: "s=" + id });
        const st = ns.addObject({ componentOf: o, browseName: "Status", nodeId: "s=" + id + "/Status" });
        const state = { v: 2 };
        ns.addVariable({
            componentOf: st, browseName: "State", nodeId: "s=" + id + "/Status/State", dataType: "Int32",
            minimumSamplingInterval: 100,
            value: { get: () => new Variant({ dataType: DataType.Int32, value: state.v }) }
        });
        for (const [m, v] of [["Enable", 2], ["Disable", 0]]) {
            ns.addMethod(st, { browseName: m, nodeId: "s=" + id + "/Status/" + m })
                .bindMethod((inputs, context, callback) => {
                    state.v = v;
                    callback(null, { statusCode: StatusCodes.Good, outputArguments: [] });
                });
        }
        return { node: o, state };
    };
    const conn = withStatus(gw, "loop", "Gateway/loop");
    const wg = withStatus(conn.node, "out", "Gateway/loop/out");
    const rg = withStatus(conn.node, "in", "Gateway/loop/in");
    const w = withStatus(wg.node, "w", "Gateway/loop/out/w");
    const r = withStatus(rg.node, "r", "Gateway/loop/in/r");
    let count = 0;
    const field = (parent, id) => ns.addVariable({
        componentOf: parent, browseName: "count", nodeId: "s=" + id + "/count", dataType: "UInt32",
        minimumSamplingInterval: 50, accessLevel: "CurrentRead", userAccessLevel: "CurrentRead",
        value: { get: () => new Variant({ dataType: DataType.UInt32, value: count }) }
    });
    const fw = field(w.node, "Gateway/loop/out/w");
    const fr = field(r.node, "Gateway/loop/in/r");
    // The reader's copy of the setpoint variable, as a writer publishing it
    // and a reader receiving it would show it.
    let sp = 1.5;
    const fsp = ns.addVariable({
        componentOf: r.node, browseName: "setpoint", nodeId: "s=Gateway/loop/in/r/setpoint", dataType: "Double",
        minimumSamplingInterval: 50, accessLevel: "CurrentRead", userAccessLevel: "CurrentRead",
        value: { get: () => new Variant({ dataType: DataType.Double, value: sp }) }
    });
    // The fields change while the writer group is operational, as uagate's do.
    return setInterval(() => {
        if (wg.state.v !== 2) return;
        count = (count + 1) >>> 0;
        sp = setpoint.readValue().value.value;
        fw.touchValue();
        fr.touchValue();
        fsp.touchValue();
    }, 100);
}

async function main() {
    const opt = parseArgs(process.argv.slice(2));
    const pki = opt.pki || path.join(os.tmpdir(), "uagate-interop-pki-" + process.getuid());
    const serverCertificateManager = new OPCUACertificateManager({
        rootFolder: path.join(pki, "server"), automaticallyAcceptUnknownCertificate: true
    });
    const userCertificateManager = new OPCUACertificateManager({
        rootFolder: path.join(pki, "user"), automaticallyAcceptUnknownCertificate: true
    });
    const server = new OPCUAServer({
        port: opt.port,
        host: "127.0.0.1",               // bind loopback only (hostname only changes the URL)
        hostname: "127.0.0.1",
        nodeset_filename: [nodesets.standard],
        serverCertificateManager,
        userCertificateManager,
        securityPolicies: [SecurityPolicy.None],
        securityModes: [MessageSecurityMode.None],
        allowAnonymous: true,
        userManager: {
            isValidUser: (u, p) => opt.user !== null && u === opt.user && p === opt.password
        },
        buildInfo: { productName: "uagate-interop-peer", buildNumber: "1" },
        serverInfo: { applicationUri: "urn:uagate:interop:node-opcua" }
    });
    await server.initialize();
    // uagate speaks SecurityPolicy None only (issue 7), so its client sends a
    // user name token in clear text, to a policy whose SecurityPolicyUri is
    // empty. node-opcua offers such a policy only with allowUnsecurePassword,
    // which OPCUAServer does not pass on to its endpoint (2.182.2): add it to
    // the None endpoint's description by hand (they exist once initialized).
    if (opt.user !== null) {
        for (const ep of server.endpoints) {
            for (const desc of ep.endpointDescriptions()) {
                desc.userIdentityTokens.push(new UserTokenPolicy({
                    policyId: "username_unsecure", tokenType: UserTokenType.UserName,
                    issuedTokenType: null, issuerEndpointUrl: null, securityPolicyUri: null
                }));
            }
        }
    }
    const addressSpace = server.engine.addressSpace;
    const ns = addressSpace.getOwnNamespace();
    const objects = addressSpace.rootFolder.objects;
    const timers = [addDemo(ns, objects)];
    if (opt.gateway) timers.push(addGateway(ns, objects));
    await server.start();
    stdoutWrite("ready " + opt.port + "\n");

    let stopping = false;
    const stop = async () => {
        if (stopping) return;
        stopping = true;
        timers.forEach(clearInterval);
        await server.shutdown(0);
        process.exit(0);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
}

main().catch((err) => {
    console.error("server.js: " + (err && err.message ? err.message : err));
    process.exit(1);
});

/**
 * What HTTP/1.1 over TLS costs a Node server by itself on this machine: server CPU per request
 * of a bare `node:https` server and of an Express app, each answering a constant 600-byte JSON
 * body to a 700-byte POST (the size of an ACME exchange), keep-alive, 8 connections. The
 * difference between these and `breakdown.ts` is ours. Loopback only, bounded in count.
 * `node --import tsx bench/src/http-floor.ts [requests]`
 */
import { fork } from "node:child_process";
import { Agent, request } from "node:https";
import { fileURLToPath } from "node:url";
import { loopbackTls } from "./targets/loopback-tls.js";

const self = fileURLToPath(import.meta.url);
const BODY = "x".repeat(600);

if (process.argv[2] === "--serve") await serve(process.argv[3] === "express");
else await measure(Number(process.argv[2] ?? 20_000));

async function serve(express: boolean): Promise<void> {
  const { createServer } = await import("node:https");
  const tls = JSON.parse(process.argv[4] ?? "{}") as { key: string; cert: string };
  const answer = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    req.on("data", () => {});
    req.once("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": BODY.length });
      res.end(BODY);
    });
  };
  let listener: Parameters<typeof createServer>[1] = answer;
  if (express) {
    const { default: createApp } = await import("express");
    const app = createApp();
    app.disable("x-powered-by");
    app.use("/acme", answer);
    listener = app;
  }
  const server = createServer({ key: tls.key, cert: tls.cert, keepAliveTimeout: 30_000 }, listener);
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
  });
  process.on("message", () => {
    const used = process.cpuUsage();
    process.send?.({ cpuUs: used.user + used.system });
  });
}

async function measure(requests: number): Promise<void> {
  const made = await loopbackTls();
  const tls = { key: made.key, cert: made.chainPem };
  const root = made.rootPem;
  for (const kind of ["node:https", "express", "node:https", "express"]) {
    const child = fork(self, ["--serve", kind === "express" ? "express" : "bare", JSON.stringify(tls)], {
      execArgv: ["--import", "tsx"],
    });
    try {
      const { port } = await new Promise<{ port: number }>((resolve) =>
        child.once("message", resolve as never),
      );
      const agent = new Agent({ keepAlive: true, maxSockets: 8, ca: root });
      const post = () =>
        new Promise<void>((resolve, reject) => {
          const req = request(
            { host: "127.0.0.1", port, method: "POST", path: "/acme/x", agent, timeout: 10_000 },
            (res) => res.resume().once("end", resolve),
          );
          req.once("error", reject).once("timeout", () => req.destroy(new Error("timeout")));
          req.end("y".repeat(700));
        });
      const run = async (n: number) => {
        let left = n;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (left-- > 0) await post();
          }),
        );
      };
      const cpu = () =>
        new Promise<number>((resolve) => {
          child.once("message", (m: { cpuUs: number }) => resolve(m.cpuUs));
          child.send("cpu");
        });
      await run(2_000);
      const before = await cpu();
      await run(requests);
      const after = await cpu();
      console.log(`${kind.padEnd(10)} ${((after - before) / requests).toFixed(1)} µs server CPU per request`);
      agent.destroy();
    } finally {
      child.kill();
    }
  }
}

// Preloaded into the example server by the e2e harness (`node --import`). The harness holds
// the other end of the server's stdin pipe: when the test worker goes away without stopping
// the server (crash, SIGKILL, CI timeout), stdin ends and the server shuts down instead of
// lingering. The server itself never reads stdin.
process.stdin.on("end", () => process.kill(process.pid, "SIGTERM"));
process.stdin.on("error", () => process.kill(process.pid, "SIGTERM"));
process.stdin.resume();

export {};

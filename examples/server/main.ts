import { startExampleServer } from "./app.js";
import { parseOptions } from "./options.js";

// `pnpm start -- --flag` may hand the `--` through; it separates nothing here.
const argv = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === "--"));
const parsed = parseOptions(argv, process.env);
if (!parsed.ok) {
  (parsed.help ? console.log : console.error)(parsed.message);
  process.exit(parsed.help ? 0 : 2);
}
const { options } = parsed;

try {
  const running = await startExampleServer(options);
  if (options.json) {
    console.log(
      JSON.stringify({
        directoryUrl: running.directoryUrl,
        tlsCaFile: running.tlsCaFile,
        endpointId: running.endpointId,
        storage: options.storage,
        ...(running.databaseFile === undefined ? {} : { databaseFile: running.databaseFile }),
        adminUrl: running.adminUrl,
        adminToken: running.adminToken,
        dashboardUrl: running.dashboardUrl,
        ...(running.eab === undefined ? {} : { eab: running.eab }),
      }),
    );
  } else {
    const domain = options.domains[0] ?? "example.test";
    console.log(`ACME directory: ${running.directoryUrl}
TLS CA (trust it in your client): ${running.tlsCaFile}
Pre-approved domains: ${options.domains.join(", ")} (and their subdomains and wildcards)
Storage: ${running.databaseFile ?? "in memory (a restart forgets everything)"}
Admin API: ${running.adminUrl} (Authorization: Bearer ${running.adminToken})
Dashboard: ${running.dashboardUrl}?token=${running.adminToken}
${running.eab === undefined ? "" : `External account binding: --eab-kid=${running.eab.keyId} --eab-hmac-key=${running.eab.hmacKey}\n`}
Get a certificate with certbot:
  REQUESTS_CA_BUNDLE=${running.tlsCaFile} certbot certonly --server ${running.directoryUrl} \\
    --standalone --non-interactive --agree-tos --register-unsafely-without-email \\
    --config-dir /tmp/certbot --work-dir /tmp/certbot --logs-dir /tmp/certbot -d ${domain}
`);
  }
  const stop = () => {
    running.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  console.error(`acme-endpoints example server failed to start: ${(error as Error).message}`);
  process.exit(1);
}

import type { AcmeEvent, EventSink } from "../ports/events.js";

export interface AuditLogOptions {
  /** Where each line goes; default: process.stdout. */
  readonly write?: (line: string) => void;
}

/**
 * A structured audit log: one JSON line per event (account created or deactivated, key changed,
 * order created, certificate issued, failed or revoked, EAB credentials created, revoked and
 * used, endpoint created, changed and deleted), each with its endpoint, account and request id.
 * Events carry no secrets by construction (no HMAC keys, private keys or JWS bodies), and the
 * log adds none.
 *
 * @example
 * createAcmeServer({ ..., events: createAuditLog({ write: (line) => auditFile.write(`${line}\n`) }) });
 */
export function createAuditLog(options: AuditLogOptions = {}): EventSink {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  return {
    emit: (event: AcmeEvent) => {
      write(JSON.stringify({ audit: true, ...event }));
    },
  };
}

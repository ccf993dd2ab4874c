import { err, ok, type Result, type ResultAsync, safeTry } from "neverthrow";
import type { Deps } from "../context.js";
import type { CertificateRecord, Identifier, Tag } from "../domain/types.js";
import { emit } from "../events/emit.js";
import type { CertificateFilter, CertificateSummary, InventoryStatus } from "../ports/storage.js";
import { fromStorage, type ManagementError, notFound, validationError } from "./errors.js";
import { isRecord, knownFields, oneOf } from "./validate.js";

/**
 * Where a certificate stands for its operator, first match wins: `renewed` (a later certificate
 * for the same identifier set exists), `revoked`, `overdue` (expired, not renewed), `due`
 * (expires within 30 days), `current`.
 */
export type RenewalStatus = "renewed" | "revoked" | "overdue" | "due" | "current";

/** A certificate as the inventory shows it (without its PEM chain: see `describe`). */
export interface CertificateDescription {
  readonly serial: string;
  readonly endpointId: string;
  readonly accountId: string;
  readonly orderId: string;
  readonly identifiers: readonly Identifier[];
  readonly keyAlgorithm: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** As of now: `expired` is a valid certificate past its notAfter. */
  readonly status: InventoryStatus;
  readonly renewalStatus: RenewalStatus;
  /** Whole days until notAfter (negative once expired). */
  readonly daysLeft: number;
  readonly renewedBy?: string;
  readonly revokedAt?: string;
  readonly revocationReason?: number;
  /** The endpoint's certificate tags at issuance. */
  readonly tags: readonly Tag[];
  readonly endpointDeleted: boolean;
  readonly createdAt: string;
}

export interface CertificateDetails extends CertificateDescription {
  /** Leaf first, then the issuing chain (PEM). */
  readonly chainPem: string;
}

export interface ListCertificatesInput {
  readonly endpointId?: string;
  readonly status?: InventoryStatus;
  /** ISO 8601: only certificates whose notAfter is before it. */
  readonly expiringBefore?: string;
  readonly tag?: { readonly key: string; readonly value?: string };
  /** 1..100, default 50. */
  readonly pageSize?: number;
  readonly nextToken?: string;
}

export interface CertificatePage {
  readonly certificates: readonly CertificateDescription[];
  readonly nextToken?: string;
}

export interface CheckExpiringInput {
  /** Windows in days, default [30, 7]. */
  readonly windowsDays?: readonly number[];
}

export interface ExpiringAnnouncement {
  readonly serial: string;
  readonly endpointId: string;
  readonly notAfter: string;
  readonly daysLeft: number;
  readonly window: number;
}

/** The seed's Certificates dashboard: inventory, counts, expiry and renewal. */
export interface CertificatesApi {
  /** Ordered by notAfter (soonest first), then serial; certificates of deleted endpoints too. */
  list(input?: ListCertificatesInput): ResultAsync<CertificatePage, ManagementError>;
  describe(input: { readonly serial: string }): ResultAsync<CertificateDetails, ManagementError>;
  summary(input?: { readonly endpointId?: string }): ResultAsync<CertificateSummary, ManagementError>;
  /**
   * Emits `certificate.expiring` for each valid, not renewed certificate that has entered one of
   * the windows and was not announced for it yet (a certificate inside several new windows is
   * announced once, for the narrowest). What was announced is kept on the certificate
   * (`expiryNotified`), so calling this on any schedule, from any number of processes, announces
   * each window once. Answers what it announced.
   */
  checkExpiring(input?: CheckExpiringInput): ResultAsync<readonly ExpiringAnnouncement[], ManagementError>;
}

const DAY = 86_400_000;
const DUE_WITHIN_DAYS = 30;
const INVENTORY_STATUSES: readonly InventoryStatus[] = ["valid", "expired", "revoked"];

export function certificatesApi(deps: Deps): CertificatesApi {
  const now = () => deps.clock.now();

  /** Claims the windows the certificate entered (a versioned write), then announces the narrowest. */
  const announce = async (
    certificate: CertificateRecord,
    windows: readonly number[],
    at: Date,
  ): Promise<Result<ExpiringAnnouncement | undefined, ManagementError>> => {
    const notAfter = Date.parse(certificate.notAfter);
    const entered = windows.filter(
      (w) => notAfter <= at.getTime() + w * DAY && !certificate.expiryNotified?.includes(w),
    );
    if (entered.length === 0) return ok(undefined);
    // Of two checkers racing, only the one whose write is stored announces.
    const claimed = await deps.storage.certificates.update({
      ...certificate,
      expiryNotified: [...(certificate.expiryNotified ?? []), ...entered].sort((a, b) => b - a),
    });
    if (claimed.isErr()) {
      // Changed meanwhile (revoked, renewed, claimed): the next run looks again.
      if (claimed.error.type === "conflict") return ok(undefined);
      return err(fromStorage("recording an expiry announcement")(claimed.error));
    }
    const announcement: ExpiringAnnouncement = {
      serial: certificate.serial,
      endpointId: certificate.endpointId,
      notAfter: certificate.notAfter,
      daysLeft: Math.floor((notAfter - at.getTime()) / DAY),
      window: Math.min(...entered),
    };
    emit(deps, { type: "certificate.expiring", identifiers: certificate.identifiers, ...announcement });
    return ok(announcement);
  };

  return {
    list: (input = {}) =>
      safeTry(async function* () {
        const at = now();
        const { filter, pageSize } = yield* validateList(input, at);
        const page = yield* deps.storage.certificates
          .list(filter, {
            limit: pageSize,
            ...(input.nextToken === undefined ? {} : { after: input.nextToken }),
          })
          .mapErr(fromStorage("listing certificates"));
        return ok({
          certificates: page.items.map((c) => describeCertificate(c, at)),
          ...(page.next === undefined ? {} : { nextToken: page.next }),
        });
      }),

    describe: (input) =>
      safeTry(async function* () {
        const serial =
          isRecord(input) && typeof input.serial === "string" ? input.serial.toLowerCase() : undefined;
        if (serial === undefined || !/^[0-9a-f]{1,64}$/.test(serial)) {
          return err(validationError("serial", "serial must be the certificate's serial number in hex."));
        }
        const found = yield* deps.storage.certificates
          .findBySerial(serial)
          .mapErr(fromStorage("reading the certificate"));
        if (found === undefined) return err(notFound(`No certificate with serial ${serial}.`));
        return ok({ ...describeCertificate(found, now()), chainPem: found.chainPem });
      }),

    summary: (input = {}) =>
      safeTry(async function* () {
        if (!isRecord(input)) return err(validationError("input", "The input must be an object."));
        yield* knownFields(input, ["endpointId"]);
        if (input.endpointId !== undefined && typeof input.endpointId !== "string") {
          return err(validationError("endpointId", "endpointId must be a string."));
        }
        return ok(
          yield* deps.storage.certificates
            .summary({
              ...(input.endpointId === undefined ? {} : { endpointId: input.endpointId }),
              now: now().toISOString(),
            })
            .mapErr(fromStorage("summarizing certificates")),
        );
      }),

    checkExpiring: (input = {}) =>
      safeTry(async function* () {
        const windows = yield* validateWindows(input.windowsDays);
        const at = now();
        const widest = Math.max(...windows);
        const announced: ExpiringAnnouncement[] = [];
        let after: string | undefined;
        do {
          const page = yield* deps.storage.certificates
            .list(
              {
                status: "valid",
                expiringBefore: new Date(at.getTime() + widest * DAY + 1).toISOString(),
                now: at.toISOString(),
              },
              { limit: 500, ...(after === undefined ? {} : { after }) },
            )
            .mapErr(fromStorage("listing expiring certificates"));
          for (const certificate of page.items) {
            if (certificate.renewedBy !== undefined || certificate.endpointDeleted) continue;
            const done = yield* await announce(certificate, windows, at);
            if (done !== undefined) announced.push(done);
          }
          after = page.next;
        } while (after !== undefined);
        return ok(announced);
      }),
  };
}

export function renewalStatus(certificate: CertificateRecord, at: Date): RenewalStatus {
  if (certificate.renewedBy !== undefined) return "renewed";
  if (certificate.status === "revoked") return "revoked";
  const notAfter = Date.parse(certificate.notAfter);
  if (notAfter <= at.getTime()) return "overdue";
  if (notAfter <= at.getTime() + DUE_WITHIN_DAYS * DAY) return "due";
  return "current";
}

function describeCertificate(c: CertificateRecord, at: Date): CertificateDescription {
  const expired = Date.parse(c.notAfter) <= at.getTime();
  return {
    serial: c.serial,
    endpointId: c.endpointId,
    accountId: c.accountId,
    orderId: c.orderId,
    identifiers: c.identifiers,
    keyAlgorithm: c.keyAlgorithm,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    status: c.status === "revoked" ? "revoked" : expired ? "expired" : "valid",
    renewalStatus: renewalStatus(c, at),
    daysLeft: Math.floor((Date.parse(c.notAfter) - at.getTime()) / DAY),
    ...(c.renewedBy === undefined ? {} : { renewedBy: c.renewedBy }),
    ...(c.revokedAt === undefined ? {} : { revokedAt: c.revokedAt }),
    ...(c.revocationReason === undefined ? {} : { revocationReason: c.revocationReason }),
    tags: c.tags,
    endpointDeleted: c.endpointDeleted === true,
    createdAt: c.createdAt,
  };
}

function validateList(
  input: unknown,
  at: Date,
): Result<{ filter: CertificateFilter; pageSize: number }, ManagementError> {
  if (!isRecord(input)) return err(validationError("input", "The input must be an object."));
  return knownFields(input, [
    "endpointId",
    "status",
    "expiringBefore",
    "tag",
    "pageSize",
    "nextToken",
  ]).andThen(() => {
    const pageSize = input.pageSize ?? 50;
    if (typeof pageSize !== "number" || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      return err(validationError("pageSize", "pageSize must be an integer from 1 to 100."));
    }
    if (input.endpointId !== undefined && typeof input.endpointId !== "string") {
      return err(validationError("endpointId", "endpointId must be a string."));
    }
    if (input.nextToken !== undefined && typeof input.nextToken !== "string") {
      return err(validationError("nextToken", "nextToken must be a string from a previous page."));
    }
    const status: Result<InventoryStatus | undefined, ManagementError> =
      input.status === undefined ? ok(undefined) : oneOf("status", input.status, INVENTORY_STATUSES);
    return status.andThen((status) => {
      let expiringBefore: string | undefined;
      if (input.expiringBefore !== undefined) {
        const time = typeof input.expiringBefore === "string" ? Date.parse(input.expiringBefore) : Number.NaN;
        if (Number.isNaN(time)) {
          return err(validationError("expiringBefore", "expiringBefore must be an ISO 8601 date-time."));
        }
        expiringBefore = new Date(time).toISOString();
      }
      const tag = input.tag;
      if (
        tag !== undefined &&
        (!isRecord(tag) ||
          typeof tag.key !== "string" ||
          (tag.value !== undefined && typeof tag.value !== "string"))
      ) {
        return err(validationError("tag", "tag must be { key, value? } with string members."));
      }
      return ok({
        pageSize,
        filter: {
          now: at.toISOString(),
          ...(typeof input.endpointId === "string" ? { endpointId: input.endpointId } : {}),
          ...(status === undefined ? {} : { status }),
          ...(expiringBefore === undefined ? {} : { expiringBefore }),
          ...(tag === undefined
            ? {}
            : {
                tag: {
                  key: tag.key as string,
                  ...(tag.value === undefined ? {} : { value: tag.value as string }),
                },
              }),
        },
      });
    });
  });
}

function validateWindows(value: unknown): Result<readonly number[], ManagementError> {
  if (value === undefined) return ok([30, 7]);
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.length > 10 ||
    !value.every((d) => Number.isInteger(d) && d >= 1 && d <= 400)
  ) {
    return err(
      validationError("windowsDays", "windowsDays must be 1 to 10 whole numbers of days from 1 to 400."),
    );
  }
  return ok([...new Set(value as number[])]);
}

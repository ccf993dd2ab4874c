import type {
  CertificatePage,
  CertificateSummary,
  EndpointDescription,
  ListCertificatesInput,
  ManagementError,
  MetricSeries,
} from "@acme-endpoints/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { DashboardServer } from "./dashboard.js";

/** Query strings as Express parses them: only plain strings are used. */
export type DashboardQuery = Readonly<Record<string, unknown>>;

export interface DashboardEndpoint {
  readonly id: string;
  readonly name: string;
  readonly status: EndpointDescription["status"];
  readonly directoryUrl: string;
  readonly settings: Pick<
    EndpointDescription,
    | "authorizationBehavior"
    | "contact"
    | "externalAccountBinding"
    | "certificateAuthority"
    | "certificateTags"
  >;
  readonly createdAt: string;
}

type Answer<T> = ResultAsync<T, ManagementError>;

/** At most this many endpoints are listed (pages of 100). */
const MAX_ENDPOINT_PAGES = 10;

/** The JSON the dashboard's page reads: management calls, shaped for drawing. */
export function dashboardData(server: DashboardServer) {
  const text = (q: DashboardQuery, name: string) =>
    typeof q[name] === "string" && q[name] !== "" ? (q[name] as string) : undefined;

  const allEndpoints = (nextToken?: string, pages = 0, acc: DashboardEndpoint[] = []): Answer<unknown> =>
    server.endpoints
      .list({ pageSize: 100, ...(nextToken === undefined ? {} : { nextToken }) })
      .andThen((page) => {
        const all = [...acc, ...page.endpoints.map(toDashboardEndpoint)];
        return page.nextToken !== undefined && pages + 1 < MAX_ENDPOINT_PAGES
          ? allEndpoints(page.nextToken, pages + 1, all)
          : okAsync({ endpoints: all, truncated: page.nextToken !== undefined });
      });

  return {
    endpoints: (): Answer<unknown> => allEndpoints(),

    /** Both issuance metrics over the same buckets, ready to draw side by side. */
    metrics: (endpointId: string, q: DashboardQuery): Answer<unknown> => {
      const period = Number(text(q, "period") ?? 3600);
      const from = text(q, "from");
      const to = text(q, "to");
      const input = {
        endpointId,
        period: period as never,
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
      };
      return server.metrics
        .get({ ...input, metric: "CertificateIssuanceSuccess" })
        .andThen((success: MetricSeries) =>
          server.metrics.get({ ...input, metric: "CertificateIssuanceFailed" }).map((failed) => ({
            endpointId,
            period: success.period,
            from: success.from,
            to: success.to,
            totals: { success: success.total, failed: failed.total },
            points: success.datapoints.map((point, i) => ({
              start: point.start,
              success: point.count,
              failed: failed.datapoints[i]?.count ?? 0,
              failedByReason: failed.datapoints[i]?.byReason ?? {},
            })),
          })),
        );
    },

    certificates: (q: DashboardQuery): Answer<CertificatePage> => {
      const pageSize = text(q, "pageSize");
      const tagKey = text(q, "tagKey");
      const tagValue = text(q, "tagValue");
      const expiringWithinDays = text(q, "expiringWithinDays");
      let expiringBefore: string | undefined;
      if (expiringWithinDays !== undefined) {
        const days = Number(expiringWithinDays);
        if (!Number.isFinite(days)) {
          return errAsync({
            code: "ValidationError",
            field: "expiringWithinDays",
            message: "expiringWithinDays must be a number.",
          });
        }
        expiringBefore = new Date(Date.now() + days * 86_400_000).toISOString();
      }
      const input: Record<string, unknown> = {};
      for (const name of ["endpointId", "status", "nextToken"]) {
        const value = text(q, name);
        if (value !== undefined) input[name] = value;
      }
      if (pageSize !== undefined) input.pageSize = Number(pageSize);
      if (expiringBefore !== undefined) input.expiringBefore = expiringBefore;
      if (tagKey !== undefined)
        input.tag = tagValue === undefined ? { key: tagKey } : { key: tagKey, value: tagValue };
      return server.certificates.list(input as ListCertificatesInput);
    },

    summary: (q: DashboardQuery): Answer<CertificateSummary> => {
      const endpointId = text(q, "endpointId");
      return server.certificates.summary(endpointId === undefined ? {} : { endpointId });
    },
  };
}

function toDashboardEndpoint(e: EndpointDescription): DashboardEndpoint {
  return {
    id: e.id,
    name: e.tags.find((t) => t.key === "Name")?.value ?? "",
    status: e.status,
    directoryUrl: e.endpointUrl,
    settings: {
      authorizationBehavior: e.authorizationBehavior,
      contact: e.contact,
      externalAccountBinding: e.externalAccountBinding,
      certificateAuthority: e.certificateAuthority,
      certificateTags: e.certificateTags,
    },
    createdAt: e.createdAt,
  };
}

import type { AcmeServer, Logger } from "@acme-endpoints/core";
import { consoleLogger } from "@acme-endpoints/core";
import { type Request as ExpressRequest, type Response as ExpressResponse, Router } from "express";
import { DASHBOARD_CSS, DASHBOARD_HTML, DASHBOARD_JS } from "./dashboard-assets.js";
import { type DashboardQuery, dashboardData } from "./dashboard-data.js";
import { authenticate } from "./management.js";
import type { Authorize } from "./management-auth.js";
import { MANAGEMENT_ERROR_STATUS } from "./management-status.js";

/** What the dashboard reads of the server: endpoints, the certificates inventory and metrics. */
export type DashboardServer = Pick<AcmeServer, "endpoints" | "certificates" | "metrics">;

export interface DashboardRouterOptions {
  /** Mandatory, as for `managementRouter`: every request (page, script, data) passes it first. */
  readonly authorize: Authorize;
  readonly logger?: Pick<Logger, "error">;
}

/**
 * A small read-only web UI of the seed's Monitoring tab and Certificates dashboard: endpoints
 * with status and directory URL; per endpoint, issuance success vs failure over time and its
 * settings; the certificates inventory with expiry timeline and renewal status, filterable.
 * Everything it needs ships in this package (no CDN); its data comes from JSON routes of the
 * same router (`api/...`). Mount it under its own prefix:
 *
 * @example
 * app.use("/dashboard", dashboardRouter(server, { authorize: bearerToken(process.env.ADMIN_TOKEN ?? "") }));
 */
export function dashboardRouter(server: DashboardServer, options: DashboardRouterOptions): Router {
  if (typeof options?.authorize !== "function") {
    throw new TypeError("dashboardRouter needs options.authorize, e.g. { authorize: bearerToken(secret) }.");
  }
  const logger = options.logger ?? consoleLogger;
  const data = dashboardData(server);
  const router = Router();
  router.use(authenticate(options.authorize));
  router.use((_req, res, next) => {
    res.set({
      "Cache-Control": "no-store",
      // Only our own script and stylesheet; data only from this origin.
      "Content-Security-Policy":
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
    });
    next();
  });

  const asset = (type: string, body: string) => (_req: ExpressRequest, res: ExpressResponse) => {
    res.type(type).send(body);
  };
  router.get("/", (req, res) => {
    // Relative asset and API URLs resolve under the mount point only with the trailing slash.
    if (!req.originalUrl.split("?")[0]?.endsWith("/")) {
      res.redirect(301, `${req.baseUrl}/`);
      return;
    }
    asset("html", DASHBOARD_HTML)(req, res);
  });
  router.get("/dashboard.js", asset("application/javascript", DASHBOARD_JS));
  router.get("/dashboard.css", asset("text/css", DASHBOARD_CSS));

  const json =
    (run: (query: DashboardQuery, params: Record<string, string>) => ReturnType<typeof data.endpoints>) =>
    (req: ExpressRequest, res: ExpressResponse) => {
      run(req.query as DashboardQuery, req.params as Record<string, string>)
        .match(
          (value) => res.json(value),
          (error) => {
            if (error.code === "StorageFailure") {
              logger.error("dashboard storage failure", { path: req.path, message: error.message });
              res.status(500).json({ error: "StorageFailure", message: "See the server log." });
              return;
            }
            res
              .status(MANAGEMENT_ERROR_STATUS[error.code])
              .json({ error: error.code, message: error.message });
          },
        )
        .catch((cause: unknown) => {
          logger.error("dashboard request failed unexpectedly", { path: req.path, cause });
          if (!res.headersSent)
            res.status(500).json({ error: "InternalError", message: "See the server log." });
        });
    };
  router.get(
    "/api/endpoints",
    json(() => data.endpoints()),
  );
  router.get(
    "/api/endpoints/:id/metrics",
    json((q, p) => data.metrics(String(p.id), q)),
  );
  router.get(
    "/api/certificates",
    json((q) => data.certificates(q)),
  );
  router.get(
    "/api/summary",
    json((q) => data.summary(q)),
  );
  router.use((req, res) => {
    res.status(404).json({ error: "NotFound", message: `No dashboard route ${req.method} ${req.path}.` });
  });
  return router;
}

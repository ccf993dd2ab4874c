import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_TOKEN, type DashboardFixture, startDashboardFixture } from "./dashboard-fixture.js";
import { dashboardRouter } from "./index.js";

let fixture: DashboardFixture;
beforeAll(async () => {
  fixture = await startDashboardFixture();
});
afterAll(() => fixture.close());

const get = (path: string, token: string | undefined = DASHBOARD_TOKEN) =>
  fetch(new URL(path, fixture.dashboardUrl), { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe("dashboardRouter", () => {
  it("refuses to be built without authorize", () => {
    expect(() => dashboardRouter(fixture.server, {} as never)).toThrow(/authorize/);
  });

  it("authenticates every request: page, script and data", async () => {
    for (const path of ["", "dashboard.js", "api/summary", "api/endpoints"]) {
      const response = await get(path, "");
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
      expect((await get(path, "wrong-token-wrong-token")).status).toBe(401);
    }
  });

  it("serves its own page, script and stylesheet under a strict content security policy", async () => {
    const page = await get("");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('src="dashboard.js"');
    expect(html).not.toMatch(/https?:\/\//); // no CDN
    expect((await get("dashboard.js")).headers.get("content-type")).toContain("javascript");
    expect((await get("dashboard.css")).headers.get("content-type")).toContain("text/css");
  });

  it("answers the endpoints, the summary, the certificates and the metrics as JSON", async () => {
    const endpoints = (await (await get("api/endpoints")).json()) as {
      endpoints: { id: string; status: string; directoryUrl: string }[];
    };
    expect(endpoints.endpoints).toEqual([
      expect.objectContaining({
        id: fixture.endpointId,
        status: "ACTIVE",
        directoryUrl: expect.stringContaining("/directory"),
      }),
    ]);
    const summary = (await (await get(`api/summary?endpointId=${fixture.endpointId}`)).json()) as {
      total: number;
    };
    expect(summary.total).toBe(3);
    const filtered = (await (await get("api/certificates?tagKey=team&tagValue=web&pageSize=2")).json()) as {
      certificates: unknown[];
      nextToken?: string;
    };
    expect(filtered.certificates).toHaveLength(2);
    expect(filtered.nextToken).toBeDefined();
    const metrics = (await (await get(`api/endpoints/${fixture.endpointId}/metrics?period=60`)).json()) as {
      totals: { success: number; failed: number };
    };
    expect(metrics.totals).toEqual({ success: 3, failed: 1 });
    const bad = await get("api/certificates?status=dormant");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "ValidationError" });
    expect((await get("api/endpoints/nope/metrics")).status).toBe(404);
  });
});

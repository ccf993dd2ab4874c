/** Where the server reports what an operator must see (storage and CA failures). */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const consoleLogger: Logger = {
  error: (message, fields) => console.error(`[acme-endpoints] ${message}`, fields ?? ""),
  warn: (message, fields) => console.warn(`[acme-endpoints] ${message}`, fields ?? ""),
};

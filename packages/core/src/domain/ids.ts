import { randomBytes } from "node:crypto";

/** 96 random bits, base64url: ids of accounts, orders, authorizations and challenges. */
export const newId = (): string => randomBytes(12).toString("base64url");

/** RFC 8555 §8.1: challenge tokens carry at least 128 bits of entropy, base64url. */
export const newToken = (): string => randomBytes(16).toString("base64url");

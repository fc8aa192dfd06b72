// The API client, typed from the API's own OpenAPI document (schema.d.ts is generated from it at
// build time: a changed API schema that the app does not follow fails the type check).
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";
import { t } from "../i18n";

export type Schemas = components["schemas"];
export type ItemPrivate = Schemas["ItemPrivate"];
export type ItemPublic = Schemas["ItemPublic"];
export type ItemCreate = Schemas["ItemCreate"];
export type MatchOut = Schemas["MatchOut"];
export type ReporterCreated = Schemas["ReporterCreated"];
export type TokenOut = Schemas["TokenOut"];
export type CustodyOut = Schemas["CustodyOut"];
export type ReporterOut = Schemas["ReporterOut"];

export type Api = ReturnType<typeof createApi>;

export function createApi(baseUrl: string, token: () => string | null) {
  const client = createClient<paths>({ baseUrl });
  client.use({
    onRequest({ request }) {
      const current = token();
      if (current) request.headers.set("Authorization", `Bearer ${current}`);
      return request;
    },
  });
  return client;
}

interface Refusal {
  detail?: string | { loc?: (string | number)[]; msg?: string }[];
}

/** What the API said was wrong, in words for the person at the screen. */
export function problem(error: unknown, fallback = t("error.generic")): string {
  const detail = (error as Refusal | undefined)?.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail) && detail.length) {
    return detail
      .map((entry) => {
        const where = (entry.loc ?? []).filter((part) => part !== "body").join(" ");
        return where ? `${where}: ${entry.msg ?? "invalid"}` : (entry.msg ?? "invalid");
      })
      .join("; ");
  }
  return fallback;
}

/** Upload a report's photo (multipart): the error the API gave, if any. */
export async function uploadPhoto(api: Api, itemId: string, file: File): Promise<unknown> {
  const { error } = await api.PUT("/items/{item_id}/photo", {
    params: { path: { item_id: itemId } },
    body: { file: file as unknown as string },
    bodySerializer: () => {
      const multipart = new FormData();
      multipart.append("file", file);
      return multipart;
    },
  });
  return error;
}

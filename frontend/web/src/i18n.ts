// The app's languages: English and Dutch, every string in one catalogue per language
// (messages/en.ts, messages/nl.ts). The browser's language decides until the person chooses;
// dates and times are written the reader's way (Intl), never one country's.
import { en, type MessageKey } from "./messages/en";
import { nl } from "./messages/nl";

export type Locale = "en" | "nl";
export const LOCALES: Record<Locale, string> = { en: "English", nl: "Nederlands" };
const CATALOGUES = { en, nl } satisfies Record<Locale, Record<MessageKey, string>>;
const CHOSEN = "lostfound.locale";

/** The person's choice if any, else the first of the browser's languages the app speaks. */
export function detectLocale(chosen: string | null, languages: readonly string[]): Locale {
  if (chosen === "en" || chosen === "nl") return chosen;
  for (const language of languages) {
    const base = language.toLowerCase().split("-")[0];
    if (base === "en" || base === "nl") return base;
  }
  return "en";
}

function browserLanguages(): readonly string[] {
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

let current: Locale = detectLocale(localStorage.getItem(CHOSEN), browserLanguages());

export function locale(): Locale {
  return current;
}

/** The tag Intl formats with: the browser's own (en-GB, nl-BE) when it is of this language. */
function tag(): string {
  return (
    browserLanguages().find((language) => language.toLowerCase().startsWith(current)) ?? current
  );
}

export function setLocale(next: Locale): void {
  current = next;
  localStorage.setItem(CHOSEN, next);
  document.documentElement.lang = next;
}

/** The message `key` in the current language, `{name}` replaced by `values.name`. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  return CATALOGUES[current][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

export function formatDate(moment: string | Date): string {
  return new Intl.DateTimeFormat(tag(), { dateStyle: "medium" }).format(new Date(moment));
}

export function formatDateTime(moment: string | Date): string {
  return new Intl.DateTimeFormat(tag(), { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(moment),
  );
}

export function formatPercent(share: number): string {
  return new Intl.NumberFormat(tag(), { style: "percent", maximumFractionDigits: 0 }).format(share);
}

/** A month (YYYY-MM) as a chart's axis shows it: its short name ("Jan", "mrt"). */
export function formatMonth(month: string): string {
  const [year, number] = month.split("-").map(Number) as [number, number];
  return new Intl.DateTimeFormat(tag(), { month: "short", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, number - 1, 1)),
  );
}

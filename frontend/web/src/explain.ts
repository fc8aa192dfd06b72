// A match's score components in words: "same colour", "found 2 km away, 1 day later".
import type { ItemPublic, MatchOut } from "./api/client";
import { distanceKm } from "./geo";
import { t } from "./i18n";

const DAY_MS = 86_400_000;

/** Whole days between two moments' dates (UTC): the other report's time is public to the day. */
function days(from: string, to: string): number {
  const day = (moment: string) => Math.floor(Date.parse(moment) / DAY_MS);
  return day(to) - day(from);
}

function when(count: number): string {
  if (count === 0) return t("explain.sameDay");
  const n = Math.abs(count);
  const key = count > 0 ? "later" : "earlier";
  return t(n === 1 ? `explain.day.${key}` : `explain.days.${key}`, { n });
}

function where(mine: ItemPublic, other: ItemPublic): string | null {
  if (
    mine.latitude == null ||
    mine.longitude == null ||
    other.latitude == null ||
    other.longitude == null
  ) {
    return other.place_name ? t("explain.at", { place: other.place_name }) : null;
  }
  const km = distanceKm(mine.latitude, mine.longitude, other.latitude, other.longitude);
  // The other report's place is public only to about a kilometre.
  return km < 1 ? t("explain.nearby") : t("explain.km", { km: Math.round(km) });
}

/** Why this match was suggested, most telling first. */
export function reasons(match: MatchOut, mine: ItemPublic): string[] {
  const c = match.components;
  const said: string[] = [];
  if (c.image != null && c.image >= 0.6) said.push(t("explain.photos"));
  if (c.details != null && c.details >= 0.3) said.push(t("explain.details"));
  if (c.text >= 0.6) said.push(t("explain.text"));
  if (c.category === 1) said.push(t("explain.sameKind"));
  else if (c.category != null && c.category >= 0.5) said.push(t("explain.relatedKind"));
  if (c.attributes >= 1) said.push(t("explain.attributes"));
  else if (c.attributes > 0) said.push(t("explain.someAttributes"));
  const other = match.other_item;
  const place = where(mine, other);
  const time = when(days(mine.occurred_at, other.occurred_at));
  said.push(
    t("explain.where", {
      kind: t(`explain.kind.${other.kind}`),
      place: place ? `${place}, ` : "",
      time,
    }),
  );
  return said;
}

/**
 * The user-ID grammar of the Matrix spec (appendices, "User Identifiers"): a localpart of
 * printable ASCII other than `:` (the historical set, U+0021 to U+007E; today's IDs use fewer),
 * then a server name (a DNS name, an IPv4 or a bracketed IPv6 address, with an optional port).
 * No ID has a space, a control or a format character, so a typed "ID" with a bidi override or a
 * zero-width space is refused rather than echoed, where Element would reorder or hide text.
 */
const USER_ID = /^@[!-9;-~]+:(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Whether a text is a Matrix user ID as people type it (`@localpart:server`) and within the
 * spec's 255 characters. The bound matters: a longer "user ID" (`!dsx warn @aaa…:x`) overflowed
 * the `varchar(255)` columns it is stored in, which PostgreSQL refuses, failing the message.
 */
export function isUserId(text: string): boolean {
  return text.length <= 255 && USER_ID.test(text);
}

/** Characters that show nothing (zero-width, joiners, bidi controls, the BOM). */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;

/**
 * A user ID as a person means it, for telling whether two spellings name one person: without
 * invisible characters, in Unicode's compatibility form, in lower case. Homeservers give user
 * IDs lower-case localparts (Synapse refuses new upper-case ones and logs in case-insensitively)
 * and server names are DNS names, so `@Ana:Example.org` is `@ana:example.org` to the person
 * who typed it. Used to compare, never to address anyone.
 */
export function canonicalUserId(userId: string): string {
  return userId.replace(INVISIBLE, "").normalize("NFKC").toLowerCase();
}

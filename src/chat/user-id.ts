/**
 * Whether a text is a Matrix user ID as people type it (`@localpart:server`) and within the
 * spec's 255 characters. The bound matters: a longer "user ID" (`!dsx warn @aaa…:x`) overflowed
 * the `varchar(255)` columns it is stored in, which PostgreSQL refuses, failing the message.
 */
export function isUserId(text: string): boolean {
  return text.length <= 255 && /^@[^\s:]+:\S+$/.test(text);
}

import { RateLimits } from "../chat/rate-limits.js";
import type { BotConfig } from "../config/schema.js";
import type { FieldCipher } from "../store/field-cipher.js";

/** The limits the configuration sets (`limits`). */
export function rateLimits(config: BotConfig, cipher: FieldCipher): RateLimits {
  const { reports, messages } = config.limits;
  return new RateLimits({
    cipher,
    reports: () => ({ count: reports.count, withinMs: reports.within.ms }),
    messagesPerPerson: () => ({ count: messages.perPerson, withinMs: messages.within.ms }),
    messagesPerRoom: () => ({ count: messages.perRoom, withinMs: messages.within.ms }),
  });
}

/** Harassment reports held back concern the abuse team; the others, triage. */
export function reportTeam(config: BotConfig, kind: string): { roomId: string; language: string } {
  const key = kind === "conduct" ? "abuseTeam" : "triage";
  return { roomId: config.rooms[key], language: config.roomLanguages[key] };
}

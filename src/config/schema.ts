import { z } from "zod";
import { parseDuration, type Duration } from "./duration.js";

/** Matrix user ID, `@localpart:server` (the spec's grammar, loosely: historical IDs exist). */
const userId = z
  .string()
  .regex(/^@[^:\s]+:[^\s:]+(?::\d+)?$/, "expected a Matrix user ID such as @ana:example.org");

/** Room ID (`!opaque:server`, or `!opaque` in room version 12) or alias (`#name:server`). */
const roomRef = z
  .string()
  .regex(
    /^(?:![^\s:]+(?::[^\s]+)?|#[^\s:]+:[^\s]+)$/,
    "expected a room ID such as !abc:example.org or an alias such as #triage:example.org",
  );

const duration = z.string().transform((text, ctx): Duration => {
  const parsed = parseDuration(text);
  if ("error" in parsed) {
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  }
  return parsed;
});

const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http or https URL" });

const dataKey = z.string().transform((text, ctx): Buffer => {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32 || key.toString("base64") !== text.trim()) {
    ctx.addIssue({
      code: "custom",
      message: "expected 32 random bytes in base64 (e.g. `openssl rand -base64 32`)",
    });
    return z.NEVER;
  }
  return key;
});

const names = z.array(z.string().min(1)).default([]);

/** A language code with a message catalogue (`config/messages/<code>.yaml`). */
const language = z
  .string()
  .regex(/^[a-z]{2,3}$/, "expected a language code such as en or es")
  .default("en");

const organisation = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected lower-case letters, digits and dashes"),
  role: z.enum(["dsx", "partner", "provider"]),
  name: z.string().min(1).optional(),
  members: z.array(userId).min(1, "an organisation needs at least one member"),
  affiliates: z.array(userId).default([]),
  skills: names,
  languages: names,
  regions: names,
  capacity: z.number().int().min(0).default(3),
});

const database = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("sqlite"), path: z.string().min(1).optional() }),
  z.strictObject({
    type: z.literal("postgres"),
    url: z.string().regex(/^postgres(?:ql)?:\/\//, "expected a postgres:// URL"),
  }),
]);

const policy = z.strictObject({
  disclosure: z
    .strictObject({
      respondWithin: duration.default({ iso: "P7D", ms: 7 * 86_400_000 }),
      escalateAfter: duration.default({ iso: "P14D", ms: 14 * 86_400_000 }),
      discloseAfter: duration.default({ iso: "P21D", ms: 21 * 86_400_000 }),
      remindBefore: duration.default({ iso: "P1D", ms: 86_400_000 }),
      advisoryQuorum: z.number().int().min(1).default(2),
    })
    .prefault({}),
  backups: z
    .strictObject({
      every: duration.default({ iso: "P1D", ms: 86_400_000 }),
      keep: duration.default({ iso: "P7D", ms: 7 * 86_400_000 }),
    })
    .prefault({}),
  statistics: z.strictObject({ minimumCount: z.number().int().min(1).default(3) }).prefault({}),
  conversations: z
    .strictObject({ forgetAfter: duration.default({ iso: "P30D", ms: 30 * 86_400_000 }) })
    .prefault({}),
  undecryptable: z
    .strictObject({ askToResendAfter: duration.default({ iso: "PT10M", ms: 10 * 60_000 }) })
    .prefault({}),
  tlpNames: z.enum(["1.0", "2.0"]).default("1.0"),
});

/** Incident types offered at intake unless `incidents.types` lists others. */
export const DEFAULT_INCIDENT_TYPES = [
  "account-compromise",
  "phishing",
  "malware",
  "device-seizure-or-loss",
  "website-attack",
  "data-leak",
  "surveillance",
  "online-harassment",
  "other",
] as const;

/** The schema of `bot.yaml`: the one source of truth for every key, its type and default. */
export const configSchema = z.strictObject({
  homeserver: z.strictObject({
    url: httpUrl,
    serverName: z
      .string()
      .regex(/^[A-Za-z0-9.-]+(?::\d+)?$/, "expected a server name such as example.org"),
  }),
  bot: z
    .strictObject({
      userId,
      accessToken: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      deviceName: z.string().min(1).default("dsx-bot"),
      stateDir: z.string().min(1).default("./state"),
      storePassphrase: z.string().min(12, "expected a passphrase of at least 12 characters"),
    })
    .refine((bot) => bot.accessToken !== undefined || bot.password !== undefined, {
      message: "expected accessToken or password",
    }),
  database: database.default({ type: "sqlite" }),
  dataKey,
  rooms: z.strictObject({
    triage: roomRef,
    abuseTeam: roomRef,
    advisory: roomRef,
    communityAlerts: roomRef,
    publicAlerts: roomRef,
    donors: roomRef,
  }),
  roomLanguages: z
    .strictObject({
      triage: language,
      abuseTeam: language,
      advisory: language,
      communityAlerts: language,
      publicAlerts: language,
      donors: language,
    })
    .prefault({}),
  organisations: z.array(organisation).min(1),
  abuseTeam: z.array(userId).min(1, "the abuse team needs at least one member"),
  advisoryCommittee: z.array(userId).min(1, "the advisory committee needs at least one member"),
  policy: policy.prefault({}),
  incidents: z
    .strictObject({
      types: z
        .array(
          z
            .string()
            .regex(/^[a-z0-9][a-z0-9-]*$/, "expected lower-case letters, digits and dashes"),
        )
        .min(1)
        .default([...DEFAULT_INCIDENT_TYPES]),
      automaticOffers: z.boolean().default(false),
      offerTimeout: duration.default({ iso: "PT24H", ms: 24 * 3600_000 }),
      attachments: z
        .strictObject({
          maxBytes: z
            .number()
            .int()
            .positive()
            .default(25 * 1024 * 1024),
          maxFiles: z.number().int().positive().max(100).default(10),
        })
        .prefault({}),
    })
    .prefault({}),
  // Generous enough never to bother a real person; they stop a flood of reports or commands.
  limits: z
    .strictObject({
      reports: z
        .strictObject({
          count: z.number().int().positive().default(5),
          within: duration.default({ iso: "PT1H", ms: 3600_000 }),
        })
        .prefault({}),
      messages: z
        .strictObject({
          perPerson: z.number().int().positive().default(30),
          perRoom: z.number().int().positive().default(60),
          within: duration.default({ iso: "PT1M", ms: 60_000 }),
        })
        .prefault({}),
    })
    .prefault({}),
  logging: z
    .strictObject({
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
    })
    .prefault({}),
  ops: z
    .strictObject({
      // The health and metrics endpoint; off unless configured.
      metrics: z
        .strictObject({
          host: z.string().min(1).default("127.0.0.1"),
          port: z.number().int().min(0).max(65535).default(9464),
        })
        .optional(),
    })
    .prefault({}),
});

/** A validated configuration, with defaults filled in and durations parsed. */
export type BotConfig = z.output<typeof configSchema>;
export type OrganisationConfig = BotConfig["organisations"][number];
export type OrganisationRole = OrganisationConfig["role"];

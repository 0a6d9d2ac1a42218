import { randomBytes } from "node:crypto";
import type { ChatContext } from "../../chat/context.js";
import type { ReceivedFile } from "../../chat/received-file.js";
import type { AttachmentStore } from "../../store/attachment-store.js";
import type { Answers, Dialogue } from "../../chat/dialogue.js";
import { freeTextField, yesNoField } from "../../chat/fields.js";
import { lines, verbatim, type Rendered } from "../../chat/render.js";
import { parseTlp, tlpTag, type TlpLabel } from "../../policy/tlp.js";

export const URGENCIES = ["low", "medium", "high", "critical"] as const;
export type Urgency = (typeof URGENCIES)[number];

/** The answers of a confirmed incident report. */
export interface IncidentReport {
  readonly type: string;
  readonly description: string;
  readonly measures: string;
  readonly urgency: Urgency;
  readonly label: TlpLabel;
  readonly consent: boolean;
  /** The attachments sent at intake (draft rows until the report is confirmed). */
  readonly files: readonly number[];
}

/** What rendering a summary needs of a chat context (jobs and room events have no chat). */
export type RenderContext = Pick<ChatContext, "language" | "catalog" | "tlpNames" | "text">;

/** The name of an incident type in the person's language (configured types may have none). */
export function typeName(context: RenderContext, type: string): string {
  const key = `incidentType.${type}`;
  return context.catalog.hasKey(context.language, key) ? context.text({ key }).plain : type;
}

/**
 * `report incident`: the questions of DESIGN.md in order (type, description, measures, files,
 * urgency, TLP, consent), then a summary to confirm. `complete` receives the typed report.
 */
export function incidentIntake(
  types: () => readonly string[],
  complete: (context: ChatContext, report: IncidentReport) => Promise<void>,
  files: IntakeFiles,
): Dialogue {
  return {
    kind: "incident",
    discard: (manager, answers) => files.store.discard(manager, draftKey(answers) ?? ""),
    fields: [
      {
        name: "type",
        question: (context) =>
          lines([
            context.text({ key: "incident.type" }),
            ...types().map((type, i) => verbatim(`${i + 1}. ${typeName(context, type)}`)),
          ]),
        parse: (context, text) => {
          const n = Number(text.trim().replace(/\.$/, ""));
          const type = Number.isInteger(n) ? types()[n - 1] : undefined;
          return type === undefined
            ? {
                problem: context.text({
                  key: "incident.typeInvalid",
                  params: { count: types().length },
                }),
              }
            : { value: type };
        },
      },
      freeTextField("description", "incident.description"),
      freeTextField("measures", "incident.measures"),
      {
        name: "files",
        question: (context) => context.text({ key: "incident.files" }),
        parse: (context, text, answers) =>
          /^\s*(done|none|no|listo|ninguno)\s*$/i.test(text)
            ? { value: draftFiles(answers).map((f) => f.id) }
            : { problem: context.text({ key: "incident.files" }) },
        acceptFile: (context, file, answers) => takeFile(context, file, answers, files),
      },
      {
        name: "urgency",
        question: (context) => context.text({ key: "incident.urgency" }),
        parse: (context, text) => {
          const word = text.trim().toLowerCase();
          return (URGENCIES as readonly string[]).includes(word)
            ? { value: word }
            : { problem: context.text({ key: "incident.urgencyInvalid" }) };
        },
      },
      {
        name: "tlp",
        question: (context) => context.text({ key: "incident.tlp" }),
        parse: (context, text) => {
          const label = /^\s*(default|)\s*$/i.test(text) ? "AMBER" : parseTlp(text);
          return label === undefined
            ? { problem: context.text({ key: "incident.tlpInvalid" }) }
            : { value: label };
        },
      },
      yesNoField("consent", "incident.consent"),
    ],
    summaryLabel: (answers) =>
      typeof answers["tlp"] === "string" ? (parseTlp(answers["tlp"]) ?? "RED") : "RED",
    summary: (context, answers) =>
      summaryText(
        context,
        toReport(answers),
        draftFiles(answers).map((f) => f.name),
      ),
    complete: (context, answers) => complete(context, toReport(answers)),
  };
}

/** The summary the reporter confirms (and, where its label allows, what triage sees). */
export function summaryText(
  context: RenderContext,
  report: IncidentReport,
  fileNames: readonly string[] = [],
  /** Whose report it is, for anyone but the reporter (who reads "Your report"). */
  organisation?: string,
): Rendered {
  const heading =
    organisation === undefined
      ? context.text({ key: "incident.summaryYours" })
      : context.text({ key: "incident.summaryFrom", params: { organisation } });
  return context.text({
    key: "incident.summary",
    params: {
      heading: heading.plain,
      type: typeName(context, report.type),
      description: report.description,
      measures: report.measures,
      files:
        fileNames.length === 0
          ? context.text({ key: "incident.noFiles" }).plain
          : `${String(fileNames.length)} (${fileNames.join(", ")})`,
      urgency: context.text({ key: `urgency.${report.urgency}` }).plain,
      label: tlpTag(report.label, context.tlpNames),
      consent: context.text({ key: report.consent ? "incident.yes" : "incident.no" }).plain,
    },
  });
}

function toReport(answers: Answers): IncidentReport {
  return {
    type: String(answers["type"]),
    description: String(answers["description"]),
    measures: String(answers["measures"]),
    urgency: String(answers["urgency"]) as Urgency,
    label: parseTlp(String(answers["tlp"])) ?? "RED",
    consent: answers["consent"] === true,
    files: Array.isArray(answers["files"])
      ? answers["files"].filter((id): id is number => typeof id === "number")
      : [],
  };
}

/** Where the intake keeps files until the report is confirmed, and how many it takes. */
export interface IntakeFiles {
  readonly store: Pick<AttachmentStore, "add" | "discard">;
  readonly maxFiles: () => number;
}

interface DraftFile {
  readonly id: number;
  readonly name: string;
}

/** The files received so far (kept as drafts under a random key, not the person's id). */
function draftFiles(answers: Answers): DraftFile[] {
  const files = answers["draftFiles"];
  return Array.isArray(files) ? (files as DraftFile[]) : [];
}

function draftKey(answers: Answers): string | undefined {
  const key = answers["draftKey"];
  return typeof key === "string" ? key : undefined;
}

async function takeFile(
  context: ChatContext,
  file: ReceivedFile,
  answers: Answers,
  files: IntakeFiles,
): Promise<Answers | undefined> {
  const ask = (key: string, params: Record<string, string | number> = {}) => {
    context.reply({ label: "WHITE", prompt: "files", text: context.text({ key, params }) });
  };
  if (!file.ok) {
    const reason = context.text({
      key: file.reason === "too-large" ? "incident.fileTooLarge" : "incident.fileUnreadable",
    }).plain;
    ask(file.reason === "unencrypted" ? "incident.filesUnencrypted" : "incident.filesRefused", {
      reason,
    });
    return undefined;
  }
  const kept = draftFiles(answers);
  if (kept.length >= files.maxFiles()) {
    ask("incident.filesTooMany", { limit: files.maxFiles() });
    return undefined;
  }
  const key = draftKey(answers) ?? `DRAFT-${randomBytes(12).toString("hex")}`;
  const stored = await files.store.add(context.manager, key, file);
  ask("incident.filesReceived", { name: file.name });
  return { ...answers, draftKey: key, draftFiles: [...kept, { id: stored.id, name: file.name }] };
}

import { Not, type EntityManager } from "typeorm";
import { z } from "zod";
import { canonicalUserId } from "../../policy/user-id.js";
import { forgetCaseJobs, forgetCaseTrail } from "../../store/case-trail.js";
import { monthStart } from "../../store/columns.js";
import { ConductReport, reporterHashOf } from "../../store/entities/conduct-report.js";
import { Sanction } from "../../store/entities/sanction.js";
import type { FieldCipher } from "../../store/field-cipher.js";
import { jsonCodec, type JsonCodec } from "../../store/stored-json.js";
import type { ConductReportAnswers } from "./intake.js";
import type { Handling } from "./recusal.js";
import { otherReporters } from "./repeats.js";

type Sealed = "details" | "handlers" | "notes";

/** What a report keeps sealed while it is open. */
export interface ReportDetails extends ConductReportAnswers {
  readonly reporter: string;
  readonly reporterRoom: string;
  /** Absent in reports made before the advisory committee could handle one: the abuse team. */
  readonly handledBy?: Handling["body"] | undefined;
}

/** A new report: its sealed details, who handles it, and the person it names (as resolved). */
export interface NewReport {
  readonly caseId: string;
  readonly details: ReportDetails;
  readonly handlers: readonly string[];
  readonly named: string | undefined;
}

/** A note of the handlers on a report. */
export interface ReportNote {
  readonly by: string;
  readonly at: number;
  readonly text: string;
}

const detailsShape = z
  .object({
    reporter: z.string(),
    reporterRoom: z.string(),
    what: z.string(),
    who: z.string().optional(),
    whereWhen: z.string(),
    evidence: z.string(),
    anonymous: z.boolean(),
    handledBy: z.enum(["abuse-team", "advisory-committee"]).optional(),
  })
  // JSON leaves out a `who` nobody was named for; the answers keep it, undefined.
  .transform((details): ReportDetails => ({ ...details, who: details.who }));
const DETAILS = jsonCodec("a report's details", detailsShape);
const HANDLERS = jsonCodec("a report's handlers", z.array(z.string()));
const NOTES = jsonCodec(
  "a report's notes",
  z.array(z.object({ by: z.string(), at: z.number(), text: z.string() })),
);

/**
 * Code of Conduct reports and their sanctions, with what names or describes someone sealed
 * (bound to the case id); the person named and the reporter are also kept as keyed hashes, so
 * that repeats are counted without reading any report.
 */
export class ConductStore {
  constructor(private readonly cipher: FieldCipher) {}

  async open(manager: EntityManager, report: NewReport, at: Date): Promise<void> {
    const { caseId, details, named } = report;
    const namedHash =
      named === undefined ? null : this.cipher.hash(canonicalUserId(named), "conduct.named");
    await manager.save(
      manager.create(ConductReport, {
        caseId,
        state: "open",
        openedMonth: at.toISOString().slice(0, 7),
        closedMonth: null,
        outcome: null,
        namedHash,
        reporterHash:
          namedHash === null
            ? null
            : reporterHashOf(
                (value, context) => this.cipher.hash(value, context),
                namedHash,
                canonicalUserId(details.reporter),
              ),
        anonymous: details.anonymous,
        details: this.seal(caseId, "details", details),
        handlers: this.seal(caseId, "handlers", report.handlers),
        roomId: null,
        notes: null,
        createdAt: at.getTime(),
        updatedAt: at.getTime(),
      }),
    );
  }

  get(manager: EntityManager, caseId: string): Promise<ConductReport | null> {
    return manager.findOneBy(ConductReport, { caseId });
  }

  /** The open report whose room this is. */
  byRoom(manager: EntityManager, roomId: string): Promise<ConductReport | null> {
    return manager.findOneBy(ConductReport, { roomId, state: "open" });
  }

  /** Records the room of an open report (made by its job, or found when a handler joined). */
  async recordRoom(manager: EntityManager, report: ConductReport, roomId: string): Promise<void> {
    await manager.update(ConductReport, { id: report.id }, { roomId, updatedAt: Date.now() });
    report.roomId = roomId;
  }

  details(report: ConductReport): ReportDetails {
    const details = this.unseal(report, "details", DETAILS);
    if (details === undefined) throw new Error("a closed report has no details");
    return details;
  }

  /** Who handles the report (none once it is closed). */
  handlers(report: ConductReport): string[] {
    return this.unseal(report, "handlers", HANDLERS) ?? [];
  }

  /** Adds a handler's note; how many the report has now. */
  async addNote(manager: EntityManager, report: ConductReport, note: ReportNote): Promise<number> {
    const notes = [...(this.unseal(report, "notes", NOTES) ?? []), note];
    await manager.update(
      ConductReport,
      { id: report.id },
      { notes: this.seal(report.caseId, "notes", notes) },
    );
    return notes.length;
  }

  /** A warning or an expulsion the handlers decided; it stays after the report closes. */
  async sanction(
    manager: EntityManager,
    caseId: string,
    userId: string,
    kind: Sanction["kind"],
  ): Promise<void> {
    await manager.insert(Sanction, {
      userId,
      kind,
      caseId,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
  }

  /** {@link otherReporters} of a report, from the stored reports about the same person. */
  async otherReportersOf(manager: EntityManager, report: ConductReport): Promise<number> {
    if (report.namedHash === null) return 0;
    const others = await manager.find(ConductReport, {
      select: { reporterHash: true },
      where: { namedHash: report.namedHash, caseId: Not(report.caseId) },
    });
    return otherReporters(
      others.map((other) => other.reporterHash),
      report.reporterHash,
    );
  }

  /**
   * Closes a report and forgets it: only its number, the months, the outcome (and the hashes
   * that count repeats) stay; the audit and outbox rows of the case lose the people and rooms
   * they named.
   */
  async close(
    manager: EntityManager,
    report: ConductReport,
    outcome: string,
    at: Date,
    carryOut: readonly string[],
  ): Promise<void> {
    const closedMonth = at.toISOString().slice(0, 7);
    await manager.update(
      ConductReport,
      { id: report.id },
      {
        state: "closed",
        closedMonth,
        // The months stay; the exact times go.
        createdAt: monthStart(report.openedMonth),
        outcome,
        anonymous: null,
        details: null,
        handlers: null,
        roomId: null,
        notes: null,
        updatedAt: monthStart(closedMonth),
      },
    );
    await forgetCaseTrail(manager, [report.caseId]);
    await forgetCaseJobs(manager, report.caseId, carryOut);
  }

  private seal(caseId: string, column: Sealed, value: unknown): string {
    return this.cipher.encrypt(JSON.stringify(value), sealContext(caseId, column));
  }

  /** A sealed JSON column, read and checked against its shape (undefined when it is empty). */
  private unseal<T>(report: ConductReport, column: Sealed, codec: JsonCodec<T>): T | undefined {
    const sealed = report[column];
    if (sealed === null) return undefined;
    const text = this.cipher.decrypt(sealed, sealContext(report.caseId, column));
    return codec.decode(text, report.caseId);
  }
}

function sealContext(caseId: string, column: Sealed): string {
  return `conduct_report.${column}:${caseId}`;
}

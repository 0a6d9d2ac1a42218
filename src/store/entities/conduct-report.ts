import { Column, Entity, Index } from "typeorm";
import { Row } from "./row.js";

/**
 * A Code of Conduct report. Everything that names or describes someone is sealed; the person
 * named is also kept as a keyed hash, so that earlier reports about them can be counted without
 * being read. Closing keeps only the number, the months and the outcome category.
 */
@Entity("conduct_report")
@Index("idx_conduct_report_case", ["caseId"], { unique: true })
@Index("idx_conduct_report_named", ["namedHash"])
export class ConductReport extends Row {
  @Column({ type: "varchar", length: 32 })
  caseId!: string;

  @Column({ type: "varchar", length: 16 })
  state!: "open" | "closed";

  @Column({ type: "varchar", length: 7 })
  openedMonth!: string;

  @Column({ type: "varchar", length: 7, nullable: true })
  closedMonth!: string | null;

  @Column({ type: "varchar", length: 32, nullable: true })
  outcome!: string | null;

  /** HMAC of the named person's user ID (null when nobody was named). */
  @Column({ type: "varchar", length: 64, nullable: true })
  namedHash!: string | null;

  /**
   * HMAC of the reporter together with the person named (null when nobody was named, and in
   * reports made before it was kept): repeats are counted by distinct reporters, so that one
   * account cannot make a person look reported by many. Paired with the named person so that it
   * does not link one reporter's reports about different people.
   */
  @Column({ type: "varchar", length: 64, nullable: true })
  reporterHash!: string | null;

  @Column({ type: "boolean", nullable: true })
  anonymous!: boolean | null;

  /** Sealed JSON of the report: reporter, their room, what, who, where and when, evidence. */
  @Column({ type: "text", nullable: true })
  details!: string | null;

  /** Sealed JSON list of the abuse team members handling it (not recused). */
  @Column({ type: "text", nullable: true })
  handlers!: string | null;

  @Column({ type: "varchar", length: 255, nullable: true })
  roomId!: string | null;

  /** Sealed JSON list of the team's notes. */
  @Column({ type: "text", nullable: true })
  notes!: string | null;
}

/**
 * The reporter hash of a report: the reporter (as `canonicalUserId` spells them) keyed with the
 * named person's hash, so that key rotation, which redoes the named hash, can redo it too.
 */
export function reporterHashOf(
  hash: (value: string, context: string) => string,
  namedHash: string,
  canonicalReporter: string,
): string {
  return hash(`${namedHash}\u0000${canonicalReporter}`, "conduct.reporter");
}

import { Column, Entity, Index } from "typeorm";
import { Row } from "./row.js";

/**
 * A file a reporter sent for a case. The name, the type and the bytes are sealed with the data
 * key, bound to the case and the row; the rows go when the case closes (Retention).
 */
@Entity("attachment")
@Index("idx_attachment_case", ["caseId"])
export class Attachment extends Row {
  @Column({ type: "varchar", length: 32 })
  caseId!: string;

  /** Sealed. */
  @Column({ type: "text" })
  name!: string;

  /** Sealed. */
  @Column({ type: "text" })
  mimetype!: string;

  /** Bytes of the plaintext. */
  @Column({ type: "integer" })
  size!: number;

  /** Sealed base64 of the bytes. */
  @Column({ type: "text" })
  content!: string;
}

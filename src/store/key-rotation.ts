import type { DataSource } from "typeorm";
import { canonicalUserId } from "../policy/user-id.js";
import { ConductReport, reporterHashOf } from "./entities/conduct-report.js";
import type { FieldCipher } from "./field-cipher.js";
import { ScheduledJob } from "./entities/scheduled-job.js";
import { payloadContext, SEALED_COLUMNS, SEALED_PAYLOAD_FIELDS } from "./sealed-columns.js";

/** What a rotation did: values re-sealed, values already under the new key, hashes redone. */
export interface RotationCount {
  readonly resealed: number;
  readonly alreadyNew: number;
  readonly rehashed: number;
}

/**
 * Re-seals every sealed column under a new data key, in one transaction: either all of it
 * moves to the new key or nothing does. A value that already opens with the new key is left
 * (a rotation interrupted after its commit can be run again). The keyed hashes of people named
 * in harassment reports are redone where the report still holds the name; a closed report's
 * hash cannot be, and no longer counts towards repeats after the rotation.
 */
export async function rotateDataKey(
  dataSource: DataSource,
  from: FieldCipher,
  to: FieldCipher,
): Promise<RotationCount> {
  let resealed = 0;
  let alreadyNew = 0;
  let rehashed = 0;
  await dataSource.transaction(async (manager) => {
    for (const sealed of SEALED_COLUMNS) {
      const metadata = dataSource.getMetadata(sealed.entity);
      const key = metadata.primaryColumns.map((c) => c.propertyName);
      for (const row of (await manager.find(sealed.entity)) as Record<string, unknown>[]) {
        const value = row[sealed.column];
        if (typeof value !== "string") continue;
        const context = sealed.context(row);
        let plain: string;
        try {
          plain = from.decrypt(value, context);
        } catch {
          // Neither key opens it: this throws, and nothing is committed.
          to.decrypt(value, context);
          alreadyNew++;
          continue;
        }
        const where = Object.fromEntries(key.map((k) => [k, row[k]]));
        await manager.update(sealed.entity, where, { [sealed.column]: to.encrypt(plain, context) });
        resealed++;
      }
    }
    for (const job of await manager.find(ScheduledJob)) {
      const payload = JSON.parse(job.payload) as Record<string, unknown>;
      let changed = false;
      for (const field of SEALED_PAYLOAD_FIELDS) {
        const value = payload[field];
        if (typeof value !== "string") continue;
        const context = payloadContext(field, job.caseId ?? "");
        try {
          payload[field] = to.encrypt(from.decrypt(value, context), context);
          changed = true;
          resealed++;
        } catch {
          to.decrypt(value, context);
          alreadyNew++;
        }
      }
      if (changed)
        await manager.update(ScheduledJob, { id: job.id }, { payload: JSON.stringify(payload) });
    }
    for (const report of await manager.find(ConductReport)) {
      if (report.details === null || report.namedHash === null) continue;
      // Read again: the loop above re-sealed the details under the new key.
      const fresh = await manager.findOneByOrFail(ConductReport, { id: report.id });
      const details = JSON.parse(
        to.decrypt(fresh.details ?? "", `conduct_report.details:${report.caseId}`),
      ) as { who?: string; reporter?: string };
      if (details.who === undefined) continue;
      // As the report made it: the person named, compared as the server does (`@Ana` is `@ana`).
      const namedHash = to.hash(canonicalUserId(details.who), "conduct.named");
      const reporterHash =
        report.reporterHash === null || details.reporter === undefined
          ? null
          : reporterHashOf((v, c) => to.hash(v, c), namedHash, canonicalUserId(details.reporter));
      await manager.update(ConductReport, { id: report.id }, { namedHash, reporterHash });
      rehashed++;
    }
  });
  return { resealed, alreadyNew, rehashed };
}

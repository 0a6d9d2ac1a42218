import type { EntityManager } from "typeorm";
import type { Text } from "../../chat/catalog.js";
import type { ConductReport } from "../../store/entities/conduct-report.js";
import { languageOf } from "../../store/people.js";
import type { ConductOptions } from "./conduct.js";
import type { ConductStore } from "./conduct-store.js";
import { reporterStatus } from "./messages.js";

/**
 * What the parts of the conduct workflow share: its options and its store. Jobs and membership
 * changes have no chat context; they act through this.
 */
export interface ConductServices extends ConductOptions {
  readonly store: ConductStore;
}

/** Tells the reporter, in the room they reported from, where their report is. */
export async function tellReporter(
  services: ConductServices,
  manager: EntityManager,
  report: ConductReport,
  text: Text,
): Promise<void> {
  const { reporter, reporterRoom } = services.store.details(report);
  const language = await languageOf(manager, reporter);
  await services.say(
    manager,
    reporterRoom,
    reporterStatus(services.catalog, language, report.caseId, text),
  );
}
